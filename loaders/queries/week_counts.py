"""Leads per week of a viewer's whole lead set: the input of the period blocks (metrics/period_blocks.py).

The query's period is ignored (every week, from the first lead on, counts); its filters and
scope apply, so the blocks are those of the leads the viewer's numbers are taken over.
Only one count per week leaves the warehouse.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Select, func, select

from loaders.facts.lead_facts import lead_set
from loaders.request.query import LeadQuery
from loaders.warehouse.fetch import Bind, fetch_frame

ALL_TIME = (date(1900, 1, 1), date(2999, 12, 31))


def week_counts_select(query: LeadQuery) -> Select[Any]:
    """``week`` (its Monday) and ``leads`` for every week with a lead of ``query`` at any time."""
    every_week = dataclasses.replace(query, start=ALL_TIME[0], end=ALL_TIME[1], group_by=())
    rows = lead_set(every_week).subquery("every_week")
    return select(rows.c.week, func.count().label("leads")).group_by(rows.c.week).order_by(rows.c.week)


def load_week_counts(bind: Bind, query: LeadQuery) -> list[tuple[date, int]]:
    """Run ``week_counts_select``: (Monday, leads) pairs in week order."""
    frame = fetch_frame(bind, week_counts_select(query), {"week": pl.Date(), "leads": pl.Int64()})
    return [(week, int(leads)) for week, leads in frame.iter_rows() if week is not None]
