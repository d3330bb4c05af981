"""What a contract check reports, and how warehouse column types map to contract kinds.

``loaders/contract/check.py`` reads the warehouse; this module holds the pure parts: the problem
record, severities, the dialect-type -> ``Kind`` mapping and the hints people see.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import types as sqltypes

from loaders.contract.tables import ColumnSpec, Kind


class Severity(StrEnum):
    """How bad a problem is: errors break the contract, warnings and notes do not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class ContractProblem:
    """One way the warehouse differs from the contract.

    ``column`` is None for a problem with a whole table (missing, empty).
    """

    table: str
    column: str | None
    expected: str
    found: str
    hint: str
    severity: Severity

    @property
    def where(self) -> str:
        """``table.column``, or the table alone."""
        return f"{self.table}.{self.column}" if self.column else self.table

    @property
    def message(self) -> str:
        """What is wrong, naming the table, the column, what was expected and what was found."""
        return f"{self.where}: expected {self.expected}, found {self.found}."

    def describe(self) -> str:
        """The message and the hint on one line, e.g. for an error listing."""
        return f"{self.message} Hint: {self.hint}" if self.hint else self.message


@dataclass(frozen=True)
class FoundType:
    """A warehouse column's type as Leadline understands it."""

    kind: Kind | None  # None: a type Leadline cannot read as any contract kind
    text: str  # as the warehouse spells it, for messages
    with_time_zone: bool = False


# What a column of each kind should hold, phrased for "expected ...".
EXPECTED_WORDS = {
    Kind.TEXT: "text",
    Kind.TIMESTAMP: "a timestamp",
    Kind.DATE: "a date",
    Kind.NUMERIC: "a number",
    Kind.BOOLEAN: "a boolean",
    Kind.INTEGER: "a whole number",
}
# The SQL type to cast to in a view; spelled so that PostgreSQL, DuckDB, Trino and Snowflake accept it.
CAST_TARGETS = {
    Kind.TEXT: "VARCHAR",
    Kind.TIMESTAMP: "TIMESTAMP",
    Kind.DATE: "DATE",
    Kind.NUMERIC: "NUMERIC",
    Kind.BOOLEAN: "BOOLEAN",
    Kind.INTEGER: "INTEGER",
}

# Type names as information_schema spells them (DuckDB, PostgreSQL), lower case, without "(n)".
_NAMED_KINDS: tuple[tuple[Kind, tuple[str, ...]], ...] = (
    (Kind.TEXT, ("text", "varchar", "character varying", "char", "character", "bpchar", "string", "name")),
    (
        Kind.TIMESTAMP,
        (
            "timestamp",
            "timestamp without time zone",
            "datetime",
            "timestamp_s",
            "timestamp_ms",
            "timestamp_ns",
            "timestamp_ntz",
        ),
    ),
    (Kind.DATE, ("date",)),
    (
        Kind.NUMERIC,
        (
            "numeric",
            "decimal",
            "double",
            "double precision",
            "real",
            "float",
            "float4",
            "float8",
            "integer",
            "int",
            "int2",
            "int4",
            "int8",
            "bigint",
            "smallint",
            "tinyint",
            "hugeint",
            "ubigint",
            "uinteger",
            "usmallint",
            "utinyint",
            "uhugeint",
        ),
    ),
    (Kind.BOOLEAN, ("boolean", "bool")),
)
_KIND_BY_NAME = {name: kind for kind, names in _NAMED_KINDS for name in names}
_WITH_TIME_ZONE_NAMES = ("timestamp with time zone", "timestamptz", "timestamp_tz", "timestamp_ltz")
_INTEGER_NAMES = frozenset(
    (
        *("integer", "int", "int2", "int4", "int8", "bigint", "smallint", "tinyint", "hugeint"),
        *("ubigint", "uinteger", "usmallint", "utinyint", "uhugeint"),
    )
)


def type_from_name(type_name: str) -> FoundType:
    """Classify a type name as information_schema reports it (``VARCHAR``, ``DECIMAL(10,2)`` ...)."""
    bare = re.sub(r"\(.*\)", "", type_name).strip().lower()
    if bare in _WITH_TIME_ZONE_NAMES:
        return FoundType(Kind.TIMESTAMP, type_name, with_time_zone=True)
    return FoundType(_KIND_BY_NAME.get(bare), type_name)


