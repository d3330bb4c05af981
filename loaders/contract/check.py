"""Checking a warehouse against the contract in ``loaders/contract/tables.py``.

``check_contract`` lists every problem (missing tables and columns, columns of the wrong
kind, empty tables; for the optional tables that are there, also rows it ignores); ``require_contract`` raises one ``ContractError`` when any of them
breaks the contract. Tables and columns outside the contract are ignored, and views count
as tables, so a warehouse can meet the contract through views over its own tables.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from sqlalchemy import Column, Engine, MetaData, Table, func, inspect, literal, select, table
from sqlalchemy.engine.reflection import Inspector, ObjectKind
from sqlalchemy.exc import CompileError, DBAPIError, SQLAlchemyError

from common.errors import ContractError, WarehouseUnavailable
from loaders.contract.check_optional import optional_column_problems, optional_value_problems
from loaders.contract.check_schema import (
    ContractProblem,
    FoundType,
    Severity,
    column_problems,
    missing_column_problem,
    missing_table_problem,
    type_from_name,
    type_from_sqlalchemy,
)
from loaders.contract.tables import CONTRACT, OPTIONAL_CONTRACT, OPTIONAL_TABLES
from loaders.warehouse.engine import redact
from loaders.warehouse.errors import is_timeout, warehouse_error
from loaders.warehouse.redaction import scrub

# Empty tables that are worth a word, and what that means for the dashboard.
_EMPTY_TABLE_NOTES: dict[str, tuple[Severity, str]] = {
    "leads": (
        Severity.WARNING,
        "no leads yet: every page will show zero; load leads (`leadline import`) or try `leadline demo`",
    ),
    "close_reasons": (
        Severity.INFO,
        "no close reasons: the default close-reason taxonomy is used (metrics/taxonomy.py, listed in docs/warehouse.md)",
    ),
}
# Optional tables a warehouse may lack, and what Leadline uses instead (an empty one means the same).
_OPTIONAL_TABLE_HINTS: dict[str, str] = {
    "result_codes": "optional: the default result-code taxonomy is used (metrics/result_codes.py, listed "
    "in docs/warehouse.md)",
}

# information_schema.columns, for dialects whose inspector cannot list columns (see _reflect_columns).
_ISCHEMA_COLUMNS = Table(
    "columns",
    MetaData(),
    Column("table_catalog"),
    Column("table_schema"),
    Column("table_name"),
    Column("column_name"),
    Column("data_type"),
    Column("ordinal_position"),
    schema="information_schema",
)

Columns = dict[str, list[tuple[str, FoundType]]]


def check_contract(engine: Engine) -> list[ContractProblem]:
    """Every way the warehouse behind ``engine`` differs from the contract, errors first.

    Raises WarehouseUnavailable (with the URL redacted) when the warehouse does not answer.
    """
    try:
        inspector = inspect(engine)
        found_tables = _relation_names(inspector)
        present = [name for name in CONTRACT if name in found_tables]
        columns = _reflect_columns(engine, inspector, present)
        problems = [
            _optional_table_note(name) if name in OPTIONAL_TABLES else missing_table_problem(name, found_tables)
            for name in CONTRACT
            if name not in present
        ]
        for name in present:
            problems += _table_column_problems(name, columns.get(name, []))
        problems += _empty_table_problems(engine, present)
        optional = [name for name in OPTIONAL_CONTRACT if name in found_tables]
        optional_columns = _reflect_columns(engine, inspector, optional)
        optional_errors = [
            p for name in optional for p in optional_column_problems(name, optional_columns.get(name, []))
        ]
        problems += optional_errors
        if not optional_errors and "dealers" in present:
            with engine.connect() as conn:
                problems += optional_value_problems(conn, optional)
    except DBAPIError as exc:
        raise unavailable_error(engine, exc) from None
    order = list(Severity)
    return sorted(problems, key=lambda p: order.index(p.severity))


def contract_errors(problems: Sequence[ContractProblem]) -> list[ContractProblem]:
    """The problems that break the contract."""
    return [p for p in problems if p.severity is Severity.ERROR]


def require_contract(engine: Engine) -> list[ContractProblem]:
    """The warnings and notes about the warehouse; raises ContractError when the contract is broken.

    The error's message lists every broken table and column at once, so one run shows all
    there is to fix.
    """
    problems = check_contract(engine)
    errors = contract_errors(problems)
    if errors:
        raise contract_error(errors, _redacted_url(engine))
    return problems


def contract_error(errors: Sequence[ContractProblem], where: str) -> ContractError:
    """One ContractError naming every error in ``errors``; ``where`` names the warehouse."""
    count = f"{len(errors)} problem" + ("s" if len(errors) != 1 else "")
    lines = "\n".join(f"  - {p.describe()}" for p in errors)
    return ContractError(
        f"The warehouse {where} does not satisfy the Leadline contract ({count}):\n{lines}",
        "Fix the tables or put views in front of them (docs/warehouse.md); `leadline check` re-checks.",
    )


def _relation_names(inspector: Inspector) -> list[str]:
    """Tables, views and (where the dialect has them) materialized views of the default schema."""
    names = list(inspector.get_table_names()) + list(inspector.get_view_names())
    with contextlib.suppress(NotImplementedError):
        names += inspector.get_materialized_view_names()
    return names


def _reflect_columns(engine: Engine, inspector: Inspector, tables: Sequence[str]) -> Columns:
    """Column names and types of ``tables``, in table order.

    duckdb-engine 0.17 under SQLAlchemy 2.1 fails to list columns (its reflection query needs
    pg_collation, which DuckDB lacks), so a failure falls back to information_schema.
    """
    if not tables:
        return {}
    try:
        reflected = inspector.get_multi_columns(filter_names=list(tables), kind=ObjectKind.ANY)
    except (DBAPIError, NotImplementedError):
        return _information_schema_columns(engine, tables)
    columns: Columns = {}
    for (_schema, name), cols in reflected.items():
        columns[name] = [
            (col["name"], type_from_sqlalchemy(col["type"], _type_text(engine, col["type"]))) for col in cols
        ]
    return columns


def _type_text(engine: Engine, type_: object) -> str:
    try:
        return str(type_.compile(dialect=engine.dialect))  # type: ignore[attr-defined]
    except (CompileError, AttributeError, SQLAlchemyError):
        return type(type_).__name__


def _information_schema_columns(engine: Engine, tables: Sequence[str]) -> Columns:
    c = _ISCHEMA_COLUMNS.c
    query = (
        select(c.table_name, c.column_name, c.data_type)
        .where(
            c.table_schema == func.current_schema(),
            c.table_catalog == func.current_database(),
            c.table_name.in_(list(tables)),
        )
        .order_by(c.table_name, c.ordinal_position)
    )
    columns: Columns = {}
    with engine.connect() as conn:
        for table_name, column_name, data_type in conn.execute(query):
            columns.setdefault(table_name, []).append((column_name, type_from_name(str(data_type))))
    return columns


def _table_column_problems(name: str, found: list[tuple[str, FoundType]]) -> list[ContractProblem]:
    types = dict(found)
    problems: list[ContractProblem] = []
    for spec in CONTRACT[name]:
        if spec.name in types:
            problems += column_problems(name, spec, types[spec.name])
        else:
            problems.append(missing_column_problem(name, spec, [col for col, _ in found]))
    return problems


def _optional_table_note(name: str) -> ContractProblem:
    """A note, not an error: an optional table is missing and its shipped default is used."""
    return ContractProblem(name, None, "a table or view", "none", _OPTIONAL_TABLE_HINTS[name], Severity.INFO)


def _empty_table_problems(engine: Engine, present: Sequence[str]) -> list[ContractProblem]:
    problems = []
    with engine.connect() as conn:
        for name, (severity, hint) in _EMPTY_TABLE_NOTES.items():
            if name not in present:
                continue
            has_rows = conn.execute(select(literal(1)).select_from(table(name)).limit(1)).first()
            if has_rows is None:
                problems.append(ContractProblem(name, None, "rows", "no rows", hint, severity))
    return problems


def _redacted_url(engine: Engine) -> str:
    return redact(engine.url.render_as_string(hide_password=False))


def unavailable_error(engine: Engine, exc: DBAPIError) -> WarehouseUnavailable:
    """The error for a warehouse that does not answer, without the password anywhere in it
    (a QueryTimeout when a check ran past the query time limit and was abandoned)."""
    if is_timeout(exc):
        return warehouse_error(engine.url.render_as_string(hide_password=False), exc)
    reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
    reason = scrub(reason, engine.url)
    return WarehouseUnavailable(
        f"The warehouse {_redacted_url(engine)} does not answer: {reason}",
        "Check that it is running and reachable, and that LEADLINE_WAREHOUSE_URL (or --warehouse) is right.",
    )
