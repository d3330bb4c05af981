"""Privacy guards: salespeople only ever counted distinct, free text never read, small groups hidden.

The loader guards are generic (tests/loader_queries.py): every query function in
loaders/ is run and every SELECT it builds or executes is checked, so a loader added
later is covered without registering it. A source scan backs them up for code paths
the sample queries do not reach.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from duckdb_engine import Dialect as DuckDBDialect
from sqlalchemy import Engine, create_engine
from sqlalchemy.dialects import postgresql

from loaders.contract.tables import DISTINCT_COUNT_ONLY, NEVER_SELECTED
from metrics.registry import METRIC_COLUMNS
from metrics.suppression import SUPPRESSED
from tests.loader_queries import SKIPPED_MODULES, Captured, as_select, captured_on_sample_warehouse
from tests.metric_fixtures import Fixture, lead

ROOT = Path(__file__).resolve().parent.parent
ALLOWED_ACTOR_USE = re.compile(
    r'count\(\s*DISTINCT\s+[`"]?lead_activities[`"]?\.[`"]?actor_key[`"]?\s*\)', re.IGNORECASE
)
# Public loader helpers that take no LeadQuery of their own: they build or run the queries of
# other loaders, which are checked when those run. A new entry needs a reason.
NOT_QUERY_BUILDERS = {
    "unavailable_error",  # turns a driver exception into a LeadlineError
    "type_from_sqlalchemy",  # maps a reflected column type
    "make_engine",
    "fetch_frame",  # runs the statement another loader built
    "grouped_counts",  # detail helper: the GROUP BY over a source another loader gives it
    "fetch_counts",
    "peer_query",  # returns a LeadQuery, not SQL
    "bucket_counts_from_cells",  # adds up in Polars the rows fetch_response_bucket_cells returned
    "grouping_asked",  # decides which tables of a page scan get quantiles or codes; builds no SQL
}


@pytest.fixture(scope="module")
def captured() -> Captured:
    return captured_on_sample_warehouse()


def compiled(captured: Captured) -> list[tuple[str, str]]:
    dialects = [postgresql.dialect(), DuckDBDialect()]
    return [
        (where, str(as_select(st).compile(dialect=d))) for where, st in captured.statements for d in dialects
    ]


def test_the_capture_reaches_the_metric_and_detail_loaders(captured: Captured) -> None:
    reached = {where.rsplit(".", 1)[-1] for where, _ in captured.statements}
    assert {"load_group_counts", "load_lost_by_reason", "load_group_campaign_leads", "lead_facts"} <= reached
    assert len(reached) >= 15


def test_every_query_function_of_the_loaders_is_exercised(captured: Captured) -> None:
    uncalled = {entry.split("(", 1)[0] for entry in captured.uncalled}
    assert uncalled <= NOT_QUERY_BUILDERS, (
        f"loaders the privacy guard cannot call: {sorted(uncalled - NOT_QUERY_BUILDERS)}; give their "
        "arguments in tests/loader_queries.py EXTRA_ARGUMENTS"
    )


def test_actor_key_appears_only_inside_count_distinct(captured: Captured) -> None:
    assert {("lead_activities", "actor_key")} == DISTINCT_COUNT_ONLY
    offenders = sorted(
        {where for where, sql in compiled(captured) if "actor_key" in ALLOWED_ACTOR_USE.sub("", sql).lower()}
    )
    assert offenders == []


def test_the_actor_key_guard_can_fail() -> None:
    leaked = (
        "SELECT lead_activities.actor_key, count(DISTINCT lead_activities.actor_key) FROM lead_activities"
    )
    assert "actor_key" in ALLOWED_ACTOR_USE.sub("", leaked)
    grouped = "SELECT count(*) FROM lead_activities GROUP BY lead_activities.actor_key"
    assert "actor_key" in ALLOWED_ACTOR_USE.sub("", grouped)


def test_close_reason_text_is_never_selected(captured: Captured) -> None:
    assert {("lead_outcomes", "close_reason_text")} == NEVER_SELECTED
    assert sorted({where for where, sql in compiled(captured) if "close_reason_text" in sql}) == []


def _loader_sources() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted((ROOT / "loaders").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if module.startswith(SKIPPED_MODULES) or module == "loaders.contract.tables":
            continue
        yield module, ast.parse(path.read_text(), str(path))


def _docstrings(tree: ast.Module) -> set[int]:
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef))]
    return {
        id(n.body[0].value)
        for n in nodes
        if n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)
    }


def actor_key_misuses(tree: ast.Module) -> list[int]:
    """Lines where actor_key is used other than as ``func.count(<table>.c.actor_key.distinct())``."""
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    docstrings = _docstrings(tree)
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == "actor_key" and id(node) not in docstrings:
            bad.append(node.lineno)
        if isinstance(node, ast.Attribute) and node.attr == "actor_key":
            distinct = parents.get(id(node))
            call = parents.get(id(distinct)) if distinct else None
            count = parents.get(id(call)) if call else None
            ok = (
                isinstance(distinct, ast.Attribute)
                and distinct.attr == "distinct"
                and isinstance(call, ast.Call)
                and isinstance(count, ast.Call)
                and isinstance(count.func, ast.Attribute)
                and count.func.attr == "count"
            )
            if not ok:
                bad.append(node.lineno)
    return bad


def test_loader_source_uses_actor_key_only_in_distinct_counts() -> None:
    misuses = {module: lines for module, tree in _loader_sources() if (lines := actor_key_misuses(tree))}
    assert misuses == {}


@pytest.mark.parametrize(
    ("source", "misused"),
    [
        ("func.count(lead_activities.c.actor_key.distinct())", False),
        ("select(lead_activities.c.actor_key)", True),
        ("q.group_by(act.c.actor_key)", True),
        ("func.count(act.c.actor_key)", True),
        ("facts.c['actor_key']", True),
    ],
)
def test_the_source_scan_can_fail(source: str, misused: bool) -> None:
    assert bool(actor_key_misuses(ast.parse(source))) is misused


def test_close_reason_text_is_not_named_in_loader_source() -> None:
    named = [
        module
        for module, tree in _loader_sources()
        if any(
            (isinstance(n, ast.Attribute) and n.attr == "close_reason_text")
            or (isinstance(n, ast.Constant) and n.value == "close_reason_text")
            for n in ast.walk(tree)
        )
    ]
    assert named == []


def test_suppression_is_created_only_in_metrics_suppression() -> None:
    """Other modules may read the ``suppressed`` column, never make it (so no page can skip the rule)."""
    makers = []
    for folder in ("dashboard", "metrics", "loaders"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "metrics" / "suppression.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "alias"
                    and node.args
                    and (
                        (isinstance(node.args[0], ast.Constant) and node.args[0].value == SUPPRESSED)
                        or (isinstance(node.args[0], ast.Name) and node.args[0].id == "SUPPRESSED")
                    )
                ):
                    makers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert makers == []


def test_metrics_table_suppresses_small_groups(tmp_path: Path) -> None:
    engine: Engine = create_engine(f"duckdb:///{tmp_path / 'w.duckdb'}")
    fixture = Fixture(
        [lead(f"a{i}") for i in range(9)]
        + [lead(f"b{i}", brand="Beta") for i in range(4)]
        + [lead(f"c{i}", brand="Ciao") for i in range(6)]
    )
    table = fixture.table(engine, min_group_size=5, group_by=("brand",))
    engine.dispose()
    assert table["brand"].to_list() == ["Alfa", "Beta", "Ciao"]
    # Beta (4 < 5) is hidden, and Ciao, the smallest shown group, with it: Beta alone would be
    # the total minus the shown groups.
    assert table[SUPPRESSED].to_list() == [False, True, True]
    assert table.filter(pl.col("brand") == "Alfa")["leads"].to_list() == [9]
    beta = table.filter(pl.col("brand") == "Beta").row(0, named=True)
    assert all(beta[column] is None for column in METRIC_COLUMNS)
