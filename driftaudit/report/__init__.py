"""The outputs: a ``Report`` as text for people; JSON for machines (the contract, with its JSON
Schema: :mod:`.json_report`); markdown (:mod:`.markup`); a self-contained HTML page (:mod:`.html`); SARIF 2.1.0 for code scanning
(:mod:`.sarif`); GitHub Actions workflow commands (:mod:`.github`); JSON Lines (:mod:`.jsonl`); several databases' reports
(:mod:`.many`, :mod:`.many_ci`); ``explain-delete`` verdicts (:mod:`.delete_verdict`); what ``propose`` and ``verify`` say
(:mod:`.repair_text`), and ``adopt`` (:mod:`.adopt_text`). A new format is one module here plus one line in :data:`RENDERERS`."""

from __future__ import annotations

from driftaudit.report.github import render_github
from driftaudit.report.json_report import render_json
from driftaudit.report.html import render_html
from driftaudit.report.jsonl import render_jsonl
from driftaudit.report.markup import render_markdown
from driftaudit.report.sarif import render_sarif
from driftaudit.report.text import render_text

RENDERERS = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "html": render_html,
    "sarif": render_sarif,
    "github": render_github,
    "jsonl": render_jsonl,
}
FORMATS = tuple(RENDERERS)


def render(report, fmt: str, repair=None, **text_options) -> str:
    """``report`` in format ``fmt``; ``text_options`` (``width``, ``color``, ``verbose``) shape
    the text report only (:func:`driftaudit.report.terminal.text_options` chooses them);
    ``repair`` (a proposal, ``report --with-repair``) adds its SQL to the HTML page."""
    if fmt == "text":
        return render_text(report, **text_options)
    if fmt == "html":
        return render_html(report, repair)
    return RENDERERS[fmt](report)
