"""`leadline demo`: write the demo warehouse, a DuckDB file of realistic fictional leads.

The same --seed and --end always give the same data. Without --end the data ends now (UTC),
so it holds nothing in the future; with --end it runs to the end of that day. The file is
replaced atomically: a dashboard reading the old one never sees a half-written file.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from common.settings import DEFAULT_DEMO_PATH, PROJECT_ROOT
from loaders.demo.generate import DEFAULT_LEADS, DEFAULT_SEED, MAX_LEADS, DemoError, generate_demo


def add_parser(subparsers: Any) -> None:
    """Register the sub-command."""
    parser = subparsers.add_parser(
        "demo",
        help="write the demo warehouse (a DuckDB file of fictional leads)",
        description="Write a DuckDB warehouse of fictional, realistic leads for a network of car and "
        "motorcycle dealers over the 395 days ending on --end. The same --seed and --end give the same data.",
    )
    parser.add_argument(
        "--leads",
        metavar="N",
        default=str(DEFAULT_LEADS),
        help=f"number of leads (default {DEFAULT_LEADS:,})",
    )
    parser.add_argument(
        "--seed", metavar="S", default=str(DEFAULT_SEED), help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--out",
        metavar="PATH",
        default=str(DEFAULT_DEMO_PATH),
        help=f"DuckDB file to write (default: {DEFAULT_DEMO_PATH.relative_to(PROJECT_ROOT)} in the project, "
        "where the dashboard looks by default)",
    )
    parser.add_argument(
        "--end",
        metavar="YYYY-MM-DD",
        default=None,
        help="last day of the data (default: today, UTC, up to the current time)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the demo warehouse and print what was written."""
    leads = _whole_number("--leads", args.leads, minimum=1)
    if leads > MAX_LEADS:
        raise DemoError(f"--leads {leads:,} is more than the demo supports.", f"Use at most {MAX_LEADS:,}.")
    seed = _whole_number("--seed", args.seed, minimum=0)
    now = datetime.now(UTC).replace(tzinfo=None)
    end = _day(args.end) if args.end is not None else now.date()
    as_of = now if args.end is None else None
    summary = generate_demo(
        Path(args.out),
        leads=leads,
        seed=seed,
        end=end,
        as_of=as_of,
        progress=lambda line: print(f"  {line}", file=sys.stderr),
    )
    print(summary.describe())
    return 0


def _whole_number(option: str, text: str, *, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise DemoError(f"{option} {text!r} is not a whole number.", f"Give e.g. {option} 300000.") from None
    if value < minimum:
        raise DemoError(f"{option} must be at least {minimum}; got {value}.", f"Give e.g. {option} 300000.")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DemoError(
            f"--end {text!r} is not a date.", "Give it as YYYY-MM-DD, e.g. --end 2025-06-30."
        ) from None
