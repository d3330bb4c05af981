"""Double leads, no-contact leads by dealer and age, duplicate contacts by dealer,
on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from dashboard.data import detail_tables
from loaders.request.query import LeadQuery
from tests.conftest import Warehouse
from tests.detail_builders import contact, lead, write

LATER = datetime(2024, 3, 20, 12, 0)
BY_SOURCE = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), datetime(2024, 4, 30), group_by=("source",))

# case -> (fields of the earlier lead, fields of the later one, is the later one a double?)
DOUBLE_CASES: dict[str, tuple[dict, dict, bool]] = {
    "exactly_30_days": ({"created_at": LATER - timedelta(days=30)}, {}, True),
    "31_days": ({"created_at": LATER - timedelta(days=31)}, {}, False),
    "one_second_inside": ({"created_at": LATER - timedelta(days=30) + timedelta(seconds=1)}, {}, True),
    "earlier_before_the_period": ({"created_at": datetime(2024, 2, 25)}, {}, True),
    "earlier_other_dealer": ({"dealer_id": "D3"}, {}, True),
    "earlier_refused_consent": ({"consent": False}, {}, False),
    "earlier_consent_unknown": ({"consent": None}, {}, True),
    "other_brand": ({"brand": "Z"}, {}, False),
    "no_customer_key": ({"customer_key": None}, {"customer_key": None}, False),
    "earlier_is_later": ({"created_at": LATER + timedelta(hours=1)}, {}, False),
}


def test_double_leads_window_consent_and_brand(warehouse: Warehouse) -> None:
    rows = []
    for case, (earlier, later, _) in DOUBLE_CASES.items():
        base = {"customer_key": f"k_{case}", "created_at": LATER - timedelta(days=2)}
        rows.append(lead(f"E_{case}", **{**base, "source": "earlier", **earlier}))
        rows.append(lead(f"L_{case}", **{**base, "created_at": LATER, "source": case, **later}))
    write(warehouse.engine, rows)

    table = detail_tables.double_leads(warehouse.engine, BY_SOURCE, 1)

    got = {r["source"]: r["double_leads"] for r in table.iter_rows(named=True) if r["source"] != "earlier"}
    assert got == {case: int(expected) for case, (_, _, expected) in DOUBLE_CASES.items()}


def test_double_leads_survive_a_filter_that_hides_the_earlier_lead(warehouse: Warehouse) -> None:
    rows = [
        lead("E", LATER - timedelta(days=3), customer_key="k", dealer_id="D2"),
        lead("L", LATER, customer_key="k", dealer_id="D1"),
    ]
    write(warehouse.engine, rows)
    query = LeadQuery(
        BY_SOURCE.start, BY_SOURCE.end, BY_SOURCE.as_of, filters=LeadQuery.make_filters({"dealer_id": ["D1"]})
    )

    row = detail_tables.double_leads(warehouse.engine, query, 1).row(0, named=True)

    assert (row["leads"], row["double_leads"], row["double_lead_rate"]) == (1, 1, 1.0)


def test_simultaneous_leads_count_one_double(warehouse: Warehouse) -> None:
    write(warehouse.engine, [lead("A", LATER, customer_key="k"), lead("B", LATER, customer_key="k")])

    row = detail_tables.double_leads(warehouse.engine, BY_SOURCE, 1).row(0, named=True)

    assert row["double_leads"] == 1


AS_OF = datetime(2024, 4, 1, 12, 0)
AGE_CASES = [
    (timedelta(hours=23, minutes=59), None),  # not yet no-contact
    (timedelta(hours=24), "1-2 days"),
    (timedelta(hours=71, minutes=59), "1-2 days"),
    (timedelta(hours=72), "3-7 days"),
    (timedelta(days=8) - timedelta(seconds=1), "3-7 days"),
    (timedelta(days=8), "8-30 days"),
    (timedelta(days=31) - timedelta(seconds=1), "8-30 days"),
    (timedelta(days=31), "Over 30 days"),
]


@pytest.mark.parametrize(("age", "bucket"), AGE_CASES, ids=[str(a) for a, _ in AGE_CASES])
def test_no_contact_age_buckets_on_duckdb(
    duckdb_warehouse: Warehouse, age: timedelta, bucket: str | None
) -> None:
    write(duckdb_warehouse.engine, [lead("N", AS_OF - age)])
    query = LeadQuery(date(2024, 1, 1), date(2024, 4, 30), AS_OF)

    table = detail_tables.no_contact_by_dealer_age(duckdb_warehouse.engine, query, 1)

    assert table["age_bucket"].to_list() == ["1-2 days", "3-7 days", "8-30 days", "Over 30 days"]
    counted = table.filter(pl.col("no_contact") == 1)["age_bucket"].to_list()
    assert counted == ([bucket] if bucket else [])


def test_no_contact_by_dealer_and_age(warehouse: Warehouse) -> None:
    rows = [lead(f"A{i}", AS_OF - age, dealer_id="D1") for i, (age, _) in enumerate(AGE_CASES)]
    rows += [lead(f"B{i}", AS_OF - timedelta(days=10), dealer_id="D2") for i in range(3)]
    # D3 (6 leads, fewer than D1's 9) is hidden with D2: D2 alone would be the total minus the rest.
    rows += [lead(f"E{i}", AS_OF - timedelta(days=10), dealer_id="D3") for i in range(6)]
    contacted = lead("C", AS_OF - timedelta(days=10), dealer_id="D1")
    write(warehouse.engine, [*rows, contacted], [contact(contacted, 5)])
    query = LeadQuery(date(2024, 1, 1), date(2024, 4, 30), AS_OF)

    table = detail_tables.no_contact_by_dealer_age(warehouse.engine, query, 5)

    assert table.columns == ["dealer_id", "dealer_name", "age_bucket", "leads", "no_contact", "suppressed"]
    d1 = table.filter(pl.col("dealer_id") == "D1")
    assert d1["no_contact"].to_list() == [2, 2, 2, 1]
    assert d1["leads"].to_list() == [9] * 4 and d1["dealer_name"][0] == "Autohaus Nord"
    d2 = table.filter(pl.col("dealer_id") == "D2")
    assert d2["suppressed"].all() and d2["no_contact"].null_count() == 4  # 3 leads < K
    assert table.filter(pl.col("dealer_id") == "D3")["suppressed"].all()  # its complement


def test_duplicate_contact_by_dealer(warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLINE_MIN_TEAM_SIZE", "2")  # anna and ben: a team of two, shown at 2
    rows = [lead(f"L{i}") for i in range(5)]
    activities = [
        contact(rows[0], 5, "anna"),
        contact(rows[0], 9, "ben"),  # two salespeople: duplicate
        contact(rows[1], 5, "anna"),
        contact(rows[1], 9, "anna"),  # the same one twice: not
        contact(rows[2], 5, None),
        contact(rows[2], 9, None),  # unknown salespeople are not counted
        contact(rows[3], 5, "anna"),
        contact(rows[3], 9, "ben", automated=True),  # an auto-responder is no contact
    ]
    write(warehouse.engine, rows, activities)
    query = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), AS_OF)

    row = detail_tables.duplicate_contact_by_dealer(warehouse.engine, query, 1).row(0, named=True)

    assert row == {
        "dealer_id": "D1",
        "dealer_name": "Autohaus Nord",
        "leads": 5,
        "contacted": 4,
        "duplicate_contact": 1,
        "duplicate_contact_rate": 0.25,
        "suppressed": False,
        "team_suppressed": False,
    }
