"""Counting the rows of a warehouse that break the contract's rules, with one example each.

``check_data_quality`` runs aggregate queries only (one scan per table for the row rules,
one query per key or reference rule) and returns one row per check: how many rows break
it and the key of one of them. It assumes the tables and columns exist: run it after
``loaders.contract.check.check_contract`` found no errors. Leads whose buyer refused consent, and
their activities and outcome, are left out like everywhere else in Leadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    inspect,
    literal,
    select,
    true,
)
from sqlalchemy.exc import DBAPIError

from common.time_zones import is_time_zone_name
from loaders.contract.check import unavailable_error
from loaders.contract.data_quality_checks import (
    EARLIEST_PLAUSIBLE,
    EARLIEST_PLAUSIBLE_DAY,
    REFERENCES,
    ROW_KEYS,
    enumerated_columns,
    how_treated,
    required_columns,
    time_columns,
)
from loaders.contract.result_codes import (
    UNKNOWN_BY_SOURCE_SCHEMA,
    load_result_taxonomy,
    unknown_result_codes_select,
)
from loaders.contract.tables import (
    OPTIONAL_TABLES,
    TABLES,
    Kind,
    close_reasons,
    consent_not_false,
    dealers,
    lead_outcomes,
    leads,
)
from loaders.warehouse.fetch import fetch_frame, naive_utc
from metrics.taxonomy import DEFAULT_CLOSE_REASONS

QUALITY_SCHEMA: dict[str, pl.DataType] = {
    "check": pl.String(),
    "table": pl.String(),
    "column": pl.String(),
    "count": pl.Int64(),
    "example_key": pl.String(),
    "how_treated": pl.String(),
}


@dataclass(frozen=True)
class _RowRule:
    """A rule one row breaks on its own: counted with SUM(CASE ...) in the table's single scan."""

    check: str
    column: str
    broken: ColumnElement[bool]


def check_data_quality(engine: Engine, as_of: datetime | None = None) -> pl.DataFrame:
    """One row per check: ``check, table, column, count, example_key, how_treated``.

    ``count`` is 0 where the data is clean (``example_key`` then NULL). ``as_of`` is the
    moment after which a timestamp is "in the future" (default: now); a zone-aware value is
    converted to UTC. Raises WarehouseUnavailable when a query fails.
    """
    moment = naive_utc(as_of) if as_of else datetime.now(UTC).replace(tzinfo=None)
    rows: list[dict[str, Any]] = []
    try:
        with engine.connect() as conn:
            present = [name for name in TABLES if name not in OPTIONAL_TABLES or inspect(conn).has_table(name)]
            for name in present:
                rows += _run_row_rules(conn, name, moment)
            for name, keys in ROW_KEYS.items():
                if name not in present:
                    continue
                count, example = conn.execute(_duplicate_select(name, keys)).one()
                rows.append(_row("duplicate_key", name, ", ".join(keys), count, example))
            for child, column, parent, parent_column, check in REFERENCES:
                statement = _dangling_select(child, column, parent, parent_column)
                count, example = conn.execute(statement).one()
                rows.append(_row(check, child, column, count, example))
            rows.append(_row("unknown_time_zone", "dealers", "timezone", *_unknown_time_zones(conn)))
            count, example = conn.execute(_sale_before_lead_select()).one()
            rows.append(_row("sale_before_lead", "lead_outcomes", "sold_at", count, example))
            count, example = conn.execute(_unknown_close_reason_select(conn)).one()
            rows.append(_row("unknown_close_reason", "lead_outcomes", "close_reason_code", count, example))
            by_source = fetch_frame(
                conn, unknown_result_codes_select(load_result_taxonomy(conn)), UNKNOWN_BY_SOURCE_SCHEMA
            )
            example = None if by_source.is_empty() else f"{by_source['example_code'][0]} ({by_source['source'][0]})"
            rows.append(
                _row("unknown_result_code", "lead_activities", "result_code", by_source["unknown_codes"].sum(), example)
            )
    except DBAPIError as exc:
        raise unavailable_error(engine, exc) from None
    return pl.DataFrame(rows, schema=QUALITY_SCHEMA, orient="row")


def quality_problems(report: pl.DataFrame) -> pl.DataFrame:
    """The checks of ``report`` that found at least one row."""
    return report.filter(pl.col("count") > 0)


def _row(check: str, table: str, column: str, count: Any, example: Any) -> dict[str, Any]:
    return {
        "check": check,
        "table": table,
        "column": column,
        "count": int(count or 0),
        "example_key": None if example is None else str(example),
        "how_treated": how_treated(check, table, column),
    }


def _run_row_rules(conn: Connection, name: str, as_of: datetime) -> list[dict[str, Any]]:
    rules = _row_rules(name, as_of)
    table = TABLES[name]
    key = _row_key(table)
    columns = []
    for i, rule in enumerate(rules):
        columns.append(func.sum(case((rule.broken, 1), else_=0)).label(f"count_{i}"))
        columns.append(func.min(case((rule.broken, key))).label(f"example_{i}"))
    result = conn.execute(select(*columns).select_from(table).where(_not_refused(table))).one()
    return [_row(r.check, name, r.column, result[2 * i], result[2 * i + 1]) for i, r in enumerate(rules)]


