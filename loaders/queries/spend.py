"""Campaign spend and the lead counts that allocate it to groups.

For each campaign c: S_c is its spend with spend_date in [start, end]; N_c counts all
its leads created in the period with consent not false, with no other filter and no
access scope (the money bought all of them). metrics/compute.py gives a group
S_c x (leads of c in the group) / N_c, summed over campaigns.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl
from sqlalchemy import Select, func, select

from loaders.contract.tables import campaign_spend
from loaders.facts.lead_facts import lead_facts, lead_set
from loaders.queries.aggregates import group_columns
from loaders.request.query import LeadQuery, Scope
from loaders.warehouse.fetch import Bind, fetch_frame, group_schema

# Named apart from campaign_id so that grouping by campaign_id does not clash with it.
SPEND_CAMPAIGN = "spend_campaign_id"
CAMPAIGN_SPEND_SCHEMA: dict[str, pl.DataType] = {SPEND_CAMPAIGN: pl.String(), "campaign_spend": pl.Float64()}
CAMPAIGN_LEADS_SCHEMA: dict[str, pl.DataType] = {SPEND_CAMPAIGN: pl.String(), "campaign_leads": pl.Int64()}
GROUP_CAMPAIGN_LEADS_SCHEMA: dict[str, pl.DataType] = {
    SPEND_CAMPAIGN: pl.String(),
    "group_campaign_leads": pl.Int64(),
}


def campaign_spend_select(query: LeadQuery) -> Select[Any]:
    """S_c: spend per campaign with spend_date in [start, end] (both days included)."""
    return (
        select(
            campaign_spend.c.campaign_id.label(SPEND_CAMPAIGN),
            func.sum(campaign_spend.c.amount).label("campaign_spend"),
        )
        .where(campaign_spend.c.spend_date >= query.start, campaign_spend.c.spend_date <= query.end)
        .group_by(campaign_spend.c.campaign_id)
    )


def campaign_leads_select(query: LeadQuery) -> Select[Any]:
    """N_c: leads per campaign created in the period with consent not false; no filter, no scope."""
    # The lead set of the period without filters or scope: read from the materialised facts
    # when they are in use, which spares a scan of the whole leads table.
    everyone = dataclasses.replace(query, group_by=(), filters=(), scope=Scope.everything())
    period_leads = lead_set(everyone).subquery("period_leads")
    return (
        select(period_leads.c.campaign_id.label(SPEND_CAMPAIGN), func.count().label("campaign_leads"))
        .where(period_leads.c.campaign_id.is_not(None))
        .group_by(period_leads.c.campaign_id)
    )


def group_campaign_leads_select(query: LeadQuery) -> Select[Any]:
    """Leads of L per group and campaign (leads without a campaign get no spend and are left out)."""
    facts = lead_facts(query)
    groups = group_columns(facts, query.group_by)
    return (
        select(
            *groups,
            facts.c.campaign_id.label(SPEND_CAMPAIGN),
            func.count().label("group_campaign_leads"),
        )
        .select_from(facts)
        .where(facts.c.campaign_id.is_not(None))
        .group_by(*groups, facts.c.campaign_id)
    )


def load_campaign_spend(bind: Bind, query: LeadQuery) -> pl.DataFrame:
    """Run ``campaign_spend_select``: ``spend_campaign_id``, ``campaign_spend``."""
    return fetch_frame(bind, campaign_spend_select(query), CAMPAIGN_SPEND_SCHEMA)


def load_campaign_leads(bind: Bind, query: LeadQuery) -> pl.DataFrame:
    """Run ``campaign_leads_select``: ``spend_campaign_id``, ``campaign_leads``."""
    return fetch_frame(bind, campaign_leads_select(query), CAMPAIGN_LEADS_SCHEMA)


def load_group_campaign_leads(bind: Bind, query: LeadQuery) -> pl.DataFrame:
    """Run ``group_campaign_leads_select``: grouping columns, ``spend_campaign_id``, ``group_campaign_leads``."""
    schema = group_schema(query.group_by) | GROUP_CAMPAIGN_LEADS_SCHEMA
    return fetch_frame(bind, group_campaign_leads_select(query), schema)
