"""Every query the loaders build or run, found generically, for the privacy and dialect tests.

Nothing is registered by hand: every public function of every module in ``loaders/`` is
called when its arguments can be made from the annotations (an engine, a LeadQuery with
and without grouping, an AccessScope ...), and every SELECT it builds or executes is
captured through SQLAlchemy's ``before_execute`` event. A loader added later is covered
as soon as it exists; one whose arguments cannot be made is listed in ``uncalled`` so a
test can insist on an entry in ``EXTRA_ARGUMENTS``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import (
    CompoundSelect,
    Engine,
    Insert,
    MetaData,
    Select,
    Subquery,
    Table,
    column,
    create_engine,
    event,
    func,
    select,
    table,
)
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.visitors import iterate

import loaders
from loaders.contract.tables import leads, metadata
from loaders.facts.lead_facts import dimension_columns, facts_read_by, facts_select, lead_rows_select
from loaders.facts.opening import OpeningSetup
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import MaterialisedFacts
from loaders.queries.page_scan import CODE_VALUES, codes_keys, slice_codes_select
from loaders.queries.page_teams import BUSIEST_LEAD
from loaders.queries.scan_plan import GROUPED, PERIOD, counts_keys, plan_scans, sliced_facts
from loaders.request.access_scope import AccessScope
from loaders.request.query import LeadQuery, Scope

START, END, AS_OF = date(2024, 3, 4), date(2024, 3, 10), datetime(2024, 3, 20)
QUERIES = (
    LeadQuery(START, END, AS_OF),
    LeadQuery(
        START,
        END,
        AS_OF,
        group_by=("dealer_group_id", "week"),
        filters=LeadQuery.make_filters({"brand": ["Alfa"]}),
        scope=Scope(brands=("Alfa",), dealer_group_ids=("g1",)),
    ),
)
# A page's tables for the one-scan plans (loaders/queries/page_scan.py): the grouped, filtered,
# scoped query with its totals and the previous week, so the plan covers two periods.
PAGE = (
    QUERIES[1],
    replace(QUERIES[1], group_by=()),
    replace(QUERIES[1], group_by=(), start=START - timedelta(days=7), end=END - timedelta(days=7)),
)
PLAN = plan_scans(PAGE)[0]
# Rows of the plan's counts whose team question is open (loaders/queries/page_teams.py): a group
# of the grouped slice, one with a NULL week, and the previous period's total.
OPEN_GROUPS = pl.DataFrame(
    {
        PERIOD: [1, 1, 0],
        "dealer_group_id": ["g1", "g1", None],
        "week": [START, None, None],
        GROUPED + "dealer_group_id": [0, 0, 1],
        GROUPED + "week": [0, 0, 1],
    },
    schema_overrides={"week": pl.Date()},
)
ACCESS = AccessScope.of([Scope(dealer_group_ids=("g1",)), Scope(brands=("Beta",))])

# Arguments the annotations cannot tell: (function name, parameter name) -> value.
EXTRA_ARGUMENTS: dict[tuple[str, str], Any] = {
    ("fetch_follow_up_by_status", "status_column"): "phone_status",
    ("peer_counts_select", "brands"): ("Alfa",),
    ("facts_rows_select", "where"): [],
    ("facts_rows_select", "zones"): ("Europe/Berlin",),
    ("recomputed_leads", "touched"): select(column("lead_id")).select_from(table("leads")),
    ("dimensions_digest", "zones"): ("Europe/Berlin",),
    ("lead_rows_select", "where"): [],
    ("facts_select", "base"): lead_rows_select([]).subquery("lead_set"),
    ("query_predicates", "created_at"): leads.c.created_at,
    ("query_predicates", "dims"): dimension_columns(),
    ("unknown_result_codes_select", "taxonomy"): (
        ("reached", "reached"),
        ("wrong_number", "invalid_contact"),
    ),
    ("probe_opening", "zones"): ("Europe/Berlin",),
    ("plan_scans", "queries"): PAGE,
    ("load_page_scan", "queries"): PAGE,
    ("slice_counts_select", "plan"): PLAN,
    ("slice_codes_select", "plan"): PLAN,
    ("slice_quantiles_select", "plan"): PLAN,
    ("load_per_period", "plan"): PLAN,
    ("load_per_period", "statement"): slice_codes_select,
    ("load_per_period", "keys"): codes_keys,
    ("load_per_period", "values"): CODE_VALUES,
    ("load_slice_counts", "plan"): PLAN,
    ("load_slice_codes", "plan"): PLAN,
    ("load_slice_counts", "response_times"): True,
    ("slice_teams_select", "plan"): PLAN,
    ("slice_teams_select", "undecided"): OPEN_GROUPS,
    ("load_slice_teams", "plan"): PLAN,
    ("load_slice_teams", "counts"): OPEN_GROUPS.with_columns(pl.Series(BUSIEST_LEAD, [1, 2, 2])),
    ("load_slice_teams", "min_team_size"): 3,
    ("load_page_scan", "min_team_size"): 3,
    ("sliced_facts", "plan"): PLAN,
    ("sliced_facts", "business_hours"): True,
    ("grouped_select", "sliced"): sliced_facts(PLAN, business_hours=False),
    ("grouped_select", "keys"): counts_keys(PLAN),
    ("grouped_select", "aggregates"): [func.count().label("leads")],
    ("rolled_up_select", "sliced"): sliced_facts(PLAN, business_hours=False),
    ("rolled_up_select", "keys"): counts_keys(PLAN),
    ("rolled_up_select", "aggregates"): [func.count().label("leads")],
    ("counts_schema", "plan"): PLAN,
    ("counts_keys", "plan"): PLAN,
    ("codes_keys", "plan"): PLAN,
    ("count_columns", "facts"): facts_select(lead_rows_select([]).subquery("lead_set")).subquery(
        "lead_facts"
    ),
    ("business_minutes_between", "points"): select(
        leads.c.lead_id,
        leads.c.dealer_id,
        leads.c.created_at.label("start_at"),
        leads.c.delivered_at.label("end_at"),
    ).subquery("points"),
    # Both optional tables, so that the compile test covers the SQL that reads them.
    ("business_minutes_between", "setup"): OpeningSetup(("Europe/Berlin",), True, True, ((1, 480, 1080),)),
    ("business_minutes_until", "points"): select(
        leads.c.lead_id, leads.c.dealer_id, leads.c.created_at.label("start_at")
    ).subquery("points"),
    ("business_minutes_until", "setup"): OpeningSetup(("Europe/Berlin",), True, True, ((1, 480, 1080),)),
    # The grouped, filtered, scoped query and its totals: Follow-up's two bucket tables in one.
    ("fetch_response_bucket_cells", "queries"): PAGE[:2],
    ("opening_setup_used", "setup"): OpeningSetup((), False, False, ((1, 480, 1080),)),
    ("optional_column_problems", "name"): "dealer_opening_hours",
    ("optional_column_problems", "found"): [],
    ("optional_value_problems", "present"): [],
}
# Modules that only write or generate data; they take no query and read nothing back to users.
# loaders.appdb is Leadline's own application database (subscriptions, send log), never the
# warehouse: it refuses DuckDB URLs and is tested in tests/test_appdb.py.
SKIPPED_MODULES = (
    "loaders.demo",
    "loaders.contract.write",
    "loaders.contract.spark_load",  # copies a warehouse into a local Spark (leadline spark load)
    "loaders.imports",
    "loaders.appdb",
)

QUERY_TYPES = (Select, CompoundSelect, Subquery)
# ``install_*`` functions attach event listeners to an engine (timeouts, file gates); they build
# no SQL, and running them on the capture engine would change how it connects.
ENGINE_HOOK_PREFIX = "install_"


@dataclass
class Captured:
    """What running the loaders produced: (where, statement) pairs and what could not be called."""

    statements: list[tuple[str, ClauseElement]] = field(default_factory=list)
    uncalled: list[str] = field(default_factory=list)


def loader_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Public functions defined in loaders/ modules, as ('module.function', function)."""
    for info in pkgutil.walk_packages(loaders.__path__, "loaders."):
        if info.name.startswith(SKIPPED_MODULES):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isfunction(obj) and obj.__module__ == info.name and not name.startswith("_"):
                yield f"{info.name}.{name}", obj


