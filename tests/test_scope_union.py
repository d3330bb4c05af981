"""The access predicate selects exactly the union of a viewer's grants, on real warehouses.

Each case compares the lead ids the SQL predicate lets through with a plain-Python reading
of the same grants over a small network: 3 brands x 7 dealers (one dealer missing from the
dealers table), one lead per pair.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, inspect, select

from loaders.contract.write import write_tables
from loaders.facts.lead_facts import lead_set
from loaders.request.access_scope import AccessScope, describe_scope, grants_nothing
from loaders.request.query import LeadQuery, Scope
from tests.conftest import Warehouse

# dealer -> (group, market); D9 has leads but no row in `dealers` (group and market 'unknown').
DEALERS = {
    "D1": ("G1", "IT"),
    "D2": ("G1", "IT"),
    "D3": ("G1", "DE"),
    "D4": ("G2", "DE"),
    "D5": ("G2", "FR"),
    "D6": ("G3", "IT"),
}
LEAD_DEALERS = (*DEALERS, "D9")
BRANDS = ("A", "B", "C")
CREATED = datetime(2026, 1, 10, 9, 0)


def _place(dealer: str) -> tuple[str, str]:
    return DEALERS.get(dealer, ("unknown", "unknown"))


def _seed(engine: Engine) -> None:
    dealers = pl.DataFrame(
        {
            "dealer_id": list(DEALERS),
            "dealer_name": [f"Dealer {d}" for d in DEALERS],
            "dealer_group_id": [g for g, _ in DEALERS.values()],
            "dealer_group_name": [f"Group {g}" for g, _ in DEALERS.values()],
            "market": [m for _, m in DEALERS.values()],
        }
    )
    pairs = [(b, d) for b in BRANDS for d in LEAD_DEALERS]
    leads = pl.DataFrame(
        {
            "lead_id": [f"{b}-{d}" for b, d in pairs],
            "created_at": [CREATED] * len(pairs),
            "brand": [b for b, _ in pairs],
            "dealer_id": [d for _, d in pairs],
            "source": ["brand_site"] * len(pairs),
            "lead_type": ["new_vehicle"] * len(pairs),
            "phone_status": ["valid"] * len(pairs),
            "email_status": ["valid"] * len(pairs),
        }
    )
    write_tables(engine, {"dealers": dealers, "leads": leads})


def _selected(engine: Engine, scope: Scope | AccessScope) -> set[str]:
    query = LeadQuery(date(2026, 1, 1), date(2026, 1, 31), datetime(2026, 2, 1), scope=scope)
    sub = lead_set(query).subquery()
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(select(sub.c.lead_id))}


def _passes(grant: Scope, brand: str, dealer: str) -> bool:
    """The meaning of one grant, written independently of the SQL."""
    group, market = _place(dealer)
    if grant.brands is not None and brand not in grant.brands:
        return False
    if grant.markets is not None and market not in grant.markets:
        return False
    if grant.dealer_group_ids is None and grant.dealer_ids is None:
        return True
    return group in (grant.dealer_group_ids or ()) or dealer in (grant.dealer_ids or ())


def _expected(grants: tuple[Scope, ...]) -> set[str]:
    return {f"{b}-{d}" for b in BRANDS for d in LEAD_DEALERS if any(_passes(g, b, d) for g in grants)}


ALL = _expected((Scope(),))

CASES = [
    # (name, grants, expected lead ids)
    ("brand A in IT + brand B everywhere", (Scope(brands=("A",), markets=("IT",)), Scope(brands=("B",))),
     {"A-D1", "A-D2", "A-D6"} | {f"B-{d}" for d in LEAD_DEALERS}),
    ("dealer group G2 + single dealer D1", (Scope(dealer_group_ids=("G2",)), Scope(dealer_ids=("D1",))),
     {f"{b}-{d}" for b in BRANDS for d in ("D1", "D4", "D5")}),
    ("brand C in DE + dealer D6", (Scope(brands=("C",), markets=("DE",)), Scope(dealer_ids=("D6",))),
     {"C-D3", "C-D4"} | {f"{b}-D6" for b in BRANDS}),
    ("no grants: nothing", (), set()),
    ("empty brand list: nothing", (Scope(brands=()),), set()),
    ("empty dealer lists: nothing", (Scope(dealer_group_ids=(), dealer_ids=()),), set()),
    ("unknown brand: nothing", (Scope(brands=("Zeta",)),), set()),
    ("unknown brand next to a real grant", (Scope(brands=("Zeta",)), Scope(brands=("A",), markets=("FR",))),
     {"A-D5"}),
    ("an unlimited grant absorbs the rest", (Scope(brands=("A",)), Scope()), ALL),
    ("same grant twice = once", (Scope(brands=("B",)), Scope(brands=("B",))), {f"B-{d}" for d in LEAD_DEALERS}),
    ("overlapping grants never add more", (Scope(brands=("A", "B"), markets=("IT",)), Scope(brands=("A",), markets=("IT", "DE"))),
     {"A-D1", "A-D2", "A-D6", "B-D1", "B-D2", "B-D6", "A-D3", "A-D4"}),
    ("dealer without a dealers row is only in unlimited or by-id grants", (Scope(dealer_ids=("D9",)),),
     {f"{b}-D9" for b in BRANDS}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "grants", "expected"), CASES, ids=[c[0] for c in CASES])
def test_union_of_grants_is_exact(
    warehouse: Warehouse, name: str, grants: tuple[Scope, ...], expected: set[str]
) -> None:
    _seed(warehouse.engine)
    assert _expected(grants) == expected, "the reference reading disagrees with the table"
    assert _selected(warehouse.engine, AccessScope.of(grants)) == expected


def test_single_scope_still_works_as_before(duckdb_warehouse: Warehouse) -> None:
    _seed(duckdb_warehouse.engine)
    scope = Scope(brands=("A", "B"), markets=("IT",))
    assert _selected(duckdb_warehouse.engine, scope) == {"A-D1", "A-D2", "A-D6", "B-D1", "B-D2", "B-D6"}
    assert _selected(duckdb_warehouse.engine, Scope()) == ALL


def test_the_union_is_not_the_cross_product(duckdb_warehouse: Warehouse) -> None:
    """The reason AccessScope exists: one Scope of both grants' fields would show B in IT only."""
    _seed(duckdb_warehouse.engine)
    union = _selected(duckdb_warehouse.engine, AccessScope.of((Scope(("A",), ("IT",)), Scope(("B",)))))
    merged = _selected(duckdb_warehouse.engine, Scope(brands=("A", "B"), markets=("IT",)))
    assert "B-D4" in union and "B-D4" not in merged


