"""Checks across rows and tables before anything is written.

Duplicate keys, rows that point at leads, dealers, campaigns or close reasons that exist
neither in the import nor in the warehouse, negative spend and timestamps in the future.
Each problem names the file, row and source column, as the transform's cell problems do.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import Engine, inspect, select

from loaders.contract.tables import ALL_SPECS, CONTRACT, TABLES, Kind
from loaders.imports.mapping import TableRule
from loaders.imports.problems import ProblemLog
from loaders.imports.readers import ROW
from loaders.imports.transform import source_label
from metrics.taxonomy import DEFAULT_CLOSE_REASONS

# What makes a row the same row again: a re-run replaces rows with these keys.
IMPORT_KEYS: dict[str, tuple[str, ...]] = {
    table: tuple(c.name for c in specs if c.primary_key) for table, specs in CONTRACT.items()
} | {
    "campaign_spend": ("campaign_id", "spend_date"),
    # A dealer's weekly hours come whole: a re-run replaces every row of the dealers it brings.
    "dealer_opening_hours": ("dealer_id",),
    "dealer_closed_days": ("dealer_id", "market", "closed_on"),  # dealer_id or market is NULL
}
# Keys that may repeat within one import: a dealer has many opening-hours rows.
REPEATING_KEYS = frozenset({"dealer_opening_hours"})

# (child table, column) -> (parent table, column): rows must point at something that exists.
REFERENCES: tuple[tuple[str, str, str, str], ...] = (
    ("leads", "dealer_id", "dealers", "dealer_id"),
    ("leads", "campaign_id", "campaigns", "campaign_id"),
    ("campaign_spend", "campaign_id", "campaigns", "campaign_id"),
    ("lead_activities", "lead_id", "leads", "lead_id"),
    ("lead_outcomes", "lead_id", "leads", "lead_id"),
    ("lead_outcomes", "close_reason_code", "close_reasons", "code"),
    ("dealer_opening_hours", "dealer_id", "dealers", "dealer_id"),
    ("dealer_closed_days", "dealer_id", "dealers", "dealer_id"),
)
FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks of CRM servers drift a little
_LOOKUP_CHUNK = 5_000


def check_tables(
    built: Mapping[str, pl.DataFrame],
    rules: Mapping[str, TableRule],
    labels: Mapping[str, str],
    log: ProblemLog,
    *,
    engine: Engine | None = None,
    now: datetime | None = None,
    unbuilt: frozenset[str] = frozenset(),
) -> None:
    """Log every cross-row problem of the built tables (each frame still has ``__row``).

    ``unbuilt``: tables the mapping maps but that could not be built (a missing file or column,
    already reported). Rows pointing at them are not reported again: the root cause is shown once,
    not followed by a line per row advising to import rows the mapping does import.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    for table, frame in built.items():
        rule, label = rules[table], labels[table]
        _check_duplicates(table, frame, rule, label, log)
        _check_future(table, frame, rule, label, log, now)
        if table == "lead_outcomes" and "leads" in built:
            _check_sale_before_lead(frame, built["leads"], rule, label, log)
        if table in ("dealer_opening_hours", "dealer_closed_days"):
            _check_hours(table, frame, rule, label, log)
        if table == "campaign_spend":
            _log(
                log,
                label,
                rule,
                table,
                "amount",
                frame.filter(pl.col("amount") < 0),
                "amount",
                "Spend is negative.",
                "Spend must be 0 or more; refunds belong in the ad platform's totals.",
            )
    for child, column, parent, parent_column in REFERENCES:
        if parent in unbuilt:
            continue
        if child in built and column in built[child].columns:
            _check_reference(
                built, child, column, parent, parent_column, rules[child], labels[child], log, engine
            )


def _log(
    log: ProblemLog,
    label: str,
    rule: TableRule,
    table: str,
    column: str,
    rows: pl.DataFrame,
    value_column: str,
    message: str,
    hint: str,
) -> None:
    if rows.is_empty():
        return
    value = pl.col(value_column)
    if isinstance(rows.schema[value_column], pl.Datetime):
        value = value.dt.strftime("%Y-%m-%d %H:%M:%S UTC")
    shown = rows.select(ROW, value.cast(pl.String).alias("__value"))
    column_rule = rule.columns.get(column)
    source = source_label(column_rule) if column_rule else column
    log.add_rows(label, shown, message, hint, column=f"{source} -> {table}.{column}")


def _check_duplicates(table: str, frame: pl.DataFrame, rule: TableRule, label: str, log: ProblemLog) -> None:
    keys = [k for k in IMPORT_KEYS[table] if k in frame.columns]
    if not keys or frame.is_empty() or table in REPEATING_KEYS:
        return
    with_first = frame.with_columns(pl.col(ROW).min().over(keys).alias("__first"))
    repeats = with_first.filter(
        (pl.col(ROW) != pl.col("__first")) & pl.all_horizontal(pl.col(k).is_not_null() for k in keys)
    )
    for first_row, rows in repeats.group_by("__first", maintain_order=True):
        _log(
            log,
            label,
            rule,
            table,
            keys[0],
            rows,
            keys[0],
            f"Duplicate key: row {first_row[0]} has the same {' + '.join(keys)}.",
            "Each key may appear once per import: remove the repeated row, or make the key unique "
            "(e.g. a template that adds another column).",
        )


