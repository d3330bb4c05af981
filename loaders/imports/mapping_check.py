"""Checks of a mapping document (the parsed TOML) that collect every problem, not just the first.

Each problem is one line that says where (``tables.leads.columns.created_at``), what is
wrong and how to fix it. ``mapping.parse_mapping`` raises them together as one MappingError.
"""

from __future__ import annotations

import difflib
import zoneinfo
from datetime import date, datetime
from typing import Any

from loaders.contract.tables import ALL_SPECS, NEVER_SELECTED

TOP_KEYS = ("name", "description", "timezone", "files", "tables")
FILE_KEYS = ("path", "format", "delimiter", "encoding", "sheet", "placeholders", "personal")
TABLE_KEYS = ("from", "columns", "join", "require", "distinct")
JOIN_KEYS = ("file", "on", "lookup_on", "required")
SOURCE_KEYS = ("column", "coalesce", "template", "value", "derive")
COLUMN_KEYS = (
    *SOURCE_KEYS,
    "columns",
    "default",
    "map",
    "otherwise",
    "keep_unmapped",
    "format",
    "timezone",
    "decimal",
    "when",
    "note",
)
WHEN_KEYS = ("column", "in", "not_in", "empty")
DERIVE_TARGETS = {
    "phone_status": ("phone_status",),
    "email_status": ("email_status",),
    "pseudonym": ("customer_key", "actor_key"),
}
_SCALARS = (str, bool, int, float, datetime, date)


def _suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" Did you mean {close[0]!r}?" if close else f" Known: {', '.join(choices)}."


def _unknown_keys(where: str, table: dict[str, Any], known: tuple[str, ...]) -> list[str]:
    return [f"{where}: unknown key {key!r}.{_suggest(key, known)}" for key in table if key not in known]


