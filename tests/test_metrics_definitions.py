"""Every metric's definition, one small warehouse per case, each edge of the contract spelled out.

Each case writes a few rows into a real DuckDB and checks one number of the ungrouped
metrics table (K = 0, so nothing is suppressed and the raw definitions show).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, create_engine

from tests.conftest import Warehouse
from tests.metric_fixtures import AS_OF, END, START, T0, Fixture, contact, lead, outcome, spend, ts

NULL = None
CLOSED = datetime(2024, 3, 7, 12, 0)
BEFORE_START = datetime.combine(START, datetime.min.time()) - timedelta(microseconds=1)
AT_START = datetime.combine(START, datetime.min.time())
LAST_MOMENT = datetime.combine(END, datetime.min.time()) + timedelta(days=1, microseconds=-1)
AFTER_END = datetime.combine(END + timedelta(days=1), datetime.min.time())


def leads_n(n: int, **values: object) -> list[dict[str, object]]:
    return [lead(f"l{i}", **values) for i in range(n)]


def lost(lead_id: str, code: str | None = "bought_other_car", **values: object) -> dict[str, object]:
    return outcome(lead_id, closed_at=CLOSED, close_reason_code=code, **values)


# (case id, metric, fixture, expected value)
CASES: list[tuple[str, str, Fixture, float | int | None]] = [
    # --- the lead set L -------------------------------------------------------------------
    ("one lead", "leads", Fixture(leads=[lead("a")]), 1),
    ("consent false is not in L", "leads", Fixture(leads=[lead("a"), lead("b", consent=False)]), 1),
    ("consent null is in L", "leads", Fixture(leads=[lead("a", consent=None)]), 1),
    ("start 00:00 is in", "leads", Fixture(leads=[lead("a", AT_START)]), 1),
    ("just before start is out", "leads", Fixture(leads=[lead("a", BEFORE_START)]), 0),
    ("last microsecond of end is in", "leads", Fixture(leads=[lead("a", LAST_MOMENT)]), 1),
    ("end + 1 day 00:00 is out", "leads", Fixture(leads=[lead("a", AFTER_END)]), 0),
    (
        "filter keeps matching leads only",
        "leads",
        Fixture(leads=[lead("a"), lead("b", brand="Beta")], query={"filters": {"brand": ["Beta"]}}),
        1,
    ),
    (
        "access scope keeps granted dealers only",
        "leads",
        Fixture(leads=[lead("a"), lead("b", dealer_id="d2")], query={"scope": {"dealer_ids": ("d2",)}}),
        1,
    ),
    # --- qualifying contact -----------------------------------------------------------------
    ("outbound manual contact", "contacted", Fixture([lead("a")], [contact("a", ts(5))]), 1),
    (
        "inbound is no contact",
        "contacted",
        Fixture([lead("a")], [contact("a", ts(5), direction="inbound")]),
        0,
    ),
    (
        "auto-responder is no contact",
        "contacted",
        Fixture([lead("a")], [contact("a", ts(1), automated=True)]),
        0,
    ),
    ("automated null counts", "contacted", Fixture([lead("a")], [contact("a", ts(5), automated=None)]), 1),
    ("activity before the lead is no contact", "contacted", Fixture([lead("a")], [contact("a", ts(-1))]), 0),
    ("activity at created_at counts", "contacted", Fixture([lead("a")], [contact("a", ts(0))]), 1),
    (
        "contacts of leads outside L do not count",
        "contacted",
        Fixture([lead("a"), lead("b", consent=False)], [contact("b", ts(5))]),
        0,
    ),
    ("follow-up rate", "follow_up_rate", Fixture([lead("a"), lead("b")], [contact("a", ts(5))]), 0.5),
    ("follow-up rate with no leads", "follow_up_rate", Fixture(), NULL),
    # --- first response ------------------------------------------------------------------------
    (
        "median of three",
        "median_first_response_min",
        Fixture(leads_n(3), [contact("l0", ts(10)), contact("l1", ts(20)), contact("l2", ts(40))]),
        20.0,
    ),
    (
        "median interpolates",
        "median_first_response_min",
        Fixture(leads_n(2), [contact("l0", ts(10)), contact("l1", ts(25))]),
        17.5,
    ),
    (
        "median uses the first contact and skips uncontacted leads",
        "median_first_response_min",
        Fixture(leads_n(2), [contact("l0", ts(30)), contact("l0", ts(8))]),
        8.0,
    ),
    (
        "median ignores an earlier auto-responder",
        "median_first_response_min",
        Fixture([lead("a")], [contact("a", ts(1), automated=True), contact("a", ts(90))]),
        90.0,
    ),
    ("fractional minutes", "median_first_response_min", Fixture([lead("a")], [contact("a", ts(0.5))]), 0.5),
    ("median with nobody contacted", "median_first_response_min", Fixture([lead("a")]), NULL),
    (
        "p90 interpolates between 1, 2, 3, 4",
        "p90_first_response_min",
        Fixture(leads_n(4), [contact(f"l{i}", ts(i + 1)) for i in range(4)]),
        3.7,
    ),
    (
        "p90 of 0..100 by 10",
        "p90_first_response_min",
        Fixture(leads_n(11), [contact(f"l{i}", ts(10 * i)) for i in range(11)]),
        90.0,
    ),
    ("p90 with nobody contacted", "p90_first_response_min", Fixture([lead("a")]), NULL),
    ("exactly 60 min is within 1 h", "responded_1h_rate", Fixture([lead("a")], [contact("a", ts(60))]), 1.0),
    (
        "60 min and 1 s is not",
        "responded_1h_rate",
        Fixture([lead("a")], [contact("a", ts(60 + 1 / 60))]),
        0.0,
    ),
    (
        "denominator is all leads",
        "responded_1h_rate",
        Fixture(leads_n(4), [contact("l0", ts(5)), contact("l1", ts(120))]),
        0.25,
    ),
    (
        "auto-responder inside the hour does not count",
        "responded_1h_rate",
        Fixture([lead("a")], [contact("a", ts(1), automated=True), contact("a", ts(61))]),
        0.0,
    ),
    ("responded rate with no leads", "responded_1h_rate", Fixture(), NULL),
    # --- no contact: 24 hours before as_of --------------------------------------------------------
    ("uncontacted, exactly 24 h old", "no_contact", Fixture([lead("a")], query={"as_of": ts(24 * 60)}), 1),
    (
        "uncontacted, 24 h minus 1 s old",
        "no_contact",
        Fixture([lead("a")], query={"as_of": ts(24 * 60 - 1 / 60)}),
        0,
    ),
    ("contacted leads are not no-contact", "no_contact", Fixture([lead("a")], [contact("a", ts(5))]), 0),
    (
        "only inbound and automated activity is no contact",
        "no_contact",
        Fixture([lead("a")], [contact("a", ts(5), direction="inbound"), contact("a", ts(1), automated=True)]),
        1,
    ),
    # --- duplicate contact ---------------------------------------------------------------------
    (
        "two salespeople",
        "duplicate_contact",
        Fixture([lead("a")], [contact("a", ts(1), "x"), contact("a", ts(2), "y")]),
        1,
    ),
    (
        "same salesperson twice",
        "duplicate_contact",
        Fixture([lead("a")], [contact("a", ts(1), "x"), contact("a", ts(2), "x")]),
        0,
    ),
    (
        "one salesperson and a null actor",
        "duplicate_contact",
        Fixture([lead("a")], [contact("a", ts(1), "x"), contact("a", ts(2), None)]),
        0,
    ),
    (
        "two null actors",
        "duplicate_contact",
        Fixture([lead("a")], [contact("a", ts(1), None), contact("a", ts(2), None)]),
        0,
    ),
    (
        "second salesperson only inbound",
        "duplicate_contact",
        Fixture([lead("a")], [contact("a", ts(1), "x"), contact("a", ts(2), "y", direction="inbound")]),
        0,
    ),
    (
        "duplicate rate over contacted leads",
        "duplicate_contact_rate",
        Fixture(
            leads_n(3), [contact("l0", ts(1), "x"), contact("l0", ts(2), "y"), contact("l1", ts(1), "x")]
        ),
        0.5,
    ),
    ("duplicate rate with nobody contacted", "duplicate_contact_rate", Fixture([lead("a")]), NULL),
    # --- attempts --------------------------------------------------------------------------------
    (
        "mean over contacted leads",
        "avg_attempts",
        Fixture(
            leads_n(3),
            [contact("l0", ts(1)), contact("l0", ts(2)), contact("l0", ts(3)), contact("l1", ts(1))],
        ),
        2.0,
    ),
    (
        "inbound and automated are no attempts",
        "avg_attempts",
        Fixture(
            [lead("a")],
            [
                contact("a", ts(1)),
                contact("a", ts(2), automated=True),
                contact("a", ts(3), direction="inbound"),
            ],
        ),
        1.0,
    ),
    ("attempts with nobody contacted", "avg_attempts", Fixture([lead("a")]), NULL),
    # --- delivery and outcomes -----------------------------------------------------------------------
    ("undelivered", "undelivered", Fixture([lead("a", delivered_at=None), lead("b")]), 1),
    ("appointment", "appointments", Fixture(leads_n(2), outcomes=[outcome("l0", appointment_at=ts(60))]), 1),
    ("no outcome row", "appointments", Fixture([lead("a")]), 0),
    ("sold", "sold", Fixture(leads_n(2), outcomes=[outcome("l0", sold_at=ts(600))]), 1),
    (
        "conversion rate",
        "conversion_rate",
        Fixture(leads_n(4), outcomes=[outcome("l0", sold_at=ts(600))]),
        0.25,
    ),
    ("conversion rate with no leads", "conversion_rate", Fixture(), NULL),
    ("closed unsold is lost", "lost", Fixture([lead("a")], outcomes=[lost("a")]), 1),
    ("sold and closed is not lost", "lost", Fixture([lead("a")], outcomes=[lost("a", sold_at=ts(60))]), 0),
    ("open is not lost", "lost", Fixture([lead("a")], outcomes=[outcome("a", appointment_at=ts(60))]), 0),
    # --- close reasons ------------------------------------------------------------------------------
    ("null code is vague", "vague_close_rate", Fixture([lead("a")], outcomes=[lost("a", None)]), 1.0),
    ("empty code is vague", "vague_close_rate", Fixture([lead("a")], outcomes=[lost("a", "")]), 1.0),
    ("blank code is vague", "vague_close_rate", Fixture([lead("a")], outcomes=[lost("a", "   ")]), 1.0),
    (
        "unknown code is vague",
        "vague_close_rate",
        Fixture([lead("a")], outcomes=[lost("a", "whatever")]),
        1.0,
    ),
    (
        "code flagged vague",
        "vague_close_rate",
        Fixture([lead("a")], outcomes=[lost("a", "no_interest")]),
        1.0,
    ),
    ("'.' is vague", "vague_close_rate", Fixture([lead("a")], outcomes=[lost("a", ".")]), 1.0),
    (
        "specific code",
        "vague_close_rate",
        Fixture([lead("a")], outcomes=[lost("a", "bought_other_car")]),
        0.0,
    ),
    (
        "share over lost leads",
        "vague_close_rate",
        Fixture(
            leads_n(3), outcomes=[lost("l0", None), lost("l1"), outcome("l2", sold_at=ts(9), closed_at=ts(9))]
        ),
        0.5,
    ),
    (
        "sold-and-closed without code: no lost leads",
        "vague_close_rate",
        Fixture([lead("a")], outcomes=[lost("a", None, sold_at=ts(9))]),
        NULL,
    ),
    (
        "warehouse taxonomy replaces the default",
        "vague_close_rate",
        Fixture(
            leads_n(2),
            outcomes=[lost("l0", "ours"), lost("l1", "bought_other_car")],
            close_reasons=[{"code": "ours", "category": "other", "label": "Ours", "is_vague": False}],
        ),
        0.5,
    ),
    ("lost with no contact", "lost_after_one_attempt_rate", Fixture([lead("a")], outcomes=[lost("a")]), 1.0),
    (
        "lost after one contact",
        "lost_after_one_attempt_rate",
        Fixture([lead("a")], [contact("a", ts(1))], [lost("a")]),
        1.0,
    ),
    (
        "lost after two contacts",
        "lost_after_one_attempt_rate",
        Fixture([lead("a")], [contact("a", ts(1)), contact("a", ts(2))], [lost("a")]),
        0.0,
    ),
    (
        "a contact after closing does not count",
        "lost_after_one_attempt_rate",
        Fixture([lead("a")], [contact("a", ts(1)), contact("a", CLOSED + timedelta(seconds=1))], [lost("a")]),
        1.0,
    ),
    (
        "a contact at closed_at counts",
        "lost_after_one_attempt_rate",
        Fixture([lead("a")], [contact("a", ts(1)), contact("a", CLOSED)], [lost("a")]),
        0.0,
    ),
    (
        "an auto-responder before closing does not count",
        "lost_after_one_attempt_rate",
        Fixture([lead("a")], [contact("a", ts(1)), contact("a", ts(2), automated=True)], [lost("a")]),
        1.0,
    ),
    ("no lost leads", "lost_after_one_attempt_rate", Fixture([lead("a")]), NULL),
    # --- spend ----------------------------------------------------------------------------------
    (
        "spend of the period",
        "spend",
        Fixture(leads_n(2, campaign_id="c1"), spend=[spend("c1", START, 60), spend("c1", END, 40)]),
        100.0,
    ),
    (
        "spend outside the period",
        "spend",
        Fixture(
            leads_n(1, campaign_id="c1"),
            spend=[spend("c1", START - timedelta(days=1), 60), spend("c1", END + timedelta(days=1), 40)],
        ),
        0.0,
    ),
    (
        "campaign without leads is allocated to nobody",
        "spend",
        Fixture([lead("a")], spend=[spend("c2", START, 70)]),
        0.0,
    ),
    (
        "filtered group gets its share",
        "spend",
        Fixture(
            [lead("a", campaign_id="c1"), lead("b", campaign_id="c1", brand="Beta")],
            spend=[spend("c1", START, 100)],
            query={"filters": {"brand": ["Beta"]}},
        ),
        50.0,
    ),
    (
        "scope does not change N_c",
        "spend",
        Fixture(
            [
                lead("a", campaign_id="c1"),
                lead("b", campaign_id="c1", dealer_id="d2"),
                lead("c", campaign_id="c1", dealer_id="d2"),
            ],
            spend=[spend("c1", START, 90)],
            query={"scope": {"dealer_group_ids": ("g1",)}},
        ),
        30.0,
    ),
    (
        "consent-false leads are not in N_c",
        "spend",
        Fixture(
            [lead("a", campaign_id="c1"), lead("b", campaign_id="c1", consent=False)],
            spend=[spend("c1", START, 80)],
        ),
        80.0,
    ),
    (
        "leads outside the period are not in N_c",
        "spend",
        Fixture(
            [lead("a", campaign_id="c1"), lead("b", AFTER_END, campaign_id="c1")],
            spend=[spend("c1", START, 80)],
        ),
        80.0,
    ),
    (
        "two campaigns",
        "spend",
        Fixture(
            [lead("a", campaign_id="c1"), lead("b", campaign_id="c2"), lead("c")],
            spend=[spend("c1", START, 10), spend("c2", START, 20), spend("c3", START, 40)],
        ),
        30.0,
    ),
    (
        "cost per lead",
        "cost_per_lead",
        Fixture(leads_n(4, campaign_id="c1"), spend=[spend("c1", START, 100)]),
        25.0,
    ),
    ("cost per lead with no leads", "cost_per_lead", Fixture(spend=[spend("c1", START, 100)]), NULL),
    (
        "cost per sale",
        "cost_per_sale",
        Fixture(
            leads_n(2, campaign_id="c1"),
            outcomes=[outcome("l0", sold_at=ts(9))],
            spend=[spend("c1", START, 100)],
        ),
        100.0,
    ),
    (
        "cost per sale with no sales",
        "cost_per_sale",
        Fixture(leads_n(2, campaign_id="c1"), spend=[spend("c1", START, 100)]),
        NULL,
    ),
    (
        "gross profit of sold leads only, null as 0",
        "gross_profit",
        Fixture(
            leads_n(3),
            outcomes=[
                outcome("l0", sold_at=ts(9), gross_profit=500.0),
                outcome("l1", sold_at=ts(9), gross_profit=None),
                outcome("l2", gross_profit=300.0),
            ],
        ),
        500.0,
    ),
    (
        "roi",
        "roi",
        Fixture(
            leads_n(2, campaign_id="c1"),
            outcomes=[outcome("l0", sold_at=ts(9), gross_profit=300.0)],
            spend=[spend("c1", START, 100)],
        ),
        2.0,
    ),
    (
        "roi without spend",
        "roi",
        Fixture([lead("a")], outcomes=[outcome("a", sold_at=ts(9), gross_profit=300.0)]),
        NULL,
    ),
]


@pytest.fixture(scope="module")
def shared_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One DuckDB for all cases: each case replaces every table's rows (creating tables is the slow part)."""
    engine = create_engine(f"duckdb:///{tmp_path_factory.mktemp('definitions') / 'w.duckdb'}")
    yield engine
    engine.dispose()


