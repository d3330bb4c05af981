"""Lead quality from call result codes (issue 14): every definition and edge, on real warehouses.

Each case writes a few rows into a real DuckDB and checks one number of the ungrouped metrics
table, or the best-outcome distribution (K = 0, so nothing is suppressed). Then: both facts
paths agree, DuckDB agrees with PostgreSQL, a new taxonomy rebuilds the materialised facts, and
the distribution matches a hand-written SQL answer on a generated demo.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, create_engine

from dashboard.data import detail_tables
from dashboard.data.tables import metrics_table
from loaders.contract.write import write_tables
from loaders.demo.generate import generate_demo
from loaders.facts.lead_facts import facts_read_by
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import current_reader, forget_probes
from loaders.request.query import LeadQuery
from metrics.result_codes import BEST_OUTCOMES, DEFAULT_RESULT_CODES, categorise
from tests.conftest import Warehouse
from tests.metric_fixtures import Fixture, contact, lead, outcome, ts

NULL = None


def call(lead_id: str, minutes: float, code: str | None, **values: object) -> dict[str, object]:
    """A qualifying phone call with a result code."""
    return contact(lead_id, ts(minutes), result_code=code, **values)


def codes(*rows: tuple[str, str]) -> list[dict[str, str]]:
    """Rows of a warehouse's own result_codes table."""
    return [{"code": code, "category": category, "label": code} for code, category in rows]


