"""Findings about the migration history itself, linked to the schema drift they explain.

The schema findings are made first; while choosing their causes, the evidence finder records
which migration explained which database object (``EvidenceFinder.claimed``). The history
findings made here point back at those objects ("it explains stale-column
appname_exampletwo.rank"), so a ghost or a rewritten file is never reported without what it left
behind, and a missing dependency says which file to restore or what to repoint it to.
"""

from __future__ import annotations

from dataclasses import replace

from driftaudit.config.rules import fill, rule_for
from driftaudit.explain.evidence import EvidenceFinder
from driftaudit.explain.history_facts import fmt_time, parse_applied
from driftaudit.explain.finding import Finding
from driftaudit.explain.ghosts import describe_all, objects_in_database
from driftaudit.sources.history import migration_label


class HistoryFindings:
    def __init__(self, explainer):
        self.x = explainer
        self.history = explainer.history
        self.evidence: EvidenceFinder = explainer.evidence

    def all(self) -> list[Finding]:
        h = self.history
        out = []
        for broken in h.broken_files:
            f = self.x._finding("broken-migration", path=broken.path, error=broken.error)
            out.append(replace(f, app=broken.app, migration=f"{broken.app}.{broken.name}",
                               cause="unknown", signature=None))
        out += [self.missing_dependency(m) for m in h.missing_dependencies]
        out += [self.ghost(key) for key in h.ghosts]
        gap_keys = {gap.squash for gap in h.squash_gaps}
        out += [self.squash_gap(gap) for gap in h.squash_gaps]
        if h.has_records_table:
            out += [self.unapplied(key) for key in h.unapplied if key not in gap_keys]
        out += [self.inconsistent(record) for record in h.inconsistent]
        out += self.rewritten()
        return out

    # -- helpers ---------------------------------------------------------------------------
    def _applied(self, key) -> str:
        return fmt_time(parse_applied(self.history.records.get(key)), self.evidence.use_tz)

    def _times(self, rewrite) -> dict:
        """When a rewritten migration was recorded and when its file changed, both in UTC."""
        use_tz = self.evidence.use_tz
        return {"applied": fmt_time(rewrite.applied, use_tz), "modified": fmt_time(rewrite.modified, use_tz)}

    def explained_objects(self, key) -> list[tuple]:
        """(kind, table, column) of every schema difference whose cause cites ``key``."""
        seen, out = set(), []
        for _evidence, kind, table, column in self.evidence.claimed.get(key, []):
            item = (kind, table, column)
            if item not in seen:
                seen.add(item)
                out.append(item)
        return out

    def _objects_sentence(self, key, rule) -> str:
        objects = self.explained_objects(key)
        if not objects:
            return ""
        listed = ", ".join(f"{kind} {table}{'.' + column if column else ''}" for kind, table, column in objects)
        return " " + fill(rule.template("explains"), objects=listed)

    def _located(self, finding: Finding, key, cause: str, **extra) -> Finding:
        objects = self.explained_objects(key)
        table = objects[0][1] if len(objects) == 1 else None
        column = objects[0][2] if len(objects) == 1 else None
        return replace(finding, app=key[0], migration=migration_label(key), cause=cause,
                       table=table, column=column, **extra)

    def in_database(self, key) -> list[str]:
        """What of ``key``'s operations (tables it creates, columns it adds) the database already has."""
        return objects_in_database(self.history, self.x.d, key)

    # -- one finding per fact --------------------------------------------------------------
    def ghost(self, key) -> Finding:
        rule = rule_for("ghost-migration")
        removed = self.evidence.removed_app(key[0])
        ghost = self.evidence.ghosts.get(key)
        guess = ""
        if removed is None and ghost is not None:
            if ghost.recovered is not None:
                deleted, last = ghost.recovered.deleted_in, ghost.recovered.last
                guess = " " + fill(rule.template("git"), path=last.path, deleted_sha=deleted.short,
                                   deleted_date=fmt_time(deleted.naive(True), True),
                                   deleted_subject=deleted.subject, last_sha=last.commit.short,
                                   operations=describe_all(ghost.operations) or "?")
            elif ghost.operations:
                guess = " " + fill(rule.template("named"), operations=describe_all(ghost.operations))
            else:
                guess = " " + rule.template("unnamed").strip()
        guess += self._objects_sentence(key, rule)
        f = self.x._finding("ghost-migration", migration=migration_label(key), applied=self._applied(key),
                            guess=guess)
        return self._located(f, key, "removed-app" if removed else "deleted-migration")

    def missing_dependency(self, missing) -> Finding:
        rule = rule_for("missing-dependency")
        dep = missing.dependency
        values = dict(migration=migration_label(missing.migration), dependency=migration_label(dep))
        notes = []
        if dep in self.history.records:
            notes.append(fill(rule.template("recorded"), applied=self._applied(dep), dependency=values["dependency"]))
        ghost = self.evidence.ghosts.get(dep)
        recovered = ghost.recovered if ghost else self.evidence.recover_deleted(dep)
        if recovered is not None:
            notes.append(fill(rule.template("git"), path=recovered.last.path,
                              deleted_sha=recovered.deleted_in.short, subject=recovered.deleted_in.subject))
        replacement = self.repoint_target(dep)
        if replacement:
            notes.append(fill(rule.template("repoint"), replacement=migration_label(replacement)))
        f = self.x._finding("missing-dependency", **values)
        f = replace(f, explanation=" ".join([f.explanation, *notes]))
        return replace(f, app=missing.migration[0], migration=migration_label(missing.migration),
                       cause="deleted-migration")

    def repoint_target(self, dep) -> tuple | None:
        """The latest existing migration of the dependency's app that sorts before it."""
        graph = self.history.loader.graph
        candidates = sorted(k for k in graph.nodes if k[0] == dep[0] and k[1] < dep[1])
        return candidates[-1] if candidates else None

    def unapplied(self, key) -> Finding:
        rule = rule_for("unapplied-migration")
        present = self.in_database(key)
        if present:
            # An initial migration (``initial = True``) that was never recorded, whose work the
            # database already has: the app's files were regenerated, and this one redoes what
            # the old initial migrations did under their names - not a record deleted by hand.
            node = self.history.loader.graph.nodes.get(key)
            regenerated = bool(getattr(node, "initial", False)) and key not in self.history.records
            f = self.x._finding("unapplied-migration",
                                template="regenerated" if regenerated else "already_in_database",
                                migration=migration_label(key), objects=", ".join(present), app=key[0])
            return self._located(f, key, "rewritten-migration" if regenerated else "manual-sql")
        f = self.x._finding("unapplied-migration", migration=migration_label(key))
        objects = self._objects_sentence(key, rule)
        return self._located(replace(f, explanation=f.explanation + objects), key, "unapplied-migration")

    def inconsistent(self, record) -> Finding:
        present = self.in_database(record.dependency)
        values = dict(migration=migration_label(record.migration), dependency=migration_label(record.dependency))
        if present:
            f = self.x._finding("inconsistent-history", template="record_removed", objects=", ".join(present),
                                **values)
            cause = "manual-sql"
        elif self.evidence.rewrite_of(record.migration):
            rewrite = self.evidence.rewrite_of(record.migration)
            f = self.x._finding("inconsistent-history", template="rewritten", **self._times(rewrite), **values)
            cause = "rewritten-migration"
        else:
            f = self.x._finding("inconsistent-history", **values)
            cause = "unknown"
        return replace(f, app=record.migration[0], migration=migration_label(record.migration), cause=cause)

    def squash_gap(self, gap) -> Finding:
        label = lambda keys: ", ".join(migration_label(k) for k in keys)  # noqa: E731
        f = self.x._finding("inconsistent-history", template="squash_gap", squash=migration_label(gap.squash),
                            applied=label(gap.applied), unapplied=label(gap.unapplied),
                            missing=label(gap.missing_files))
        return replace(f, app=gap.squash[0], migration=migration_label(gap.squash), cause="deleted-migration")

    def rewritten(self) -> list[Finding]:
        rule = rule_for("rewritten-migration")
        out = []
        for key, claims in self.evidence.claimed.items():
            if not any(evidence.cause == "rewritten-migration" for evidence, *_ in claims):
                continue
            rewrite = self.evidence.rewrite_of(key) or next(
                (r for r in self.evidence.rewritten if r.key == key), None)
            if rewrite is None:
                continue
            template = "git" if rewrite.commit else "default"
            f = self.x._finding(
                "rewritten-migration", template=template, migration=migration_label(key),
                **self._times(rewrite),
                sha=rewrite.commit.short if rewrite.commit else "",
                subject=rewrite.commit.subject if rewrite.commit else "",
                previous_sha=rewrite.previous.commit.short if rewrite.previous else "?")
            f = replace(f, explanation=f.explanation + self._objects_sentence(key, rule))
            out.append(self._located(f, key, "rewritten-migration"))
        return out

