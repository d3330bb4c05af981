"""Renders the metric registry as the reference table of ``docs/metrics.md``.

The table sits between two markers in the doc; the prose around it is written by hand.
``tests/test_metrics_docs.py`` fails when the doc and the registry disagree, and prints
the table to paste.
"""

from __future__ import annotations

from metrics.registry import METRICS

START_MARKER = "<!-- metrics-table:start (generated from metrics/registry.py; do not edit) -->"
END_MARKER = "<!-- metrics-table:end -->"
_BETTER = {"higher": "higher", "lower": "lower", "neutral": "—"}


def render_metrics_table() -> str:
    """The Markdown table of the 22 metrics in CLI column order, between the two markers."""
    lines = [
        START_MARKER,
        "| # | column | label | format | better | definition |",
        "|---|---|---|---|---|---|",
    ]
    for number, metric in enumerate(METRICS, start=1):
        definition = metric.definition.replace("|", "\\|")
        lines.append(
            f"| {number} | `{metric.name}` | {metric.label} | {metric.format} | "
            f"{_BETTER[metric.better]} | {definition} |"
        )
    lines.append(END_MARKER)
    return "\n".join(lines) + "\n"


def splice_metrics_table(document: str) -> str:
    """``document`` with the text between the markers replaced by a freshly rendered table."""
    start = document.index(START_MARKER)
    end = document.index(END_MARKER) + len(END_MARKER)
    rest = document[end:]
    return document[:start] + render_metrics_table() + rest.removeprefix("\n")
