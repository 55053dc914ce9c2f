"""Help (issue 15, point 8): every command and option explains itself, ``--help`` shows a
description, examples and the exit codes, every example parses, and contradictory options are
refused with one line and exit 2."""

from __future__ import annotations

import argparse
import re
import shlex

import pytest

from conftest import driftaudit
from driftaudit.cli import build_parser

COMMANDS = ["report", "propose", "verify", "record", "stamp", "restore", "adopt", "explain-delete", "init", "merge",
            "rules"]


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_and_option_has_help():
    parser = build_parser()
    commands = subparsers(parser)
    assert sorted(commands) == sorted(COMMANDS)
    for name, command in [("driftaudit", parser), *commands.items()]:
        assert command.description and command.epilog, name
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert all(choice.help for choice in action._choices_actions)
                continue
            assert action.help and action.help != argparse.SUPPRESS, f"{name} {action.option_strings or action.dest}"


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_description_examples_and_exit_codes(command, tmp_path):
    run = driftaudit(*([command] if command else []), "--help", cwd=tmp_path)
    assert run.code == 0 and run.stderr == ""
    text = run.stdout
    assert "examples:\n  driftaudit " in text
    assert re.search(r"^exit codes.*:\n  0  ", text, re.M)
    assert re.search(r"^  2  ", text, re.M)
    if command:
        assert subparsers(build_parser())[command].description.split("\n")[0] in text


def examples(text: str) -> list[list[str]]:
    """The commands of the help's "examples:" block, as argv (a description follows 2+ spaces)."""
    block = text.split("examples:\n", 1)[1].split("\n\n", 1)[0]
    out = []
    for line in block.splitlines():
        command = re.split(r"\s{2,}", line.strip())[0]
        words = shlex.split(command.split(" | ")[0])
        while words and "=" in words[0]:  # NO_COLOR=1 driftaudit ...
            words.pop(0)
        out.append(words)
    return out


def test_every_example_is_a_command_the_parser_accepts():
    parser = build_parser()
    texts = [parser.epilog] + [c.epilog for c in subparsers(parser).values()]
    seen = 0
    for text in texts:
        for words in examples(text):
            if words[:3] == ["python", "manage.py", "driftaudit"]:
                words = ["driftaudit", *words[3:]]
            assert words[0] == "driftaudit", words
            parser.parse_args(words[1:])  # exits 2 on a bad example
            seen += 1
    assert seen >= 20


def test_db_with_another_database_alias_is_refused(tmp_path):
    run = driftaudit("report", "--db", "copy.sqlite3", "--database", "replica", cwd=tmp_path)
    assert run.code == 2 and run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("driftaudit: error: --db copy.sqlite3 and --database replica")
    # --database default is what --db replaces: no contradiction (the file is then simply missing)
    run = driftaudit("report", "--db", str(tmp_path / "copy.sqlite3"), "--database", "default", cwd=tmp_path)
    assert "contradict" not in run.stderr


@pytest.mark.parametrize("args,message", [
    (["report", "--bogus"], "unrecognized arguments: --bogus"),
    (["report", "--color", "sometimes"], "argument --color: invalid choice: 'sometimes'"),
    (["nosuch"], "invalid choice: 'nosuch'"),
])
def test_usage_mistakes_are_one_line(args, message, tmp_path):
    run = driftaudit(*args, cwd=tmp_path)
    assert run.code == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("driftaudit: error: ") and message in lines[0], run.stderr
    assert "--help" in lines[0]


def test_rules_command_points_at_the_rule_page(tmp_path):
    run = driftaudit("rules", "DA101", cwd=tmp_path)
    assert run.code == 0 and "docs/rules/DA101.md" in run.stdout
