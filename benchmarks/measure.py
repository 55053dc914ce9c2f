"""Running the measured commands: one child process timed, commands alternated, cold and warm.

Every comparison alternates its commands (A B A B ...), repeats them and keeps medians, so
a slow spell of the shared machine hits both sides alike.

Peak RSS comes from GNU ``time`` (``%M``): ``ru_maxrss`` of a child forked from this (large)
process would count the parent's pages it shared before ``exec``. On Linux ``wait4`` reports
the waited child together with its own waited-for children, so ``%M`` is the largest peak of
any *one* process of the tree, never their sum; :func:`tree_rss` polls ``/proc`` for the sum
(the many-database runs, whose workers are separate processes).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
CACHE = WORK / "driftaudit-cache"
PY = sys.executable
TIME = shutil.which("time", path="/usr/bin:/bin") or "/usr/bin/time"  # GNU time (Debian: package time)

#: the children's environment. PYTHONDONTWRITEBYTECODE is dropped: an installed driftaudit and
#: Django have their bytecode (pip compiles on install, see :func:`compile_driftaudit`), and
#: a project's own modules get theirs on the first run, as on a developer's machine.
ENV = {**os.environ, "DRIFTAUDIT_CACHE_DIR": str(CACHE)}
ENV.pop("DJANGO_SETTINGS_MODULE", None)
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
#: a cold driftaudit run, by the issue's definition: no on-disk cache read or written
COLD_ENV = {**ENV, "DRIFTAUDIT_CACHE": "off"}
DRIFTAUDIT = [PY, "-m", "driftaudit", "report"]
MAKEMIGRATIONS = [PY, "manage.py", "makemigrations", "--check", "--dry-run"]


def compile_driftaudit() -> Path:
    """Byte-compile the driftaudit the children import, once, as ``pip install`` does for a
    regular install: an editable install or a PYTHONPATH checkout has no bytecode otherwise,
    and with PYTHONDONTWRITEBYTECODE every run would compile driftaudit's source again."""
    found = subprocess.run([PY, "-c", "import driftaudit, os; print(os.path.dirname(driftaudit.__file__))"],
                           env=ENV, capture_output=True, text=True, check=True).stdout.strip()
    package = Path(found)
    folders = [package] + [p for p in (package.parent / "rules",) if p.is_dir()]
    subprocess.run([PY, "-m", "compileall", "-q", *map(str, folders)], env=ENV, check=True,
                   stdout=subprocess.DEVNULL)
    return package


@dataclass
class Case:
    """One command of a comparison. ``prepare`` runs before each of its runs, off the clock."""
    argv: list
    cwd: Path
    prepare: Callable[[], None] | None = None
    ok: tuple = (0,)
    env: dict | None = None


def run(argv, cwd, env=None, ok=(0,)) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of one child process."""
    rss_file = WORK / ".rss"
    start = time.perf_counter()
    result = subprocess.run([TIME, "-f", "%M", "-o", str(rss_file), *map(str, argv)], cwd=cwd, env=env or ENV, check=False,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if result.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, argv))} in {cwd} exited {result.returncode}:\n"
                         f"{result.stderr.decode(errors='replace')[-2000:]}")
    return wall, int(rss_file.read_text().split()[-1]) / 1024, result.returncode


def alternate(cases: dict[str, Case], reps: int) -> dict:
    """Medians per case name, over ``reps`` rounds of every case in turn."""
    samples = {name: [] for name in cases}
    for _ in range(reps):
        for name, case in cases.items():
            if case.prepare:
                case.prepare()
            samples[name].append(run(case.argv, case.cwd, case.env, case.ok))
    return {name: {"wall": statistics.median(w for w, _, _ in s), "rss": statistics.median(r for _, r, _ in s),
                   "runs": [round(w, 2) for w, _, _ in s], "exit": sorted({c for _, _, c in s})}
            for name, s in samples.items()}


def cold(project: Path):
    """Before a cold run of either tool: the project's bytecode gone (both tools import it) and
    driftaudit's cache folder emptied (the cold driftaudit run also has DRIFTAUDIT_CACHE=off)."""
    def prepare():
        for folder in project.rglob("__pycache__"):
            shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(CACHE, ignore_errors=True)
    return prepare


NAN = {"wall": float("nan"), "rss": float("nan"), "runs": [], "exit": []}


def report_vs_makemigrations(project: Path, reps: int, cold_reps: int, report_ok=(0,),
                             report_args: tuple = ()) -> dict:
    """Warm: both tools after a first run (bytecode and driftaudit's cache there); cold: both
    after :func:`cold`, driftaudit with DRIFTAUDIT_CACHE=off. ``cold_reps`` may be 1 at the large
    sizes (a cold makemigrations at x4 takes ~90 s)."""
    report = DRIFTAUDIT + list(report_args)
    cold(project)()
    run(report, project, ENV, report_ok)  # warm-up: bytecode and state cache exist
    warm = alternate({"report": Case(report, project, ok=report_ok),
                      "makemigrations": Case(MAKEMIGRATIONS, project)}, reps)
    cold_runs = alternate({"report": Case(report, project, cold(project), report_ok, COLD_ENV),
                           "makemigrations": Case(MAKEMIGRATIONS, project, cold(project))}, cold_reps)
    return {"warm": warm, "cold": cold_runs,
            "ratio_warm": warm["report"]["wall"] / warm["makemigrations"]["wall"],
            "ratio_cold": cold_runs["report"]["wall"] / cold_runs["makemigrations"]["wall"]}


def tree_rss(argv, cwd, env=None, ok=(0, 1), interval: float = 0.05) -> dict:
    """Run once (untimed) and poll ``/proc`` every ``interval``: the peak of the *sum* of the
    RSS of the process and all its descendants (workers included), plus its stdout.

    Polling can miss a peak shorter than ``interval``; the largest single process's peak
    (``%M``) is measured by :func:`run` without polling."""
    proc = subprocess.Popen([str(a) for a in argv], cwd=cwd, env=env or ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    import threading

    out: dict = {}
    reader = threading.Thread(target=lambda: out.update(stdout=proc.stdout.read(), stderr=proc.stderr.read()))
    reader.start()
    peak, peak_procs = 0, 0
    while proc.poll() is None:
        tree = _descendants(proc.pid)
        total = sum(_rss_kb(pid) for pid in tree)
        if total > peak:
            peak, peak_procs = total, len(tree)
        time.sleep(interval)
    reader.join()
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, argv))} exited {proc.returncode}:\n"
                         f"{out['stderr'].decode(errors='replace')[-2000:]}")
    return {"sum_rss": peak / 1024, "processes": peak_procs, "stdout": out["stdout"], "exit": proc.returncode}


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