def _is_query_function(function: Callable[..., Any]) -> bool:
    """Takes a warehouse or a LeadQuery, or returns a query: the functions whose SQL matters."""
    if function.__name__.startswith(ENGINE_HOOK_PREFIX):
        return False
    signature = inspect.signature(function)
    texts = [str(p.annotation) for p in signature.parameters.values()] + [str(signature.return_annotation)]
    return any(
        word in text for text in texts for word in ("Engine", "Bind", "Connection", "LeadQuery")
    ) or any(word in str(signature.return_annotation) for word in ("Select", "Subquery"))


def _argument(function: str, name: str, annotation: str, engine: Engine, query: LeadQuery) -> Any:
    if (function, name) in EXTRA_ARGUMENTS:
        return EXTRA_ARGUMENTS[(function, name)]
    if any(word in annotation for word in ("Engine", "Bind", "Connection")):
        return engine
    if "LeadQuery" in annotation:
        return query
    if "AccessScope" in annotation:
        return ACCESS
    if "Scope" in annotation:
        return query.scope
    if annotation == "datetime" or annotation.startswith("datetime |"):
        return AS_OF
    if annotation == "date":
        return START
    raise LookupError(f"{function}({name}: {annotation})")


def capture_loader_queries(engine: Engine) -> Captured:
    """Call every query function of loaders/ on ``engine`` (with each of ``QUERIES``) and capture its SELECTs."""
    captured = Captured()
    current = [""]

    def remember(_conn: Any, clauseelement: Any, *_args: Any) -> None:
        # INSERT ... SELECT materialises what the SELECT reads: check that SELECT too.
        if isinstance(clauseelement, Insert) and clauseelement.select is not None:
            clauseelement = clauseelement.select
        # Only queries over Leadline's tables: the dialects' own catalog look-ups are not ours.
        if isinstance(clauseelement, QUERY_TYPES) and reads_contract(clauseelement):
            captured.statements.append((current[0], clauseelement))

    def run_every_loader(label: str, queries: tuple[LeadQuery, ...]) -> None:
        for where, function in loader_functions():
            if not _is_query_function(function):
                continue
            current[0] = f"{where}{label}"
            for query in queries:
                try:
                    kwargs = _arguments(function, engine, query)
                except LookupError as missing:
                    if not label:
                        captured.uncalled.append(str(missing))
                    break
                result = function(**kwargs)
                if isinstance(result, QUERY_TYPES):
                    captured.statements.append((current[0], result))

    event.listen(engine, "before_execute", remember)
    try:
        run_every_loader("", QUERIES)
        # Again with lead_set/lead_facts reading the materialised facts, patched with a catch-up,
        # so the queries of that path are checked as well.
        refresh_lead_facts(engine)
        with facts_read_by(MaterialisedFacts(("Europe/Berlin",), catch_up_since=datetime(2024, 3, 1))):
            run_every_loader(" [materialised facts]", QUERIES[-1:])  # the grouped, filtered, scoped one
    finally:
        event.remove(engine, "before_execute", remember)
    return captured


