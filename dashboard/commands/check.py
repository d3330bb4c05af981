"""`leadline check`: does the warehouse satisfy the contract Leadline reads?

Exit codes: 0 the contract holds (warnings allowed), 1 it is broken, 2 the warehouse
cannot be reached (printed by ``dashboard.cli.main`` from the WarehouseUnavailable raised).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from dashboard import settings
from loaders.check import check_contract, contract_errors
from loaders.check_schema import ContractProblem, Severity
from loaders.contract import CONTRACT
from loaders.engine import make_engine, redact

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
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the warehouse, print the report, and return the exit code."""
    url = args.warehouse or settings.get("warehouse_url")
    engine = make_engine(url)
    try:
        problems = check_contract(engine)
    finally:
        engine.dispose()
    print(render_report(redact(url), problems))
    return EXIT_CONTRACT_BROKEN if contract_errors(problems) else EXIT_OK


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
