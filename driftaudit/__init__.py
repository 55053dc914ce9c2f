"""driftaudit: a migration-aware schema drift auditor for Django projects on SQLite.

It compares three truths - the models (M), the migration history (H) and the real
database (D) - explains every mismatch and, later, proposes a rebuild migration.
"""

__version__ = "0.1.0"
