"""Recover deleted or rewritten migration files from the project's git history.

A ghost's name is only a guess at what it did; if the project is a git repository, the file
itself is usually still there, in the commit before the one that deleted it. Likewise a
migration regenerated under the same name has older versions in the log. This module asks
``git`` (read-only commands only: ``rev-parse``, ``log``, ``show``) and turns the answers into
facts that cite the commit. No git, not a repository, a file git never saw, a timeout: each
simply means "no git evidence" and the audit goes on without it.
"""

from __future__ import annotations

import subprocess
import types
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

TIMEOUT = 20
SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Commit:
    """A commit as ``git log`` gives it: enough to say when and why a migration file changed."""

    sha: str
    date: datetime  # committer date, timezone-aware
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:10]

    def naive(self, use_tz: bool) -> datetime:
        """The date in the convention ``django_migrations.applied`` uses (UTC if USE_TZ, else local)."""
        if use_tz:
            return self.date.astimezone(timezone.utc).replace(tzinfo=None)
        return self.date.astimezone().replace(tzinfo=None)


@dataclass(frozen=True)
class FileVersion:
    """The text of one migration file as one commit has it."""

    path: str  # relative to the repository root
    commit: Commit
    text: str


@dataclass(frozen=True)
class DeletedFile:
    """A file that existed in git and was deleted: the commit that deleted it, and its last text."""

    deleted_in: Commit
    last: FileVersion


def _installed(path: Path) -> bool:
    """Inside an installed distribution (site-packages): its history is its maintainers', never
    the project's - even when a virtualenv sits, ignored, inside the project's repository."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root) for root in _site_packages())


@lru_cache(maxsize=1)
def _site_packages() -> tuple[Path, ...]:
    import site
    import sysconfig

    roots = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    roots |= set(getattr(site, "getsitepackages", list)())
    return tuple(Path(root).resolve() for root in roots if root)


class GitRepository:
    """Read-only questions to the git repository around a project, or ``None`` via :meth:`find`."""

    def __init__(self, top: Path):
        self.top = top

    @classmethod
    def find(cls, start: Path | str) -> GitRepository | None:
        start = Path(start)
        while not start.exists() and start != start.parent:
            start = start.parent
        if _installed(start):
            return None  # an installed package: its history is not the project's
        # The work tree's top is the nearest folder with a .git (a folder, or the file of a
        # worktree or submodule): what `git rev-parse --show-toplevel` answers with the GIT_*
        # variables cleared, as every git command here runs, without starting a process.
        start = start.resolve()
        return next((cls(folder) for folder in (start, *start.parents) if (folder / ".git").exists()), None)

    def relative(self, path: Path | str) -> str | None:
        """``path`` relative to the repository, or None: outside it, or an installed package's."""
        try:
            relpath = Path(path).resolve().relative_to(self.top.resolve()).as_posix()
        except ValueError:
            return None
        return None if _installed(Path(path)) else relpath

    def _log(self, *args: str) -> list[Commit]:
        out = _git(self.top, "log", f"--format=%H{SEPARATOR}%cI{SEPARATOR}%s", *args)
        commits = []
        for line in (out or "").splitlines():
            parts = line.split(SEPARATOR, 2)
            if len(parts) == 3:
                try:
                    commits.append(Commit(parts[0], datetime.fromisoformat(parts[1]), parts[2]))
                except ValueError:
                    continue
        return commits

    def show(self, sha: str, relpath: str) -> str | None:
        return _git(self.top, "show", f"{sha}:{relpath}")

    def deleted(self, path: Path | str) -> DeletedFile | None:
        """The commit that deleted ``path`` (latest one) and the file's text just before it."""
        relpath = self.relative(path)
        if relpath is None:
            return None
        deletions = self._log("-1", "--diff-filter=D", "--", relpath)
        if not deletions:
            return None
        before = self._log("-1", f"{deletions[0].sha}^", "--", relpath)
        text = self.show(f"{deletions[0].sha}^", relpath)
        if not before or text is None:
            return None
        return DeletedFile(deletions[0], FileVersion(relpath, before[0], text))

    def versions(self, path: Path | str) -> list[FileVersion]:
        """Every committed version of ``path``, oldest first (following no renames)."""
        relpath = self.relative(path)
        if relpath is None:
            return []
        found = []
        for commit in reversed(self._log("--diff-filter=AM", "--", relpath)):
            text = self.show(commit.sha, relpath)
            if text is not None:
                found.append(FileVersion(relpath, commit, text))
        return found


def _git(cwd: Path, *args: str) -> str | None:
    """``git ARGS`` in ``cwd``; ``None`` when git is missing, fails, or takes too long."""
    try:
        result = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True,
                                timeout=TIMEOUT, stdin=subprocess.DEVNULL,
                                env=_environment())
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def _environment() -> dict:
    import os

    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env["GIT_OPTIONAL_LOCKS"] = "0"  # a read-only audit must not even refresh git's index
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env


def load_migration_text(text: str, app: str, name: str):
    """The ``Migration`` instance a recovered file defines, or ``None`` if it cannot be loaded.

    The text is the project's own migration code from its own repository (the same code
    Django's loader imports); it is executed in a throw-away module, never written to disk.
    """
    module = types.ModuleType(f"driftaudit_recovered_{app}_{name}")
    try:
        exec(compile(text, f"<git:{app}/{name}.py>", "exec"), module.__dict__)  # noqa: S102
        return module.Migration(name, app)
    except Exception:  # noqa: BLE001 - an old file may import what no longer exists
        return None
