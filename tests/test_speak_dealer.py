"""Speak dealer, not database: sources read as labels, CSV numbers rounded as people write them."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard.data.choices import readable_source
from dashboard.ui.export import export_frame
from tests.test_app_pages import ROOT, open_page


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("third_party:leasing_partner", "Leasing partner (third party)"),
        ("marketplace:autoscout24", "Autoscout24 (marketplace)"),
        ("third_party:Olark Chat", "Olark Chat (third party)"),
        ("brand_site", "Brand site"),
        ("Facebook Ads", "Facebook Ads"),
    ],
)
def test_sources_read_as_labels_not_codes(code: str, shown: str) -> None:
    assert readable_source(code) == shown


def test_csv_numbers_are_rounded_money_to_cents_rates_to_four_decimals() -> None:
    frame = pl.DataFrame(
        {
            "group": ["a"],
            "leads": [1234],
            "spend": [31647.070000000003],
            "follow_up_rate": [0.873456789],
            "roi": [11.2049999],
            "median_first_response_min": [366.66666],
            "suppressed": [False],
        }
    )
    row = export_frame(frame, min_group_size=5).row(0, named=True)
    assert row["Spend (EUR)"] == 31647.07
    assert row["Follow-up rate (%)"] == 87.35
    assert row["ROI (% of spend)"] == 1120.5
    assert row["Median first response (minutes)"] == 366.7
    assert row["Leads"] == 1234


@pytest.mark.parametrize("page", ["definitions.py", "data_quality.py", "settings.py"])
def test_filters_appear_only_on_pages_they_affect(
    page: str, demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("overview", demo_url, monkeypatch, {"from": "2026-01-01", "to": "2026-01-31"})
    assert [m for m in at.multiselect if m.key == "flt_group"]  # a dashboard page has them
    at.switch_page(str(ROOT / "pages" / page))
    at.run()
    assert not at.exception
    assert not [m for m in at.multiselect if m.key == "flt_group"]
    assert not [d for d in at.date_input if d.key == "flt_dates"]
    assert any("does not use them" in c.value for c in at.sidebar.caption)
    assert at.query_params["from"] == "2026-01-01"  # kept for the next dashboard page
    if page == "settings.py":  # demo mode needs no access file: no warning about it
        assert not [w for w in at.warning if "access" in w.value.lower() and "Demo mode" not in w.value]


def _tile_app(name: str, current: dict[str, int], previous: dict[str, int]) -> None:
    from dashboard.ui.kpi import kpi_tile

    kpi_tile(name, current, previous, min_group_size=5)


@pytest.mark.parametrize(
    ("current", "previous", "shown", "neutral"),
    [
        ({"leads": 300, "undelivered": 5}, {"leads": 280, "undelivered": 4}, "+1 (4 before)", True),
        ({"leads": 300, "undelivered": 50}, {"leads": 280, "undelivered": 40}, "+25.0 %", False),
    ],
)
def test_a_change_on_a_tiny_base_is_neutral_with_the_counts(
    current: dict[str, int],
    previous: dict[str, int],
    shown: str,
    neutral: bool,
    demo_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)
    at = AppTest.from_function(_tile_app, args=("undelivered", current, previous), default_timeout=60)
    at.run()
    assert not at.exception
    tile = at.metric[0]
    assert tile.delta == shown
    assert ("A change on few leads" in " ".join(c.value for c in at.caption)) is neutral


def test_campaigns_table_hides_groups_under_a_minimum_volume_kept_in_the_url(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = {"from": "2000-01-01", "to": "2100-01-01"}
    at = open_page("overview", demo_url, monkeypatch, params)
    at.switch_page(str(ROOT / "pages" / "campaigns.py"))
    at.run()
    everything = at.dataframe[0].value
    at.number_input(key="opt_min").set_value(100).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert (table["leads"] >= 100).all() and 0 < len(table) < len(everything)
    assert at.query_params["min"] == "100"
    hidden = len(everything) - len(table)
    assert any(f"{hidden} campaigns with fewer than 100 leads are hidden" in c.value for c in at.caption)
    at.number_input(key="opt_min").set_value(0).run()
    assert "min" not in dict(at.query_params) and len(at.dataframe[0].value) == len(everything)


@pytest.mark.parametrize(("value", "expected"), [("50", 50), ("lots", 0)])
def test_a_link_sets_the_minimum_volume_or_says_why_not(
    value: str, expected: int, demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("overview", demo_url, monkeypatch)
    at.switch_page(str(ROOT / "pages" / "campaigns.py"))
    at.query_params["min"] = value  # as a link to /campaigns?min=... would carry it
    at.run()
    assert not at.exception
    assert at.number_input(key="opt_min").value == expected
    if expected == 0:
        assert any("is not a whole number" in c.value for c in at.caption)


def test_spend_without_a_sale_reads_no_sales_yet_with_the_spend(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)
    row = {"leads": 300, "spend": 4500.0, "sold": 0, "cost_per_sale": None}
    at = AppTest.from_function(_tile_app, args=("cost_per_sale", row, row), default_timeout=60)
    at.run()
    assert not at.exception
    assert at.metric[0].value == "no sales yet"
    assert "€4,500 spent, no sale in this period." in [c.value for c in at.caption]
