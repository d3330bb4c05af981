"""How many distinct salespeople worked each group's leads: the input of small-team suppression.

The only use of ``lead_activities.actor_key``: inside ``COUNT(DISTINCT ...)`` over the
qualifying contacts of the group's leads, computed in the warehouse. Only the count per
group comes back, and metrics/suppression.py uses it to hide "how people worked" metrics
of groups that one or two people worked; it is never shown.

It joins ``lead_facts(query)`` (on the fly or materialised: the same leads either way)
with ``lead_activities``, so the count follows the same lead set as every other number.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Integer, Select, func, select

from loaders.contract.tables import lead_activities
from loaders.facts.lead_facts import lead_facts, period_bounds, qualifying_contact
from loaders.request.query import LeadQuery
from loaders.warehouse.fetch import Bind, fetch_frame, group_schema
from metrics.suppression import TEAM_SIZE  # dropped there, before any table leaves the facade


def team_size_select(query: LeadQuery) -> Select[Any]:
    """Per group of ``query.group_by`` that had a qualifying contact: distinct non-null actor_key."""
    facts = lead_facts(query)
    act = lead_activities
    groups = [facts.c[dim] for dim in query.group_by]
    statement = (
        select(*groups, func.count(act.c.actor_key.distinct()).cast(Integer).label(TEAM_SIZE))
        .select_from(facts.join(act, act.c.lead_id == facts.c.lead_id))
        # Implied by qualifying_contact (at or after the lead's creation, itself in the period);
        # said explicitly so the warehouse skips older activities before the join.
        .where(qualifying_contact(facts.c.created_at), act.c.occurred_at >= period_bounds(query)[0])
    )
    return statement.group_by(*groups) if groups else statement


def load_team_sizes(bind: Bind, query: LeadQuery) -> pl.DataFrame:
    """Run ``team_size_select``: grouping columns, then ``salespeople`` (groups without contacts absent)."""
    schema = group_schema(query.group_by) | {TEAM_SIZE: pl.Int64()}
    return fetch_frame(bind, team_size_select(query), schema)