def type_from_sqlalchemy(type_: sqltypes.TypeEngine[object], type_text: str) -> FoundType:
    """Classify a type reflected by ``sqlalchemy.inspect``; ``type_text`` is how the dialect spells it."""
    if isinstance(type_, sqltypes.DateTime):
        return FoundType(Kind.TIMESTAMP, type_text, with_time_zone=bool(type_.timezone))
    if isinstance(type_, sqltypes.String):
        return FoundType(Kind.TEXT, type_text)
    if isinstance(type_, sqltypes.Date):
        return FoundType(Kind.DATE, type_text)
    if isinstance(type_, sqltypes.Integer | sqltypes.Numeric | sqltypes.Float):
        return FoundType(Kind.NUMERIC, type_text)
    if isinstance(type_, sqltypes.Boolean):
        return FoundType(Kind.BOOLEAN, type_text)
    return FoundType(None, type_text)


def is_integer_type(found: FoundType) -> bool:
    """True for whole-number types: the usual mistake for a key column that should be text."""
    bare = re.sub(r"\(.*\)", "", found.text).strip().lower()
    return bare in _INTEGER_NAMES


def column_problems(table: str, spec: ColumnSpec, found: FoundType) -> list[ContractProblem]:
    """Problems of one present column: wrong kind (error) or a time zone (warning)."""
    expected = EXPECTED_WORDS[spec.kind]
    if spec.kind is Kind.INTEGER and found.kind is Kind.NUMERIC and is_integer_type(found):
        return []
    if found.kind is spec.kind:
        if found.with_time_zone:
            return [
                ContractProblem(
                    table,
                    spec.name,
                    "a timestamp in UTC without time zone",
                    found.text,
                    "Leadline reads it as UTC, which is right when the values are real instants; "
                    f"to silence this, convert it in a view: {spec.name} AT TIME ZONE 'UTC'",
                    Severity.WARNING,
                )
            ]
        return []
    cast = f"CAST({spec.name} AS {CAST_TARGETS[spec.kind]})"
    if spec.kind is Kind.TEXT and is_integer_type(found):
        hint = f"keys and codes are text in the contract; cast it in a view: {cast}"
    else:
        hint = f"cast it in a view: {cast}"
    return [ContractProblem(table, spec.name, expected, found.text, hint, Severity.ERROR)]


def missing_column_problem(table: str, spec: ColumnSpec, found_columns: Sequence[str]) -> ContractProblem:
    """The error for a contract column the table lacks, suggesting similarly named columns."""
    close = close_names(spec.name, found_columns)
    if close:
        hint = f"did you mean {_or_list(close)}? Rename it in a view: SELECT {close[0]} AS {spec.name} ..."
    else:
        kind = CAST_TARGETS[spec.kind]
        hint = (
            f"add it, or provide it in a view: SELECT ..., CAST(NULL AS {kind}) AS {spec.name}"
            if spec.nullable
            else "add it to the table or to a view over it; the contract requires it (see docs/warehouse.md)"
        )
    return ContractProblem(
        table, spec.name, f"a {spec.kind.value} column", "no such column", hint, Severity.ERROR
    )


def missing_table_problem(table: str, found_tables: Sequence[str]) -> ContractProblem:
    """The error for a contract table (or view) the warehouse lacks, suggesting similar names."""
    close = close_names(table, found_tables)
    if close:
        hint = f"did you mean {_or_list(close)}? Create a view named {table} over it"
    else:
        hint = f"create the table or a view named {table} (see docs/warehouse.md for its columns)"
    return ContractProblem(table, None, "a table or view", "none", hint, Severity.ERROR)


def close_names(name: str, candidates: Sequence[str], limit: int = 3) -> list[str]:
    """Candidates that look like ``name`` (case-insensitive), best first."""
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=limit, cutoff=0.6)
    return [by_lower[m] for m in matches]


def _or_list(names: Sequence[str]) -> str:
    return " or ".join(names)