def _arguments(function: Callable[..., Any], engine: Engine, query: LeadQuery) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.default is not parameter.empty and (function.__name__, name) not in EXTRA_ARGUMENTS:
            continue
        kwargs[name] = _argument(function.__name__, name, str(parameter.annotation), engine, query)
    return kwargs


@functools.cache
def leadline_metadata() -> tuple[MetaData, ...]:
    """Every MetaData declared in loaders/: the contract's, and Leadline's own tables (materialised facts ...)."""
    found = [metadata]
    for info in pkgutil.walk_packages(loaders.__path__, "loaders."):
        module = importlib.import_module(info.name)
        found += [value for value in vars(module).values() if isinstance(value, MetaData)]
    return tuple({id(m): m for m in found}.values())


def reads_contract(statement: ClauseElement) -> bool:
    """True when the statement reads a table of Leadline's (contract or its own), not a system catalog."""
    ours = leadline_metadata()
    return any(
        isinstance(node, Table) and any(node.metadata is m for m in ours) for node in iterate(statement)
    )


def as_select(statement: ClauseElement) -> ClauseElement:
    """A subquery as the SELECT over it, so it compiles on its own."""
    return select(statement) if isinstance(statement, Subquery) else statement


@functools.cache
def captured_on_sample_warehouse() -> Captured:
    """``capture_loader_queries`` on a small DuckDB with tests.metric_fixtures.mixed_fixture, once per run."""
    from tests.metric_fixtures import mixed_fixture  # the fixtures import dashboard; keep this module light

    folder = Path(tempfile.mkdtemp(prefix="leadline-capture-"))
    engine = create_engine(f"duckdb:///{folder / 'w.duckdb'}")
    try:
        mixed_fixture().write(engine)
        return capture_loader_queries(engine)
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
