"""Loading contract tables into Spark SQL as Parquet tables (``leadline spark load``, the Spark tests).

Each table is written as a Parquet file into a fresh folder and declared with the contract's
column types, ``CREATE TABLE name (...) USING parquet LOCATION 'folder'``. Timestamps are
``TIMESTAMP_NTZ`` (naive UTC, as the contract wants), numbers ``DOUBLE``. A fresh folder per
load means Spark never serves a stale file listing of a replaced table. The folder must be
readable by the Spark driver and executors: on one machine any local path is; on a cluster use
a shared path (HDFS, S3) or load the tables with your own ETL instead.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, select, text

from loaders.contract.tables import CONTRACT, TABLES, Kind
from loaders.contract.write import conform

SPARK_TYPES: dict[Kind, str] = {
    Kind.TEXT: "STRING",
    Kind.TIMESTAMP: "TIMESTAMP_NTZ",
    Kind.DATE: "DATE",
    Kind.NUMERIC: "DOUBLE",
    Kind.BOOLEAN: "BOOLEAN",
}
# The folder goes into the SQL text (DDL takes no bound parameters): only plain path characters.
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./+-]+$")


def read_contract_tables(source: Engine) -> dict[str, pl.DataFrame]:
    """Every contract table of ``source`` as a frame with the contract's columns and types."""
    frames: dict[str, pl.DataFrame] = {}
    with source.connect() as conn:
        for name, table in TABLES.items():
            statement = select(*(table.c[spec.name] for spec in CONTRACT[name]))
            if conn.dialect.name == "duckdb":  # through Arrow: millions of rows in seconds
                raw: Any = conn.connection.driver_connection
                sql = str(statement.compile(dialect=conn.dialect))  # names from the contract, no parameters
                frames[name] = conform(name, raw.sql(sql).pl())
                continue
            rows = conn.execute(statement).all()
            schema = conform(name, pl.DataFrame()).schema
            frames[name] = conform(name, pl.DataFrame(rows, schema=schema, orient="row"))
    return frames


def load_into_spark(spark: Engine, frames: Mapping[str, pl.DataFrame], folder: Path) -> None:
    """Replace the contract tables named in ``frames`` on ``spark`` with these rows (Parquet in ``folder``)."""
    for name, frame in frames.items():
        if name not in CONTRACT:
            raise ValueError(f"{name} is not a contract table")
        location = (folder / f"{name}-{uuid.uuid4().hex[:12]}").resolve()
        if not _SAFE_PATH.match(str(location)):
            raise ValueError(f"Spark table folder {location} has characters that cannot go into SQL text")
        location.mkdir(parents=True)
        conform(name, frame).write_parquet(location / "part-00000.parquet")
        columns = ", ".join(f"`{spec.name}` {SPARK_TYPES[spec.kind]}" for spec in CONTRACT[name])
        with spark.connect() as conn:
            # Table and column names come from the contract, the folder from the check above.
            conn.execute(text(f"DROP TABLE IF EXISTS `{name}`"))
            conn.execute(text(f"CREATE TABLE `{name}` ({columns}) USING parquet LOCATION '{location}'"))


_DATABASE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


def create_database(spark: Engine, name: str) -> None:
    """``CREATE DATABASE IF NOT EXISTS name`` on Spark (a letter or _, then letters, digits, _)."""
    if not _DATABASE_NAME.match(name):
        raise ValueError(f"{name!r} is not a database name Leadline creates (letters, digits and _ only)")
    with spark.connect() as conn:
        conn.execute(text(f"CREATE DATABASE IF NOT EXISTS `{name}`"))
