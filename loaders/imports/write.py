"""Writing a checked import plan: all or nothing, and a re-run replaces instead of duplicating.

In one transaction: create missing tables, delete the rows whose keys the import brings
again, insert the import's rows, and log the import. Any failure rolls all of it back, so
the warehouse is exactly as before. On DuckDB the inserts go through the same connection
(Arrow hand-over), so they belong to the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import polars as pl
from sqlalchemy import Connection, Engine, and_, exists, or_, tuple_
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.exc import SQLAlchemyError

from common.errors import WarehouseUnavailable
from loaders.contract.tables import ALL_TABLES, HOURS_TABLES, metadata, optional_metadata
from loaders.contract.write import insert_frames
from loaders.imports.log import record_import
from loaders.imports.plan import ImportPlan
from loaders.imports.problems import ImportRejected
from loaders.imports.transform import DefaultedColumn
from loaders.imports.validate import IMPORT_KEYS
from loaders.warehouse.engine import redact

_DELETE_CHUNK = 5_000
_NULLABLE_KEYS = frozenset({"dealer_closed_days"})  # a key column may be NULL: matched NULL-safe


@dataclass(frozen=True)
class ImportResult:
    """What ``apply_import`` wrote: rows per table, rows it replaced, and the defaulted columns."""

    import_id: str
    imported_at: datetime
    written: dict[str, int]
    replaced: dict[str, int]
    defaulted: tuple[DefaultedColumn, ...]

    def summary(self) -> str:
        """One line per table, for people."""
        lines = [f"Import {self.import_id} written:"]
        for table, rows in self.written.items():
            replaced = self.replaced.get(table, 0)
            again = f", {replaced} of them replaced rows of an earlier import" if replaced else ""
            lines.append(f"  {table}: {rows} rows{again}")
        return "\n".join(lines)


def apply_import(plan: ImportPlan, engine: Engine, *, now: datetime | None = None) -> ImportResult:
    """Write ``plan`` to the warehouse in one transaction; ImportRejected if the plan has problems."""
    if not plan.ok:
        raise ImportRejected(
            f"The import {plan.mapping.name!r} was not written.\n{plan.report}",
            "Fix the files or the mapping as the report says, then run the import again.",
        )
    import_id = uuid.uuid4().hex
    imported_at = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    replaced: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            metadata.create_all(conn)
            hours = [HOURS_TABLES[t] for t in plan.frames if t in HOURS_TABLES]
            optional_metadata.create_all(conn, tables=hours)  # only the optional tables it fills
            for table, frame in plan.frames.items():
                replaced[table] = _delete_existing(conn, table, frame)
            insert_frames(conn, plan.frames)
            record_import(
                conn,
                import_id=import_id,
                imported_at=imported_at,
                mapping_name=plan.mapping.name,
                written={t: f.height for t, f in plan.frames.items()},
                defaulted=plan.defaulted,
            )
    except (SQLAlchemyError, duckdb.Error) as exc:
        # The driver's message may quote a value; say only what kind of failure it was.
        raise WarehouseUnavailable(
            f"Writing to the warehouse {redact(str(engine.url))} failed ({type(exc).__name__}); "
            "nothing was written.",
            "Check that the warehouse is reachable and writable (a DuckDB file open in another program "
            "is locked), then run the import again.",
        ) from None
    return ImportResult(
        import_id=import_id,
        imported_at=imported_at,
        written={t: f.height for t, f in plan.frames.items()},
        replaced={t: n for t, n in replaced.items() if n},
        defaulted=plan.defaulted,
    )


def _delete_existing(conn: Connection, table: str, frame: pl.DataFrame) -> int:
    """Delete the warehouse rows that have the keys of ``frame``; returns how many went."""
    keys = IMPORT_KEYS[table]
    if frame.is_empty() or not keys:
        return 0
    sql_table = ALL_TABLES[table]
    distinct = frame.select(keys).unique()
    if conn.dialect.name == "duckdb":
        return _delete_existing_duckdb(conn, table, distinct)
    deleted = 0
    for offset in range(0, distinct.height, _DELETE_CHUNK):
        chunk = distinct.slice(offset, _DELETE_CHUNK)
        if table in _NULLABLE_KEYS:  # a holiday's NULL dealer_id matches the same holiday again
            same = [
                [sql_table.c[k].is_not_distinct_from(v) for k, v in r.items()]
                for r in chunk.iter_rows(named=True)
            ]
            condition = or_(*(and_(*row) for row in same))
        elif len(keys) == 1:
            condition = sql_table.c[keys[0]].in_(chunk[keys[0]].to_list())
        else:
            condition = tuple_(*(sql_table.c[k] for k in keys)).in_(list(chunk.iter_rows()))
        result = conn.execute(sql_table.delete().where(condition))
        deleted += max(result.rowcount, 0)
    return deleted


def _delete_existing_duckdb(conn: Connection, table: str, keys: pl.DataFrame) -> int:
    """DuckDB binds long IN lists slowly: match the keys against an Arrow view on the same connection."""
    raw = conn.connection.driver_connection
    assert raw is not None  # an open connection always has its driver connection
    view_name = f"_leadline_import_keys_{table}"
    raw.register(view_name, keys.to_arrow())
    try:
        sql_table = ALL_TABLES[table]
        view = sa_table(view_name, *(sa_column(k) for k in keys.columns))
        if table in _NULLABLE_KEYS:
            same_key = and_(*(view.c[k].is_not_distinct_from(sql_table.c[k]) for k in keys.columns))
        else:
            same_key = and_(*(view.c[k] == sql_table.c[k] for k in keys.columns))
        result = conn.execute(sql_table.delete().where(exists().where(same_key)))
        return max(result.rowcount, 0)
    finally:
        raw.unregister(view_name)
