"""Every page renders through the entrypoint without an exception: on demo data, on an empty
warehouse, with a filter that matches nothing, and with a warehouse that does not answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
PAGES = {"overview": "overview.py", "definitions": "definitions.py"}
DEAD_WAREHOUSE = "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2"


def open_page(
    page: str,
    warehouse_url: str,
    monkeypatch: pytest.MonkeyPatch,
    params: dict[str, str | list[str]] | None = None,
) -> AppTest:
    """Run the app on ``page`` with ``params`` in the URL, against ``warehouse_url``."""
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", warehouse_url)
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(str(ROOT / "pages" / PAGES[page]))
        at.run()
    return at


def _total_leads(url: str, start: str, end: str) -> int:
    """Leads of the period straight from dashboard/data/tables.py, the numbers' one source."""
    from datetime import date, datetime

    from dashboard.data.tables import metrics_table
    from loaders.request.query import LeadQuery
    from loaders.warehouse.engine import make_engine

    engine = make_engine(url)
    query = LeadQuery(date.fromisoformat(start), date.fromisoformat(end), datetime(2100, 1, 1))
    try:
        return int(metrics_table(engine, query, 1)["leads"][0])
    finally:
        engine.dispose()


def texts(at: AppTest) -> str:
    """Every text a user can read on the page, joined."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [f"{m.label} {m.value}" for m in at.metric] + [t.value for t in at.title]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_demo_data(page: str, demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(page, demo_url, monkeypatch)
    assert not at.exception
    assert not at.error
    assert "Demo mode, no sign-in" in texts(at)


def test_overview_shows_every_kpi_with_its_registry_label_and_help(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from metrics.registry import metric

    at = open_page("overview", demo_url, monkeypatch, {"from": "2000-01-01", "to": "2100-01-01"})
    shown = {m.label: m for m in at.metric}
    headline = ("median_first_response_bh_min", "responded_1bh_rate", "conversion_in_window_rate")
    clock = ("median_first_response_min", "conversion_rate")  # one click away, in the expander
    for name in ("leads", "follow_up_rate", *headline, *clock, "roi"):
        assert shown[metric(name).label].help == metric(name).help
    expected = _total_leads(demo_url, "2000-01-01", "2100-01-01")
    assert shown["Leads"].value == f"{expected:,}"
    assert at.query_params["from"] == "2000-01-01"


def test_overview_conversion_trend_shades_the_young_weeks(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from dashboard.ui.young_weeks import YOUNG_NAME

    params = {"from": "2000-01-01", "to": "2100-01-01", "trend": "conversion_in_window_rate"}
    at = open_page("overview", demo_url, monkeypatch, params)
    assert not at.exception
    assert "Grey band: weeks with leads younger than 90 days" in texts(at)
    trend = next(c for c in at.get("plotly_chart") if "overview-trend" in c.proto.id)
    names = [trace.get("name") for trace in json.loads(trend.proto.spec)["data"]]
    assert YOUNG_NAME in names


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_an_empty_warehouse(
    page: str, empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(page, empty_url, monkeypatch)
    assert not at.exception
    assert not at.error
    if page == "overview":
        assert "No leads match" in texts(at)


def test_a_filter_that_matches_nothing_says_so(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page("overview", demo_url, monkeypatch, {"from": "2001-01-01", "to": "2001-01-31"})
    assert not at.exception
    assert "No leads match" in texts(at)
    assert not at.metric  # no tile claims a number for nothing


def test_a_link_with_unknown_values_opens_with_a_notice(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(
        "overview", demo_url, monkeypatch, {"dealer": ["NOPE"], "from": "not-a-date", "by": "planet"}
    )
    assert not at.exception
    shown = texts(at)
    assert "'NOPE': unknown or outside your access" in shown
    assert "from 'not-a-date'" in shown
    assert "'planet' is not one of" in shown  # the page's own option, reported by the page
    assert "dealer" not in dict(at.query_params)


@pytest.mark.parametrize("page", ["overview"])
def test_a_warehouse_that_does_not_answer_shows_a_message_and_retry(
    page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(page, DEAD_WAREHOUSE, monkeypatch)
    assert not at.exception
    assert at.error and "did not answer" in at.error[0].value
    assert any(b.label == "Retry" for b in at.button)


def test_definitions_open_even_when_the_warehouse_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", DEAD_WAREHOUSE)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page(str(ROOT / "pages" / "definitions.py"))
    at.run()
    assert not at.exception
    assert "Follow-up rate" in texts(at)


def test_choosing_a_dealer_group_narrows_dealers_and_updates_the_url(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("overview", demo_url, monkeypatch)
    groups, dealers = at.multiselect(key="flt_group"), at.multiselect(key="flt_dealer")
    all_dealers = len(dealers.options)
    groups.select(groups.options[0]).run()
    assert not at.exception
    assert at.query_params["group"]
    assert 0 < len(at.multiselect(key="flt_dealer").options) < all_dealers
    at.selectbox(key="flt_compare").select("none").run()
    assert at.query_params["compare"] == "none"


def test_result_code_sections_render_on_demo_data(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14's additions draw without errors: the taxonomy on Definitions, reach on Follow-up and
    lead quality on Campaigns."""
    at = open_page("definitions", demo_url, monkeypatch)
    assert not at.exception and not at.error
    assert "Leadline's default" in texts(at)
    codes = [code for frame in at.dataframe for code in frame.value.get("code", [])]
    assert "appointment_set" in codes and "wrong_number" in codes
    for page, needed in (
        ("follow_up.py", "Reached when called"),
        ("campaigns.py", "Lead quality by campaign"),
    ):
        at.switch_page(str(ROOT / "pages" / page))
        at.run()
        assert not at.exception and not at.error, page
        assert needed in texts(at) + " ".join(str(s.value) for s in at.subheader), page


def _trend_values(at: AppTest) -> list[float]:
    import json

    trend = next(c for c in at.get("plotly_chart") if "overview-trend" in c.proto.id)
    return [y for trace in json.loads(trend.proto.spec)["data"] for y in trace.get("y", []) if y is not None]


@pytest.mark.parametrize("trend", ["median_first_response_bh_min", "cost_per_sale"])
def test_overview_weekly_trend_of_a_response_time_or_a_cost_has_its_inputs(
    demo_url: str, monkeypatch: pytest.MonkeyPatch, trend: str
) -> None:
    """The weeks are asked without their exact quantiles unless the trend draws a response time, and
    without close reasons and spend unless it draws a cost: a link that opens on one, and a click
    that switches to one, both draw the weekly values."""
    params = {"from": "2000-01-01", "to": "2100-01-01", "trend": trend}
    at = open_page("overview", demo_url, monkeypatch, params)
    assert not at.exception and not at.error
    linked = _trend_values(at)
    assert len(linked) >= 10 and all(value >= 0 for value in linked)

    at = open_page("overview", demo_url, monkeypatch, {"from": "2000-01-01", "to": "2100-01-01"})
    rates = _trend_values(at)
    assert rates and max(rates) <= 1.0  # the follow-up rate, a share
    at.query_params.pop("trend", None)
    at.session_state["opt_trend"] = trend
    at.run()
    assert not at.exception and not at.error
    assert _trend_values(at) == linked
