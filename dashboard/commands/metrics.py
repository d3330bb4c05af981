"""`leadline metrics`: the metrics table (or one of the detail tables) as CSV, JSON or Parquet.

    leadline metrics [TABLE] --start 2024-03-01 --end 2024-03-31 --by brand,dealer_id \\
        --filter market=DE --filter market=AT --format csv --out march.csv

TABLE is ``main`` (default: group columns, the registry's metrics, ``suppressed``, ``team_suppressed``) or one
of the detail tables. Mistakes in the arguments exit with code 2 and a message; --out is
written atomically (a temporary file renamed into place), so a failed run leaves no
half-written file behind.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from common import settings
from common.errors import FilterError, LeadlineError, WarehouseUnavailable
from dashboard.commands.as_user import scope_of_user, user_is_admin
from dashboard.commands.moments import parse_utc_moment
from dashboard.data import detail_tables
from dashboard.data.period_guard import guarded_query
from dashboard.data.tables import metrics_table
from loaders.request.query import DIMENSIONS, LEAD_DIMENSIONS, LeadQuery
from loaders.warehouse.engine import make_engine, redact
from loaders.warehouse.redaction import scrub

TableFunction = Callable[[Engine, LeadQuery, int], pl.DataFrame]

TABLES: dict[str, TableFunction] = {
    "main": metrics_table,
    "close-reasons": detail_tables.close_reasons,
    "funnel": detail_tables.funnel,
    "response-buckets": detail_tables.response_buckets,
    "response-buckets-bh": detail_tables.response_buckets_bh,
    "double-leads": detail_tables.double_leads,
    "prequalification-gap": detail_tables.prequalification_gap,
    "result-codes": detail_tables.result_codes,
    "waiting-now": detail_tables.waiting_now,
}
FORMATS = ("csv", "json", "parquet")


class OutputError(LeadlineError):
    """The output cannot be written where or how it was asked for."""


def add_parser(subparsers: Any) -> None:
    """Register the sub-command."""
    parser = subparsers.add_parser(
        "metrics",
        help="export the metrics table (or a detail table) per group as CSV, JSON or Parquet",
        description="One row per group: the group columns in the order given by --by, then the "
        "table's columns. Groups with fewer than --min-group-size leads (and the groups that would "
        "reveal them) show empty numbers and suppressed=true; teams of fewer than min_team_size "
        "salespeople show empty speed figures and team_suppressed=true. Exit code 2 on bad arguments or an unreachable warehouse.",
    )
    parser.add_argument(
        "table",
        nargs="?",
        default="main",
        choices=tuple(TABLES),
        help="which table to export (default: main, the registry's metrics)",
    )
    parser.add_argument("--warehouse", metavar="URL", help="warehouse URL (default: setting warehouse_url)")
    parser.add_argument("--start", metavar="YYYY-MM-DD", required=True, help="first day of the period")
    parser.add_argument("--end", metavar="YYYY-MM-DD", required=True, help="last day of the period")
    parser.add_argument(
        "--by", metavar="DIM[,DIM...]", default="", help=f"group by these dimensions: {', '.join(DIMENSIONS)}"
    )
    parser.add_argument(
        "--filter",
        metavar="DIM=VALUE",
        action="append",
        default=[],
        help="keep leads whose DIM is VALUE; repeat it (the same DIM repeated means any of the values)",
    )
    parser.add_argument(
        "--as-of",
        metavar='"YYYY-MM-DD HH:MM:SS"',
        help="UTC time the numbers are as of (no-contact ages); default: now",
    )
    parser.add_argument(
        "--min-group-size",
        metavar="K",
        help="suppress groups with fewer leads (default: setting min_group_size; with --as-user only higher)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, help="output format (default: from the --out suffix, else csv)"
    )
    parser.add_argument("--out", metavar="PATH", help="write to this file instead of standard output")
    parser.add_argument(
        "--as-user",
        metavar="EMAIL",
        help="only the leads this user may see, as the access file (setting access_file) says",
    )
    parser.add_argument(
        "--as-group",
        metavar="GROUP",
        action="append",
        default=[],
        help="with --as-user: a group of the user's identity provider (repeat for several)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Build the query from the arguments, compute the table and write it."""
    query = build_query(args)
    as_user = getattr(args, "as_user", None)
    min_group_size = _min_group_size(args.min_group_size, for_user=as_user is not None)
    out = Path(args.out) if args.out else None
    fmt = args.format or _format_from_suffix(out)
    if out is not None:
        _check_writable(out)
    elif fmt == "parquet":
        raise OutputError("Parquet is a binary format and is not printed to the terminal.", "Add --out PATH.")
    url = args.warehouse or settings.get("warehouse_url")
    engine = make_engine(url)
    try:
        if not user_is_admin(as_user, tuple(getattr(args, "as_group", ()))):
            # The same periods the user's dashboard shows: whole blocks of at least K leads.
            query = guarded_query(engine, query, min_group_size)
        frame = TABLES[args.table](engine, query, min_group_size)
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        raise WarehouseUnavailable(
            f"The warehouse {redact(url)} could not answer: {scrub(first_line, url)}",
            f"Run `leadline check --warehouse {redact(url)}` to see what is missing.",
        ) from None
    finally:
        engine.dispose()
    if out is None:
        sys.stdout.write(render_text(frame, fmt))
    else:
        write_atomically(frame, fmt, out)
        print(f"Wrote {frame.height} rows to {out}.", file=sys.stderr)
    return 0