# (case id, metric, fixture, expected value)
CASES: list[tuple[str, str, Fixture, float | int | None]] = [
    ("reached code", "reached", Fixture([lead("a")], [call("a", 5, "reached")]), 1),
    ("appointment code counts as reached", "reached", Fixture([lead("a")], [call("a", 5, "appointment_set")]), 1),
    ("callback requested is reached", "reached", Fixture([lead("a")], [call("a", 5, "callback_requested")]), 1),
    ("not interested is reached", "reached", Fixture([lead("a")], [call("a", 5, "not_interested")]), 1),
    ("no answer is not reached", "reached", Fixture([lead("a")], [call("a", 5, "no_answer")]), 0),
    (
        "inbound call coded reached does not count",
        "reached",
        Fixture([lead("a")], [call("a", 5, "reached", direction="inbound")]),
        0,
    ),
    (
        "automated contact coded reached does not count",
        "reached",
        Fixture([lead("a")], [call("a", 5, "reached", automated=True)]),
        0,
    ),
    ("code on an activity before the lead does not count", "reached", Fixture([lead("a")], [call("a", -1, "reached")]), 0),
    ("unknown code is not reached", "reached", Fixture([lead("a")], [call("a", 5, "spoke_to_wife")]), 0),
    ("blank code is not reached", "reached", Fixture([lead("a")], [call("a", 5, "   ")]), 0),
    ("blanks around a code are trimmed", "reached", Fixture([lead("a")], [call("a", 5, "  reached ")]), 1),
    ("codes are case-sensitive", "reached", Fixture([lead("a")], [call("a", 5, "Reached")]), 0),
    (
        "one reached call among several makes the lead reached once",
        "reached",
        Fixture([lead("a")], [call("a", 5, "no_answer"), call("a", 60, "reached"), call("a", 90, "reached")]),
        1,
    ),
    (
        "reach rate over all leads",
        "reach_rate",
        Fixture([lead("a"), lead("b"), lead("c"), lead("d")], [call("a", 5, "reached"), call("b", 5, "busy")]),
        0.25,
    ),
    ("reach rate with no leads", "reach_rate", Fixture(), NULL),
    # --- invalid contact: coded invalid_contact and never reached, over contacted ---------------------
    (
        "wrong number, nothing else",
        "invalid_contact_rate",
        Fixture([lead("a"), lead("b")], [call("a", 5, "wrong_number"), call("b", 5, "no_answer")]),
        0.5,
    ),
    (
        "appointment and wrong number: reached, not invalid",
        "invalid_contact_rate",
        Fixture([lead("a")], [call("a", 5, "wrong_number"), call("a", 60, "appointment_set")]),
        0.0,
    ),
    (
        "appointment and wrong number: reached",
        "reached",
        Fixture([lead("a")], [call("a", 5, "wrong_number"), call("a", 60, "appointment_set")]),
        1,
    ),
    (
        "no answer and wrong number: invalid (not reached)",
        "invalid_contact_rate",
        Fixture([lead("a")], [call("a", 5, "no_answer"), call("a", 60, "wrong_number")]),
        1.0,
    ),
    (
        "bounced e-mail is invalid contact data",
        "invalid_contact_rate",
        Fixture([lead("a")], [call("a", 5, "email_bounced", channel="email")]),
        1.0,
    ),
    (
        "inbound wrong number does not count",
        "invalid_contact_rate",
        Fixture([lead("a")], [call("a", 5, "no_answer"), call("a", 9, "wrong_number", direction="inbound")]),
        0.0,
    ),
    (
        "invalid-contact rate is of contacted leads, not of all leads",
        "invalid_contact_rate",
        Fixture([lead("a"), lead("b"), lead("c")], [call("a", 5, "number_not_in_service"), call("b", 5, None)]),
        0.5,
    ),
    ("invalid-contact rate with nobody contacted", "invalid_contact_rate", Fixture([lead("a")]), NULL),
    # --- coded calls: a count of calls, not of leads or people ------------------------------------------
    (
        "coded calls counts calls",
        "coded_contact_rate",
        Fixture(
            [lead("a"), lead("b")],
            [call("a", 5, "no_answer"), call("a", 60, None), call("a", 90, "  "), call("b", 5, "anything")],
        ),
        0.5,
    ),
    (
        "an unknown code is still a code",
        "coded_contact_rate",
        Fixture([lead("a")], [call("a", 5, "Reached")]),
        1.0,
    ),
    (
        "coded calls ignore e-mails, inbound, automated and early activities",
        "coded_contact_rate",
        Fixture(
            [lead("a")],
            [
                call("a", 5, None),
                call("a", 6, "reached", channel="email"),
                call("a", 7, "reached", direction="inbound"),
                call("a", 8, "reached", automated=True),
                call("a", -8, "reached"),
            ],
        ),
        0.0,
    ),
    ("coded calls with no calls", "coded_contact_rate", Fixture([lead("a")], [call("a", 5, "x", channel="sms")]), NULL),
    # --- the taxonomy in force ------------------------------------------------------------------------
    (
        "empty result_codes table: the default taxonomy",
        "reached",
        Fixture([lead("a")], [call("a", 5, "callback_requested")], result_codes=()),
        1,
    ),
    (
        "own taxonomy replaces the default",
        "reached",
        Fixture(
            [lead("a"), lead("b")],
            [call("a", 5, "SPOKE"), call("b", 5, "reached")],
            result_codes=codes(("SPOKE", "reached"), ("NA", "not_reached")),
        ),
        1,
    ),
    (
        "own taxonomy's codes are trimmed too",
        "invalid_contact_rate",
        Fixture([lead("a")], [call("a", 5, "WRONG  ")], result_codes=codes((" WRONG", "invalid_contact"))),
        1.0,
    ),
    (
        "own taxonomy's appointment category counts as reached",
        "reach_rate",
        Fixture(
            [lead("a"), lead("b")],
            [call("a", 5, "TERMIN")],
            result_codes=codes(("TERMIN", "appointment")),
        ),
        0.5,
    ),
]


@pytest.fixture(scope="module")
def shared_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One DuckDB for all cases: each case replaces every table's rows."""
    engine = create_engine(f"duckdb:///{tmp_path_factory.mktemp('result_codes') / 'w.duckdb'}")
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_probes() -> Iterator[None]:
    """Each case rewrites the warehouse: the cached taxonomy and facts probes must not carry over."""
    forget_probes()
    yield
    forget_probes()


