"""Row facts for the repair plan: where each column's values come from, and which rows the
fix policies change.

Everything here reads the audited database through the read-only connection and counts in
SQLite. A value is never invented or dropped silently: a CAST is written only when every
stored value converts without loss, a NULL or a new NOT NULL column gets the model's default,
and orphans and duplicates follow ``fix.orphans`` / ``fix.duplicates`` (default: quarantine);
rows a new NOT NULL or CHECK rejects are in :mod:`.rejected_rows`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from driftaudit.repair.names import backup_name, quarantine_name
from driftaudit.repair.orphans import MAX_ROUNDS, KeyEdge, cascade
from driftaudit.repair.plan import ColumnSource, RowFix
from driftaudit.repair.problem import Problem
from driftaudit.repair.rejected_rows import rejected_rows
from driftaudit.repair.wording import say
from driftaudit.schema.catalog import Table
from driftaudit.sql import quote_identifier as q

SAMPLE = 10


def _cast_ok(column: str, affinity: str) -> str | None:
    """SQL true for a stored value that ``CAST(x AS affinity)`` keeps exactly; None: no CAST."""
    c = q(column)
    if affinity == "INTEGER":
        text = f"trim({c})"
        return (f"typeof({c}) = 'integer' OR (typeof({c}) = 'real' AND {c} = CAST({c} AS INTEGER)) OR "
                f"(typeof({c}) = 'text' AND ({text} GLOB '[0-9]*' OR {text} GLOB '[+-][0-9]*') "
                f"AND NOT substr({text}, 2) GLOB '*[^0-9]*' AND length({text}) < 19)")
    if affinity == "REAL":
        return (f"typeof({c}) IN ('integer', 'real') OR (typeof({c}) = 'text' AND trim({c}) GLOB '*[0-9]*' "
                f"AND NOT trim({c}) GLOB '*[^0-9.eE+-]*')")
    if affinity == "TEXT":
        return f"typeof({c}) IN ('integer', 'real', 'text')"
    return None  # NUMERIC converts by itself, BLOB keeps everything


class RowFacts:
    def __init__(self, conn: sqlite3.Connection, config, fields: dict, taken: set,
                 replayed: frozenset = frozenset()):
        self.conn, self.config, self.fields, self.taken = conn, config, fields, taken
        #: tables a faked migration's own operations change (Django's AlterField fills NULLs)
        self.replayed = replayed
        #: every single-column key the repaired schema keeps, with what makes its orphan fix
        self.keys: list[tuple] = []
        from driftaudit.sources.models import scratch_connection

        wrapper = scratch_connection()
        self.editor = wrapper.SchemaEditorClass(wrapper, collect_sql=True)

    def _one(self, sql: str, *params):
        return self.conn.execute(sql, params).fetchone()[0]

    def count(self, table: str) -> int:
        return self._one(f"SELECT count(*) FROM {q(table)}")

    def count_where(self, table: str, where: str) -> int:
        return self._one(f"SELECT count(*) FROM {q(table)} WHERE {where}")

    def sample(self, table: str, identity: str, where: str) -> str:
        rows = self.conn.execute(f"SELECT {identity} FROM {q(table)} WHERE {where} ORDER BY 1 LIMIT {SAMPLE}")
        return ", ".join(str(r[0]) for r in rows)

    def default_literal(self, table: str, column: str) -> str | None:
        """The model field's default as an SQL literal (Django's ``effective_default``), or None."""
        f = self.fields.get((table.lower(), column.lower()))
        if f is None:
            return None
        value = self.editor.effective_default(f)
        return None if value is None else str(self.editor.quote_value(value))

    def null_fill(self, target: Table, col) -> str | None:
        """What a NULL becomes in ``col`` when the rebuilt table makes it NOT NULL: the model's
        default, else '' for a text field, else None (no value to invent: the row is set aside).

        A replayed table gets what Django's own ``AlterField`` writes and nothing more: its
        ``effective_default`` ('' only for a ``blank`` text field), so that the rows it would
        leave NULL - and fail on - are set aside before it runs (seed 11195)."""
        value = self.default_literal(target.name, col.name)
        if value is not None or target.name.lower() in self.replayed:
            return value
        return "''" if self._is_text(target.name, col.name, col.declared_type) else None

    def _is_text(self, table: str, column: str, declared: str) -> bool:
        f = self.fields.get((table.lower(), column.lower()))
        return f.empty_strings_allowed if f is not None else "CHAR" in declared.upper() or "TEXT" in declared.upper()

    # -- columns ------------------------------------------------------------------------------
    def column_sources(self, target: Table, current: Table, renamed: dict) -> tuple[list, list]:
        sources, problems = [], []
        rows = None
        for col in target.columns:
            if col.generated is not None:  # "" = omitted from INSERT: the CREATE TABLE says how
                sources.append(ColumnSource(col.name, None, "", say("column", "generated",
                                                                    generation=col.generation)))
                continue
            old = current.column(renamed.get(col.name.lower(), col.name))
            if old is None:
                rows = self.count(current.name) if rows is None else rows
                sources.append(self._new_column(target, col, rows, problems))
                continue
            expr, note = q(old.name), say("column", "copy") if old.name == col.name else \
                say("column", "rename", old=old.name)
            if old.affinity != col.affinity:
                ok = _cast_ok(old.name, col.affinity)
                if ok is not None:
                    bad = self._one(f"SELECT count(*) FROM {q(current.name)} WHERE {q(old.name)} IS NOT NULL "
                                    f"AND NOT ({ok})")
                    if bad:
                        note = say("column", "no_cast", old=old.name, bad=bad, affinity=col.affinity)
                    else:
                        expr = f"CAST({q(old.name)} AS {col.affinity})"
                        note = say("column", "cast", old=old.name, affinity=col.affinity)
            if col.not_null and not col.primary_key and not old.not_null:
                nulls = self._one(f"SELECT count(*) FROM {q(current.name)} WHERE {q(old.name)} IS NULL")
                fill = self.null_fill(target, col) if nulls else None
                if fill is not None:
                    # as Django's own AlterField does on SQLite: COALESCE with the default
                    expr = f"COALESCE({expr}, {fill})"
                    note = say("column", "coalesce", old=old.name, nulls=nulls, value=fill) if fill != "''" \
                        else say("column", "coalesce_empty", old=old.name, nulls=nulls)
                # else: the rows are set aside first, per fix.nulls (rejected_rows)
            sources.append(ColumnSource(col.name, old.name, expr, note))
        return sources, problems

    def _new_column(self, target: Table, col, rows: int, problems: list) -> ColumnSource:
        value = self.default_literal(target.name, col.name)
        if value is not None:
            return ColumnSource(col.name, None, value, say("column", "default", value=value))
        if not col.not_null or col.default is not None or col.primary_key:
            return ColumnSource(col.name, None, "", say("column", "nullable"))  # "" = omitted from INSERT
        if self._is_text(target.name, col.name, col.declared_type):
            return ColumnSource(col.name, None, "''", say("column", "empty"))
        if rows:
            problems.append(Problem(target.name, say("problem", "no_default", table=target.name,
                                                     column=col.name, count=rows)))
        return ColumnSource(col.name, None, "", say("column", "nullable"))

    # -- rows ---------------------------------------------------------------------------------
    def row_fixes(self, target: Table, current: Table, renamed: dict, parents: dict) -> tuple[list, list]:
        fixes, problems = [], []
        identity = q(current.primary_key_columns[0]) if len(current.primary_key_columns) == 1 else "rowid"
        for fk in target.foreign_keys:
            olds = [current.column(renamed.get(c.lower(), c)) for c in fk.columns]
            if any(o is None for o in olds):
                continue
            parent = parents.get(fk.key)
            cols = [q(o.name) for o in olds]
            present = " AND ".join(f"{c} IS NOT NULL" for c in cols)
            if parent is None:
                where = present
            else:
                pcols = fk.target_columns if all(fk.target_columns) else parent.primary_key_columns
                if len(pcols) != len(cols) or any(parent.column(p) is None for p in pcols):
                    continue
                match = " AND ".join(f"p.{q(p)} = {q(current.name)}.{c}" for p, c in zip(pcols, cols))
                where = f"{present} AND NOT EXISTS (SELECT 1 FROM {q(parent.name)} AS p WHERE {match})"
                if len(cols) == 1:
                    removes = self.config.fix_policy("orphans", target.name) in ("quarantine", "delete")
                    edge = KeyEdge(current.name, olds[0].name, parent.name, pcols[0], removes)
                    self.keys.append((edge, target, current, fk, [o.name for o in olds], where, identity, parent))
            count = self._one(f"SELECT count(*) FROM {q(current.name)} WHERE {where}")
            if not count:
                continue
            fixes_or_problem = self._orphans(target, current, fk, [o.name for o in olds], where, count,
                                             identity, parent)
            (fixes if isinstance(fixes_or_problem, RowFix) else problems).append(fixes_or_problem)
        for index in target.indexes:
            if not index.unique or index.origin == "pk" or index.where or not index.columns:
                continue
            olds = [current.column(renamed.get(c.lower(), c)) for c in index.columns]
            if any(o is None for o in olds) or len(index.terms or index.columns) != len(index.columns):
                continue
            found = self._duplicates(target, current, [o.name for o in olds], identity)
            if found is not None:
                (fixes if isinstance(found, RowFix) else problems).append(found)
        for found in rejected_rows(self, target, current, renamed, identity):
            (fixes if isinstance(found, RowFix) else problems).append(found)
        return fixes, problems

    def cascaded(self, fixes: list[RowFix]) -> tuple[list, list]:
        """``fixes`` with the orphans their own removal makes: counts over every round, and new
        fixes for tables that only the cascade reaches."""
        found = cascade(self.conn, [k[0] for k in self.keys], removed=self._removed_first(fixes))
        if found.rounds == 0:
            return fixes, []
        if found.rounds > MAX_ROUNDS:
            table = next(iter(found.rows)).child
            return fixes, [Problem(table, say("problem", "orphan_chain", table=table, rounds=MAX_ROUNDS))]
        out = list(fixes)  # set-null and multi-column fixes stay as they are
        index = {(f.table, f.where): i for i, f in enumerate(out)}
        for edge, target, current, fk, columns, where, identity, parent in self.keys:
            rows = found.rows.get(edge)
            i = index.get((current.name, where))
            if not rows:
                if i is not None:  # its rows are another key's (seed 8223): the table's total stays exact
                    out[i] = replace(out[i], count=0)
                continue
            fix = out[i] if i is not None else self._orphans(target, current, fk, columns, where, rows,
                                                              identity, parent)
            fix = replace(fix, count=rows, rounds=found.rounds)
            if i is None:
                out.append(fix)
            else:
                out[i] = fix
        return _one_per_table(out), []

    def _removed_first(self, fixes: list[RowFix]) -> dict[str, set]:
        """table -> rowids the fixes other than orphans' take out (they run first)."""
        out: dict[str, set] = {}
        for fix in fixes:
            if not fix.kind.startswith("orphans"):
                rows = self.conn.execute(f"SELECT rowid FROM {q(fix.table)} WHERE {fix.where}")
                out.setdefault(fix.table, set()).update(r for (r,) in rows)
        return out

    def _orphans(self, target, current, fk, columns, where, count, identity, parent):
        policy = self.config.fix_policy("orphans", target.name)
        sample = self.sample(current.name, identity, where)
        values = dict(table=current.name, count=count, parent=fk.target_table, columns=", ".join(columns),
                      sample=sample)
        nullable = all(not target.column(c).not_null for c in fk.columns)
        if policy == "fail":
            return Problem(target.name, say("problem", "orphans", set_null=" or `set-null`" if nullable else "",
                                            **values))
        if policy == "set-null" and not nullable:
            return Problem(target.name, say("problem", "orphans_not_null", **values))
        kind = f"orphans-{policy}"
        if policy == "quarantine":
            backup = quarantine_name(current.name, self.taken)
            reason = f"orphan: {', '.join(columns)} -> {fk.target_table} (row missing)"
            return RowFix(current.name, kind, where, tuple(columns), count, backup,
                          say("rows", kind, backup=backup, **values), identity, reason,
                          current.written_columns)
        backup = backup_name(f"{current.name}__orphans", self.taken)
        return RowFix(current.name, kind, where, tuple(columns), count, backup,
                      say("rows", kind, backup=backup, **values), identity, table_columns=current.written_columns)

    def _duplicates(self, target, current, columns, identity):
        policy = self.config.fix_policy("duplicates", target.name)
        cols = ", ".join(q(c) for c in columns)
        present = " AND ".join(f"{q(c)} IS NOT NULL" for c in columns)
        first = "max" if policy == "keep-last" else "min"
        keep = f"SELECT {first}(rowid) FROM {q(current.name)} WHERE {present} GROUP BY {cols}"
        where = f"{present} AND rowid NOT IN ({keep})"
        count = self._one(f"SELECT count(*) FROM {q(current.name)} WHERE {where}")
        if not count:
            return None
        sample = self.sample(current.name, identity, where)
        values = dict(table=current.name, count=count, columns=", ".join(columns), sample=sample)
        if policy == "fail":
            return Problem(target.name, say("problem", "duplicates", **values))
        kind = f"duplicates-{policy}"
        if policy == "quarantine":
            backup = quarantine_name(current.name, self.taken)
            return RowFix(current.name, kind, where, tuple(columns), count, backup,
                          say("rows", kind, backup=backup, **values), identity,
                          f"duplicate: ({', '.join(columns)}) repeats a row kept in {current.name}",
                          current.written_columns)
        backup = backup_name(f"{current.name}__duplicates", self.taken)
        return RowFix(current.name, kind, where, tuple(columns), count, backup,
                      say("rows", kind, backup=backup, **values), identity, table_columns=current.written_columns)


def _one_per_table(fixes: list[RowFix]) -> list[RowFix]:
    """The orphan fixes of one table (one per key) as one: a row orphaned through two keys is
    taken by whichever statement runs first, so only the table's total is known in advance -
    and that total is what the quarantine table must hold (``verify`` checks it)."""
    taking = ("orphans-quarantine", "orphans-delete")
    by_table: dict[tuple, list[RowFix]] = {}
    for fix in fixes:
        if fix.kind in taking:
            by_table.setdefault((fix.table, fix.kind), []).append(fix)
    out, merged = [], set()
    for fix in fixes:
        group = by_table.get((fix.table, fix.kind), [])
        if len(group) < 2:
            out.append(fix)
        elif (fix.table, fix.kind) not in merged:
            merged.add((fix.table, fix.kind))
            out.append(replace(
                group[0], where=" OR ".join(f"({f.where})" for f in group),
                columns=tuple(dict.fromkeys(c for f in group for c in f.columns)),
                count=sum(f.count for f in group), text=" ".join(f.text for f in group),
                rounds=max(f.rounds for f in group),
                reason_cases=tuple((f"({f.where})", f.reason) for f in group) if fix.reason else ()))
    return out
