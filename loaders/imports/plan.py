"""Planning an import: read the files, build the contract tables, find every problem; write nothing.

``plan_import`` is what both the CLI and the Import page call first. The plan holds the
tables exactly as they would be written, the problem report and the defaulted columns, so
a person can look at all of it before ``apply_import`` changes the warehouse.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
from sqlalchemy import Engine

from loaders.contract.write import conform
from loaders.imports.mapping import ImportMapping, TableRule
from loaders.imports.problems import DEFAULT_LIMIT, Problem, ProblemLog
from loaders.imports.pseudonym import pseudonym_secret
from loaders.imports.readers import CSV_DELIMITERS, ROW, delimiter_name, load_bytes, read_source
from loaders.imports.transform import BuiltTable, DefaultedColumn, build_table
from loaders.imports.validate import check_tables

CONSENT_CHILDREN = ("lead_activities", "lead_outcomes")


@dataclass(frozen=True)
class ImportPlan:
    """What an import would write, and why it may not: the result of ``plan_import``."""

    mapping: ImportMapping
    frames: dict[str, pl.DataFrame]
    problems: tuple[Problem, ...]
    problem_count: int
    report: str
    defaulted: tuple[DefaultedColumn, ...] = ()
    skipped: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # warnings: imported as the documented rule says, not problems

    @property
    def ok(self) -> bool:
        """True when nothing stands in the way of writing."""
        return self.problem_count == 0

    def summary(self) -> str:
        """Rows per table, rows left out, and every defaulted column, for people."""
        lines = [f"Mapping {self.mapping.name!r}:"]
        for table, frame in self.frames.items():
            skipped = self.skipped.get(table, 0)
            left_out = f" ({skipped} source rows left out)" if skipped else ""
            lines.append(f"  {table}: {frame.height} rows{left_out}")
        for d in self.defaulted:
            note = f" ({d.note})" if d.note else ""
            lines.append(f"  defaulted: {d.table}.{d.column} = {d.default_value!r} in {d.rows} rows{note}")
        lines += [f"  warning: {n}" for n in self.notes]
        return "\n".join(lines)


def plan_import(
    mapping: ImportMapping,
    files: Mapping[str, bytes | Path] | None = None,
    *,
    engine: Engine | None = None,
    now: datetime | None = None,
    limit: int = DEFAULT_LIMIT,
) -> ImportPlan:
    """Read ``files`` (mapping file name or file name -> bytes or path; others from the mapping's paths).

    With ``engine``, rows may refer to leads, dealers, campaigns and close reasons already in the
    warehouse. Raises SettingsError when the mapping reads personal data and no pseudonym secret
    is set; every problem with the data itself is in the plan's report instead.
    """
    secret = pseudonym_secret() if mapping.has_personal_data else None
    log = ProblemLog(limit)
    labels = {name: _label(mapping, name, files or {}) for name in mapping.files}
    sources = _read_all(mapping, files or {}, labels, log)
    built: dict[str, BuiltTable] = {}
    for table, rule in mapping.tables.items():
        frame = _joined(rule, sources, labels, mapping, log)
        if frame is not None:
            built[table] = build_table(
                rule, frame, mapping, log, secret=secret, file_label=labels[rule.source]
            )
    frames = {t: b.frame for t, b in built.items()}
    skipped = {t: b.skipped for t, b in built.items() if b.skipped}
    _drop_refused_consent(frames, skipped)
    table_labels = {t: labels[mapping.tables[t].source] for t in frames}
    unbuilt = frozenset(t for t in mapping.tables if t not in built)  # their cause is reported already
    check_tables(frames, mapping.tables, table_labels, log, engine=engine, now=now, unbuilt=unbuilt)
    return ImportPlan(
        mapping=mapping,
        frames={t: conform(t, f) for t, f in frames.items()},
        problems=log.problems,
        problem_count=log.total,
        report=log.report(),
        defaulted=tuple(d for b in built.values() for d in b.defaulted),
        skipped=skipped,
        notes=tuple(n for b in built.values() for n in b.notes),
    )


def _label(mapping: ImportMapping, name: str, files: Mapping[str, bytes | Path] | None = None) -> str:
    """How reports name file ``name``: the file actually read (``--file mql=other.csv``), else the
    mapping's path, else the mapping's name for it."""
    given = (files or {}).get(name)
    if isinstance(given, Path):
        return given.name
    path = mapping.files[name].path
    return Path(path).name if path else name


def _read_all(
    mapping: ImportMapping, files: Mapping[str, bytes | Path], labels: dict[str, str], log: ProblemLog
) -> dict[str, pl.DataFrame]:
    sources = {}
    for name, spec in mapping.files.items():
        given = files.get(name, files.get(labels[name]))
        if given is None:
            given = mapping.resolve_path(name)
        if given is None or (isinstance(given, Path) and not given.is_file()):
            where = f" (looked for {given})" if given is not None else ""
            log.add(
                labels[name],
                f"The file for [files.{name}] was not given{where}.",
                f"Give it on the command line (--file {name}=PATH) or set path in [files.{name}].",
            )
            continue
        frame = read_source(spec, labels[name], load_bytes(given), log)
        if frame is not None:
            sources[name] = frame
    return sources


def _joined(
    rule: TableRule,
    sources: dict[str, pl.DataFrame],
    labels: dict[str, str],
    mapping: ImportMapping,
    log: ProblemLog,
) -> pl.DataFrame | None:
    """The table's source with its lookups joined, or None when a file or column is missing."""
    if rule.source not in sources or any(j.file not in sources for j in rule.joins):
        return None
    frame = sources[rule.source]
    if not _has_columns(frame, [j.on for j in rule.joins], labels[rule.source], rule.source, log):
        return None
    for i, join in enumerate(rule.joins):
        lookup = sources[join.file].drop(ROW)
        if not _has_columns(lookup, [join.lookup_on], labels[join.file], join.file, log):
            return None
        personal = join.on in mapping.personal_columns(rule.source)
        dupes = sources[join.file].filter(
            pl.col(join.lookup_on).is_duplicated() & pl.col(join.lookup_on).is_not_null()
        )
        log.add_rows(
            labels[join.file],
            dupes.select(ROW, pl.col(join.lookup_on).alias("__value")),
            "The lookup file has this key more than once, so the match is ambiguous.",
            "Keep one row per key in the lookup file.",
            column=join.lookup_on,
            personal=personal,
        )
        marker = f"__matched_{i}"
        lookup = lookup.with_columns(pl.lit(True).alias(marker))
        frame = frame.join(
            lookup.unique(join.lookup_on, keep="first"),
            left_on=join.on,
            right_on=join.lookup_on,
            how="left",
            suffix=f"__{join.file}",
            coalesce=False,
        )
        if join.required:
            unmatched = frame.filter(pl.col(join.on).is_not_null() & pl.col(marker).is_null())
            log.add_rows(
                labels[rule.source],
                unmatched.select(ROW, pl.col(join.on).alias("__value")),
                f"No row of {labels[join.file]} has this {join.lookup_on}.",
                f"Add it to {labels[join.file]}, or set required = false on the join.",
                column=join.on,
                personal=personal,
            )
    needed = sorted({c for col in rule.columns.values() for c in col.source_columns} | set(rule.require))
    if not _has_columns(frame, needed, labels[rule.source], rule.source, log):
        return None
    return frame


def _has_columns(frame: pl.DataFrame, needed: list[str], label: str, file: str, log: ProblemLog) -> bool:
    missing = [c for c in needed if c not in frame.columns]
    if not missing:
        return True
    present = [c for c in frame.columns if c != ROW and not c.startswith("__matched_")]
    if len(present) == 1:
        header = present[0]
        seen = [d for d in CSV_DELIMITERS if d in header]
        if seen:
            log.add(
                label,
                f"The whole header is one column: the file looks {delimiter_name(seen[0])}-separated, "
                "but was read with another delimiter.",
                f"Set delimiter = {seen[0]!r} in [files.{file}] (or remove delimiter to let Leadline detect it).",
            )
            return False
    for name in missing:
        close = difflib.get_close_matches(name, present, n=1)
        hint = (
            f"Did you mean {close[0]!r}? Fix the name in the mapping."
            if close
            else (
                f"Add the column to the export, or change the mapping. The file has: {', '.join(present[:12])}"
                + (" ..." if len(present) > 12 else "")
                + "."
            )
        )
        log.add(label, f"The column {name!r} that the mapping reads is missing.", hint, column=name)
    return False


def _drop_refused_consent(frames: dict[str, pl.DataFrame], skipped: dict[str, int]) -> None:
    """Leads whose buyer refused consent are never loaded; nor are their activities and outcomes."""
    leads = frames.get("leads")
    if leads is None or "consent" not in leads.columns:
        return
    refused = leads.filter(pl.col("consent").eq(False).fill_null(False))["lead_id"]
    if refused.is_empty():
        return
    for table in ("leads", *CONSENT_CHILDREN):
        if table in frames:
            before = frames[table].height
            frames[table] = frames[table].filter(~pl.col("lead_id").is_in(refused.implode()))
            skipped[table] = skipped.get(table, 0) + before - frames[table].height