@pytest.mark.parametrize(("metric", "fixture", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_metric_definition(shared_duckdb: Engine, metric: str, fixture: Fixture, expected: float | None) -> None:
    value = fixture.table(shared_duckdb)[metric][0]
    if expected is None:
        assert value is None
    else:
        assert value is not None
        assert math.isclose(value, expected, abs_tol=1e-12), (value, expected)


# (case id, fixture, the best outcome of lead "a")
BEST_CASES: list[tuple[str, Fixture, str]] = [
    ("never contacted", Fixture([lead("a")]), "not_contacted"),
    ("only an inbound call", Fixture([lead("a")], [call("a", 5, "reached", direction="inbound")]), "not_contacted"),
    ("contacted, no code", Fixture([lead("a")], [call("a", 5, None), call("a", 6, " ")]), "uncoded"),
    ("e-mail without code", Fixture([lead("a")], [call("a", 5, None, channel="email")]), "uncoded"),
    ("unknown beats uncoded", Fixture([lead("a")], [call("a", 5, None), call("a", 6, "??")]), "unknown"),
    ("invalid beats unknown", Fixture([lead("a")], [call("a", 5, "??"), call("a", 6, "wrong_number")]), "invalid_contact"),
    ("not reached beats invalid", Fixture([lead("a")], [call("a", 5, "wrong_number"), call("a", 6, "busy")]), "not_reached"),
    ("reached beats not reached", Fixture([lead("a")], [call("a", 5, "reached"), call("a", 6, "voicemail")]), "reached"),
    (
        "appointment beats everything",
        Fixture([lead("a")], [call("a", 5, "wrong_number"), call("a", 6, "appointment_set"), call("a", 7, "reached")]),
        "appointment",
    ),
    (
        "own category 'other' ranks between invalid and unknown",
        Fixture(
            [lead("a")],
            [call("a", 5, "??"), call("a", 6, "LEFT_MSG")],
            result_codes=codes(("LEFT_MSG", "other")),
        ),
        "other",
    ),
    (
        "a code before the lead is ignored",
        Fixture([lead("a")], [call("a", -5, "appointment_set"), call("a", 5, None)]),
        "uncoded",
    ),
]


@pytest.mark.parametrize(("fixture", "expected"), [c[1:] for c in BEST_CASES], ids=[c[0] for c in BEST_CASES])
def test_best_outcome(shared_duckdb: Engine, fixture: Fixture, expected: str) -> None:
    fixture.write(shared_duckdb)
    table = detail_tables.result_codes(shared_duckdb, fixture.lead_query(), 0)
    assert table["outcome"].to_list() == [o.name for o in BEST_OUTCOMES]
    counted = table.filter(pl.col("count") > 0)
    assert counted.select("outcome", "count", "share").rows() == [(expected, 1, 1.0)]


def test_distribution_counts_every_lead_once_and_is_suppressed_per_group(shared_duckdb: Engine) -> None:
    leads = [lead(f"x{i}") for i in range(6)] + [lead("y0", dealer_id="d2"), lead("y1", dealer_id="d2")]
    # d3 (4 leads, fewer than d1's 6) is hidden as d2's complement, so d1 stays shown.
    leads += [lead(f"z{i}", dealer_id="d3") for i in range(4)]
    calls = [
        call("x0", 5, "appointment_set"),
        call("x0", 6, "wrong_number"),
        call("x1", 5, "reached"),
        call("x2", 5, "no_answer"),
        call("x3", 5, "wrong_number"),
        call("x4", 5, None),
        call("y0", 5, "reached"),
    ]
    fixture = Fixture(leads, calls)
    fixture.write(shared_duckdb)
    table = detail_tables.result_codes(shared_duckdb, fixture.lead_query(group_by=("dealer_id",)), 3)
    d1 = table.filter(pl.col("dealer_id") == "d1")
    assert dict(zip(d1["outcome"], d1["count"], strict=True)) == {
        "appointment": 1,
        "reached": 1,
        "not_reached": 1,
        "invalid_contact": 1,
        "other": 0,
        "unknown": 0,
        "uncoded": 1,
        "not_contacted": 1,
    }
    assert d1["share"].sum() == pytest.approx(1.0)
    d2 = table.filter(pl.col("dealer_id") == "d2")  # 2 leads < K = 3: every number hidden
    assert d2["suppressed"].all() and d2["count"].null_count() == d2.height == len(BEST_OUTCOMES)
    assert table.filter(pl.col("dealer_id") == "d3")["suppressed"].all()
    metrics = metrics_table(shared_duckdb, fixture.lead_query(group_by=("dealer_id",)), 3)
    assert metrics.filter(pl.col("dealer_id") == "d2")["reach_rate"].to_list() == [None]


def test_categorise_matches_the_sql() -> None:
    assert [categorise(r.code) for r in DEFAULT_RESULT_CODES] == [r.category for r in DEFAULT_RESULT_CODES]
    assert (categorise(None), categorise(" "), categorise(" busy "), categorise("BUSY")) == (
        "uncoded",
        "uncoded",
        "not_reached",
        "unknown",
    )


def _edge_fixture() -> Fixture:
    """Every edge at once, over two dealers, with the warehouse's own taxonomy."""
    leads = [lead(f"l{i}", dealer_id="d1" if i % 3 else "d2", source=f"s{i % 2}") for i in range(12)]
    calls = [
        call("l0", 5, " SPOKE "),
        call("l1", 5, "WRONG"),
        call("l1", 9, "TERMIN"),
        call("l2", 5, "WRONG"),
        call("l3", 5, "NA"),
        call("l3", 6, None),
        call("l4", 5, "reached"),  # not in the own taxonomy: unknown
        call("l5", 5, "SPOKE", direction="inbound"),
        call("l6", 5, "SPOKE", automated=True),
        call("l7", -5, "SPOKE"),
        call("l8", 5, "  "),
        call("l9", 5, "LEFT_MSG", channel="email"),
    ]
    taxonomy = codes(("SPOKE", "reached"), ("TERMIN", "appointment"), ("NA", "not_reached"), ("WRONG", "invalid_contact"), ("LEFT_MSG", "other"))
    return Fixture(leads, calls, [outcome("l1", appointment_at=ts(30))], result_codes=taxonomy)


def _tables(engine: Engine, fixture: Fixture) -> dict[str, pl.DataFrame]:
    query = fixture.lead_query(group_by=("dealer_id",))
    return {
        "metrics": metrics_table(engine, query, 0),
        "result_codes": detail_tables.result_codes(engine, query, 0),
        "funnel": detail_tables.funnel(engine, query, 0),
    }


def test_materialised_facts_equal_on_the_fly_and_follow_the_taxonomy(warehouse: Warehouse) -> None:
    fixture = _edge_fixture()
    fixture.write(warehouse.engine)
    with facts_read_by(None):
        expected = _tables(warehouse.engine, fixture)
    refresh_lead_facts(warehouse.engine, full=True)
    forget_probes()
    assert current_reader(warehouse.engine) is not None, "the facts must be read, or this proves nothing"
    for name, table in _tables(warehouse.engine, fixture).items():
        assert_frame_equal(table, expected[name], check_exact=False, rel_tol=1e-12)
    assert expected["metrics"]["reached"].sum() == 2  # l0 and l1 (TERMIN); l4's 'reached' is unknown here
    # A new taxonomy changes the facts' digest: the reader computes on the fly until the next refresh.
    write_tables(warehouse.engine, {"result_codes": pl.DataFrame(codes(("reached", "reached")))}, replace=True)
    forget_probes()
    assert current_reader(warehouse.engine) is None
    assert metrics_table(warehouse.engine, fixture.lead_query(), 0)["reached"][0] == 1  # l4 only
    refresh_lead_facts(warehouse.engine)
    forget_probes()
    assert current_reader(warehouse.engine) is not None
    assert metrics_table(warehouse.engine, fixture.lead_query(), 0)["reached"][0] == 1


def test_duckdb_and_postgresql_agree(duckdb_warehouse: Warehouse, pg_warehouse: Warehouse) -> None:
    fixture = _edge_fixture()
    answers = []
    for wh in (duckdb_warehouse, pg_warehouse):
        fixture.write(wh.engine)
        forget_probes()
        answers.append(_tables(wh.engine, fixture))
    for name in answers[0]:
        assert_frame_equal(answers[0][name], answers[1][name], check_exact=False, rel_tol=1e-12)
    assert answers[0]["result_codes"]["count"].sum() == 12


def test_absent_result_codes_table_uses_the_default(duckdb_warehouse: Warehouse) -> None:
    engine = duckdb_warehouse.engine
    Fixture([lead("a")], [call("a", 5, "voicemail"), call("a", 6, "callback_requested")]).write(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE result_codes")
    forget_probes()
    table = detail_tables.result_codes(engine, Fixture().lead_query(), 0)
    assert table.filter(pl.col("count") > 0)["outcome"].to_list() == ["reached"]
    refresh_lead_facts(engine, full=True)  # the refresh reads the same default
    forget_probes()
    assert metrics_table(engine, Fixture().lead_query(), 0)["reached"][0] == 1


# --- hand-written SQL reference on a generated demo --------------------------------------------------
START, END = date(2025, 3, 1), date(2025, 5, 31)
AS_OF = datetime(2025, 6, 1, 6, 0)

REFERENCE_SQL = """
WITH lead_set AS (
    SELECT l.lead_id, l.created_at, l.source
    FROM leads AS l
    WHERE l.created_at >= $start_ts AND l.created_at < $stop_ts AND l.consent IS NOT FALSE
),
taxonomy(code, category) AS (
    VALUES ('reached', 'reached'), ('callback_requested', 'reached'), ('not_interested', 'reached'),
           ('appointment_set', 'appointment'), ('no_answer', 'not_reached'), ('voicemail', 'not_reached'),
           ('busy', 'not_reached'), ('wrong_number', 'invalid_contact'),
           ('number_not_in_service', 'invalid_contact'), ('email_bounced', 'invalid_contact')
),
qualifying AS (
    SELECT a.lead_id,
        CASE WHEN a.result_code IS NULL OR trim(a.result_code) = '' THEN 'uncoded'
             ELSE coalesce(t.category, 'unknown') END AS category
    FROM lead_activities AS a
    JOIN lead_set AS s ON s.lead_id = a.lead_id
    LEFT JOIN taxonomy AS t ON t.code = trim(a.result_code)
    WHERE a.direction = 'outbound' AND a.automated IS NOT TRUE AND a.occurred_at >= s.created_at
),
best AS (
    SELECT s.source, s.lead_id,
        CASE WHEN bool_or(q.category = 'appointment') THEN 'appointment'
             WHEN bool_or(q.category = 'reached') THEN 'reached'
             WHEN bool_or(q.category = 'not_reached') THEN 'not_reached'
             WHEN bool_or(q.category = 'invalid_contact') THEN 'invalid_contact'
             WHEN bool_or(q.category = 'unknown') THEN 'unknown'
             WHEN bool_or(q.category = 'uncoded') THEN 'uncoded'
             ELSE 'not_contacted' END AS outcome
    FROM lead_set AS s LEFT JOIN qualifying AS q ON q.lead_id = s.lead_id
    GROUP BY s.source, s.lead_id
)
SELECT source, outcome, count(*) AS count,
    count(*) / sum(count(*)) OVER (PARTITION BY source) AS share
FROM best GROUP BY source, outcome ORDER BY source, outcome
"""


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("result_reference") / "demo.duckdb"
    generate_demo(path, leads=20_000, seed=11, end=date(2025, 6, 30))
    engine = create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    yield engine
    engine.dispose()


def test_distribution_matches_hand_written_sql(demo_engine: Engine) -> None:
    params = {"start_ts": datetime(2025, 3, 1), "stop_ts": datetime(2025, 6, 1)}
    with demo_engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        assert raw.execute("SELECT count(*) FROM result_codes").fetchall() == [(0,)], "demo: default taxonomy"
        expected = raw.sql(REFERENCE_SQL, params=params).pl()
    query = LeadQuery(START, END, AS_OF, group_by=("source",))
    actual = (
        detail_tables.result_codes(demo_engine, query, 0)
        .filter(pl.col("count") > 0)
        .select("source", "outcome", "count", "share")
        .sort("source", "outcome")
    )
    assert_frame_equal(actual, expected.cast({"count": pl.Int64}), check_exact=False, rel_tol=1e-12)
    # The demo's stories: every outcome but 'other' occurs, and one marketplace sends wrong numbers.
    assert set(actual["outcome"]) == {o.name for o in BEST_OUTCOMES} - {"other"}
    invalid = metrics_table(demo_engine, query, 0).select("source", "invalid_contact_rate")
    worst = invalid.sort("invalid_contact_rate", descending=True).row(0)
    assert worst[0] == "marketplace:subito" and worst[1] > 2 * invalid["invalid_contact_rate"].median()


def test_demo_dealer_stories(demo_engine: Engine) -> None:
    """A dealer that keys in few codes; a dealer that follows up most leads but reaches few."""
    table = metrics_table(demo_engine, LeadQuery(START, END, AS_OF, group_by=("dealer_id",)), 0)
    coded = dict(zip(table["dealer_id"], table["coded_contact_rate"], strict=True))
    assert coded["D046"] < 0.4 < min(v for d, v in coded.items() if d != "D046" and v is not None)
    # D046's uncoded calls cannot show reach either; among dealers that key in codes, D016/D017 stand out.
    gap = table.filter(pl.col("dealer_id") != "D046").with_columns(
        (pl.col("follow_up_rate") - pl.col("reach_rate")).alias("gap")
    )
    top = gap.sort("gap", descending=True).row(0, named=True)
    assert top["dealer_id"] in ("D016", "D017") and top["follow_up_rate"] > 0.7 and top["reach_rate"] < 0.45


def test_reach_when_called_by_phone_status(shared_duckdb: Engine) -> None:
    """The prequalification view: of contacted leads with each phone status, the share reached."""
    leads = [lead(f"v{i}") for i in range(4)] + [lead(f"i{i}", phone_status="invalid") for i in range(4)]
    calls = [call("v0", 5, "reached"), call("v1", 5, "appointment_set"), call("v2", 5, "no_answer")]
    calls += [call("i0", 5, "wrong_number"), call("i1", 5, "reached")]
    fixture = Fixture(leads, calls)
    fixture.write(shared_duckdb)
    table = detail_tables.follow_up_by_phone_status(shared_duckdb, fixture.lead_query(), 0)
    rates = dict(zip(table["phone_status"], table["reached_of_contacted_rate"], strict=True))
    assert rates["valid"] == pytest.approx(2 / 3) and rates["invalid"] == pytest.approx(1 / 2)
    hidden = detail_tables.follow_up_by_phone_status(shared_duckdb, fixture.lead_query(), 5)
    assert hidden["reached_of_contacted_rate"].to_list() == [None, None]  # 4 leads each < K = 5


def test_cli_exports_the_distribution(duckdb_warehouse: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    from dashboard.cli import main

    leads = [lead(f"l{i}") for i in range(5)]
    Fixture(leads, [call("l0", 5, "wrong_number"), call("l1", 5, "reached")]).write(duckdb_warehouse.engine)
    duckdb_warehouse.engine.dispose()  # the CLI opens DuckDB files read-only
    args = ["metrics", "result-codes", "--warehouse", duckdb_warehouse.url, "--start", "2024-03-04"]
    assert main([*args, "--end", "2024-03-10", "--min-group-size", "5", "--format", "json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    counts = {r["outcome"]: r["count"] for r in rows}
    assert (counts["invalid_contact"], counts["reached"], counts["not_contacted"]) == (1, 1, 3)
    assert sum(counts.values()) == 5
    assert [r["outcome"] for r in rows] == [o.name for o in BEST_OUTCOMES]


def test_quality_order_follows_the_metrics() -> None:
    from dashboard.ui.result_code_charts import quality_order

    groups = pl.DataFrame(
        {
            "source": ["a", "b", "c", "d"],
            "leads": [100, 50, 80, 2],
            "invalid_contact_rate": [0.1, 0.3, 0.2, None],
            "reach_rate": [0.5, 0.2, 0.6, None],
            "suppressed": [False, False, False, True],
        }
    )
    assert quality_order(groups, "source", "invalid", 10) == ["b", "c", "a", "d"]
    assert quality_order(groups, "source", "reached", 2) == ["b", "a"]
    assert quality_order(groups, "source", "leads", 10) == ["a", "c", "b", "d"]
