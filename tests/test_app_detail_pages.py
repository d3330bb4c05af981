"""Follow-up coverage, Lead delivery, Close reasons and Campaigns & ROI render through the entrypoint:
on demo data, on an empty warehouse, with a filter that matches nothing, and with a warehouse that
does not answer; and their numbers agree with dashboard/data/tables.py, the numbers' one source."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui.coverage_charts import gap_sentence
from dashboard.ui.empty_chart import NOTHING_TO_DRAW
from dashboard.ui.format import MISSING, format_metric, suppressed_text
from metrics.derived import with_derived_row
from metrics.registry import metric
from tests.test_app_pages import APP, DEAD_WAREHOUSE, ROOT, texts

PAGES = {
    "follow_up": "follow_up.py",
    "delivery": "delivery.py",
    "close_reasons": "close_reasons.py",
    "campaigns": "campaigns.py",
}
ALL_TIME = {"from": "2000-01-01", "to": "2100-01-01"}


def open_detail_page(
    page: str, url: str, monkeypatch: pytest.MonkeyPatch, params: dict[str, str | list[str]] | None = None
) -> AppTest:
    """Run the app, then switch to ``page`` with ``params`` in the URL."""
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", url)
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(str(ROOT / "pages" / PAGES[page]))
    at.run()
    return at


def _metrics(url: str, group_by: tuple[str, ...] = ()) -> dict[str, object]:
    from dashboard.data.tables import metrics_table
    from dashboard.filters.view import as_of_now
    from loaders.request.query import LeadQuery
    from loaders.warehouse.engine import make_engine

    engine = make_engine(url)
    try:
        query = LeadQuery(date(2000, 1, 1), date(2100, 1, 1), as_of_now(), group_by=group_by)
        return metrics_table(engine, query, 5).row(0, named=True)
    finally:
        engine.dispose()


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_demo_data_with_charts_tables_and_downloads(
    page: str, demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_detail_page(page, demo_url, monkeypatch, ALL_TIME)
    assert not at.exception
    assert not at.error
    assert at.metric, "KPI tiles"
    for tile in at.metric:  # every number carries its definition
        assert tile.help
    assert list(at.get("download_button")), "every table is downloadable"
    # The small demo's delivery heat map has fewer than K leads in every cell: a sentence, not a blank grid.
    said = [i for i in at.info if i.value == NOTHING_TO_DRAW]
    assert len(at.get("plotly_chart")) >= 1 or (page == "delivery" and said)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_an_empty_warehouse(
    page: str, empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_detail_page(page, empty_url, monkeypatch)
    assert not at.exception
    assert not at.error
    assert "No leads match" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_a_filter_that_matches_nothing_says_so(
    page: str, demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_detail_page(page, demo_url, monkeypatch, {"from": "2001-01-01", "to": "2001-01-31"})
    assert not at.exception
    assert "No leads match" in texts(at)
    assert not at.metric


@pytest.mark.parametrize("page", PAGES)
def test_a_warehouse_that_does_not_answer_shows_a_message_and_retry(
    page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", DEAD_WAREHOUSE)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page(str(ROOT / "pages" / PAGES[page]))
    at.run()
    assert not at.exception
    assert at.error and "did not answer" in at.error[0].value
    assert any(b.label == "Retry" for b in at.button)


def test_follow_up_headline_numbers_are_the_metrics_tables(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_detail_page("follow_up", demo_url, monkeypatch, ALL_TIME)
    expected = _metrics(demo_url)
    shown = {m.label: m.value for m in at.metric}
    for name in ("follow_up_rate", "median_first_response_min", "no_contact", "duplicate_contact_rate"):
        assert shown[metric(name).label] == format_metric(name, expected[name]), name  # type: ignore[arg-type]
    assert "followed up" in texts(at) and "points" in texts(at)  # the prequalification gap in words
    assert "Waiting now" in texts(at) and ("waiting;" in texts(at) or "is waiting" in texts(at))
    # Response-time buckets: business hours shown, clock time one click away (an expander).
    dealer_table = next(d.value for d in at.dataframe if "share_within_15_bh_min" in d.value.columns)
    assert "share_within_15_min" not in dealer_table.columns
    assert sum(e.label.startswith("Clock time") for e in at.expander) == 2  # the tiles' and the buckets'


def test_campaigns_judge_by_leads_old_enough_to_have_been_sold(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_detail_page("campaigns", demo_url, monkeypatch, ALL_TIME)
    expected = with_derived_row(_metrics(demo_url))
    assert expected is not None
    shown = {m.label: m.value for m in at.metric}
    for name in ("conversion_in_window_rate", "cost_per_sale_in_window", "conversion_rate", "cost_per_sale"):
        assert shown[metric(name).label] == format_metric(name, expected[name]), name  # type: ignore[arg-type]
    assert [e.label for e in at.expander if e.label.startswith("Raw conversion")]  # raw: one click away
    table = at.dataframe[0].value
    assert {"conversion_in_window_rate", "cost_per_sale_in_window"} <= set(table.columns)
    assert "conversion_rate" not in table.columns
    # The demo's last weeks are young: the page says how much of the period is too young to judge.
    assert "their sales are not in yet" in texts(at)


def test_campaigns_keeps_its_grouping_in_the_url_and_shows_appointment_rate(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_detail_page("campaigns", demo_url, monkeypatch, ALL_TIME)
    at.query_params["per"] = "source"  # a link to this page (the Overview drops other pages' keys)
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "appointment_rate" not in table.columns  # behind "More columns" (the default set fits 1440 px)
    assert "roi" in table.columns
    at.query_params["cp_cols"] = "all"
    at.run()
    assert "appointment_rate" in at.dataframe[0].value.columns
    assert at.toggle(key="opt_cp_cols").value
    assert at.query_params["per"] == "source"
    assert at.segmented_control(key="opt_per").value == "source"
    at.query_params["per"] = "planet"
    at.run()
    assert "'planet' is not one of" in texts(at)


def test_a_suppressed_group_reads_fewer_than_k_leads_never_zero(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADLINE_MIN_GROUP_SIZE", "100000")  # every group is too small
    at = open_detail_page("delivery", demo_url, monkeypatch, ALL_TIME)
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values[metric("undelivered").label] == suppressed_text(100000)
    pairs = next(d.value for d in at.dataframe if "dealer" in d.value.columns)
    assert len(pairs) and all(name.endswith(suppressed_text(100000)) for name in pairs["dealer"])
    assert pairs["undelivered"].isna().all()  # empty, never 0
    # ... and drawn as a dash in every table, not as the word "None".
    assert at.dataframe and all(d.proto.placeholder == MISSING for d in at.dataframe)


@pytest.mark.parametrize(
    ("kind", "status", "points", "expected"),
    [
        (
            "phone_status",
            "placeholder",
            -31.2,
            "Leads with a placeholder phone number were followed up 31 points less often than leads with a valid one.",
        ),
        (
            "email_status",
            "missing",
            6.0,
            "Leads with no e-mail address were followed up 6 points more often than leads with a valid one.",
        ),
        (
            "phone_status",
            "invalid",
            -1.0,
            "Leads with an invalid phone number were followed up 1 point less often than leads with a valid one.",
        ),
        (
            "phone_status",
            "missing",
            0.2,
            "Leads with no phone number were followed up about as often as leads with a valid one.",
        ),
        ("phone_status", "valid", 0.0, None),
        ("phone_status", "missing", None, None),
    ],
)
def test_the_prequalification_gap_in_words(
    kind: str, status: str, points: float | None, expected: str | None
) -> None:
    assert gap_sentence(kind, status, points, 0.6) == expected


def test_a_follow_up_render_looks_at_leads_once_for_consent(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Follow-up draws a dozen tables from the materialised facts; each read checks consent with a
    look at ``leads`` (docs/privacy.md section 1). The app's run (dashboard/app.py main: the
    sidebar's choices, the cache's version and the page's tables) is one read: one look per render
    (3 when the sidebar and the page were reads of their own)."""

    from sqlalchemy import event

    from dashboard.data import cached

    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)
    cached.clear_caches()
    looks: list[str] = []
    reads: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        (looks if "leads.consent = false" in statement else reads).append(statement)

    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(ALL_TIME)
    at.run()
    engine = cached.engine()
    cached.clear_caches()  # the sidebar's choices are read again too: the whole run is one read
    event.listen(engine, "before_cursor_execute", remember)
    try:
        at.switch_page(str(ROOT / "pages" / PAGES["follow_up"]))
        at.run()
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert not at.exception and not at.error
    assert len([s for s in reads if "lead_facts" in s]) >= 8, "the page's tables were read"
    assert len(looks) == 1, f"{len(looks)} looks at leads in one render"
