"""`leadline check`: does the warehouse satisfy the contract Leadline reads?

First the schema (tables, columns, kinds), then, when the schema holds, the data-quality
checks (loaders/contract/data_quality.py) as warnings. Exit codes: 0 the contract holds (warnings
allowed), 1 the schema is broken, 2 the warehouse cannot be reached (printed by
``dashboard.cli.main`` from the WarehouseUnavailable raised).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl

from common import settings
from loaders.contract.check import check_contract, contract_errors
from loaders.contract.check_schema import ContractProblem, Severity
from loaders.contract.data_quality import check_data_quality, quality_problems
from loaders.contract.data_quality_checks import DESCRIPTIONS
from loaders.contract.result_codes import unknown_result_codes_by_source
from loaders.contract.tables import CONTRACT
from loaders.warehouse.engine import make_engine, redact

EXIT_OK = 0
EXIT_CONTRACT_BROKEN = 1

_SECTION_TITLES = {
    Severity.ERROR: "Errors (the contract does not hold):",
    Severity.WARNING: "Warnings:",
    Severity.INFO: "Notes:",
}


def add_parser(subparsers: Any) -> None:
    """Register the sub-command."""
    parser = subparsers.add_parser(
        "check",
        help="check that the warehouse has the tables and columns Leadline reads",
        description="Check the warehouse against the Leadline contract (docs/warehouse.md). "
        "Exit code 0: the contract holds; 1: it does not; 2: the warehouse cannot be reached.",
    )
    parser.add_argument(
        "--warehouse",
        metavar="URL",
        default=None,
        help="SQLAlchemy URL of the warehouse (default: the warehouse_url setting, LEADLINE_WAREHOUSE_URL)",
    )
    parser.add_argument(
        "--as-of",
        metavar="TIME",
        type=_as_of,
        default=None,
        help="ISO date or time (UTC) after which a timestamp counts as in the future (default: now)",
    )
    parser.add_argument(
        "--schema-only", action="store_true", help="check tables and columns only, skip the data-quality scan"
    )
    parser.set_defaults(run=run)


def _as_of(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date or time, e.g. 2025-01-31T12:00"
        ) from None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def run(args: argparse.Namespace) -> int:
    """Check the warehouse, print the report, and return the exit code."""
    url = args.warehouse or settings.get("warehouse_url")
    as_of = args.as_of or datetime.now(UTC).replace(tzinfo=None)
    engine = make_engine(url)
    try:
        problems = check_contract(engine)
        print(render_report(redact(url), problems))
        if contract_errors(problems):
            return EXIT_CONTRACT_BROKEN
        if not args.schema_only:
            print()
            print(render_quality_report(check_data_quality(engine, as_of), as_of))
            unknown = unknown_result_codes_by_source(engine)
            if not unknown.is_empty():
                print()
                print(render_unknown_result_codes(unknown))
    finally:
        engine.dispose()
    return EXIT_OK


def render_report(where: str, problems: Sequence[ContractProblem]) -> str:
    """The report people read: one section per severity, then a one-line verdict."""
    lines = [
        f"Checking {where} against the Leadline contract ({len(CONTRACT)} tables, docs/warehouse.md).",
        "",
    ]
    for severity in Severity:
        chosen = [p for p in problems if p.severity is severity]
        if not chosen:
            continue
        lines.append(_SECTION_TITLES[severity])
        for problem in chosen:
            lines.append(f"  - {problem.message}")
            if problem.hint:
                lines.append(f"    Hint: {problem.hint}")
        lines.append("")
    lines.append(_verdict(problems))
    return "\n".join(lines)


def _verdict(problems: Sequence[ContractProblem]) -> str:
    counts = {s: sum(1 for p in problems if p.severity is s) for s in Severity}
    tally = ", ".join(
        _plural(counts[s], word) for s, word in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"))
    )
    if counts[Severity.ERROR]:
        return f"The contract does not hold: {tally}. Fix the errors above, then run `leadline check` again."
    return f"The contract holds ({tally})."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def render_quality_report(report: pl.DataFrame, as_of: datetime) -> str:
    """The data-quality section: each check that found rows, its count, an example and its treatment."""
    found = quality_problems(report)
    header = f"Data quality (as of {as_of:%Y-%m-%d %H:%M} UTC, {report.height} checks, docs/data-quality.md):"
    if found.is_empty():
        return f"{header}\n  every check passed."
    lines = [header]
    for row in found.iter_rows(named=True):
        unit = "key value" if row["check"] == "duplicate_key" else "row"
        count = _plural(row["count"], unit)
        example = f" (e.g. {row['example_key']})" if row["example_key"] is not None else ""
        lines.append(f"  - {row['table']}.{row['column']}: {count} {DESCRIPTIONS[row['check']]}{example}.")
        lines.append(f"    Treated: {row['how_treated']}")
    lines.append(f"{_plural(found.height, 'data-quality warning')}; they do not break the contract.")
    return "\n".join(lines)


def render_unknown_result_codes(frame: pl.DataFrame) -> str:
    """Per lead source: activities whose result code is in no taxonomy, with an example code to map."""
    lines = ["Result codes in no taxonomy, per lead source (map them in the import, docs/import.md):"]
    for row in frame.iter_rows(named=True):
        share = row["unknown_codes"] / row["activities"] if row["activities"] else 0.0
        lines.append(
            f"  - {row['source']}: {row['unknown_codes']:,} of {row['activities']:,} coded activities "
            f"({share:.1%}), e.g. {row['example_code']!r}."
        )
    return "\n".join(lines)
