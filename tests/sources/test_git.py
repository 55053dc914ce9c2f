"""Which files have a git history worth asking for: the project's, not an installed package's."""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

import driftaudit

ROOT = Path(driftaudit.__file__).resolve().parent.parent


def test_an_installed_package_has_no_git_history_even_inside_the_repository(tmp_path):
    """A virtualenv inside the project's repository (ignored, as uv and poetry make it): the
    migrations of a package installed there are not the project's files, so no `git log` is
    spent on them; the project's own migrations still are."""
    repo = tmp_path / "repo"
    own = repo / "shop" / "migrations"
    own.mkdir(parents=True)
    (own / "0001_initial.py").write_text("")
    (repo / ".gitignore").write_text(".venv/\n")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "start"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env)
    venv.create(repo / ".venv", with_pip=False)
    python = repo / ".venv" / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    installed = Path(purelib) / "thirdparty" / "migrations"
    installed.mkdir(parents=True)
    (installed / "0001_initial.py").write_text("")
    ask = ("import sys; from driftaudit.sources.git import GitRepository as G; "
           "installed, own = sys.argv[1:]; repo = G.find(own); "
           "print([G.find(installed) is None, repo.relative(installed + '/0001_initial.py'), "
           "repo.relative(own + '/0001_initial.py')])")
    out = subprocess.run([python, "-c", ask, str(installed), str(own)], capture_output=True, text=True,
                         env={**env, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    # the project's repository is found, but asked nothing about the installed package's files
    assert out.stdout.strip() == "[True, None, 'shop/migrations/0001_initial.py']"


def test_the_top_of_the_work_tree_is_what_git_says_it_is(tmp_path):
    """Found without starting git: the main work tree, a worktree (its .git is a file) and a
    folder outside any repository, each from a subfolder."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    repo = tmp_path / "repo"
    (repo / "app" / "migrations").mkdir(parents=True)
    (repo / "app" / "migrations" / "0001_initial.py").write_text("")
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "start"], ["worktree", "add", "-q", str(tmp_path / "wt")]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env)
    outside = tmp_path / "plain" / "app"
    outside.mkdir(parents=True)
    from driftaudit.sources.git import GitRepository

    for tree in (repo, tmp_path / "wt"):
        sub = tree / "app" / "migrations"
        said = subprocess.run(["git", "-C", str(sub), "rev-parse", "--show-toplevel"], capture_output=True,
                              text=True, check=True).stdout.strip()
        assert GitRepository.find(sub).top == Path(said).resolve()
        assert GitRepository.find(sub / "0002_gone.py").top == Path(said).resolve()  # a deleted file's folder
    said = subprocess.run(["git", "-C", str(outside), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    found = GitRepository.find(outside)
    assert (found.top if found else None) == (Path(said.stdout.strip()).resolve() if said.returncode == 0 else None)