@pytest.mark.parametrize(("metric", "fixture", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_metric_definition(
    shared_duckdb: Engine, metric: str, fixture: Fixture, expected: float | int | None
) -> None:
    table = fixture.table(shared_duckdb)
    assert table.height == 1
    value = table[metric][0]
    if expected is None:
        assert value is None
    else:
        assert value is not None
        assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-9), (value, expected)


def test_empty_lead_set_gives_one_row_with_zero_leads(duckdb_warehouse: Warehouse) -> None:
    table = Fixture().table(duckdb_warehouse.engine)
    assert table.height == 1
    assert table.row(0, named=True)["leads"] == 0
    assert table.row(0, named=True)["suppressed"] is False


def test_empty_lead_set_is_suppressed_for_any_positive_k(duckdb_warehouse: Warehouse) -> None:
    row = Fixture().table(duckdb_warehouse.engine, min_group_size=1).row(0, named=True)
    assert row["suppressed"] is True
    assert row["leads"] is None


@pytest.mark.parametrize(
    ("created", "group", "expected"),
    [
        (datetime(2024, 3, 4, 0, 0), "week", date(2024, 3, 4)),  # Monday itself
        (datetime(2024, 3, 10, 23, 59), "week", date(2024, 3, 4)),  # Sunday belongs to the week before
        (datetime(2024, 3, 10, 23, 59), "month", date(2024, 3, 1)),
    ],
)
def test_time_dimensions(duckdb_warehouse: Warehouse, created: datetime, group: str, expected: date) -> None:
    table = Fixture([lead("a", created)]).table(duckdb_warehouse.engine, group_by=(group,))
    assert table[group].to_list() == [expected]


def test_lead_of_unknown_dealer_groups_as_unknown(duckdb_warehouse: Warehouse) -> None:
    table = Fixture([lead("a", dealer_id="ghost"), lead("b")]).table(
        duckdb_warehouse.engine, group_by=("dealer_group_id",)
    )
    assert table.select("dealer_group_id", "leads").rows() == [("g1", 1), ("unknown", 1)]


def test_columns_and_order(duckdb_warehouse: Warehouse) -> None:
    from metrics.registry import METRIC_COLUMNS

    table = Fixture([lead("a")]).table(duckdb_warehouse.engine, group_by=("week", "brand"))
    assert table.columns == ["week", "brand", *METRIC_COLUMNS, "suppressed", "team_suppressed"]


def test_as_of_with_time_zone_is_read_as_utc(duckdb_warehouse: Warehouse) -> None:
    from datetime import UTC

    aware = (T0 + timedelta(hours=24)).replace(tzinfo=UTC)
    table = Fixture([lead("a")]).table(duckdb_warehouse.engine, as_of=aware)
    assert table["no_contact"][0] == 1
    assert AS_OF > T0  # the default as_of leaves every fixture lead older than 24 h


def test_grouped_empty_lead_set_has_no_rows_and_the_full_schema(duckdb_warehouse: Warehouse) -> None:
    import polars as pl

    from metrics.registry import METRICS

    table = Fixture().table(duckdb_warehouse.engine, min_group_size=5, group_by=("week", "brand"))
    assert table.height == 0
    expected = {"week": pl.Date(), "brand": pl.String()}
    expected |= {m.name: pl.Int64() if m.format == "count" else pl.Float64() for m in METRICS}
    assert dict(table.schema) == expected | {"suppressed": pl.Boolean(), "team_suppressed": pl.Boolean()}
