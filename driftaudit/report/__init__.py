"""The outputs: a ``Report`` as text for people, JSON for machines (the contract), markdown
and HTML; ``explain-delete`` verdicts (:mod:`.delete_verdict`); what ``propose`` and ``verify``
say (:mod:`.repair_text`). A new format is one module here plus one line in :func:`render`."""

from __future__ import annotations

import json

from driftaudit.report.markup import render_html, render_markdown
from driftaudit.report.text import render_text


def render(report, fmt: str, **text_options) -> str:
    """``report`` in format ``fmt``; ``text_options`` (``width``, ``color``, ``verbose``) shape
    the text report only (:func:`driftaudit.report.terminal.text_options` chooses them)."""
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2, default=str) + "\n"
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "html":
        return render_html(report)
    return render_text(report, **text_options)


FORMATS = ("text", "json", "markdown", "html")
