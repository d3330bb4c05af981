"""docs/metrics.md lists every registered metric exactly as the registry defines it."""

from __future__ import annotations

from pathlib import Path

from metrics.metric_docs import END_MARKER, START_MARKER, render_metrics_table, splice_metrics_table
from metrics.registry import METRIC_COLUMNS, METRICS

DOC = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"


def test_doc_table_matches_the_registry() -> None:
    text = DOC.read_text()
    assert render_metrics_table() in text, (
        'docs/metrics.md is out of date; regenerate with: .venv/bin/python -c "from pathlib import Path; '
        "from metrics.metric_docs import splice_metrics_table as s; p = Path('docs/metrics.md'); "
        'p.write_text(s(p.read_text()))"'
    )


def test_table_has_every_metric_once_in_order() -> None:
    rows = [line for line in render_metrics_table().splitlines() if line.startswith("| ") and "`" in line]
    assert [row.split("`")[1] for row in rows] == list(METRIC_COLUMNS)
    # The 22 columns of v1 and the four of issue 14 keep their places; issue 13's come after them.
    assert len(METRICS) == 32 and METRIC_COLUMNS[21] == "roi" and METRIC_COLUMNS[25] == "coded_contact_rate"
    issue_13 = ("median_first_response_bh_min", "p90_first_response_bh_min", "responded_1bh_rate")
    assert METRIC_COLUMNS.index(issue_13[0]) == 26 and all(name in METRIC_COLUMNS for name in issue_13)


def test_splice_replaces_only_the_table() -> None:
    stale = f"intro\n{START_MARKER}\nold table\n{END_MARKER}\noutro\n"
    assert splice_metrics_table(stale) == f"intro\n{render_metrics_table()}outro\n"


def test_every_metric_is_explained_in_the_prose() -> None:
    prose = DOC.read_text().replace(render_metrics_table(), "")
    for needed in ("qualifying contact", "NULL", "min_group_size", "approx_percentile", "APPROX_QUANTILES"):
        assert needed in prose, needed
