"""Tiny builders for the detail-table tests: leads, contacts and outcomes written to a warehouse."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Engine

from loaders.contract.write import write_tables

T0 = datetime(2024, 3, 4, 9, 0)  # a Monday
DEALERS = pl.DataFrame(
    {
        "dealer_id": ["D1", "D2", "D3"],
        "dealer_name": ["Autohaus Nord", "Auto Sud", "Moto Ovest"],
        "dealer_group_id": ["G1", "G1", "G2"],
        "dealer_group_name": ["Gruppo Uno", "Gruppo Uno", "Gruppo Due"],
        "market": ["DE", "IT", "IT"],
        "timezone": ["Europe/Berlin", None, "America/New_York"],
    }
)
CAMPAIGNS = pl.DataFrame(
    {
        "campaign_id": ["C1", "C2"],
        "campaign_name": ["Spring search", "Summer social"],
        "brand": ["B", "B"],
        "channel": ["search", "social"],
    }
)


def lead(lead_id: str, created_at: datetime = T0, **fields: Any) -> dict[str, Any]:
    """One leads row with harmless defaults."""
    row: dict[str, Any] = {
        "lead_id": lead_id,
        "created_at": created_at,
        "brand": "B",
        "dealer_id": "D1",
        "campaign_id": "C1",
        "source": "brand_site",
        "lead_type": "new_vehicle",
        "phone_status": "valid",
        "email_status": "valid",
        "customer_key": None,
        "consent": True,
        "delivered_at": created_at,
    }
    row.update(fields)
    return row


def contact(
    lead_row: dict[str, Any], minutes: float, actor: str | None = None, **fields: Any
) -> dict[str, Any]:
    """A qualifying contact ``minutes`` after the lead arrived (override fields to disqualify it)."""
    contact.counter += 1  # type: ignore[attr-defined]
    row: dict[str, Any] = {
        "activity_id": f"A{contact.counter}",  # type: ignore[attr-defined]
        "lead_id": lead_row["lead_id"],
        "occurred_at": lead_row["created_at"] + timedelta(minutes=minutes),
        "channel": "phone",
        "direction": "outbound",
        "automated": False,
        "actor_key": actor,
    }
    row.update(fields)
    return row


contact.counter = 0  # type: ignore[attr-defined]


def outcome(lead_row: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A lead_outcomes row; e.g. closed_at=..., close_reason_code=... for a lost lead."""
    return {"lead_id": lead_row["lead_id"], **fields}


def lost(lead_row: dict[str, Any], code: str | None, after_days: float = 2) -> dict[str, Any]:
    """The outcome of a lead written off ``after_days`` after it arrived with ``code``."""
    return outcome(
        lead_row, closed_at=lead_row["created_at"] + timedelta(days=after_days), close_reason_code=code
    )


def write(
    engine: Engine,
    leads: list[dict[str, Any]],
    activities: list[dict[str, Any]] = (),  # type: ignore[assignment]
    outcomes: list[dict[str, Any]] = (),  # type: ignore[assignment]
    close_reasons: pl.DataFrame | None = None,
    dealers: pl.DataFrame = DEALERS,
    replace: bool = False,
) -> None:
    """Write the rows (plus the dealers and campaigns above) into the warehouse.

    With ``replace`` every table written is emptied first (activities and outcomes included).
    """
    frames: dict[str, pl.DataFrame] = {
        "dealers": dealers,
        "campaigns": CAMPAIGNS,
        "leads": pl.DataFrame(leads, infer_schema_length=None),
    }
    if activities or replace:
        frames["lead_activities"] = _frame(activities)
    if outcomes or replace:
        frames["lead_outcomes"] = _frame(outcomes)
    if close_reasons is not None:
        frames["close_reasons"] = close_reasons
    write_tables(engine, frames, replace=replace)


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    # An empty frame keeps a lead_id column so that conform() broadcasts to 0 rows, not 1.
    if not rows:
        return pl.DataFrame(schema={"lead_id": pl.String})
    return pl.DataFrame(list(rows), infer_schema_length=None)
