"""Building contract tables from source frames, one column rule at a time.

For each column: take the source (a column, the first non-empty of several, a template, a
constant or a derivation from personal data), translate it through the value map, convert it
to the contract's kind, apply ``when``, then fill the stated default and count how many rows
got it. Every cell that fails is logged with its row; personal values are masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from loaders.contract.tables import ALL_SPECS, ColumnSpec, Kind
from loaders.imports.convert import dst_gaps, literal, to_kind, to_text
from loaders.imports.mapping import MISSING, ColumnRule, ImportMapping, TableRule
from loaders.imports.mapping_check import template_columns
from loaders.imports.problems import ProblemLog
from loaders.imports.pseudonym import classify, pseudonymise
from loaders.imports.readers import ROW

_KIND_WORDS = {
    Kind.TEXT: "text",
    Kind.NUMERIC: "a number",
    Kind.INTEGER: "a whole number (minutes may be written as a time, 08:30)",
    Kind.BOOLEAN: "true/false (or yes/no, 1/0)",
    Kind.DATE: "a date",
    Kind.TIMESTAMP: "a date and time",
}


@dataclass(frozen=True)
class DefaultedColumn:
    """A contract column filled, in ``rows`` rows, with a constant the mapping states as a default."""

    table: str
    column: str
    default_value: str
    rows: int
    note: str = ""


@dataclass(frozen=True)
class BuiltTable:
    """One contract table as the mapping builds it (with ``__row``), and what it left out or defaulted."""

    frame: pl.DataFrame
    defaulted: tuple[DefaultedColumn, ...]
    skipped: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Context:
    table: str
    file: str
    log: ProblemLog
    timezone: str
    secret: bytes | None
    personal: frozenset[str]
    notes: list[str]


def source_label(rule: ColumnRule) -> str:
    """How a report names the source of a contract column: the source column, or what fills it."""
    if rule.column:
        return rule.column
    if rule.derive:
        return ", ".join(rule.inputs)
    if rule.coalesce:
        return " / ".join(rule.coalesce)
    if rule.template:
        return rule.template
    return f"{rule.target} (constant)"


def build_table(
    rule: TableRule,
    frame: pl.DataFrame,
    mapping: ImportMapping,
    log: ProblemLog,
    *,
    secret: bytes | None,
    file_label: str,
) -> BuiltTable:
    """The contract table ``rule.table`` from ``frame`` (the source file with its lookups joined)."""
    personal = frozenset().union(
        *(mapping.personal_columns(f) for f in (rule.source, *(j.file for j in rule.joins)))
    )
    ctx = _Context(rule.table, file_label, log, mapping.timezone, secret, personal, [])
    before = frame.height
    if rule.require:
        frame = frame.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in rule.require))
    columns, fills = [frame[ROW]], {}
    for spec in ALL_SPECS[rule.table]:
        column_rule = rule.columns.get(spec.name)
        if column_rule is None:
            continue
        values, fills[spec.name] = _build_column(frame, column_rule, spec, ctx)
        columns.append(values.alias(spec.name))
    built = pl.DataFrame(columns).with_columns(pl.Series(f"__filled_{n}", m) for n, m in fills.items())
    if rule.distinct:
        contract_columns = [c for c in built.columns if not c.startswith("__")]
        built = built.unique(subset=contract_columns, keep="first", maintain_order=True)
    defaulted = []
    for name, rows in zip(
        fills, built.select(pl.col(f"__filled_{n}").sum() for n in fills).row(0), strict=True
    ):
        column_rule = rule.columns[name]
        if rows:
            shown = (
                column_rule.default.isoformat()
                if isinstance(column_rule.default, date)
                else column_rule.default
            )
            defaulted.append(DefaultedColumn(rule.table, name, str(shown), int(rows), column_rule.note))
    built = built.drop(f"__filled_{n}" for n in fills)
    return BuiltTable(built, tuple(defaulted), before - frame.height, tuple(ctx.notes))


def _build_column(
    frame: pl.DataFrame, rule: ColumnRule, spec: ColumnSpec, ctx: _Context
) -> tuple[pl.Series, pl.Series]:
    """The converted column and a mask of the rows the default filled."""
    raw = _source(frame, rule, ctx)
    reported = pl.Series([False] * frame.height, dtype=pl.Boolean)
    if rule.value_map is not None:
        source_text = to_text(raw)
        raw, unknown = _apply_map(raw, rule)
        _log_rows(ctx, frame, unknown, source_text, rule, spec, _map_message(spec))
        reported = reported | unknown
    timezone = rule.timezone or ctx.timezone
    options = {"formats": rule.formats, "timezone": timezone, "decimal": rule.decimal}
    values = to_kind(raw, spec.kind, **options)  # type: ignore[arg-type]
    applies = _condition(frame, rule)
    if spec.kind is Kind.TIMESTAMP:
        _note_dst_gaps(ctx, frame, raw, rule, spec, timezone, applies)
    # A cell the rule does not use (``when`` says no) cannot be wrong for it.
    bad = raw.is_not_null() & values.is_null() & ~reported & applies
    _log_rows(ctx, frame, bad, raw.cast(pl.String), rule, spec, _parse_message(rule, spec))
    reported = reported | bad
    values = values.zip_with(applies, pl.Series([None] * frame.height, dtype=values.dtype))
    fill = pl.Series([False] * frame.height, dtype=pl.Boolean)
    if rule.default is not MISSING:
        default = to_kind(literal(rule.default, 1), spec.kind, **options)  # type: ignore[arg-type]
        if default[0] is None:
            ctx.log.add(
                "the mapping",
                f"The default of {ctx.table}.{spec.name} is not {_KIND_WORDS[spec.kind]}.",
                "Write dates as 2024-03-31, times as 2024-03-31T09:00:00, booleans as true/false.",
                column=f"{ctx.table}.{spec.name}",
                value=rule.default,
            )
        fill = values.is_null() & applies & ~reported
        values = pl.Series([default[0]] * frame.height, dtype=values.dtype).zip_with(fill, values)
    values = values.cast(values.dtype if spec.kind is not Kind.TEXT else pl.String)
    if spec.allowed:
        unknown = values.is_not_null() & ~values.is_in(list(spec.allowed)) & ~reported
        hint = (
            f"Use one of: {', '.join(spec.allowed)}; translate the source's values with "
            f"map = {{ ... }} on {spec.name}, or otherwise = '...' for the rest."
        )
        _log_rows(
            ctx,
            frame,
            unknown,
            values,
            rule,
            spec,
            (f"{spec.name} must be one of the contract's values.", hint),
        )
        reported = reported | unknown
    if not spec.nullable:
        empty = values.is_null() & ~reported
        hint = (
            f"Fill the cell, or state a default for {spec.name} in the mapping (it is listed as defaulted)."
        )
        _log_rows(ctx, frame, empty, values, rule, spec, (f"{spec.name} is required but empty.", hint))
    return values, fill


def _note_dst_gaps(
    ctx: _Context,
    frame: pl.DataFrame,
    raw: pl.Series,
    rule: ColumnRule,
    spec: ColumnSpec,
    timezone: str,
    applies: pl.Series,
) -> None:
    """Count local times that did not exist (clocks jumped forward) and were shifted by the gap."""
    gaps = dst_gaps(raw, rule.formats, timezone) & applies
    count = int(gaps.sum())
    if not count:
        return
    first = frame.filter(gaps).row(0, named=True)
    personal = bool(set(rule.source_columns) & ctx.personal)
    example = "" if personal else f", e.g. row {first[ROW]} ({raw.filter(gaps)[0]})"
    ctx.notes.append(
        f"{ctx.file}: {count} value(s) of {source_label(rule)} -> {ctx.table}.{spec.name} are local times "
        f"that did not exist in {timezone} (clocks jumped forward){example}; each was moved forward by "
        "the jump, as the clock read after it (docs/import.md, 'Times that did not exist')."
    )


def _source(frame: pl.DataFrame, rule: ColumnRule, ctx: _Context) -> pl.Series:
    height = frame.height
    if rule.derive == "pseudonym":
        assert ctx.secret is not None  # the plan asks for the secret when personal columns exist
        return pseudonymise(frame, rule.inputs, rule.target, ctx.secret)
    if rule.derive:
        first = (
            frame.select(pl.coalesce(pl.col(c).cast(pl.String) for c in rule.inputs))
            if len(rule.inputs) > 1
            else None
        )
        raw = first.to_series() if first is not None else frame[rule.inputs[0]]
        return classify(raw, rule.derive)
    if rule.column:
        return frame[rule.column]
    if rule.coalesce:
        return frame.select(pl.coalesce(pl.col(c).cast(pl.String) for c in rule.coalesce)).to_series()
    if rule.template:
        return frame.select(_template_expr(rule.template)).to_series()
    if rule.value is not MISSING:
        return literal(rule.value, height)
    return pl.Series([None] * height, dtype=pl.String)


def _template_expr(template: str) -> pl.Expr:
    """Literal text and ``{column}`` references; null when any referenced cell is empty."""
    parts: list[pl.Expr] = []
    rest = template
    for name in template_columns(template):
        before, rest = rest.split("{" + name + "}", 1)
        if before:
            parts.append(pl.lit(before))
        parts.append(pl.col(ROW if name == "_row" else name).cast(pl.String))
    if rest:
        parts.append(pl.lit(rest))
    return pl.concat_str(parts)


def _apply_map(raw: pl.Series, rule: ColumnRule) -> tuple[pl.Series, pl.Series]:
    """The mapped values and a mask of values the map does not know (and nothing else covers)."""
    assert rule.value_map is not None
    text = to_text(raw)
    known = text.is_in(list(rule.value_map))
    targets = [*rule.value_map.values(), *([] if rule.otherwise is MISSING else [rule.otherwise])]
    if all(isinstance(v, str) for v in targets):
        mapped = text.replace_strict(rule.value_map, default=None, return_dtype=pl.String)
    else:
        # Mixed or non-text targets (true/false, numbers, dates): map through one literal per value.
        lookup = {k: literal(v, 1) for k, v in rule.value_map.items()}
        dtype = next(iter(lookup.values())).dtype
        mapped = text.replace_strict({k: s[0] for k, s in lookup.items()}, default=None, return_dtype=dtype)
    unmapped = text.is_not_null() & ~known
    if rule.otherwise is not MISSING:
        filler = literal(rule.otherwise, raw.len()).cast(mapped.dtype)
        mapped = filler.zip_with(unmapped, mapped)
        return mapped, pl.Series([False] * raw.len(), dtype=pl.Boolean)
    if rule.keep_unmapped:
        mapped = text.zip_with(unmapped, mapped.cast(pl.String))
        return mapped, pl.Series([False] * raw.len(), dtype=pl.Boolean)
    return mapped, unmapped


def _condition(frame: pl.DataFrame, rule: ColumnRule) -> pl.Series:
    """Rows the rule applies to (all, unless ``when`` narrows them)."""
    if rule.when is None:
        return pl.Series([True] * frame.height, dtype=pl.Boolean)
    tested = to_text(frame[rule.when.column])
    if rule.when.empty is not None:
        result = tested.is_null() if rule.when.empty else tested.is_not_null()
    else:
        inside = tested.is_in(list(rule.when.values)).fill_null(False)
        result = ~inside if rule.when.negate else inside
    return result.fill_null(False)


def _map_message(spec: ColumnSpec) -> tuple[str, str]:
    return (
        f"The value map of {spec.name} does not know this value.",
        f"Add it to map = {{ ... }} of {spec.name}, or set otherwise = '...' (or keep_unmapped = true).",
    )


def _parse_message(rule: ColumnRule, spec: ColumnSpec) -> tuple[str, str]:
    expected = _KIND_WORDS[spec.kind]
    if spec.kind in (Kind.DATE, Kind.TIMESTAMP):
        tried = ", ".join(rule.formats) if rule.formats else "ISO 8601 (2024-03-31 14:05)"
        return (
            f"It is not {expected} in the expected format ({tried}) for {spec.name}.",
            "Fix the cell, or give the export's format in the mapping, e.g. format = '%d/%m/%Y %H:%M'.",
        )
    if spec.kind is Kind.NUMERIC:
        return (f"It is not a number ({spec.name}).", "Fix the cell; for decimal commas set decimal = ','.")
    if spec.kind is Kind.INTEGER:
        return (
            f"It is not a whole number or a time such as 08:30 ({spec.name}).",
            "Fix the cell: minutes after midnight (510) or the time (08:30); weekdays as 1 (Monday) to 7.",
        )
    if spec.kind is Kind.BOOLEAN:
        return (
            f"It is not {expected} ({spec.name}).",
            "Translate it with map = { Ja = true, Nein = false }.",
        )
    return (f"It cannot be read as {expected} ({spec.name}).", "Fix the cell.")


def _log_rows(
    ctx: _Context,
    frame: pl.DataFrame,
    mask: pl.Series,
    shown: pl.Series,
    rule: ColumnRule,
    spec: ColumnSpec,
    message_hint: tuple[str, str],
) -> None:
    if not mask.any():
        return
    rows = pl.DataFrame({"__row": frame[ROW], "__value": shown.cast(pl.String)}).filter(mask)
    personal = bool(set(rule.source_columns) & ctx.personal)
    label = f"{source_label(rule)} -> {ctx.table}.{spec.name}"
    ctx.log.add_rows(ctx.file, rows, *message_hint, column=label, personal=personal)
