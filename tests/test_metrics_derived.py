"""Derived metrics: computed once from the 22, documented, and never a column of `leadline metrics`."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from metrics.derived import with_derived_metrics
from metrics.metric_docs import render_derived_metrics_table
from metrics.registry import BY_NAME, DERIVED_METRICS, METRIC_COLUMNS

DOC = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"


@pytest.mark.parametrize(
    ("leads", "appointments", "expected"),
    [(4, 1, 0.25), (10, 0, 0.0), (0, 0, None), (None, None, None), (3, 3, 1.0)],
)
def test_appointment_rate_is_appointments_over_leads(
    leads: int | None, appointments: int | None, expected: float | None
) -> None:
    frame = pl.DataFrame(
        {"leads": [leads], "appointments": [appointments]},
        schema={"leads": pl.Int64, "appointments": pl.Int64},
    )
    assert with_derived_metrics(frame)["appointment_rate"].to_list() == [expected]


def test_derived_metrics_are_registered_but_not_cli_columns() -> None:
    assert len(METRIC_COLUMNS) == 32  # 22, issue 14's four result-code columns, issue 13's six
    for m in DERIVED_METRICS:
        assert m.name not in METRIC_COLUMNS
        assert BY_NAME[m.name] is m


def test_doc_lists_the_derived_metrics() -> None:
    assert render_derived_metrics_table() in DOC.read_text()


@pytest.mark.parametrize(
    ("spend", "leads", "mature", "sold_in_window", "expected"),
    [
        (1000.0, 100, 50, 5, 1000.0 / (100 * 0.1)),  # 10 % of the mature leads sold: 100 per sale
        (1000.0, 100, 100, 20, 50.0),
        (1000.0, 100, 0, 0, None),  # no lead old enough to judge
        (1000.0, 100, 40, 0, None),  # none of them sold: no cost per sale, never a division by 0
        (None, 100, 40, 4, None),  # suppressed or no spend
    ],
)
def test_cost_per_sale_in_window_is_cost_per_lead_over_the_window_conversion(
    spend: float | None, leads: int, mature: int, sold_in_window: int, expected: float | None
) -> None:
    frame = pl.DataFrame(
        {"spend": [spend], "leads": [leads], "mature_leads": [mature], "sold_in_window": [sold_in_window]},
        schema={"spend": pl.Float64, "leads": pl.Int64, "mature_leads": pl.Int64, "sold_in_window": pl.Int64},
    )
    got = with_derived_metrics(frame)["cost_per_sale_in_window"][0]
    assert got == (pytest.approx(expected) if expected is not None else None)
