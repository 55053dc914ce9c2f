"""Where the text report goes: colour or not, how wide, and the rich console that writes it.

Colour follows the conventions of ruff, pytest and git: ``--color always|never`` win; ``auto``
colours only a terminal, and never when ``NO_COLOR`` is set (https://no-color.org) or
``TERM=dumb``; ``FORCE_COLOR`` colours a pipe (CI logs that render ANSI). Without colour the
output has no escape code at all, not even bold, so piped text greps and diffs cleanly.
"""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Mapping, TextIO

if TYPE_CHECKING:
    from rich.console import Console

COLOR_CHOICES = ("auto", "always", "never")
#: the width of text that goes to a file or a pipe (no terminal to measure), unless COLUMNS says
PIPE_WIDTH = 100
MIN_WIDTH = 40


def color_enabled(choice: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Should text written to ``stream`` carry ANSI colour and emphasis?"""
    env = os.environ if environ is None else environ
    if choice == "always":
        return True
    if choice == "never" or env.get("NO_COLOR", "") != "" or env.get("TERM") == "dumb":
        return False
    if env.get("FORCE_COLOR", "") != "":
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def text_width(stream: TextIO, environ: Mapping[str, str] | None = None) -> int:
    """The terminal's width for a terminal; ``COLUMNS`` if set; else :data:`PIPE_WIDTH`."""
    env = os.environ if environ is None else environ
    columns = env.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    try:
        if stream.isatty():
            return max(MIN_WIDTH, os.get_terminal_size(stream.fileno()).columns)
    except (AttributeError, OSError, ValueError):
        pass
    return PIPE_WIDTH


def string_console(width: int, color: bool) -> Console:
    """A console that renders into a string (``console.file.getvalue()``) at exactly ``width``.

    Every choice is explicit so the environment (``NO_COLOR``, ``COLUMNS``, ``FORCE_COLOR``,
    Jupyter) cannot change the result: the caller already decided. rich is imported here, not
    with the module: its import costs a cold run ~30 ms, which the formats for machines (JSON,
    SARIF, GitHub) need not pay.
    """
    from rich.console import Console

    return Console(
        file=io.StringIO(), width=width, force_terminal=color, no_color=not color,
        color_system="standard" if color else None, force_jupyter=False, force_interactive=False,
        legacy_windows=False, emoji=False, highlight=False, markup=False, soft_wrap=False,
        tab_size=4,
    )


def text_options(color: str, verbose: bool, stream: TextIO | None) -> dict:
    """``render_text``'s keywords for text written to ``stream`` (``None``: a file of
    ``--output``, coloured only with ``--color always``)."""
    if stream is None:
        return {"width": text_width(io.StringIO()), "color": color == "always", "verbose": verbose}
    return {"width": text_width(stream), "color": color_enabled(color, stream), "verbose": verbose}
