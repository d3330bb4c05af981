"""What a warehouse holds at all: the raw counts behind ``metrics.availability.DataProfile``.

One small query of EXISTS tests (each stops at its first row), the first and last lead, and a
capped count of distinct clock times of arrival. It never reads a person's data: only whether
columns hold values. A contract table the warehouse lacks counts as empty (``leadline check``
reports it as missing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Time, cast, distinct, exists, func, inspect, select

from loaders.contract.tables import (
    campaign_spend,
    consent_not_false,
    dealers,
    lead_activities,
    lead_outcomes,
    leads,
)

# Distinct clock times are only counted up to this many: more means real arrival times.
TIMES_OF_DAY_CAP = 50
LEADS_CAP = 1000

# Input of metrics.availability -> (table, the column that must hold a value; None: any row).
PRESENCE: dict[str, tuple[str, str | None]] = {
    "activities": ("lead_activities", None),
    "outcomes": ("lead_outcomes", None),
    "spend": ("campaign_spend", None),
    "delivery": ("leads", "delivered_at"),
    "appointments": ("lead_outcomes", "appointment_at"),
    "sales": ("lead_outcomes", "sold_at"),
    "closures": ("lead_outcomes", "closed_at"),
    "gross_profit": ("lead_outcomes", "gross_profit"),
}
_TABLES = {t.name: t for t in (leads, lead_activities, lead_outcomes, campaign_spend)}


@dataclass(frozen=True)
class WarehouseContents:
    """What ``load_contents`` counted: leads (capped), presence per input, clock times, zones."""

    leads: int
    has_rows: dict[str, bool]
    times_of_day: int
    time_zones: int
    first_day: date | None
    last_day: date | None
    last_lead: datetime | None = None


def _day(value: Any) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def load_contents(engine: Engine) -> WarehouseContents:
    """Count what the warehouse holds (leads whose buyer did not refuse consent)."""
    inspector = inspect(engine)
    present = set(inspector.get_table_names()) | set(inspector.get_view_names())
    if "leads" not in present:
        return WarehouseContents(0, dict.fromkeys(PRESENCE, False), 0, 0, None, None)
    consenting = consent_not_false()
    checks = {}
    for name, (table_name, column) in PRESENCE.items():
        if table_name not in present:
            continue
        table = _TABLES[table_name]
        where: list[ColumnElement[bool]] = [table.c[column].is_not(None)] if column else []
        if table_name == "leads":
            where.append(consenting)
        checks[name] = exists(select(1).select_from(table).where(*where)).label(name)
    capped_leads = select(leads.c.lead_id).where(consenting).limit(LEADS_CAP).subquery()
    times = (
        select(cast(leads.c.created_at, Time).label("t"))
        .where(consenting)
        .distinct()
        .limit(TIMES_OF_DAY_CAP)
        .subquery()
    )
    statement = select(
        select(func.count()).select_from(capped_leads).scalar_subquery().label("leads"),
        select(func.count()).select_from(times).scalar_subquery().label("times"),
        select(func.min(leads.c.created_at)).where(consenting).scalar_subquery().label("first"),
        select(func.max(leads.c.created_at)).where(consenting).scalar_subquery().label("last"),
        *checks.values(),
    )
    zone_count = select(func.count(distinct(dealers.c.timezone))) if "dealers" in present else None
    with engine.connect() as conn:
        row = conn.execute(statement).one()._mapping
        zones = int(conn.execute(zone_count).scalar_one() or 0) if zone_count is not None else 0
    return WarehouseContents(
        leads=int(row["leads"]),
        has_rows={name: bool(row[name]) if name in checks else False for name in PRESENCE},
        times_of_day=int(row["times"]),
        time_zones=zones,
        first_day=_day(row["first"]),
        last_day=_day(row["last"]),
        last_lead=row["last"] if isinstance(row["last"], datetime) else None,
    )
