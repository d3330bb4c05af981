"""Renders the metric registry as the reference table of ``docs/metrics.md``.

The table sits between two markers in the doc; the prose around it is written by hand.
``tests/test_metrics_docs.py`` fails when the doc and the registry disagree, and prints
the table to paste.
"""

from __future__ import annotations

from metrics.registry import DERIVED_METRICS, METRICS, Metric

START_MARKER = "<!-- metrics-table:start (generated from metrics/registry.py; do not edit) -->"
END_MARKER = "<!-- metrics-table:end -->"
DERIVED_START_MARKER = (
    "<!-- derived-metrics-table:start (generated from metrics/registry.py; do not edit) -->"
)
DERIVED_END_MARKER = "<!-- derived-metrics-table:end -->"
_BETTER = {"higher": "higher", "lower": "lower", "neutral": "—"}


def render_metrics_table() -> str:
    """The Markdown table of the metrics in CLI column order, between the two markers."""
    lines = [
        START_MARKER,
        "| # | column | label | in plain words | format | better | exact definition |",
        "|---|---|---|---|---|---|---|",
    ]
    for number, metric in enumerate(METRICS, start=1):
        lines.append(_row(str(number), metric))
    lines.append(END_MARKER)
    return "\n".join(lines) + "\n"


def render_derived_metrics_table() -> str:
    """The Markdown table of the metrics pages derive from the CLI columns (not CLI columns themselves)."""
    lines = [
        DERIVED_START_MARKER,
        "| # | column | label | in plain words | format | better | exact definition |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_row("—", metric) for metric in DERIVED_METRICS]
    lines.append(DERIVED_END_MARKER)
    return "\n".join(lines) + "\n"


def _row(number: str, metric: Metric) -> str:
    definition = metric.definition.replace("|", "\\|")
    plain = metric.plain.replace("|", "\\|")
    return (
        f"| {number} | `{metric.name}` | {metric.label} | {plain} | {metric.format} | "
        f"{_BETTER[metric.better]} | {definition} |"
    )


def splice_metrics_table(document: str) -> str:
    """``document`` with the text between the markers replaced by a freshly rendered table
    (and the derived-metrics table, when the document has its markers)."""
    document = _splice(document, START_MARKER, END_MARKER, render_metrics_table())
    if DERIVED_START_MARKER in document:
        document = _splice(document, DERIVED_START_MARKER, DERIVED_END_MARKER, render_derived_metrics_table())
    return document


def _splice(document: str, start_marker: str, end_marker: str, table: str) -> str:
    start = document.index(start_marker)
    end = document.index(end_marker) + len(end_marker)
    return document[:start] + table + document[end:].removeprefix("\n")
