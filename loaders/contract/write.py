"""Writing contract tables: used by the demo generator, the importer and the tests.

Writes are all-or-nothing: every table is written in one transaction, so a failure
leaves the warehouse exactly as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine

from loaders.contract.tables import (
    CONTRACT,
    HOURS_TABLES,
    OPTIONAL_CONTRACT,
    TABLES,
    Kind,
    metadata,
    optional_metadata,
)

_POLARS_TYPES: dict[Kind, pl.DataType] = {
    Kind.TEXT: pl.String(),
    Kind.TIMESTAMP: pl.Datetime("us"),
    Kind.DATE: pl.Date(),
    Kind.NUMERIC: pl.Float64(),
    Kind.BOOLEAN: pl.Boolean(),
    Kind.INTEGER: pl.Int32(),
}
_ALL_SPECS = {**CONTRACT, **OPTIONAL_CONTRACT}
_ALL_TABLES = {**TABLES, **HOURS_TABLES}
_CHUNK_ROWS = 50_000


def create_contract_tables(engine: Engine, optional: tuple[str, ...] = ()) -> None:
    """Create every contract table, and the ``optional`` ones named, that do not exist yet
    (existing ones are left alone)."""
    metadata.create_all(engine)
    if optional:
        optional_metadata.create_all(engine, tables=[HOURS_TABLES[name] for name in optional])


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with exactly the contract columns of ``table``, in order and cast to their kinds.

    Columns the contract has and the frame lacks are filled with NULL. A frame without
    columns has no rows to give, so it conforms to an empty table (not to one NULL row).
    """
    if frame.width == 0:
        return pl.DataFrame(schema={spec.name: _POLARS_TYPES[spec.kind] for spec in _ALL_SPECS[table]})
    columns = []
    for spec in _ALL_SPECS[table]:
        dtype = _POLARS_TYPES[spec.kind]
        if spec.name in frame.columns:
            columns.append(pl.col(spec.name).cast(dtype))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(spec.name))
    return frame.select(columns)


def write_tables(engine: Engine, frames: Mapping[str, pl.DataFrame], *, replace: bool = False) -> None:
    """Insert ``frames`` (table name -> rows) into the contract tables in one transaction.

    With ``replace`` the tables named are emptied first. On DuckDB, frames are handed over
    through Arrow; elsewhere they are inserted in chunks of bound parameters.
    """
    create_contract_tables(engine, tuple(name for name in frames if name in HOURS_TABLES))
    with engine.begin() as conn:
        for name in _insert_order(frames):
            frame = conform(name, frames[name])
            if replace:
                conn.execute(_ALL_TABLES[name].delete())
            _insert(conn, name, frame)


def _insert_order(frames: Mapping[str, pl.DataFrame]) -> list[str]:
    ordered = [*metadata.sorted_tables, *optional_metadata.sorted_tables]
    return [t.name for t in ordered if t.name in frames]


def _insert(conn: Connection, name: str, frame: pl.DataFrame) -> None:
    if frame.is_empty():
        return
    if conn.dialect.name == "duckdb":
        raw: Any = conn.connection.driver_connection
        view = f"_leadline_incoming_{name}"
        raw.register(view, frame.to_arrow())
        try:
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            # Names come from the contract, never from input.
            raw.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM {view}')  # noqa: S608
        finally:
            raw.unregister(view)
        return
    table = _ALL_TABLES[name]
    for offset in range(0, frame.height, _CHUNK_ROWS):
        conn.execute(table.insert(), frame.slice(offset, _CHUNK_ROWS).to_dicts())


def insert_frames(conn: Connection, frames: Mapping[str, pl.DataFrame]) -> None:
    """Insert ``frames`` into the contract tables inside the caller's transaction (no replace, no commit).

    For writers that must do more in the same transaction, such as the importer, which deletes
    the rows an import replaces before inserting them again.
    """
    for name in _insert_order(frames):
        _insert(conn, name, conform(name, frames[name]))