def _row_rules(name: str, as_of: datetime) -> list[_RowRule]:
    c = TABLES[name].c
    rules = [_RowRule("null_required", column, c[column].is_(None)) for column in required_columns(name)]
    for column, kind in time_columns(name):
        future: datetime | date = as_of if kind is Kind.TIMESTAMP else as_of.date()
        earliest: datetime | date = EARLIEST_PLAUSIBLE if kind is Kind.TIMESTAMP else EARLIEST_PLAUSIBLE_DAY
        rules.append(_RowRule("in_the_future", column, c[column] > future))
        rules.append(_RowRule("before_2000", column, c[column] < earliest))
    if name == "campaign_spend":
        rules.append(_RowRule("negative_spend", "amount", c.amount < 0))
    for column, allowed in enumerated_columns(name):
        rules.append(
            _RowRule("unknown_value", column, and_(c[column].is_not(None), c[column].not_in(allowed)))
        )
    return rules


def _duplicate_select(name: str, keys: tuple[str, ...]) -> Select[int, Any]:
    """How many key values occur more than once, and one of them."""
    table = TABLES[name]
    key_columns = [table.c[k] for k in keys]
    repeated = (
        select(*key_columns)
        .where(_not_refused(table), *(col.is_not(None) for col in key_columns))
        .group_by(*key_columns)
        .having(func.count() > 1)
        .subquery("repeated")
    )
    return select(func.count(), func.min(_example_key(list(repeated.c))))


def _dangling_select(child: str, column: str, parent: str, parent_column: str) -> Select[int, Any]:
    """Rows of ``child`` whose ``column`` names no row of ``parent``, and the key of one of them."""
    child_table, parent_table = TABLES[child], TABLES[parent]
    found = child_table.outerjoin(parent_table, child_table.c[column] == parent_table.c[parent_column])
    return (
        select(func.count(), func.min(_row_key(child_table)))
        .select_from(found)
        .where(
            child_table.c[column].is_not(None),
            parent_table.c[parent_column].is_(None),
            _not_refused(child_table),
        )
    )


def _unknown_time_zones(conn: Connection) -> tuple[int, str | None]:
    """Dealers whose time zone is NULL or not an IANA name, and the smallest such dealer_id.

    The warehouse groups the dealers by time zone (a handful of rows leave it); which names are
    IANA zones is decided here, by the same test the facts use to read a zone as UTC.
    """
    zone = dealers.c.timezone
    by_zone = conn.execute(select(zone, func.count(), func.min(dealers.c.dealer_id)).group_by(zone))
    unknown = [(count, example) for name, count, example in by_zone if not is_time_zone_name(name)]
    examples = [example for _, example in unknown if example is not None]
    return sum(count for count, _ in unknown), min(examples, default=None)


def _sale_before_lead_select() -> Select[int, Any]:
    """Outcomes whose sale is dated before their lead's creation (placeholder dates before 2000
    left to ``before_2000``), and the key of one of them."""
    found = lead_outcomes.join(leads, leads.c.lead_id == lead_outcomes.c.lead_id)
    return (
        select(func.count(), func.min(_row_key(lead_outcomes)))
        .select_from(found)
        .where(
            lead_outcomes.c.sold_at < leads.c.created_at,
            lead_outcomes.c.sold_at >= EARLIEST_PLAUSIBLE,  # a placeholder is before_2000's finding
            _not_refused(lead_outcomes),
        )
    )


def _unknown_close_reason_select(conn: Connection) -> Select[int, Any]:
    """Outcomes whose close-reason code is in neither the warehouse's taxonomy nor, if it is empty, the default."""
    code = lead_outcomes.c.close_reason_code
    warehouse_has_taxonomy = conn.execute(select(literal(1)).select_from(close_reasons).limit(1)).first()
    query = select(func.count(), func.min(_row_key(lead_outcomes)))
    if warehouse_has_taxonomy:
        found = lead_outcomes.outerjoin(close_reasons, close_reasons.c.code == code)
        return query.select_from(found).where(
            code.is_not(None), close_reasons.c.code.is_(None), _not_refused(lead_outcomes)
        )
    default_codes = [reason.code for reason in DEFAULT_CLOSE_REASONS]
    return query.select_from(lead_outcomes).where(
        code.is_not(None), code.not_in(default_codes), _not_refused(lead_outcomes)
    )


def _example_key(columns: list[ColumnElement[Any]]) -> ColumnElement[Any]:
    """A row's key as one text: ``c1`` or, for a composite key, ``c1 / 2024-03-01``."""
    parts = [col if isinstance(col.type, Text) else cast(col, String) for col in columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + literal(" / ") + part
    return key


def _row_key(table: Table) -> ColumnElement[Any]:
    return _example_key([table.c[k] for k in ROW_KEYS[table.name]])


def _not_refused(table: Table) -> ColumnElement[bool]:
    """Rows that are not about a lead whose buyer refused consent (those are never read)."""
    if table is leads:
        return consent_not_false()
    if "lead_id" in table.c and table.name in ("lead_activities", "lead_outcomes"):
        # An alias, so that the subquery does not correlate with ``leads`` in the outer query.
        refusing = leads.alias("refusing_leads")
        return ~exists().where(refusing.c.lead_id == table.c.lead_id, refusing.c.consent == false())
    return true()
