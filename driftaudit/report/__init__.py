"""The outputs: a ``Report`` as text for people; JSON for machines (the contract, with its JSON
Schema: :mod:`.json_report`); markdown (:mod:`.markup`); a self-contained HTML page (:mod:`.html`); SARIF 2.1.0 for code scanning
(:mod:`.sarif`); GitHub Actions workflow commands (:mod:`.github`); JSON Lines (:mod:`.jsonl`); several databases' reports
(:mod:`.many`, :mod:`.many_ci`); ``explain-delete`` verdicts (:mod:`.delete_verdict`); what ``propose`` and ``verify`` say
(:mod:`.repair_text`), and ``adopt`` (:mod:`.adopt_text`). A new format is one module here plus one line in :data:`RENDERERS`."""

from __future__ import annotations

from importlib import import_module

#: format -> (module, function): imported only when that format is asked for (the text report
#: alone loads rich; an audit in CI never imports the HTML page's templates)
RENDERERS = {
    "text": ("text", "render_text"),
    "json": ("json_report", "render_json"),
    "markdown": ("markup", "render_markdown"),
    "html": ("html", "render_html"),
    "sarif": ("sarif", "render_sarif"),
    "github": ("github", "render_github"),
    "jsonl": ("jsonl", "render_jsonl"),
}
FORMATS = tuple(RENDERERS)


def renderer(fmt: str):
    """The function that renders format ``fmt``."""
    module, function = RENDERERS[fmt]
    return getattr(import_module(f"driftaudit.report.{module}"), function)


def render(report, fmt: str, repair=None, **text_options) -> str:
    """``report`` in format ``fmt``; ``text_options`` (``width``, ``color``, ``verbose``) shape
    the text report only (:func:`driftaudit.report.terminal.text_options` chooses them);
    ``repair`` (a proposal, ``report --with-repair``) adds its SQL to the HTML page."""
    if fmt == "text":
        return renderer("text")(report, **text_options)
    if fmt == "html":
        return renderer("html")(report, repair)
    return renderer(fmt)(report)
