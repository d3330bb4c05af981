"""The SQL that computes rows of ``leadline_lead_facts``: for every lead, or for recently touched ones.

The facts of a lead are ``lead_facts``'s (loaders/facts/lead_facts.py, the single definition) plus
three precomputed columns whose definitions mirror the detail loaders they replace:
``arrival_weekday``/``arrival_hour`` (loaders/queries/detail_arrival.py) and ``is_double``
(loaders/queries/detail_coverage.py). The tests prove both paths give the same tables.

"Touched since T" means: the lead was created at or after T, or one of its activities
occurred at or after T, or one of its outcome timestamps is at or after T. The contract has
no ingestion timestamps, so this is the best evidence of change it offers; the refresh and
the reader's catch-up both use it (see docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, or_, select, union
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import Function

from loaders.contract.tables import consent_not_false, dealers, lead_activities, lead_outcomes, leads
from loaders.facts.lead_facts import facts_select, lead_rows_select
from loaders.facts.opening import OpeningSetup, default_setup
from loaders.facts.table import FACTS_COLUMNS, lead_facts_table
from loaders.warehouse.sql_time import hour_of_day, iso_weekday, local_time
from metrics.detail_coverage import DOUBLE_LEAD_WINDOW_DAYS

OUTCOME_TIMES = ("appointment_at", "test_drive_at", "quote_at", "sold_at", "closed_at")
TABLE_COLUMNS: tuple[str, ...] = (*FACTS_COLUMNS, "delivered_at")


def facts_rows_select(
    where: Sequence[ColumnElement[bool]], zones: tuple[str, ...], setup: OpeningSetup | None = None
) -> Select[Any]:
    """Rows for ``leadline_lead_facts`` (columns ``TABLE_COLUMNS``) of the consenting leads matching ``where``.

    ``zones`` are the dealer time zones the warehouse can convert to (others count as UTC);
    ``setup`` says which opening-hours tables exist (default: none, ``zones`` as given).
    ``where`` must keep every lead of a buyer together (all or none of a customer_key's
    leads): the double-lead flag looks at the buyer's previous lead among the selected ones.
    """
    window = timedelta(days=DOUBLE_LEAD_WINDOW_DAYS)
    # A plain Function, not func.lag: a dialect package (trino) registers its own Lag class
    # without statement caching, and func.lag would pick it up on every engine.
    previous_created = (
        Function("lag", leads.c.created_at, type_=leads.c.created_at.type)
        .over(
            partition_by=(leads.c.customer_key, leads.c.brand),
            order_by=(leads.c.created_at, leads.c.lead_id),
        )
        .label("previous_created_at")
    )
    base = lead_rows_select(
        [consent_not_false(), *where], dealers.c.timezone.label("dealer_timezone"), previous_created
    ).subquery("lead_set")
    local: ColumnElement[Any] = base.c.created_at
    if zones:
        local = case(
            (base.c.dealer_timezone.in_(list(zones)), local_time(base.c.created_at, base.c.dealer_timezone)),
            else_=base.c.created_at,
        )
    # The previous lead of the same buyer and brand in (created_at, lead_id) order is the latest
    # earlier one: if any earlier lead lies in the window, that one does.
    is_double = and_(
        base.c.customer_key.is_not(None), base.c.previous_created_at >= base.c.created_at - window
    )
    rows = facts_select(
        base,
        iso_weekday(local).label("arrival_weekday"),
        hour_of_day(local).label("arrival_hour"),
        case((is_double, 1), else_=0).label("is_double"),
        base.c.delivered_at,
        setup=setup or default_setup(zones),
    ).subquery("fact_rows")
    return select(*(rows.c[name] for name in TABLE_COLUMNS))


def touched_lead_ids(since: datetime) -> Select[Any]:
    """lead_id of every lead touched at or after ``since`` (see the module docstring), distinct."""
    outcome_times = [lead_outcomes.c[name] >= since for name in OUTCOME_TIMES]
    touched = union(
        select(leads.c.lead_id).where(leads.c.created_at >= since),
        select(lead_activities.c.lead_id).where(lead_activities.c.occurred_at >= since),
        select(lead_outcomes.c.lead_id).where(or_(*outcome_times)),
    ).subquery("touched")
    return select(touched.c.lead_id)


def recomputed_leads(touched: Select[Any]) -> ColumnElement[bool]:
    """Leads whose facts a change to the ``touched`` leads may alter: those leads and every other
    lead of their buyers (a new lead can make a buyer's later lead a double one)."""
    buyer_lead = aliased(leads, name="buyer_lead")
    buyers = select(buyer_lead.c.customer_key).where(
        buyer_lead.c.lead_id.in_(touched), buyer_lead.c.customer_key.is_not(None)
    )
    return or_(leads.c.lead_id.in_(touched), leads.c.customer_key.in_(buyers))


def still_consenting() -> ColumnElement[bool]:
    """Facts rows whose lead is still in ``leads`` with consent not refused (a semi-join on lead_id)."""
    return lead_facts_table.c.lead_id.in_(select(leads.c.lead_id).where(consent_not_false()))


def buyers_of_withdrawn_leads() -> Select[Any]:
    """customer_key of every facts row whose lead was deleted or refused consent since it was built."""
    table = lead_facts_table
    return select(table.c.customer_key).where(table.c.customer_key.is_not(None), ~still_consenting())
