"""Every sample project ends clean through the commands the report prints (issue 14, point 6).

The report's ``next_steps`` are run exactly as printed, in order, from the project folder -
``driftaudit stamp/record/restore/propose/verify`` and ``python manage.py migrate`` - then the
project is audited again, and again, until no step is left. It must end with a report that
exits 0, ``makemigrations --check`` passing, and no row lost: every row is in its table (under
its new name after a rename) or in a driftaudit backup or quarantine table (default policies).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import SAMPLES, driftaudit, manage

SAMPLE_NAMES = sorted(p.parent.name for p in SAMPLES.glob("*/build.py"))

ROUNDS = 3


def _rows(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite%' AND sql NOT LIKE 'CREATE VIRTUAL%'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def _run(project: Path, argv: list[str]):
    if argv[0] == "driftaudit":
        return driftaudit(*argv[1:], cwd=project)
    assert argv[:2] == ["python", "manage.py"], f"a printed step that is not a command of ours: {argv}"
    return manage(project, *argv[2:])


@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_the_printed_commands_end_clean(sample_copy, sample):
    project = sample_copy(sample)
    before = _rows(project / "db.sqlite3")
    ran = []
    for _ in range(ROUNDS):
        report = driftaudit("report", "--format", "json", cwd=project)
        assert report.code in (0, 1), report.stderr
        steps = report.json["next_steps"]
        if not steps:
            break
        for step in steps:
            assert step["argv"] is not None, f"a step only a person can do: {step['why']}"
            done = _run(project, step["argv"])
            ran.append(" ".join(step["argv"]))
            assert done.code == 0, f"`{' '.join(step['argv'])}` exited {done.code}: {done.stdout[-600:]}{done.stderr[-600:]}"
    else:
        pytest.fail(f"still steps to run after {ROUNDS} rounds: {ran}")
    final = driftaudit("report", cwd=project)
    assert final.code == 0, final.stdout[-1500:]
    assert manage(project, "makemigrations", "--check", "--dry-run").code == 0
    after = _rows(project / "db.sqlite3")
    # every row is still somewhere: in its table (under its new name after a rename), or in a
    # driftaudit backup or quarantine table (Django's own bookkeeping tables aside)
    ours = lambda rows: sum(n for t, n in rows.items() if not t.startswith(("django_", "auth_permission")))  # noqa: E731
    assert ours(after) >= ours(before), (before, after, ran)