def _check_future(
    table: str, frame: pl.DataFrame, rule: TableRule, label: str, log: ProblemLog, now: datetime
) -> None:
    for spec in ALL_SPECS[table]:
        if spec.kind is Kind.TIMESTAMP and spec.name in frame.columns:
            late = frame.filter(pl.col(spec.name) > now + FUTURE_TOLERANCE)
            _log(
                log,
                label,
                rule,
                table,
                spec.name,
                late,
                spec.name,
                f"The time is in the future (now is {now:%Y-%m-%d %H:%M} UTC).",
                "Check the time zone of the export (timezone = '...') and whether day and month are swapped "
                "in the format.",
            )


# (table, column, rows that break the rule, what the rule is): the ranges `leadline check` applies too.
def _hours_rules(table: str, frame: pl.DataFrame) -> list[tuple[str, pl.Expr, str]]:
    if table == "dealer_closed_days":
        no_one = pl.col("dealer_id").is_null() & pl.col("market").is_null()
        return [("dealer_id", no_one, "The closed day names neither a dealer_id nor a market.")]
    rules = [
        ("weekday", ~pl.col("weekday").is_between(1, 7), "The weekday is not 1 (Monday) to 7 (Sunday)."),
        ("opens_min", ~pl.col("opens_min").is_between(0, 1439), "The opening time is not 00:00 to 23:59."),
    ]
    if "closes_min" in frame.columns:
        late = (pl.col("closes_min") <= pl.col("opens_min")) | (pl.col("closes_min") > 1440)
        rules.append(("closes_min", late, "The closing time is not after the opening time (at most 24:00)."))
    return [(column, broken, message) for column, broken, message in rules if column in frame.columns]


def _check_hours(table: str, frame: pl.DataFrame, rule: TableRule, label: str, log: ProblemLog) -> None:
    """Opening hours within a day, and closed days that name whom they close."""
    for column, broken, message in _hours_rules(table, frame):
        value = "market" if column == "dealer_id" and table == "dealer_closed_days" else column
        _log(
            log,
            label,
            rule,
            table,
            column,
            frame.filter(broken.fill_null(False)),
            value,
            message,
            "Minutes count from local midnight (08:30 is 510; a time such as 08:30 is read as that); weekdays "
            "run 1 = Monday to 7 = Sunday; a closed day needs a dealer_id, or a market for a holiday.",
        )


# A sale (or close) recorded this long before its lead was created is a data error, not clock drift.
SALE_BEFORE_LEAD_TOLERANCE = timedelta(minutes=5)


def _check_sale_before_lead(
    outcomes: pl.DataFrame, leads: pl.DataFrame, rule: TableRule, label: str, log: ProblemLog
) -> None:
    """A sale dated before its lead was created: the dates are swapped, or the sale belongs to
    another lead (docs/data-quality.md, "sale before lead")."""
    if "sold_at" not in outcomes.columns or "created_at" not in leads.columns:
        return
    created = leads.select("lead_id", pl.col("created_at").alias("__created_at")).unique("lead_id")
    early = outcomes.join(created, on="lead_id", how="inner").filter(
        pl.col("sold_at") < pl.col("__created_at") - SALE_BEFORE_LEAD_TOLERANCE
    )
    _log(
        log,
        label,
        rule,
        "lead_outcomes",
        "sold_at",
        early,
        "sold_at",
        "The sale is dated before its lead was created.",
        "Check that sold_at and the lead's created_at are read in the right format and time zone "
        "(day and month swapped?), and that the sale belongs to this lead.",
    )


def _check_reference(
    built: Mapping[str, pl.DataFrame],
    child: str,
    column: str,
    parent: str,
    parent_column: str,
    rule: TableRule,
    label: str,
    log: ProblemLog,
    engine: Engine | None,
) -> None:
    values = built[child].get_column(column).drop_nulls().unique()
    known: set[str] = set()
    if parent in built:
        known.update(built[parent].get_column(parent_column).drop_nulls().to_list())
    if parent == "close_reasons":
        known.update(r.code for r in DEFAULT_CLOSE_REASONS)
    missing = [v for v in values.to_list() if v not in known]
    if missing and engine is not None:
        known.update(existing_values(engine, parent, parent_column, missing))
    unknown = built[child].filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(list(known)))
    _log(
        log,
        label,
        rule,
        child,
        column,
        unknown,
        column,
        f"No {parent} row has this {parent_column}, in this import or in the warehouse.",
        f"Import the {parent} rows too (map [tables.{parent}]), or fix the value.",
    )


def existing_values(engine: Engine, table: str, column: str, values: list[str]) -> set[str]:
    """Which of ``values`` the warehouse's ``table.column`` already holds (none if the table is absent)."""
    if not inspect(engine).has_table(table):
        return set()
    col = TABLES[table].c[column]
    found: set[str] = set()
    with engine.connect() as conn:
        for offset in range(0, len(values), _LOOKUP_CHUNK):
            chunk = values[offset : offset + _LOOKUP_CHUNK]
            found.update(conn.execute(select(col).where(col.in_(chunk)).distinct()).scalars())
    return found
