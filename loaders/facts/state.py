"""What the materialised facts were built from, and whether the warehouse still matches it.

A refresh records (in ``leadline_facts_state``) the facts version, a digest of the small
dimension tables and known time zones, and a signature of the big tables (row counts and
latest timestamps). A reader compares the current signature with the recorded one: equal
means the facts are current; different means new data landed since, and the reader catches
up on the touched leads on the fly until the next refresh (loaders/facts/source.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, false, func, inspect, select

from common import settings
from common.time_zones import is_time_zone_name
from loaders.contract.tables import (
    campaigns,
    dealer_closed_days,
    dealer_opening_hours,
    dealers,
    lead_activities,
    lead_outcomes,
    leads,
)
from loaders.facts.result_taxonomy import load_result_taxonomy
from loaders.facts.table import FACTS_VERSION, facts_state_table, lead_facts_table
from loaders.warehouse.fetch import Bind
from loaders.warehouse.sql_aggregates import count_where

OUTCOME_TIMES = ("appointment_at", "test_drive_at", "quote_at", "sold_at", "closed_at")


@dataclass(frozen=True)
class FactsState:
    """The row of ``leadline_facts_state``."""

    facts_version: int
    dimensions_digest: str
    data_signature: str
    high_water: datetime
    refreshed_at: datetime


@contextmanager
def connection_of(bind: Bind) -> Iterator[Connection]:
    """``bind`` itself when it is a connection, else a connection of the engine for the block."""
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn


def facts_tables_exist(bind: Bind) -> bool:
    """True when both Leadline-maintained tables are in the warehouse."""
    with connection_of(bind) as conn:
        inspector = inspect(conn)
        return all(inspector.has_table(t.name) for t in (lead_facts_table, facts_state_table))


def read_state(bind: Bind) -> FactsState | None:
    """The recorded state, or None when the tables are missing or hold no state row."""
    if not facts_tables_exist(bind):
        return None
    with connection_of(bind) as conn:
        row = conn.execute(select(*facts_state_table.c)).first()
    if row is None:
        return None
    return FactsState(
        facts_version=int(row.facts_version),
        dimensions_digest=str(row.dimensions_digest),
        data_signature=str(row.data_signature),
        high_water=row.high_water,
        refreshed_at=row.refreshed_at,
    )


def known_timezones(bind: Bind) -> tuple[str, ...]:
    """The distinct ``dealers.timezone`` values that are IANA zone names (others count as UTC)."""
    with connection_of(bind) as conn:
        rows = conn.execute(select(dealers.c.timezone).where(dealers.c.timezone.is_not(None)).distinct())
        names = [name for (name,) in rows]
    return tuple(sorted(name for name in names if is_time_zone_name(name)))


def dimensions_digest(bind: Bind, zones: tuple[str, ...]) -> str:
    """A digest of every dealer and campaign row, the usable time zones, the result-code taxonomy
    in force and the facts version, and of the opening hours: the optional tables' rows (when
    present) and ``default_opening_hours``.

    These tables are small (a network has thousands of dealers, not millions), so reading
    them whole is cheap; any change in them changes dimension values (or business-hours
    response times) of many leads.
    """
    hours = settings.get("default_opening_hours")
    hasher = hashlib.sha256(f"v{FACTS_VERSION}|{','.join(zones)}|{hours.intervals}".encode())
    with connection_of(bind) as conn:
        for table in (dealers, campaigns):
            key = table.c[next(iter(table.primary_key.columns)).name]
            for row in conn.execute(select(*table.c).order_by(key)):
                hasher.update(repr(tuple(row)).encode())
        # The result-code taxonomy decides best_result_rank: a new taxonomy rebuilds every row.
        hasher.update(repr(load_result_taxonomy(conn)).encode())
        present = set(inspect(conn).get_table_names()) | set(inspect(conn).get_view_names())
        for table in (dealer_opening_hours, dealer_closed_days):
            if table.name not in present:
                continue
            hasher.update(f"|{table.name}|".encode())
            for row in conn.execute(select(*table.c).order_by(*table.c)):
                hasher.update(repr(tuple(row)).encode())
    return hasher.hexdigest()


def data_signature(bind: Bind) -> dict[str, Any]:
    """Row counts and latest timestamps of leads, activities and outcomes (one scan each)."""
    with connection_of(bind) as conn:
        return _signature(conn)


# One read's leads signature, once it has been read (see ``one_check_per_read``).
_READ_SIGNATURE: ContextVar[list[list[Any]] | None] = ContextVar("leadline_read_signature", default=None)


@contextmanager
def one_check_per_read() -> Iterator[None]:
    """Inside the block (one read: a table and the statements it needs), ``leads_signature`` scans
    ``leads`` once and hands the same answer to the probe, the consent check and the data
    version; the next block reads it again. An outer block's answer stands in a nested one."""
    if _READ_SIGNATURE.get() is not None:
        yield
        return
    token = _READ_SIGNATURE.set([])
    try:
        yield
    finally:
        _READ_SIGNATURE.reset(token)


def leads_signature(bind: Bind) -> list[Any]:
    """Row count, latest created_at and refused count of ``leads``: one cheap scan of one table.

    Readers compare it with the refresh's at every read: a deletion or a refusal changes it
    (docs/privacy.md section 1). Inside ``one_check_per_read`` it is read once per read.
    """
    memo = _READ_SIGNATURE.get()
    if memo:
        return list(memo[0])
    with connection_of(bind) as conn:
        if conn.dialect.name == "duckdb":  # count and maximum from the column statistics, apart
            row = (
                *conn.execute(select(func.count(), func.max(leads.c.created_at))).one(),
                conn.execute(select(func.count()).where(leads.c.consent == false())).scalar_one(),
            )
        else:
            row = conn.execute(
                select(func.count(), func.max(leads.c.created_at), count_where(leads.c.consent == false()))
            ).one()
    signature = [_plain(v) for v in row]
    if memo is not None:
        memo.append(signature)
    return list(signature)


def recorded_leads_signature(state: FactsState) -> list[Any] | None:
    """The ``leads_signature`` the facts were last refreshed with."""
    recorded = json.loads(state.data_signature).get("leads")
    return list(recorded) if isinstance(recorded, list) else None


def _signature(conn: Connection) -> dict[str, Any]:
    activity_row = conn.execute(select(func.count(), func.max(lead_activities.c.occurred_at))).one()
    outcome_row = conn.execute(
        select(func.count(), *(func.max(lead_outcomes.c[name]) for name in OUTCOME_TIMES))
    ).one()
    return {
        "leads": leads_signature(conn),
        "lead_activities": [_plain(v) for v in activity_row],
        "lead_outcomes": [_plain(v) for v in outcome_row],
    }


def signature_text(signature: dict[str, Any]) -> str:
    """The signature as stored: canonical JSON."""
    return json.dumps(signature, sort_keys=True)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else (int(value) if value is not None else None)
