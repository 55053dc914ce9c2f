"""DDL goldens per Django release: the feature catalog, the snapshot, the regen script."""
