"""driftaudit: a migration-aware schema drift auditor for Django projects on SQLite.

It compares three truths - the models (M), the migration history (H) and the real
database (D) - explains every mismatch, and proposes the migration that repairs it.

The package reads as its pipeline (see ``docs/ARCHITECTURE.md``)::

    sources/  ->  schema/  ->  explain/  ->  repair/  ->  report/
    read M,H,D    Catalog x3    Findings     Plan,         text, JSON,
                  + the diff    + causes     migrations    markdown, HTML

with ``config/`` (driftaudit.yaml and the rule catalog) beside them, and the public API in
:mod:`driftaudit.api`: :func:`audit`, :func:`propose`, :func:`verify`, :func:`adopt`,
:func:`explain_delete`.
Those names are importable from here; they are loaded on first use, so that importing the
package (as Django does for ``INSTALLED_APPS``) stays cheap.
"""

__version__ = "0.1.0"

_API = {
    "audit": "driftaudit.api", "propose": "driftaudit.api", "verify": "driftaudit.api",
    "audit_files": "driftaudit.api", "adopt": "driftaudit.api", "Adoption": "driftaudit.repair.adopt",
    "explain_delete": "driftaudit.api", "open_audit": "driftaudit.api",
    "AuditError": "driftaudit.errors", "Selection": "driftaudit.sources.project",
    "Report": "driftaudit.explain.audit", "Finding": "driftaudit.explain.finding",
    "Proposal": "driftaudit.repair.propose", "Plan": "driftaudit.repair.plan",
    "Verification": "driftaudit.repair.verify", "Verdict": "driftaudit.explain.delete",
}
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        from importlib import import_module

        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'driftaudit' has no attribute {name!r}")
