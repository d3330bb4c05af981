"""Keeping ``leadline_lead_facts`` current: a full build, or an incremental refresh of touched leads.

Incremental: the leads touched since (the previous refresh's high-water mark minus
``margin``) are recomputed, together with the other leads of their buyers (the double-lead
flag depends on a buyer's previous lead); everything else is left alone. One new day of data
costs a scan of the recent rows, not a rebuild.

A full build happens when asked, when there are no facts yet, when the facts definition or
the dealers, campaigns or time zones changed, and when the rows older than the margin no
longer match the leads (leads deleted, back-filled or consent withdrawn: changes that leave
no timestamp behind, caught by comparing counts).

Whatever the mode, every refresh purges the rows of leads that were deleted or whose buyer
withdrew consent (an anti-join on ``lead_id``, so an erasure that leaves every count and
timestamp unchanged is purged too), and recomputes their buyers' other leads.

On Spark SQL (Parquet tables: no DELETE, no transactions) every refresh that finds new data
rebuilds the table: the state row is dropped first, so that readers compute on the fly while
the facts are being written, and written again last (docs/distributed.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from time import perf_counter
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select, text

from loaders.contract.tables import consent_not_false, leads
from loaders.facts.build import (
    TABLE_COLUMNS,
    buyers_of_withdrawn_leads,
    facts_rows_select,
    recomputed_leads,
    still_consenting,
    touched_lead_ids,
)
from loaders.facts.opening import probe_opening
from loaders.facts.result_taxonomy import load_result_taxonomy, using_result_taxonomy
from loaders.facts.state import (
    FactsState,
    data_signature,
    dimensions_digest,
    known_timezones,
    read_state,
    signature_text,
)
from loaders.facts.table import (
    FACTS_VERSION,
    facts_metadata,
    facts_state_table,
    lead_facts_table,
    refresh_ids_table,
)
from loaders.warehouse.spark_sql import can_delete_rows
from loaders.warehouse.sql_aggregates import count_where

# Events may land in the warehouse up to this long after their timestamp and still be seen
# by the next incremental refresh. Older late arrivals need `leadline refresh --full`.
CATCH_UP_MARGIN = timedelta(hours=24)
# psycopg drops the row count of INSERT ... SELECT unless SQLAlchemy is asked to keep it.
_COUNTED: dict[str, Any] = {"preserve_rowcount": True}


@dataclass(frozen=True)
class RefreshSummary:
    """What a refresh did."""

    mode: str  # "full", "incremental" or "current" (nothing had changed)
    reason: str
    rows_written: int
    facts_rows: int
    seconds: float

    def describe(self) -> str:
        """One line for people."""
        return (
            f"Lead facts {self.mode} ({self.reason}): {self.rows_written:,} rows written, "
            f"{self.facts_rows:,} leads in the facts, in {self.seconds:.1f} s."
        )


def refresh_lead_facts(
    engine: Engine, *, full: bool = False, margin: timedelta = CATCH_UP_MARGIN, now: datetime | None = None
) -> RefreshSummary:
    """Bring ``leadline_lead_facts`` up to date with the contract tables, in one transaction.

    Creates the Leadline tables when missing. ``now`` (naive UTC) caps the high-water mark,
    so that a lead timestamped in the future cannot hide later changes.
    """
    started = perf_counter()
    now = now or datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        state = read_state(conn)
        zones = known_timezones(conn)
        digest = dimensions_digest(conn, zones)
        signature = data_signature(conn)
        newest = signature["leads"][1]
        high_water = min(datetime.fromisoformat(newest), now) if newest else now
        reason = _full_build_reason(conn, state, digest, margin, full)
        patchable = can_delete_rows(conn.dialect)
        unchanged = state is not None and state.data_signature == signature_text(signature)
        if reason is None and unchanged and not _withdrawn_rows(conn):
            mode, reason, written = "current", "no new data", 0
        elif reason is not None or not patchable:
            reason = (
                reason
                or "new data or withdrawn consent; Spark tables cannot delete rows, so they are rebuilt"
            )
            with using_result_taxonomy(load_result_taxonomy(conn)):
                mode, written = "full", _rebuild(conn, zones)
        else:
            assert state is not None  # _full_build_reason returns a reason when there is no state
            mode, reason = "incremental", f"leads touched since {state.high_water - margin}"
            with using_result_taxonomy(load_result_taxonomy(conn)):
                written = _catch_up(conn, zones, state.high_water - margin)
        _write_state(
            conn,
            FactsState(FACTS_VERSION, digest, signature_text(signature), high_water, now),
        )
        if written and conn.dialect.name == "postgresql":
            # Fresh statistics, or the planner guesses a few thousand rows and picks an index
            # scan and a disk sort for a year of leads (twice as slow at 1M leads).
            conn.execute(text("ANALYZE leadline_lead_facts"))
        total = int(conn.execute(select(func.count()).select_from(lead_facts_table)).scalar_one())
    return RefreshSummary(mode, reason, written, total, perf_counter() - started)


def _full_build_reason(
    conn: Connection, state: FactsState | None, digest: str, margin: timedelta, full: bool
) -> str | None:
    """Why every row must be rebuilt, or None when an incremental refresh is exact."""
    if full:
        return "asked for"
    if state is None:
        return "no facts yet"
    if state.facts_version != FACTS_VERSION:
        return f"facts definition changed (v{state.facts_version} -> v{FACTS_VERSION})"
    if state.dimensions_digest != digest:
        return "dealers, campaigns or time zones changed"
    since = state.high_water - margin
    consenting = conn.execute(
        select(count_where(leads.c.created_at < since)).where(consent_not_false())
    ).scalar_one()
    materialised = conn.execute(
        select(count_where(lead_facts_table.c.created_at < since)).select_from(lead_facts_table)
    ).scalar_one()
    if int(consenting) != int(materialised):
        return f"leads created before {since} were deleted, back-filled or withdrew consent"
    return None


def _withdrawn_rows(conn: Connection) -> int:
    """Facts rows whose lead was deleted or refused consent since they were written."""
    query = select(func.count()).select_from(lead_facts_table).where(~still_consenting())
    return int(conn.execute(query).scalar_one())


def _rebuild(conn: Connection, zones: tuple[str, ...]) -> int:
    """Drop and rebuild the facts of every lead, in created_at order (so that periods prune)."""
    if not can_delete_rows(conn.dialect):
        # No transaction to hide the rebuild: without a state row readers compute on the fly.
        facts_metadata.drop_all(conn, tables=[facts_state_table], checkfirst=True)
    facts_metadata.drop_all(conn, tables=[lead_facts_table], checkfirst=True)
    facts_metadata.create_all(conn, tables=[lead_facts_table, facts_state_table], checkfirst=True)
    rows = facts_rows_select([], zones, probe_opening(conn, zones)).subquery("all_facts")
    ordered = select(*(rows.c[name] for name in TABLE_COLUMNS)).order_by(rows.c.created_at, rows.c.lead_id)
    result = conn.execute(
        lead_facts_table.insert().from_select(list(TABLE_COLUMNS), ordered), execution_options=_COUNTED
    )
    if result.rowcount is None or result.rowcount < 0:  # Spark reports no row count
        return int(conn.execute(select(func.count()).select_from(lead_facts_table)).scalar_one())
    return int(result.rowcount)


def _catch_up(conn: Connection, zones: tuple[str, ...], since: datetime) -> int:
    """Recompute the facts of the leads touched at or after ``since`` and of their buyers' other leads.

    Which leads those are is worked out once, into ``leadline_refresh_ids``: deleting and
    recomputing then join that short list instead of each scanning every table for "touched
    since" (at 10M leads one new day took 11 s that way, about half of it finding the leads).
    """
    ids = refresh_ids_table
    facts_metadata.create_all(conn, tables=[ids], checkfirst=True)
    conn.execute(ids.delete())
    recompute = or_(
        recomputed_leads(touched_lead_ids(since)), leads.c.customer_key.in_(buyers_of_withdrawn_leads())
    )
    conn.execute(ids.insert().from_select(["lead_id"], select(leads.c.lead_id).where(recompute)))
    listed = select(ids.c.lead_id)
    conn.execute(
        lead_facts_table.delete().where(
            (lead_facts_table.c.created_at >= since)
            | lead_facts_table.c.lead_id.in_(listed)
            | ~still_consenting()  # erased or refused: purged (GDPR)
        )
    )
    rows = facts_rows_select([leads.c.lead_id.in_(listed)], zones, probe_opening(conn, zones))
    result = conn.execute(
        lead_facts_table.insert().from_select(list(TABLE_COLUMNS), rows), execution_options=_COUNTED
    )
    facts_metadata.drop_all(conn, tables=[ids], checkfirst=True)
    return int(result.rowcount)


def _write_state(conn: Connection, state: FactsState) -> None:
    """Replace the state row (inside the caller's transaction)."""
    if can_delete_rows(conn.dialect):
        conn.execute(facts_state_table.delete())
    else:
        facts_metadata.drop_all(conn, tables=[facts_state_table], checkfirst=True)
        facts_metadata.create_all(conn, tables=[facts_state_table])
    conn.execute(
        facts_state_table.insert().values(
            facts_version=state.facts_version,
            dimensions_digest=state.dimensions_digest,
            data_signature=state.data_signature,
            high_water=state.high_water,
            refreshed_at=state.refreshed_at,
        )
    )
