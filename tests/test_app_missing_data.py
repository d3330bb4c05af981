"""The Olist-like warehouse (leads and outcomes only, old dates, no spend) through every data page:
no misleading figure. Metrics without their inputs read "not in your data" with the reason, never 0,
"€0.00" or a red target gap; the default period opens on the latest data and says so."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui.kpi import NOT_IN_DATA_VALUE
from metrics.availability import INPUT_REASONS, NOT_IN_DATA
from tests.olist_like import write_olist_like
from tests.test_app_pages import APP, ROOT, texts

DATA_PAGES = ("overview.py", "follow_up.py", "delivery.py", "close_reasons.py", "campaigns.py")


@pytest.fixture(scope="module")
def olist_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_olist_like(tmp_path_factory.mktemp("olist") / "olist.duckdb")


def open_app(
    page: str, url: str, monkeypatch: pytest.MonkeyPatch, params: dict[str, str] | None = None
) -> AppTest:
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", url)
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page != "overview.py":
        at.switch_page(str(ROOT / "pages" / page))
        at.run()
    assert not at.exception, at.exception
    assert not at.error
    return at


def tiles(at: AppTest) -> dict[str, str]:
    """Label -> value of every KPI tile, "not in your data" tiles included (drawn as two markdowns)."""
    shown = {m.label: str(m.value) for m in at.metric}
    blocks = [str(m.value) for m in at.markdown]
    for before, block in itertools.pairwise(blocks):
        if block == NOT_IN_DATA_VALUE:
            shown[re.sub(r"<[^>]+>", "", before)] = NOT_IN_DATA
    return shown


@pytest.mark.parametrize("page", DATA_PAGES)
def test_no_page_shows_a_missing_input_as_a_measured_number(
    page: str, olist_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(page, olist_url, monkeypatch)
    shown = texts(at)
    assert "€0.00" not in shown and "€0" not in tiles(at).values()
    assert "below target" not in shown and "above target" not in shown
    assert "No leads match" not in shown  # the default period moved onto the data
    for label, value in tiles(at).items():
        if label in (
            "Follow-up rate",
            "Median first response",
            "No-contact leads",
            "Undelivered leads",
            "Spend",
            "Cost per lead",
            "Cost per sale",
            "ROI",
            "Lost after one attempt",
        ):
            assert value == NOT_IN_DATA, (label, value)


def test_overview_says_why_and_keeps_what_the_data_holds(
    olist_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app("overview.py", olist_url, monkeypatch)
    shown = tiles(at)
    assert shown["Follow-up rate"] == NOT_IN_DATA
    assert shown["Conversion rate"].endswith("%") and shown["Conversion rate"] != "0.0 %"
    assert shown["Leads"] != "0"
    assert INPUT_REASONS["activities"] in texts(at)
    assert "Leads up to 31 May 2018 03:00 UTC · checked" in texts(at)  # how fresh the data is
    assert "Follow-up rate" not in [m.label for m in at.metric]  # no number drawn for it
    # The trend opens on a metric the data holds, not on an empty follow-up chart.
    assert at.query_params.get("trend") in (None, [])
    assert not any(INPUT_REASONS["activities"] in i.value for i in at.info)


def test_an_empty_default_period_opens_on_the_latest_30_days_with_data(
    olist_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app("overview.py", olist_url, monkeypatch)
    assert at.query_params["from"] == "2018-05-02" and at.query_params["to"] == "2018-05-31"
    assert any("Your data ends on 31 May 2018; showing 2 May – 31 May 2018" in i.value for i in at.info), (
        texts(at)
    )
    dates = at.date_input(key="flt_dates")
    assert "Your data runs from 1 Jun 2017 to 31 May 2018." in (dates.help or "")
    # Once the user picks another period the notice goes.
    at.selectbox(key="flt_pick").select("90d").run()
    assert not any("Your data ends on" in i.value for i in at.info)


def test_a_link_with_a_period_is_kept_even_when_it_is_empty(
    olist_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app("overview.py", olist_url, monkeypatch, {"from": "2026-01-01", "to": "2026-01-31"})
    assert "No leads match" in texts(at)
    assert not any("Your data ends on" in i.value for i in at.info)


def test_follow_up_page_stops_at_one_notice_instead_of_never_contacted_leads(
    olist_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app("follow_up.py", olist_url, monkeypatch)
    shown = texts(at)
    assert "Follow-up coverage: not in your data" in shown
    assert "Leads never contacted" not in [s.value for s in at.subheader]
    assert "Never" not in shown


def test_delivery_page_does_not_call_every_lead_undelivered(
    olist_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app("delivery.py", olist_url, monkeypatch)
    assert tiles(at)["Undelivered leads"] == NOT_IN_DATA
    assert "Lead delivery: not in your data" in texts(at)
    assert "Breaks in delivery" not in [s.value for s in at.subheader]


def test_campaigns_page_has_no_cost_for_leads_without_spend(
    olist_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app("campaigns.py", olist_url, monkeypatch)
    table = at.dataframe[0].value  # the first table: by campaign
    # The table judges by the cost per sale within the window (raw cost per sale is in the CSV).
    for column in ("spend", "cost_per_lead", "cost_per_sale_in_window", "roi"):
        assert table[column].isna().all(), column  # "–" in the table, empty in the CSV
    assert "Cost per lead: not in your data" in texts(at)


def test_the_demo_shows_every_number(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for page in ("overview.py", "campaigns.py"):
        at = open_app(page, demo_url, monkeypatch)
        assert NOT_IN_DATA not in texts(at)
        assert not any("Your data ends on" in i.value for i in at.info)


def test_arrival_hours_of_date_only_data_are_not_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warehouse with contacts but dates only: the arrival heat map gives way to a sentence."""
    from datetime import timedelta

    import polars as pl

    from loaders.contract.write import write_tables
    from loaders.warehouse.engine import make_engine

    url = write_olist_like(tmp_path / "dates.duckdb")
    engine = make_engine(url, read_only=False)
    with engine.connect() as conn:
        leads = pl.DataFrame(
            conn.exec_driver_sql("SELECT lead_id, created_at FROM leads").all(),
            orient="row",
            schema=["lead_id", "created_at"],
        )
    activities = leads.select(
        (pl.col("lead_id") + "-call").alias("activity_id"),
        "lead_id",
        (pl.col("created_at") + timedelta(days=1)).alias("occurred_at"),
        pl.lit("phone").alias("channel"),
        pl.lit("outbound").alias("direction"),
    )
    write_tables(engine, {"lead_activities": activities})
    engine.dispose()
    at = open_app("follow_up.py", url, monkeypatch)
    shown = texts(at)
    assert "Arrival hours: not in your data" in shown
    assert INPUT_REASONS["time_of_day"] in shown
    assert tiles(at)["Follow-up rate"] != NOT_IN_DATA
    assert tiles(at)["Median first response"] == NOT_IN_DATA  # minutes from a date's midnight mean nothing
    assert "arrived in that hour" not in shown  # the heat map's caption: the map is not drawn
