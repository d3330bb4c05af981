"""Spark SQL as a warehouse: the same small warehouse gives the same numbers on DuckDB and on Spark.

One Spark Thrift server per test session (``spark_url`` in tests/conftest.py, local[2], loopback
only); each test module loads its warehouse into a Spark database of its own. The warehouse is
``tests.metric_fixtures.mixed_fixture``: the edge cases of the metric-definition tests (quantiles,
boundaries, consent, a ghost dealer, automated and inbound contacts, vague close reasons, spend).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, String, bindparam, create_engine, func, select

from dashboard.cli import main
from dashboard.data import detail_tables
from dashboard.data.tables import metrics_table, metrics_tables
from loaders.contract.check import check_contract
from loaders.contract.data_quality import check_data_quality
from loaders.contract.spark_load import create_database, load_into_spark
from loaders.contract.tables import leads
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import forget_probes
from loaders.warehouse.engine import make_engine
from tests.metric_fixtures import AS_OF, END, START, Fixture, contact, lead, mixed_fixture, ts
from tests.test_url_fuzz import NASTY

pytestmark = pytest.mark.spark

K = 2  # small enough that most groups of the fixture show, large enough that one is suppressed
DETAIL_TABLES: dict[str, Callable[..., pl.DataFrame]] = {
    name: getattr(detail_tables, name)
    for name in (
        "response_buckets",
        "response_buckets_bh",
        "funnel",
        "result_codes",
        "prequalification_gap",
        "close_reasons",
        "double_leads",
        "follow_up_by_phone_status",
        "follow_up_by_email_status",
        "arrival_heat_map",
        "no_contact_by_dealer_age",
        "duplicate_contact_by_dealer",
        "lead_delivery",
        "undelivered_runs",
        "vague_reasons_by_dealer",
        "attempts_before_write_off",
        "dimension_choices",
    )
}


@dataclass(frozen=True)
class Pair:
    """The same rows in a DuckDB file and in a Spark database."""

    duckdb: Engine
    spark: Engine
    spark_url: str
    duckdb_url: str
    fixture: Fixture


def load_pair(spark_url: str, folder: Path, fixture: Fixture) -> Pair:
    """Write ``fixture`` into a new DuckDB file and a new Spark database."""
    duckdb_url = f"duckdb:///{folder / 'w.duckdb'}"
    duck = create_engine(duckdb_url)
    fixture.write(duck)
    server = make_engine(spark_url, read_only=False)
    database = f"t_{uuid.uuid4().hex[:10]}"
    create_database(server, database)
    server.dispose()
    url = spark_url.rsplit("/", 1)[0] + f"/{database}"
    spark = make_engine(url, read_only=False)
    load_into_spark(spark, fixture.frames(), folder / "parquet")
    return Pair(duck, spark, url, duckdb_url, fixture)


@pytest.fixture(scope="module")
def pair(spark_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    loaded = load_pair(spark_url, tmp_path_factory.mktemp("spark-pair"), mixed_fixture())
    yield loaded
    loaded.duckdb.dispose()
    loaded.spark.dispose()


def assert_same(on_duckdb: pl.DataFrame, on_spark: pl.DataFrame) -> None:
    assert_frame_equal(on_duckdb, on_spark, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize(
    "group_by",
    [(), ("dealer_group_id",), ("week", "brand"), ("campaign_id",)],
    ids=lambda g: "+".join(g) or "total",
)
def test_metrics_table_agrees(pair: Pair, group_by: tuple[str, ...]) -> None:
    query = pair.fixture.lead_query(group_by=group_by)
    on_duckdb = metrics_table(pair.duckdb, query, K)
    assert on_duckdb.height >= 1
    assert_same(on_duckdb, metrics_table(pair.spark, query, K))


@pytest.mark.parametrize(
    "options",
    [{}, {"response_times": False}, {"people": False}, {"min_team_size": 4}],
    ids=[
        "page",
        "rolled-up-without-response-times",
        "without-people-metrics",
        "team-sizes-joined-for-open-groups",
    ],
)
def test_a_page_from_one_scan_agrees(pair: Pair, options: dict[str, Any]) -> None:
    """GROUPING SETS, GROUPING() and COUNT(DISTINCT) per set (loaders/queries/page_scan.py) on Spark:
    with the quantiles, rolled up without them, and with the team-size join for open groups."""
    total = pair.fixture.lead_query()
    length = total.end - total.start + timedelta(days=1)
    previous = replace(total, start=total.start - length, end=total.end - length)
    page = (
        total,
        previous,
        *(replace(total, group_by=g) for g in [("week",), ("dealer_group_id",), ("campaign_id",)]),
    )
    on_duckdb = metrics_tables(pair.duckdb, page, K, **options)
    assert on_duckdb[2].height >= 1
    for one, other in zip(on_duckdb, metrics_tables(pair.spark, page, K, **options), strict=True):
        assert_same(one, other)


@pytest.mark.parametrize("name", DETAIL_TABLES)
def test_every_page_table_agrees(pair: Pair, name: str) -> None:
    query = pair.fixture.lead_query(group_by=("dealer_group_id",))
    on_duckdb = DETAIL_TABLES[name](pair.duckdb, query, K)
    assert on_duckdb.height >= 1, name
    assert_same(on_duckdb, DETAIL_TABLES[name](pair.spark, query, K))


@pytest.mark.parametrize("table", ["main", "close-reasons", "funnel", "response-buckets"])
def test_cli_tables_and_exports_agree(pair: Pair, table: str, capsys: pytest.CaptureFixture[str]) -> None:
    pair.duckdb.dispose()  # the command opens the file read-only: no writing connection may stay open
    outputs = []
    for url in (pair.duckdb_url, pair.spark_url):
        argv = ["metrics", table, "--warehouse", url, "--start", str(START), "--end", str(END)]
        argv += ["--by", "market", "--as-of", str(AS_OF), "--min-group-size", str(K), "--format", "csv"]
        assert main(argv) == 0
        outputs.append(pl.read_csv(io.StringIO(capsys.readouterr().out), try_parse_dates=True))
    assert outputs[0].height >= 1
    assert_same(*outputs)


def test_check_and_data_quality_agree(pair: Pair) -> None:
    assert [p.message for p in check_contract(pair.spark)] == [p.message for p in check_contract(pair.duckdb)]
    on_duckdb = check_data_quality(pair.duckdb, AS_OF)
    assert on_duckdb["count"].sum() > 0  # the fixture has a ghost dealer and an unknown close reason
    assert_same(on_duckdb, check_data_quality(pair.spark, AS_OF))


# Values a link or a filter may carry; PyHive writes them into the SQL text on the client.
HOSTILE = [*NASTY, "back\\slash", "\\' OR 1=1 --", "tab\tnew\nline", "'", "\\", "%s %(x)s %%", "`leads`"]


def test_hostile_values_travel_intact_through_client_side_parameters(pair: Pair) -> None:
    statement = select(*(bindparam(f"p{i}", v, type_=String()) for i, v in enumerate(HOSTILE)))
    with pair.spark.connect() as conn:
        assert list(conn.execute(statement).one()) == HOSTILE


def test_hostile_filter_values_match_nothing_and_break_nothing(pair: Pair) -> None:
    query = pair.fixture.lead_query(filters={"dealer_id": HOSTILE, "brand": HOSTILE[:5]})
    on_spark = metrics_table(pair.spark, query, 0)
    assert_same(metrics_table(pair.duckdb, query, 0), on_spark)
    with pair.spark.connect() as conn:
        assert conn.execute(select(func.count()).select_from(leads)).scalar_one() == len(pair.fixture.leads)


def test_materialised_facts_are_built_and_rebuilt_on_spark(
    spark_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    fixture = mixed_fixture()
    loaded = load_pair(spark_url, tmp_path_factory.mktemp("spark-facts"), fixture)
    query = fixture.lead_query(group_by=("week", "brand"))
    now = datetime(2024, 3, 20)
    try:
        first = refresh_lead_facts(loaded.spark, now=now)
        assert (first.mode, first.facts_rows) == ("full", 5)  # lead d refused consent
        assert refresh_lead_facts(loaded.spark, now=now).mode == "current"
        refresh_lead_facts(loaded.duckdb, now=now)
        forget_probes()
        assert_same(metrics_table(loaded.duckdb, query, K), metrics_table(loaded.spark, query, K))

        # New data: the reader patches the facts with the touched leads until the next refresh ...
        more = Fixture(
            [*fixture.leads, lead("g", ts(60 * 24 * 4), campaign_id="c1")],
            [*fixture.activities, contact("g", ts(60 * 24 * 4 + 3), "z")],
            fixture.outcomes,
            fixture.spend,
        )
        more.write(loaded.duckdb)
        load_into_spark(
            loaded.spark,
            {"leads": pl.DataFrame(more.leads), "lead_activities": pl.DataFrame(more.activities)},
            tmp_path_factory.mktemp("spark-more"),
        )
        forget_probes()
        patched = metrics_table(loaded.spark, query, K)
        assert_same(metrics_table(loaded.duckdb, query, K), patched)
        # ... which on Spark rebuilds the table (Parquet tables cannot delete rows).
        second = refresh_lead_facts(loaded.spark, now=now)
        assert (second.mode, second.facts_rows) == ("full", 6)
        assert "cannot delete rows" in second.reason
        forget_probes()
        assert_same(patched, metrics_table(loaded.spark, query, K))
    finally:
        loaded.duckdb.dispose()
        loaded.spark.dispose()
        forget_probes()


def test_spark_interval_literal() -> None:
    from loaders.warehouse.sql_time import spark_interval_literal

    assert (
        spark_interval_literal(timedelta(hours=24)) == "CAST('1 00:00:00.000000' AS INTERVAL DAY TO SECOND)"
    )
    assert spark_interval_literal(-timedelta(days=7, microseconds=5)) == (
        "CAST('-7 00:00:00.000005' AS INTERVAL DAY TO SECOND)"
    )


def test_every_loader_query_compiles_for_spark_without_the_constructs_spark_lacks() -> None:
    # No server needed: a loader added later (issues 13, 14 ...) is compiled here through the same
    # constructs, and a spelling Spark rejects is caught before the equality tests run it.
    hive = pytest.importorskip("pyhive.sqlalchemy_hive")
    from tests.loader_queries import as_select, captured_on_sample_warehouse

    captured = captured_on_sample_warehouse()
    assert len(captured.statements) > 20
    rejected = ("EXTRACT(EPOCH", "AT TIME ZONE", "ISODOW")
    for where, statement in captured.statements:
        sql = str(as_select(statement).compile(dialect=hive.HiveDialect()))
        assert not [word for word in rejected if word in sql], (where, sql[:300])


def test_local_server_configuration_keeps_everything_on_loopback_and_in_its_folder(tmp_path: Path) -> None:
    from loaders.warehouse.spark_server import SparkServer

    server = SparkServer(tmp_path / "spark", port=12345)
    server.write_configuration()
    conf = dict(
        line.split(" ", 1)
        for line in (tmp_path / "spark" / "conf" / "spark-defaults.conf").read_text().splitlines()
    )
    assert conf["spark.master"] == "local[2]"
    assert conf["spark.driver.bindAddress"] == conf["spark.driver.host"] == "127.0.0.1"
    assert conf["spark.ui.enabled"] == "false" and conf["spark.sql.session.timeZone"] == "UTC"
    assert int(conf["spark.sql.shuffle.partitions"]) <= 4
    for key in ("spark.sql.warehouse.dir", "spark.local.dir", "spark.hadoop.javax.jdo.option.ConnectionURL"):
        assert str((tmp_path / "spark").resolve()) in conf[key], key
    assert server.environment()["SPARK_LOCAL_IP"] == "127.0.0.1"
    assert server.url == "hive://leadline@127.0.0.1:12345/default"


def test_spark_command_reports_a_server_that_is_not_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["spark", "status", "--folder", str(tmp_path), "--port", "12345"]) == 1
    assert "not running (hive://leadline@127.0.0.1:12345/default)" in capsys.readouterr().out
    assert main(["spark", "stop", "--folder", str(tmp_path)]) == 0  # nothing to stop is not an error
