"""Team sizes of a page scan: the busiest lead settles most groups; the join counts only the rest.

loaders/queries/page_teams.py answers "did K or more salespeople work this group?" from each
group's busiest lead (``max(distinct_actors)``) where that decides, and joins the activities only
for the groups it leaves open, reading only their leads. The dealers below are built so that every
case occurs: a team of three on leads of two salespeople each (open, the join finds 3), a team of
two (open, the join finds 2), one lead worked by three people (settled), and nobody contacted
(settled: 0). For every team minimum the tables must equal ``metrics_table``'s, which always
joins; on DuckDB and PostgreSQL, on the fly and from the materialised facts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, event

from dashboard.data.tables import metrics_table, metrics_tables
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import forget_probes
from loaders.queries import page_teams
from loaders.queries.page_teams import undecided_rows
from tests.conftest import Warehouse
from tests.metric_fixtures import T0, Fixture, contact, lead

ACTORS = {
    "three_on_pairs": [("a", "b"), ("b", "c"), ("a",), ("c",), ("a", "c"), ("b",)],  # team 3, busiest 2
    "two_on_pairs": [("d", "e"), ("d", "e"), ("d",), ("e",), ("d", "e"), ("e",)],  # team 2, busiest 2
    "one_busy_lead": [("f", "g", "h"), ("f",), ("f",), ("g",), ("f",), ("f",)],  # busiest 3
    "silent": [(), (), (), (), (), ()],  # nobody called: a team of 0
}


def fixture() -> Fixture:
    leads, calls = [], []
    for dealer, per_lead in ACTORS.items():
        for i, actors in enumerate(per_lead):
            lead_id = f"{dealer}-{i}"
            leads.append(lead(lead_id, T0 + timedelta(hours=i), dealer_id=dealer))
            calls += [
                contact(lead_id, T0 + timedelta(hours=i, minutes=5 + j), actor=a)
                for j, a in enumerate(actors)
            ]
    return Fixture(leads, calls)


def joins(engine: Engine, run: Any) -> list[tuple[str, Any]]:
    """The team-size joins that ``run()`` sends, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def remember(_conn: object, _cursor: object, statement: str, parameters: Any, *_args: object) -> None:
        if "AS salespeople" in statement:  # the team-size join (page_teams.slice_teams_select)
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return seen


def bound_values(parameters: Any) -> set[Any]:
    """Every value bound to a statement (dict or sequence of parameters, lists flattened)."""
    values = parameters.values() if isinstance(parameters, dict) else parameters
    out: set[Any] = set()
    for value in values:
        out |= set(value) if isinstance(value, list | tuple) else {value}
    return out


@pytest.mark.parametrize("materialised", [False, True], ids=["on-the-fly", "materialised"])
def test_page_scan_team_decisions_equal_the_exact_join(warehouse: Warehouse, materialised: bool) -> None:
    engine = warehouse.engine
    data = fixture()
    data.write(engine)
    if materialised:
        refresh_lead_facts(engine, full=True)
    total, by_dealer = data.lead_query(), data.lead_query(group_by=("dealer_id",))
    for team in (1, 2, 3, 4):
        forget_probes()
        together = metrics_tables(engine, (total, by_dealer), 5, team)
        forget_probes()
        for query, frame in zip((total, by_dealer), together, strict=True):
            assert_frame_equal(frame, metrics_table(engine, query, 5, team))
    hidden = {r["dealer_id"]: r["team_suppressed"] for r in together[1].iter_rows(named=True)}
    # At K = 4 the team of three is hidden, and the complement hides one more: the facts alone decide
    # nothing for a group whose busiest lead had 1-3 people; the join does.
    assert hidden["silent"] is True and hidden["two_on_pairs"] is True


def test_only_open_groups_are_joined_and_only_their_leads_read(duckdb_warehouse: Warehouse) -> None:
    engine = duckdb_warehouse.engine
    data = fixture()
    data.write(engine)
    by_dealer = data.lead_query(group_by=("dealer_id",))

    three = joins(engine, lambda: metrics_tables(engine, (data.lead_query(), by_dealer), 5, 3))
    assert len(three) == 1  # one join, for the two dealers whose busiest lead had two people
    dealers = bound_values(three[0][1]) & set(ACTORS)
    assert dealers == {"three_on_pairs", "two_on_pairs"}

    # K = 2: every group is settled by its busiest lead (2 or 3 people, or nobody): no join at all.
    assert joins(engine, lambda: metrics_tables(engine, (data.lead_query(), by_dealer), 5, 2)) == []


def test_too_many_open_groups_read_the_whole_period(
    duckdb_warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = duckdb_warehouse.engine
    data = fixture()
    data.write(engine)
    queries = (data.lead_query(), data.lead_query(group_by=("dealer_id",)))
    expected = [metrics_table(engine, q, 5, 3) for q in queries]
    monkeypatch.setattr(page_teams, "MAX_UNDECIDED", 1)
    seen = joins(engine, lambda: metrics_tables(engine, queries, 5, 3))
    assert len(seen) == 1 and not bound_values(seen[0][1]) & set(ACTORS)  # no list: the whole period
    for frame, wanted in zip(metrics_tables(engine, queries, 5, 3), expected, strict=True):
        assert_frame_equal(frame, wanted)


def test_undecided_rows_are_those_between_one_and_k_minus_one() -> None:
    counts = pl.DataFrame({"dealer_id": ["a", "b", "c", "d"], page_teams.BUSIEST_LEAD: [0, 1, 2, 3]})
    assert undecided_rows(counts, 3)["dealer_id"].to_list() == ["b", "c"]
    assert undecided_rows(counts, 1)["dealer_id"].to_list() == []
