"""``has_leads``: whether a view has any lead, the question pages ask before drawing anything."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from dashboard.data.tables import has_leads, metrics_table
from tests.conftest import Warehouse
from tests.metric_fixtures import END, START, mixed_fixture


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, True),
        ({"filters": {"brand": ["Beta"]}}, True),
        ({"filters": {"brand": ["Nobody"]}}, False),
        ({"start": END + timedelta(days=30), "end": END + timedelta(days=40)}, False),
        ({"scope": {"dealer_ids": ("d2",)}}, True),
        ({"scope": {"dealer_ids": ("nobody",)}}, False),
        ({"group_by": ("week",)}, True),
    ],
    ids=["period", "filter-match", "filter-none", "empty-period", "scope-match", "scope-none", "grouped"],
)
def test_has_leads_agrees_with_the_metrics_table(
    warehouse: Warehouse, overrides: dict[str, object], expected: bool
) -> None:
    fixture = mixed_fixture()
    fixture.write(warehouse.engine)
    query = fixture.lead_query(**overrides)
    assert has_leads(warehouse.engine, query, 5) is expected
    # The same answer as the count it replaces on the pages (K = 0: nothing suppressed).
    leads = metrics_table(warehouse.engine, dataclasses.replace(query, group_by=()), 0)["leads"][0]
    assert (leads > 0) is expected


def test_a_lead_refusing_consent_is_no_lead(duckdb_warehouse: Warehouse) -> None:
    fixture = mixed_fixture()
    fixture.write(duckdb_warehouse.engine)
    # Lead d (consent False) is the only lead created on START + 3 days.
    only_d = fixture.lead_query(start=START + timedelta(days=3), end=START + timedelta(days=3))
    assert metrics_table(duckdb_warehouse.engine, only_d, 0)["leads"][0] == 0
    assert has_leads(duckdb_warehouse.engine, only_d, 5) is False
