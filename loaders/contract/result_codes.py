"""The result-code taxonomy a warehouse has, and the result codes it uses that are in no taxonomy.

The taxonomy is the warehouse's optional ``result_codes`` table, or the shipped default
(metrics/result_codes.py) when that table is absent or empty. ``leadline check`` and the Data
quality page list, per lead source, the activities whose code is in neither, with an example code
to map (docs/import.md, value maps).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, Select, and_, case, func, inspect, select

from loaders.contract.tables import consent_not_false, lead_activities, leads, result_codes
from loaders.warehouse.fetch import Bind, fetch_frame
from loaders.warehouse.sql_aggregates import count_where
from metrics.result_codes import DEFAULT_TAXONOMY, Taxonomy, default_result_codes_frame, taxonomy_pairs

UNKNOWN_BY_SOURCE_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "activities": pl.Int64(),
    "unknown_codes": pl.Int64(),
    "example_code": pl.String(),
}


def load_result_taxonomy(bind: Bind) -> Taxonomy:
    """The warehouse's ``result_codes`` as (code, category) pairs, or the default when absent or empty."""
    statement = select(result_codes.c.code, result_codes.c.category).order_by(result_codes.c.code)
    if isinstance(bind, Connection):
        return _read(bind, statement)
    with bind.connect() as conn:
        return _read(conn, statement)


def _read(conn: Connection, statement: Select[Any]) -> Taxonomy:
    if not inspect(conn).has_table(result_codes.name):
        return DEFAULT_TAXONOMY
    pairs = taxonomy_pairs((code, category) for code, category in conn.execute(statement).all())
    return pairs or DEFAULT_TAXONOMY


def unknown_result_codes_select(taxonomy: Taxonomy) -> Select[Any]:
    """Per lead source: coded activities, those whose trimmed code is not in ``taxonomy``, and the
    smallest such code as an example. Only sources with at least one unknown code; leads whose
    buyer refused consent are left out."""
    code = func.trim(lead_activities.c.result_code)
    coded = and_(lead_activities.c.result_code.is_not(None), code != "")
    unknown = and_(coded, code.not_in([c for c, _ in taxonomy]))
    return (
        select(
            leads.c.source,
            count_where(coded).label("activities"),
            count_where(unknown).label("unknown_codes"),
            func.min(case((unknown, code))).label("example_code"),
        )
        .select_from(lead_activities.join(leads, leads.c.lead_id == lead_activities.c.lead_id))
        .where(consent_not_false())
        .group_by(leads.c.source)
        .having(count_where(unknown) > 0)
        .order_by(leads.c.source)
    )


def unknown_result_codes_by_source(engine: Engine) -> pl.DataFrame:
    """Run ``unknown_result_codes_select`` with the taxonomy in force: source, activities (coded),
    unknown_codes, example_code."""
    with engine.connect() as conn:
        taxonomy = load_result_taxonomy(conn)
        return fetch_frame(conn, unknown_result_codes_select(taxonomy), UNKNOWN_BY_SOURCE_SCHEMA)


TAXONOMY_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "category": pl.String(),
    "label": pl.String(),
    "from_warehouse": pl.Boolean(),
}


def result_taxonomy_frame(engine: Engine) -> pl.DataFrame:
    """The taxonomy in force, as Definitions lists it: code, category, label, from_warehouse
    (False: the shipped default, because the warehouse's table is absent or empty)."""
    with engine.connect() as conn:
        if inspect(conn).has_table(result_codes.name):
            statement = select(result_codes.c.code, result_codes.c.category, result_codes.c.label)
            rows = conn.execute(statement.order_by(result_codes.c.code)).all()
            if rows:
                # The same trimming and category rules as the metrics (metrics.result_codes.taxonomy_pairs).
                in_force = dict(taxonomy_pairs((code, category) for code, category, _ in rows))
                labels = {(code or "").strip(" "): label for code, _, label in reversed(rows)}
                return pl.DataFrame(
                    [(code, category, labels.get(code), True) for code, category in in_force.items()],
                    schema=TAXONOMY_SCHEMA,
                    orient="row",
                )
    default = default_result_codes_frame().with_columns(pl.lit(False).alias("from_warehouse"))
    return default.select(pl.col(name).cast(dtype) for name, dtype in TAXONOMY_SCHEMA.items())
