"""Report renderers: text for people, JSON for machines (the contract), markdown and HTML."""

from __future__ import annotations

import json

from .markup import render_html, render_markdown
from .text import render_text


def render(report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2, default=str) + "\n"
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "html":
        return render_html(report)
    return render_text(report)


FORMATS = ("text", "json", "markdown", "html")