def build_query(args: argparse.Namespace) -> LeadQuery:
    """The LeadQuery the arguments ask for (FilterError naming the bad argument otherwise)."""
    start = _parse_date(args.start, "--start")
    end = _parse_date(args.end, "--end")
    group_by = tuple(
        _dimension(dim.strip(), DIMENSIONS, "group by") for dim in args.by.split(",") if dim.strip()
    )
    return LeadQuery(
        start=start,
        end=end,
        as_of=parse_utc_moment(args.as_of, "--as-of"),
        group_by=group_by,
        filters=LeadQuery.make_filters(_parse_filters(args.filter)),
        scope=scope_of_user(getattr(args, "as_user", None), tuple(getattr(args, "as_group", ()))),
    )


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(
            f"{option} {text!r} is not a date.", f"Write it as YYYY-MM-DD, e.g. {option} 2024-03-01."
        ) from None


def _parse_filters(pairs: Sequence[str]) -> dict[str, list[str] | tuple[str, ...]]:
    filters: dict[str, list[str]] = {}
    for pair in pairs:
        dim, sep, value = pair.partition("=")
        if not sep or not value.strip():
            raise FilterError(f"--filter {pair!r} is not DIM=VALUE.", "Write it like --filter brand=Ducati.")
        filters.setdefault(_dimension(dim.strip(), LEAD_DIMENSIONS, "filter by"), []).append(value.strip())
    return dict(filters)


def _dimension(name: str, known: Sequence[str], verb: str) -> str:
    if name in known:
        return name
    close = difflib.get_close_matches(name.lower().replace("-", "_"), known, n=1, cutoff=0.5)
    close = close or [d for d in known if name.lower() in d]
    suggestion = f" Did you mean {close[0]!r}?" if close else ""
    raise FilterError(f"Cannot {verb} {name!r}.{suggestion}", f"Use one of: {', '.join(known)}.")


def _min_group_size(text: str | None, *, for_user: bool = False) -> int:
    """K from ``--min-group-size`` or the setting; on a user's behalf (``--as-user``) only ever raised."""
    configured = int(settings.get("min_group_size"))
    if text is None:
        return configured
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise FilterError(
            f"--min-group-size {text!r} is not a whole number of at least 1.", "Give e.g. --min-group-size 5."
        )
    if for_user and value < configured:
        raise FilterError(
            f"--min-group-size {value} is below the configured {configured}: with --as-user it can only be raised.",
            f"Give --min-group-size {configured} or more, or leave it out; the setting min_group_size decides.",
        )
    return value


def _format_from_suffix(out: Path | None) -> str:
    suffix = out.suffix.lower().lstrip(".") if out else ""
    return suffix if suffix in FORMATS else "csv"


def _check_writable(out: Path) -> None:
    """Fail before querying when ``out`` cannot be written (no such folder, a folder, no rights)."""
    parent = out.parent
    if out.is_dir():
        raise OutputError(f"--out {out} is a folder.", "Give a file name, e.g. --out metrics.csv.")
    if not parent.is_dir():
        raise OutputError(
            f"The folder {parent} of --out does not exist.", "Create it first or choose another."
        )
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise OutputError(f"Cannot write {out}: permission denied.", "Choose a path you may write to.")


def render_text(frame: pl.DataFrame, fmt: str) -> str:
    """The frame as CSV (NULL is an empty field) or as a JSON array of row objects."""
    if fmt == "json":
        return frame.write_json() + "\n"
    return frame.write_csv(null_value="")


def write_atomically(frame: pl.DataFrame, fmt: str, out: Path) -> None:
    """Write ``frame`` to a temporary file next to ``out``, then rename it into place."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        if fmt == "parquet":
            frame.write_parquet(temp)
        else:
            temp.write_text(render_text(frame, fmt), encoding="utf-8")
        os.replace(temp, out)
    except OSError as exc:
        raise OutputError(
            f"Could not write {out}: {exc.strerror or exc}.", "Check the path and free space."
        ) from None
    finally:
        temp.unlink(missing_ok=True)