def _is_text_list(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def check_mapping_document(doc: dict[str, Any]) -> list[str]:
    """Every problem of the mapping document ``doc``; empty when it describes a possible import."""
    problems = _unknown_keys("top level", doc, TOP_KEYS)
    if not isinstance(doc.get("name"), str) or not doc.get("name"):
        problems.append('top level: `name` is missing; give the mapping a name, e.g. name = "crm_pilot".')
    tz = doc.get("timezone", "UTC")
    problems += _check_timezone("top level", tz)
    files = doc.get("files")
    if not isinstance(files, dict) or not files:
        problems.append("[files]: no source file is described; add e.g. [files.leads] with path = ...")
        files = {}
    for name, spec in files.items():
        problems += _check_file(f"files.{name}", spec)
    tables = doc.get("tables")
    if not isinstance(tables, dict) or not tables:
        problems.append("[tables]: no contract table is mapped; add e.g. [tables.leads] with from = ...")
        tables = {}
    for table, spec in tables.items():
        if table not in ALL_SPECS:
            problems.append(f"tables.{table}: not a contract table.{_suggest(table, tuple(ALL_SPECS))}")
            continue
        problems += _check_table(table, spec, files)
    return problems


def _check_timezone(where: str, tz: Any) -> list[str]:
    try:
        zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return [f"{where}: time zone {tz!r} is unknown; use an IANA name such as 'Europe/Rome' or 'UTC'."]
    return []


def _check_file(where: str, spec: Any) -> list[str]:
    if not isinstance(spec, dict):
        return [f"{where}: must be a table of options, e.g. path = 'leads.csv'."]
    problems = _unknown_keys(where, spec, FILE_KEYS)
    fmt = spec.get("format")
    if fmt is not None and fmt not in ("csv", "parquet", "xlsx"):
        problems.append(f"{where}.format: {fmt!r} is not one of csv, parquet, xlsx.")
    delimiter = spec.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        problems.append(f'{where}.delimiter: must be one character, e.g. ";" or "\\t"; got {delimiter!r}.')
    encoding = spec.get("encoding")
    if encoding is not None:
        try:
            "".encode(str(encoding))
        except LookupError:
            problems.append(f"{where}.encoding: {encoding!r} is not an encoding Python knows (try 'cp1252').")
    for key in ("placeholders", "personal"):
        if key in spec and not _is_text_list(spec[key]):
            problems.append(f"{where}.{key}: must be a list of texts, e.g. {key} = ['Select'].")
    return problems


def _check_table(table: str, spec: Any, files: dict[str, Any]) -> list[str]:
    where = f"tables.{table}"
    if not isinstance(spec, dict):
        return [f"{where}: must be a table with from = ... and [{where}.columns]."]
    problems = _unknown_keys(where, spec, TABLE_KEYS)
    source = spec.get("from")
    if source not in files:
        problems.append(
            f"{where}.from: {source!r} is not a file of [files].{_suggest(str(source), tuple(files))}"
        )
    joins = spec.get("join", [])
    for i, join in enumerate([joins] if isinstance(joins, dict) else joins):
        jw = f"{where}.join[{i}]"
        if not isinstance(join, dict):
            problems.append(f"{jw}: must be a table such as {{ file = 'teams', on = 'sales_agent' }}.")
            continue
        problems += _unknown_keys(jw, join, JOIN_KEYS)
        if join.get("file") not in files:
            problems.append(f"{jw}.file: {join.get('file')!r} is not a file of [files].")
        if not isinstance(join.get("on"), str):
            problems.append(f"{jw}.on: name the column to match, e.g. on = 'sales_agent'.")
    if "require" in spec and not _is_text_list(spec["require"]):
        problems.append(f"{where}.require: must be a list of source column names.")
    columns = spec.get("columns")
    if not isinstance(columns, dict) or not columns:
        return [*problems, f"{where}.columns: no column is mapped; add [{where}.columns]."]
    known = {c.name: c for c in ALL_SPECS[table]}
    personal = _personal_of(spec, files)
    for target, raw in columns.items():
        if target not in known:
            problems.append(
                f"{where}.columns.{target}: not a column of {table}.{_suggest(target, tuple(known))}"
            )
            continue
        if (table, target) in NEVER_SELECTED:
            problems.append(
                f"{where}.columns.{target}: Leadline never reads this free text and it may hold personal "
                "data; leave it out of the mapping."
            )
            continue
        problems += _check_column(f"{where}.columns.{target}", target, raw)
        problems += _check_personal_use(f"{where}.columns.{target}", raw, personal)
    for spec_col in ALL_SPECS[table]:
        if not spec_col.nullable and spec_col.name not in columns:
            problems.append(
                f"{where}.columns: required column {spec_col.name!r} is not mapped; map a source column "
                f'or state a default, e.g. {spec_col.name} = {{ default = "..." }}.'
            )
    return problems


def _personal_of(spec: dict[str, Any], files: dict[str, Any]) -> set[str]:
    joins = spec.get("join", [])
    names = [spec.get("from")] + [j.get("file") for j in ([joins] if isinstance(joins, dict) else joins)]
    personal: set[str] = set()
    for name in names:
        entry = files.get(str(name))
        declared = entry.get("personal", []) if isinstance(entry, dict) else []
        personal.update([declared] if isinstance(declared, str) else declared)
    return personal


def _check_personal_use(where: str, raw: Any, personal: set[str]) -> list[str]:
    """Personal columns may only feed a derivation: copying them would store raw personal data."""
    used: set[str]
    if isinstance(raw, str):
        used = {raw}
    elif isinstance(raw, dict) and "derive" not in raw:
        used = (
            {str(raw.get("column"))}
            | set(raw.get("coalesce", []))
            | set(template_columns(raw.get("template", "")))
        )
    else:
        return []
    return [
        f"{where}: {name!r} is declared personal and can only be used through derive "
        "(phone_status, email_status or pseudonym), never copied."
        for name in sorted(used & personal)
    ]


def template_columns(template: Any) -> list[str]:
    """The column names a template such as ``"{Lead Origin}:{Lead Source}"`` refers to."""
    names: list[str] = []
    if not isinstance(template, str):
        return names
    depth, current = 0, list[str]()
    for char in template:
        if char == "{":
            depth, current = depth + 1, []
        elif char == "}" and depth:
            depth -= 1
            names.append("".join(current))
        elif depth:
            current.append(char)
    return names


def _check_column(where: str, target: str, raw: Any) -> list[str]:
    if isinstance(raw, str):
        return []
    if not isinstance(raw, dict):
        return [f"{where}: give a source column name or a table such as {{ column = '...' }}."]
    problems = _unknown_keys(where, raw, COLUMN_KEYS)
    # With derive, column names the raw input, not a second source.
    sources = [k for k in SOURCE_KEYS if k in raw and not (k == "column" and "derive" in raw)]
    if len(sources) > 1:
        problems.append(f"{where}: give only one of {', '.join(sources)}.")
    if not sources and "default" not in raw:
        problems.append(
            f"{where}: say where the value comes from: column, coalesce, template, value or default."
        )
    derive = raw.get("derive")
    if derive is not None:
        targets = DERIVE_TARGETS.get(derive)
        if targets is None:
            problems.append(f"{where}.derive: {derive!r} is not one of {', '.join(DERIVE_TARGETS)}.")
        elif target not in targets:
            problems.append(f"{where}.derive: {derive!r} fills {' or '.join(targets)}, not {target}.")
        if not _is_text_list(raw.get("columns", raw.get("column"))):
            problems.append(
                f"{where}: derive needs column = '...' (or columns = [...]) naming the raw input."
            )
        for key in ("map", "template", "coalesce"):
            if key in raw:
                problems.append(f"{where}: {key} cannot be combined with derive.")
    elif "columns" in raw:
        problems.append(f"{where}: columns = [...] is only for derive; use coalesce = [...] or template.")
    if "coalesce" in raw and not _is_text_list(raw["coalesce"]):
        problems.append(f"{where}.coalesce: must be a list of source column names.")
    if "template" in raw and (not isinstance(raw["template"], str) or "{" not in raw["template"]):
        problems.append(f"{where}.template: must be a text with {{column}} references, e.g. '{{a}}-{{b}}'.")
    for key in ("value", "default", "otherwise"):
        if key in raw and not isinstance(raw[key], _SCALARS):
            problems.append(f"{where}.{key}: must be a text, number, boolean, date or date-time.")
    if "map" in raw:
        value_map = raw["map"]
        if not isinstance(value_map, dict) or not value_map:
            problems.append(f"{where}.map: must be a table such as {{ Yes = true, No = false }}.")
        elif not all(isinstance(v, _SCALARS) for v in value_map.values()):
            problems.append(f"{where}.map: every value must be a text, number, boolean, date or date-time.")
    if ("otherwise" in raw or "keep_unmapped" in raw) and "map" not in raw:
        problems.append(f"{where}: otherwise / keep_unmapped only make sense with map.")
    if "format" in raw and not _is_text_list(raw["format"]):
        problems.append(f"{where}.format: must be a strftime format such as '%d/%m/%Y %H:%M' or a list.")
    if "timezone" in raw:
        problems += _check_timezone(where, raw["timezone"])
    if raw.get("decimal", ".") not in (".", ","):
        problems.append(f"{where}.decimal: must be '.' or ','.")
    if "when" in raw:
        problems += _check_when(f"{where}.when", raw["when"])
    return problems


def _check_when(where: str, when: Any) -> list[str]:
    if not isinstance(when, dict):
        return [f"{where}: must be a table such as {{ column = 'deal_stage', in = ['Won'] }}."]
    problems = _unknown_keys(where, when, WHEN_KEYS)
    if not isinstance(when.get("column"), str):
        problems.append(f"{where}.column: name the source column the condition tests.")
    tests = [k for k in ("in", "not_in", "empty") if k in when]
    if len(tests) != 1:
        problems.append(f"{where}: give exactly one of in = [...], not_in = [...] or empty = true/false.")
    for key in ("in", "not_in"):
        if key in when and not _is_text_list(when[key]):
            problems.append(f"{where}.{key}: must be a list of texts.")
    if "empty" in when and not isinstance(when["empty"], bool):
        problems.append(f"{where}.empty: must be true or false.")
    return problems
