"""``propose`` on a terminal asks what to do with rows the repair cannot keep (issue 14.1).

Run under a real pseudo-terminal: the questions appear only there, an empty answer keeps the
policy in force, and a changed answer is what the written migration does."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys

from conftest import clean_env, driftaudit


def _on_a_terminal(project, answers: dict[str, str], *args: str) -> tuple[int, str]:
    """Run ``driftaudit propose ARGS`` with stdin and stdout on a pty; answer each question by
    the first key of ``answers`` its line contains."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "driftaudit", "propose", *args], cwd=project,
                            stdin=follower, stdout=follower, stderr=subprocess.PIPE, env=clean_env())
    os.close(follower)
    out, answered = b"", 0
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            proc.kill()
            raise AssertionError(f"propose waited for an answer nobody expected:\n{out.decode()}")
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
        text = out.decode(errors="replace")
        if text.count("Repair them how?") > answered and text.endswith(" "):
            question = text.rsplit("\n", 1)[-1]
            answer = next((a for key, a in answers.items() if key in question), None)
            if answer is None:
                proc.kill()
                raise AssertionError(f"an unexpected question: {question}")
            answered += 1
            os.write(leader, (answer + "\n").encode())
    os.close(leader)
    return proc.wait(timeout=120), out.decode(errors="replace").replace("\r\n", "\n")


def test_a_terminal_is_asked_and_the_answer_is_what_the_migration_does(sample_copy):
    """data_library has orphans and duplicates: asked once per kind; "delete" for the orphans
    changes their fix, Enter keeps the duplicates in quarantine."""
    project = sample_copy("data_library")
    code, out = _on_a_terminal(project, {"orphan": "de", "duplicate": ""})
    assert code == 0, out
    assert out.count("Repair them how?") == 2, out
    assert "orphan row(s)" in out and "[quarantine] / set-null / delete / fail" in out
    (written,) = (project / "library" / "migrations").glob("*_driftaudit_*.py")
    text = " ".join(written.read_text().split())
    assert "delete 2 orphan row(s) of library_book" in text  # the answer
    assert "move 3 duplicate row(s) of library_member into quarantine table" in text  # Enter: the default
    # without the answer, the same sample quarantines its orphans
    json = driftaudit("propose", "--dry-run", "--format", "json", cwd=sample_copy("data_library", "fresh")).json
    assert sorted({f["kind"] for file in json["files"] for f in file["row_fixes"]}) \
        == ["duplicates-quarantine", "orphans-quarantine"]


def test_no_question_with_no_input_or_an_on_option(sample_copy):
    for args in (["--no-input"], ["--on-orphans", "quarantine"]):
        project = sample_copy("data_library", "_".join(args).strip("-"))
        code, out = _on_a_terminal(project, {}, *args)
        assert code == 0, out
        assert "Repair them how?" not in out
