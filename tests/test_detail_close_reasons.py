"""Close-reason distribution, vague reasons by dealer and attempts before write-off,
on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from dashboard.data import detail_tables
from dashboard.data.tables import metrics_table
from loaders.contract.tables import CLOSE_REASON_CATEGORIES
from loaders.request.query import LeadQuery
from metrics.detail_close_reasons import CATEGORY_ORDER
from metrics.taxonomy import UNSPECIFIED_CATEGORY
from tests.conftest import Warehouse
from tests.detail_builders import T0, contact, lead, lost, outcome, write

QUERY = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), datetime(2024, 4, 30))

# code of each lost lead -> expected (category, code shown) row it lands in
CODES: list[tuple[str | None, str, str | None]] = [
    ("bought_other_car", "no_interest", "bought_other_car"),
    ("bought_other_car", "no_interest", "bought_other_car"),
    ("no_interest", "no_interest", "no_interest"),  # vague, but in the taxonomy
    ("double_lead", "pollution", "double_lead"),
    ("typo_code", UNSPECIFIED_CATEGORY, "typo_code"),  # unknown: kept visible as its own row
    (None, UNSPECIFIED_CATEGORY, None),
    ("", UNSPECIFIED_CATEGORY, None),
    ("   ", UNSPECIFIED_CATEGORY, None),
]


def _write_lost_leads(warehouse: Warehouse) -> None:
    leads = [lead(f"L{i}") for i in range(len(CODES) + 2)]
    outcomes = [lost(row, code) for row, (code, _, _) in zip(leads, CODES, strict=False)]
    # A sold lead with a code and an open lead: neither is lost, neither is counted.
    outcomes.append(outcome(leads[-2], sold_at=T0, closed_at=T0, close_reason_code="typo_code"))
    write(warehouse.engine, leads, outcomes=outcomes)


def test_close_reason_rows_keep_vague_and_unknown_codes_visible(warehouse: Warehouse) -> None:
    _write_lost_leads(warehouse)

    table = detail_tables.close_reasons(warehouse.engine, QUERY, 5)

    assert table.columns == [
        "category",
        "close_reason_code",
        "label",
        "is_vague",
        "next_action",
        "count",
        "share",
        "suppressed",
    ]
    got = {(r["category"], r["close_reason_code"]): r["count"] for r in table.iter_rows(named=True)}
    assert got == {
        ("no_interest", "bought_other_car"): 2,
        ("no_interest", "no_interest"): 1,
        ("pollution", "double_lead"): 1,
        (UNSPECIFIED_CATEGORY, "typo_code"): 1,
        (UNSPECIFIED_CATEGORY, None): 3,  # NULL, '' and '   ' together
    }
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["category"].to_list()[0] == "pollution"  # categories in CATEGORY_ORDER
    unknown = table.filter(pl.col("close_reason_code") == "typo_code").row(0, named=True)
    assert unknown["is_vague"] is True and "typo_code" in unknown["label"] and unknown["next_action"]
    known = table.filter(pl.col("close_reason_code") == "bought_other_car").row(0, named=True)
    assert known["label"] == "Already bought another car" and known["is_vague"] is False


def test_vague_share_by_dealer_agrees_with_the_main_table(warehouse: Warehouse) -> None:
    _write_lost_leads(warehouse)
    query = LeadQuery(QUERY.start, QUERY.end, QUERY.as_of, group_by=("dealer_id",))

    by_dealer = detail_tables.vague_reasons_by_dealer(warehouse.engine, query, 5)
    main = metrics_table(warehouse.engine, query, 5)

    row = by_dealer.row(0, named=True)
    assert (row["dealer_id"], row["dealer_name"], row["lost"], row["vague_lost"]) == (
        "D1",
        "Autohaus Nord",
        8,
        5,
    )
    assert row["vague_share"] == pytest.approx(main["vague_close_rate"][0])


def test_a_warehouse_taxonomy_replaces_the_default(warehouse: Warehouse) -> None:
    leads = [lead(f"L{i}") for i in range(5)]
    taxonomy = pl.DataFrame(
        {
            "code": ["price"],
            "category": ["no_interest"],
            "label": ["Price too high"],
            "is_vague": [False],
            "next_action": ["Review the offer."],
        }
    )
    outcomes = [lost(leads[0], "price"), lost(leads[1], "bought_other_car")]
    write(warehouse.engine, leads, outcomes=outcomes, close_reasons=taxonomy)

    table = detail_tables.close_reasons(warehouse.engine, QUERY, 5)

    got = {r["close_reason_code"]: (r["category"], r["label"]) for r in table.iter_rows(named=True)}
    assert got["price"] == ("no_interest", "Price too high")
    assert got["bought_other_car"][0] == UNSPECIFIED_CATEGORY  # not in this warehouse's taxonomy


def test_close_reasons_of_a_small_group_are_suppressed(warehouse: Warehouse) -> None:
    _write_lost_leads(warehouse)

    table = detail_tables.close_reasons(warehouse.engine, QUERY, 11)

    assert table["suppressed"].all() and table["count"].null_count() == table.height


def test_attempts_before_write_off(warehouse: Warehouse) -> None:
    leads = [lead(f"L{i}") for i in range(7)]
    activities = []
    for row, attempts in zip(leads, [0, 1, 2, 3, 4, 6], strict=False):
        activities += [contact(row, 10 + k) for k in range(attempts)]
    # Calls after the write-off do not count as attempts before it.
    activities += [contact(leads[1], 60 * 24 * 5), contact(leads[1], 60 * 24 * 6)]
    outcomes = [lost(row, "refused_call", after_days=2) for row in leads[:6]]
    write(warehouse.engine, leads, activities, outcomes)

    table = detail_tables.attempts_before_write_off(warehouse.engine, QUERY, 5)

    assert table.select("attempts", "count").rows() == [("0", 1), ("1", 1), ("2", 1), ("3", 1), ("4+", 2)]
    assert table["share"].to_list() == pytest.approx([1 / 6] * 4 + [2 / 6])


def test_category_order_covers_the_contract() -> None:
    assert (*CLOSE_REASON_CATEGORIES, UNSPECIFIED_CATEGORY) == CATEGORY_ORDER


def test_lost_window_uses_closed_at_not_the_period(warehouse: Warehouse) -> None:
    # A lead of the period closed after the period is still lost; one created before is not in L.
    inside = lead("IN", T0)
    before = lead("OUT", T0 - timedelta(days=40))
    write(warehouse.engine, [inside, before], outcomes=[lost(inside, "x", 40), lost(before, "y", 1)])

    table = detail_tables.close_reasons(warehouse.engine, QUERY, 1)

    assert table["close_reason_code"].to_list() == ["x"]
