"""The mapping file: which source file and column feeds which contract column, and how.

A mapping is TOML (reference and examples in ``docs/import.md``). ``parse_mapping`` checks
all of it before anything is read and reports every problem at once, not just the first.
The dataclasses here are the parsed, checked form the rest of ``loaders.imports`` works on.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.errors import LeadlineError
from loaders.imports.mapping_check import check_mapping_document, template_columns

ROW_TOKEN = "_row"  # noqa: S105 - in templates: the row number of the source record, as a spreadsheet shows it


class MappingError(LeadlineError):
    """The mapping file is not valid TOML or does not describe a possible import."""


class _Missing:
    """Marks an option the mapping leaves out (TOML has no null, so None cannot mean that)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Condition:
    """``when``: the rule applies only to rows where ``column`` is (not) in ``values``, or (not) empty."""

    column: str
    values: tuple[str, ...] = ()
    negate: bool = False
    empty: bool | None = None


@dataclass(frozen=True)
class ColumnRule:
    """How one contract column is filled from a source record."""

    target: str
    column: str | None = None
    coalesce: tuple[str, ...] = ()
    template: str | None = None
    value: Any = MISSING
    derive: str | None = None
    inputs: tuple[str, ...] = ()
    default: Any = MISSING
    value_map: dict[str, Any] | None = None
    otherwise: Any = MISSING
    keep_unmapped: bool = False
    formats: tuple[str, ...] = ()
    timezone: str | None = None
    decimal: str = "."
    when: Condition | None = None
    note: str = ""

    @property
    def source_columns(self) -> tuple[str, ...]:
        """Every source column the rule reads, in order of mention."""
        cols: list[str] = []
        if self.column:
            cols.append(self.column)
        cols.extend(self.coalesce)
        cols.extend(template_columns(self.template or ""))
        cols.extend(self.inputs)
        if self.when:
            cols.append(self.when.column)
        return tuple(dict.fromkeys(c for c in cols if c != ROW_TOKEN))

    @property
    def is_default_only(self) -> bool:
        """True when no source feeds the column: every row gets the default."""
        return (
            self.column is None
            and not self.coalesce
            and self.template is None
            and self.value is MISSING
            and self.derive is None
        )


@dataclass(frozen=True)
class Join:
    """A lookup: bring the columns of another file in, matching ``on`` (left) to ``lookup_on``."""

    file: str
    on: str
    lookup_on: str
    required: bool = True


@dataclass(frozen=True)
class FileSpec:
    """A source file and how to read it."""

    name: str
    path: str | None = None
    format: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    placeholders: tuple[str, ...] = ()
    personal: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableRule:
    """How one contract table is built: from which file, which rows, which columns."""

    table: str
    source: str
    columns: dict[str, ColumnRule]
    joins: tuple[Join, ...] = ()
    require: tuple[str, ...] = ()
    distinct: bool = False


@dataclass(frozen=True)
class ImportMapping:
    """A parsed, checked mapping file."""

    name: str
    files: dict[str, FileSpec]
    tables: dict[str, TableRule]
    description: str = ""
    timezone: str = "UTC"
    base_dir: Path | None = None
    text: str = field(default="", repr=False)

    def personal_columns(self, file: str) -> frozenset[str]:
        """Columns of ``file`` that hold raw personal data: declared, or read by a derivation."""
        names = set(self.files[file].personal)
        for rule in self.tables.values():
            if file == rule.source or file in {j.file for j in rule.joins}:
                for col in rule.columns.values():
                    if col.derive:
                        names.update(col.inputs)
        return frozenset(names)

    @property
    def has_personal_data(self) -> bool:
        """True when any file holds personal columns: importing then needs the pseudonym secret."""
        return any(self.personal_columns(name) for name in self.files)

    def resolve_path(self, file: str) -> Path | None:
        """Where the mapping says ``file`` is (relative paths start at the mapping's folder)."""
        path = self.files[file].path
        if path is None:
            return None
        resolved = Path(path)
        if not resolved.is_absolute() and self.base_dir is not None:
            resolved = self.base_dir / resolved
        return resolved


def load_mapping(path: Path | str) -> ImportMapping:
    """Read and check the mapping file at ``path``; relative file paths in it start at its folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(
            f"Cannot read the mapping file {path}: {exc.strerror}.",
            "Check the path; examples are in examples/mappings/.",
        ) from None
    return parse_mapping(text, origin=str(path), base_dir=path.resolve().parent)


def parse_mapping(text: str, *, origin: str = "the mapping", base_dir: Path | None = None) -> ImportMapping:
    """Parse and check mapping TOML; raises MappingError listing every problem found."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(
            f"{origin} is not valid TOML: {exc}.",
            "Check quotes and brackets near that line; docs/import.md shows the format.",
        ) from None
    problems = check_mapping_document(document)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise MappingError(
            f"{origin} has {len(problems)} problem(s):\n{listed}",
            "Fix them and run again; docs/import.md is the full reference of the mapping format.",
        )
    return _build(document, base_dir, text)


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _build(doc: dict[str, Any], base_dir: Path | None, text: str) -> ImportMapping:
    files = {
        name: FileSpec(
            name=name,
            path=spec.get("path"),
            format=spec.get("format"),
            delimiter=spec.get("delimiter"),
            encoding=spec.get("encoding"),
            sheet=spec.get("sheet"),
            placeholders=_tuple(spec.get("placeholders")),
            personal=_tuple(spec.get("personal")),
        )
        for name, spec in doc["files"].items()
    }
    tables = {}
    for table, spec in doc["tables"].items():
        joins = spec.get("join", [])
        joins = [joins] if isinstance(joins, dict) else joins
        tables[table] = TableRule(
            table=table,
            source=spec["from"],
            columns={target: _column_rule(target, raw) for target, raw in spec["columns"].items()},
            joins=tuple(
                Join(j["file"], j["on"], j.get("lookup_on", j["on"]), j.get("required", True)) for j in joins
            ),
            require=_tuple(spec.get("require")),
            distinct=bool(spec.get("distinct", False)),
        )
    return ImportMapping(
        name=doc["name"],
        description=doc.get("description", ""),
        timezone=doc.get("timezone", "UTC"),
        files=files,
        tables=tables,
        base_dir=base_dir,
        text=text,
    )


def _column_rule(target: str, raw: Any) -> ColumnRule:
    if isinstance(raw, str):
        return ColumnRule(target=target, column=raw)
    when = raw.get("when")
    condition = None
    if when is not None:
        condition = Condition(
            column=when["column"],
            values=_tuple(when.get("in", when.get("not_in"))),
            negate="not_in" in when,
            empty=when.get("empty"),
        )
    derive = raw.get("derive")
    return ColumnRule(
        target=target,
        column=None if derive else raw.get("column"),
        coalesce=_tuple(raw.get("coalesce")),
        template=raw.get("template"),
        value=raw.get("value", MISSING),
        derive=derive,
        inputs=_tuple(raw.get("columns", raw.get("column"))) if derive else (),
        default=raw.get("default", MISSING),
        value_map={str(k): v for k, v in raw["map"].items()} if "map" in raw else None,
        otherwise=raw.get("otherwise", MISSING),
        keep_unmapped=bool(raw.get("keep_unmapped", False)),
        formats=_tuple(raw.get("format")),
        timezone=raw.get("timezone"),
        decimal=raw.get("decimal", "."),
        when=condition,
        note=raw.get("note", ""),
    )
