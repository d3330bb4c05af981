"""The import log: which imports ran, what they wrote, and which columns hold stated defaults.

``leadline_import_log`` is not part of the read contract; it lets the dashboard say
"created_at is defaulted to 2020-01-01 in 9,237 rows" so nobody mistakes a constant for data.
Each import writes one row per table it wrote (``column_name`` NULL, ``rows`` = rows written)
and one row per defaulted column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import polars as pl
from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Column,
    Connection,
    Engine,
    MetaData,
    Table,
    Text,
    inspect,
    select,
)

from loaders.imports.transform import DefaultedColumn

log_metadata = MetaData()
import_log = Table(
    "leadline_import_log",
    log_metadata,
    Column("import_id", Text, nullable=False),
    Column("imported_at", TIMESTAMP, nullable=False),
    Column("mapping_name", Text, nullable=False),
    Column("table_name", Text, nullable=False),
    Column("column_name", Text, nullable=True),
    Column("default_value", Text, nullable=True),
    Column("rows", BigInteger, nullable=False),
)
DEFAULTED_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "mapping_name": pl.String,
    "table_name": pl.String,
    "column_name": pl.String,
    "default_value": pl.String,
    "rows": pl.Int64,
    "imported_at": pl.Datetime("us"),
}

_LOG_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "import_id": pl.String,
    "imported_at": pl.Datetime("us"),
    "mapping_name": pl.String,
    "table_name": pl.String,
    "column_name": pl.String,
    "default_value": pl.String,
    "rows": pl.Int64,
}


def record_import(
    conn: Connection,
    *,
    import_id: str,
    imported_at: datetime,
    mapping_name: str,
    written: Mapping[str, int],
    defaulted: Sequence[DefaultedColumn],
) -> None:
    """Log an import inside the caller's transaction (so it is logged only if it is written)."""
    import_log.create(conn, checkfirst=True)
    common = {"import_id": import_id, "imported_at": imported_at, "mapping_name": mapping_name}
    rows = [
        {**common, "table_name": t, "column_name": None, "default_value": None, "rows": n}
        for t, n in written.items()
    ]
    rows += [
        {
            **common,
            "table_name": d.table,
            "column_name": d.column,
            "default_value": d.default_value,
            "rows": d.rows,
        }
        for d in defaulted
    ]
    if rows:
        conn.execute(import_log.insert(), rows)


def defaulted_columns(engine: Engine) -> pl.DataFrame:
    """Columns whose values are stated defaults, from the latest import of each table per mapping.

    Columns: mapping_name, table_name, column_name, default_value, rows, imported_at. Empty when
    nothing was imported (or the warehouse was not filled by ``leadline import``).
    """
    if not inspect(engine).has_table(import_log.name):
        return pl.DataFrame(schema=DEFAULTED_SCHEMA)
    log = import_log.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                log.import_id,
                log.imported_at,
                log.mapping_name,
                log.table_name,
                log.column_name,
                log.default_value,
                log.rows,
            )
        ).all()
    frame = pl.DataFrame(rows, schema=_LOG_SCHEMA, orient="row")
    latest = frame.sort("imported_at").group_by("mapping_name", "table_name").agg(pl.col("import_id").last())
    return (
        frame.join(latest, on=["mapping_name", "table_name", "import_id"])
        .filter(pl.col("column_name").is_not_null())
        .select(list(DEFAULTED_SCHEMA))
        .sort("mapping_name", "table_name", "column_name")
    )
