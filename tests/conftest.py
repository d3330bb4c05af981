"""Shared fixtures: real warehouses (a DuckDB file, a fresh PostgreSQL schema) to test against."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

PG_SERVER = os.environ.get("LEADLINE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_answers() -> str | None:
    """None when the PostgreSQL test server answers, else why not."""
    try:
        engine = create_engine(PG_SERVER, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


@dataclass(frozen=True)
class Warehouse:
    """A test warehouse: its engine, and a URL that reaches the same tables (for the CLI)."""

    kind: str
    url: str
    engine: Engine


@pytest.fixture(scope="session")
def pg_available() -> None:
    """Skip (outside CI only) when no PostgreSQL answers; in CI that is a failure."""
    reason = _pg_answers()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL test server at {PG_SERVER} does not answer in CI: {reason}")
    pytest.skip(f"PostgreSQL test server at {PG_SERVER} does not answer ({reason}); start it to run these")


@pytest.fixture
def pg_warehouse(pg_available: None) -> Iterator[Warehouse]:
    """An empty schema of its own in the PostgreSQL test database, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    engine = create_engine(url)
    try:
        yield Warehouse("postgresql", url, engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def duckdb_warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    """An empty DuckDB file warehouse."""
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    engine = create_engine(url)
    try:
        yield Warehouse("duckdb", url, engine)
    finally:
        engine.dispose()


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse(request: pytest.FixtureRequest) -> Warehouse:
    """Each test that uses it runs twice: on DuckDB and on PostgreSQL."""
    fixture_name = "duckdb_warehouse" if request.param == "duckdb" else "pg_warehouse"
    return request.getfixturevalue(fixture_name)


def write_demo_url(factory: pytest.TempPathFactory, folder: str, *, leads: int, seed: int) -> str:
    """URL of a demo warehouse of ``leads`` leads ending today, written by ``generate_demo``."""
    from loaders.demo.generate import generate_demo

    path = factory.mktemp(folder) / "demo.duckdb"
    generate_demo(path, leads=leads, seed=seed)
    return f"duckdb:///{path}"


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small demo warehouse ending today (enough leads for every chart), written once per run."""
    return write_demo_url(tmp_path_factory, "demo", leads=3000, seed=7)


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    """A warehouse with every contract table and no rows."""
    from loaders.contract.write import create_contract_tables
    from loaders.warehouse.engine import make_engine

    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    engine = make_engine(url, read_only=False)
    create_contract_tables(engine)
    engine.dispose()
    return url


def _spark_unavailable() -> str | None:
    """None when a local Spark Thrift server can be started here, else why not."""
    import importlib.util

    for module, extra in (("pyspark", "pyspark"), ("pyhive", "pyhive"), ("thrift_sasl", "thrift_sasl")):
        if importlib.util.find_spec(module) is None:
            return f"{extra} is not installed (pip install -e '.[spark]')"
    from loaders.warehouse.spark_server import java_missing

    return java_missing()


@pytest.fixture(scope="session")
def spark_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a Spark SQL Thrift server started once per test session (local[2], loopback only).

    Skipped with the reason outside CI when Java or the Spark extra is missing; in CI a failure.
    """
    reason = _spark_unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"Spark cannot start in CI: {reason}")
        pytest.skip(f"Spark tests skipped: {reason}")
    from loaders.warehouse.spark_server import SMALL_DATA_SETTINGS, SparkServer, free_port

    folder = tmp_path_factory.mktemp("spark")
    server = SparkServer(folder, port=free_port(), driver_memory="1g", settings=SMALL_DATA_SETTINGS)
    try:
        server.start()
        yield server.url
    finally:
        server.stop()
