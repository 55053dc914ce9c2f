"""The progress bar a terminal shows while the audit scans large tables' rows.

The audit calls the :class:`~driftaudit.explain.rows.Progress` hook around each row scan; this
form draws a rich progress bar on stderr - tables checked of all, the table being scanned, the
time spent - once a phase has run longer than ``after`` seconds, so small databases show
nothing. The bar is transient: it disappears when the phase ends and leaves stdout untouched.
A pipe or a log gets the hook's plain lines instead (:func:`scan_progress` chooses).
"""

from __future__ import annotations

import sqlite3
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from driftaudit.explain.rows import Progress

if TYPE_CHECKING:
    from rich.console import Console


def _bar(console: Console, description: str, total: int | None):
    """A transient rich progress bar and its task (rich.progress is imported only when a
    terminal shows one: ~50 ms that a pipe or CI log never needs)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

    bar = Bar(TextColumn("[progress.description]{task.description}"), BarColumn(),
              MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True)
    return bar, bar.add_task(description, total=total)


def _stderr_console(stream: TextIO) -> Console:
    from rich.console import Console

    return Console(file=stream, stderr=True, highlight=False, emoji=False)


class BarProgress(Progress):
    """Row scans as a progress bar on ``console`` (a terminal's stderr)."""

    def __init__(self, console: Console, after: float = 1.0):
        super().__init__(True, console.file, after)
        self.console = console
        self._bar = None
        self._task = None
        self._since = 0.0
        self._shown = False

    @contextmanager
    def phase(self, what: str, total: int | None):
        if self._bar is not None:  # already inside a phase: its bar counts this scan too
            yield
            return
        self._bar, self._task = _bar(self.console, what, total)
        self._since, self._shown = time.monotonic(), False
        try:
            yield
        finally:
            if self._shown:
                self._bar.stop()
            self._bar = None

    @contextmanager
    def scan(self, conn: sqlite3.Connection, what: str):
        with self.phase(what, None):
            bar, task = self._bar, self._task
            bar.update(task, description=what)

            def tick() -> int:  # SQLite calls it every 20000 VM steps of the running query
                if not self._shown and time.monotonic() - self._since >= self.after:
                    bar.start()
                    self._shown = True
                return 0

            tick()
            conn.set_progress_handler(tick, 20000)
            try:
                yield
            finally:
                conn.set_progress_handler(None, 0)
                bar.advance(task)


def scan_progress(fmt: str, stream: TextIO | None = None) -> Progress:
    """The bar on a terminal's stderr; else, for the text report, a line a second (the log
    keeps it); else nothing."""
    stream = stream or sys.stderr
    if getattr(stream, "isatty", lambda: False)():
        return BarProgress(_stderr_console(stream))
    return Progress(fmt == "text", stream)


class DatabasesBar:
    """Databases audited of all, as a progress bar on a terminal's stderr (``report --db
    'PATTERN'``); nothing anywhere else. Started only once the worker processes run: its
    refresh thread must not exist while they are forked."""

    def __init__(self, total: int, stream: TextIO | None = None):
        stream = stream or sys.stderr
        self._bar = None
        if total > 1 and getattr(stream, "isatty", lambda: False)():
            self._bar, self._task = _bar(_stderr_console(stream), "auditing databases", total)

    def start(self) -> None:
        if self._bar is not None:
            self._bar.start()

    def advance(self, path: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=f"audited {Path(path).name}")

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
