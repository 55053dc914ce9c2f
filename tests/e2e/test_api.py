"""The public API (``driftaudit.audit``/``propose``/``verify``/``explain_delete``) gives what the
command line prints, from a fresh Python process on a real sample project."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from conftest import clean_env, driftaudit


def python(code: str, cwd) -> str:
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True,
                         text=True, env=clean_env(), timeout=300)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_audit_returns_the_report_the_cli_prints(built_samples):
    project = built_samples("seed_example")
    out = python(f"""
        import json, driftaudit
        report = driftaudit.audit(project={str(project)!r})
        assert isinstance(report, driftaudit.Report)
        assert all(isinstance(f, driftaudit.Finding) for f in report.findings)
        print(json.dumps(report.to_json()))
    """, cwd=project.parent)
    assert json.loads(out) == driftaudit("report", "--format", "json", cwd=project).json


def test_propose_returns_files_without_writing_them(built_samples):
    project = built_samples("seed_example")
    before = sorted(p.name for p in (project / "appname" / "migrations").iterdir())
    out = python(f"""
        import driftaudit
        proposal = driftaudit.propose(project={str(project)!r})
        print(len(proposal.plan.problems), *sorted(p.name for p in proposal.files))
    """, cwd=project.parent)
    assert out.split() == ["0", "0002_driftaudit_rebuild.py"]
    assert sorted(p.name for p in (project / "appname" / "migrations").iterdir()) == before


def test_audit_errors_are_one_line_audit_errors(tmp_path):
    out = python(f"""
        import driftaudit
        try:
            driftaudit.audit(project={str(tmp_path)!r})
        except driftaudit.AuditError as exc:
            print("AuditError:", exc)
    """, cwd=tmp_path)
    assert out.startswith("AuditError: no manage.py in") and out.count("\n") == 1


def test_explain_delete_verdict(built_samples):
    project = built_samples("seed_example")
    out = python(f"""
        import driftaudit
        for pk in ("1", "4"):
            verdict = driftaudit.explain_delete("appname.ExampleOne", pk, project={str(project)!r})
            print(pk, verdict.succeeds)
    """, cwd=project.parent)
    assert out.split() == ["1", "False", "4", "True"]
