#!/usr/bin/env python
"""Run generated cases: ``python tests/generator/fuzz.py --seed N --cases K [--jobs J]``.

Each case is seed ``N + k``: drawn, built with real commands in a temporary folder, audited,
repaired and checked against the invariants. A failing case prints its seed, what it did, the
broken promises, and the one command that replays it (keeping its folder to look at).
Exit 0 only when every case held.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.invariants import check  # noqa: E402
from generator.scenario import draw, play  # noqa: E402
from generator.spec import Features  # noqa: E402
from generator.workspace import CommandFailed, Workspace  # noqa: E402


@dataclass(frozen=True)
class Result:
    seed: int
    description: str
    classes: tuple[str, ...]
    failures: tuple[str, ...]
    seconds: float


def features() -> Features:
    import django

    return Features(tuple(django.VERSION[:2]))


def run_case(seed: int, keep: Path | None = None, play_only: bool = False) -> Result:
    start = time.monotonic()
    scenario = draw(seed, features())
    classes = tuple(sorted({d.kind + (f":{d.edit.kind}" if d.edit else "") for d in scenario.drifts})) or ("clean",)
    with tempfile.TemporaryDirectory(prefix=f"driftaudit-gen-{seed}-") as tmp:
        root = (keep / f"case-{seed}") if keep else Path(tmp) / "project"
        if keep and root.exists():
            import shutil

            shutil.rmtree(root)
        ws = Workspace(root, scenario.features)
        try:
            played = play(scenario, ws)
        except CommandFailed as exc:  # the story itself could not be told: not driftaudit's failure
            return Result(seed, scenario.describe(), ("unplayable",), (f"unplayable: {exc}",), time.monotonic() - start)
        if play_only:
            return Result(seed, scenario.describe(), classes, (), time.monotonic() - start)
        try:
            failures = check(scenario.honest, ws, played)
        except CommandFailed as exc:  # e.g. a fresh migrate of the models failed: the models' fault
            return Result(seed, scenario.describe(), ("unplayable",), (f"unplayable: {exc}",), time.monotonic() - start)
    return Result(seed, scenario.describe(), classes, tuple(failures), time.monotonic() - start)


def replay_command(seed: int) -> str:
    return f"make fuzz SEED={seed} CASES=1 KEEP=/tmp/driftaudit-case"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build the cases here and keep them")
    parser.add_argument("--quiet", action="store_true", help="print failures and the summary only")
    parser.add_argument("--play-only", action="store_true",
                        help="only build the cases (with --keep: to audit them by hand)")
    args = parser.parse_args(argv)
    seeds = range(args.seed, args.seed + args.cases)
    keep = args.keep.resolve() if args.keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    counts, failed, unplayable = Counter(), [], []
    with ProcessPoolExecutor(args.jobs) as pool:
        for result in pool.map(run_case, seeds, [keep] * len(seeds), [args.play_only] * len(seeds)):
            counts.update(result.classes)
            if result.classes == ("unplayable",):
                unplayable.append(result)
                status = "UNPLAYABLE"
            elif result.failures:
                failed.append(result)
                status = "FAIL"
            else:
                status = "ok"
            if not args.quiet or status != "ok":
                print(f"[{status}] seed {result.seed} ({result.seconds:.0f}s) {', '.join(result.classes)}", flush=True)
            if status != "ok":
                print("    " + result.description.replace("\n", "\n    "))
                for line in result.failures:
                    print("    - " + line.replace("\n", "\n      "))
                print(f"    replay: {replay_command(result.seed)}", flush=True)
    held = args.cases - len(failed) - len(unplayable)
    print(f"\n{held} of {args.cases} cases held (seeds {args.seed}..{args.seed + args.cases - 1}); "
          f"{len(failed)} failed, {len(unplayable)} unplayable")
    print("classes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0 if not failed and not unplayable else 1


if __name__ == "__main__":
    sys.exit(main())