def test_canonical_form_makes_equal_access_equal() -> None:
    one = AccessScope.of((Scope(brands=("B", "A", "A")), Scope(dealer_ids=("D2",))))
    two = AccessScope.of((Scope(dealer_ids=("D2",)), Scope(brands=("A", "B")), Scope(brands=())))
    assert one == two and hash(one) == hash(two)
    assert AccessScope.of((Scope(brands=("A",)), Scope())) == AccessScope.everything()
    assert AccessScope.of(()).is_nothing and AccessScope.of((Scope(markets=()),)) == AccessScope.nothing()
    assert AccessScope.from_scope(Scope(brands=("A",))) == AccessScope((Scope(brands=("A",)),))


@pytest.mark.parametrize(
    ("scope", "nothing"),
    [
        (Scope(), False),
        (Scope(brands=()), True),
        (Scope(markets=()), True),
        (Scope(dealer_group_ids=()), True),
        (Scope(dealer_group_ids=(), dealer_ids=("D1",)), False),
        (Scope(dealer_group_ids=(), dealer_ids=()), True),
        (Scope(brands=("A",), dealer_ids=()), True),
    ],
)
def test_grants_nothing(scope: Scope, nothing: bool) -> None:
    assert grants_nothing(scope) is nothing


def test_descriptions_name_every_limit() -> None:
    access = AccessScope.of(
        (Scope(brands=("A",), markets=("IT",)), Scope(dealer_group_ids=("G2",), dealer_ids=("D1",)))
    )
    assert access.describe() == "dealer groups G2 or dealers D1; or brands A in markets IT"
    assert AccessScope.everything().describe() == "the whole network"
    assert AccessScope.nothing().describe() == "nothing"
    assert describe_scope(Scope(dealer_ids=())) == "no dealer"


values = st.sampled_from
optional = lambda pool: st.none() | st.lists(values(pool), max_size=3).map(tuple)  # noqa: E731
grant_strategy = st.builds(
    Scope,
    brands=optional((*BRANDS, "Zeta")),
    markets=optional(("IT", "DE", "FR", "unknown", "ES")),
    dealer_group_ids=optional(("G1", "G2", "G3", "G9")),
    dealer_ids=optional((*LEAD_DEALERS, "D99")),
)


def test_the_materialised_facts_give_the_same_union(duckdb_warehouse: Warehouse) -> None:
    """Pages read the materialised lead facts when they are exact; the union must hold there too."""
    from loaders.facts.refresh import refresh_lead_facts
    from loaders.facts.source import current_reader, facts_read_by

    engine = duckdb_warehouse.engine
    _seed(engine)
    refresh_lead_facts(engine, full=True, now=datetime(2026, 2, 1))
    reader = current_reader(engine)
    assert reader is not None, "the facts should be exact right after a full build"
    with facts_read_by(reader):
        query = LeadQuery(
            date(2026, 1, 1), date(2026, 1, 31), datetime(2026, 2, 1), scope=AccessScope.nothing()
        )
        assert "leadline_lead_facts" in str(lead_set(query))  # really the materialised table
    for _name, grants, expected in CASES:
        with facts_read_by(reader):
            assert _selected(engine, AccessScope.of(grants)) == expected, _name


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grants=st.lists(grant_strategy, max_size=4).map(tuple))
def test_any_union_of_grants_is_exact(duckdb_warehouse: Warehouse, grants: tuple[Scope, ...]) -> None:
    engine = duckdb_warehouse.engine
    if not inspect(engine).has_table("leads"):
        _seed(engine)  # the fixture is shared by every example; seed it once
    assert _selected(engine, AccessScope.of(grants)) == _expected(grants)
