"""`leadline refresh`: bring the materialised lead facts up to date with the warehouse.

Run it after each load of new leads and activities (cron, the end of an ETL job). It is
incremental: only leads touched since the previous refresh are recomputed. ``--full``
rebuilds every row (nightly, or after correcting old data in place). Until it runs, the
dashboard still shows new data: it patches the facts with the touched leads on the fly.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from common import settings
from common.errors import WarehouseUnavailable
from loaders.facts.refresh import CATCH_UP_MARGIN, refresh_lead_facts
from loaders.warehouse.engine import make_engine, redact
from loaders.warehouse.redaction import scrub


def add_parser(subparsers: Any) -> None:
    """Register the sub-command."""
    parser = subparsers.add_parser(
        "refresh",
        help="update the lead facts Leadline keeps in the warehouse (incremental)",
        description="Recompute the per-lead facts table (leadline_lead_facts) for the leads touched since "
        "the last refresh, or for every lead with --full. Needs write access to the warehouse.",
    )
    parser.add_argument(
        "--warehouse",
        metavar="URL",
        default=None,
        help="warehouse URL (default: the warehouse_url setting)",
    )
    parser.add_argument("--full", action="store_true", help="rebuild every row instead of the touched ones")
    parser.add_argument(
        "--margin-hours",
        metavar="H",
        type=float,
        default=CATCH_UP_MARGIN.total_seconds() / 3600,
        help="also recompute leads touched up to H hours before the previous refresh's newest lead "
        f"(late-arriving events; default {CATCH_UP_MARGIN.total_seconds() / 3600:g})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Refresh the facts and print what was done."""
    url = args.warehouse or str(settings.get("warehouse_url"))
    engine = make_engine(url, read_only=False)
    try:
        summary = refresh_lead_facts(engine, full=args.full, margin=timedelta(hours=args.margin_hours))
    except SQLAlchemyError as exc:
        first_line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        raise WarehouseUnavailable(
            f"Could not refresh the lead facts in {redact(url)}: {scrub(first_line, url)}",
            "Check that the warehouse is reachable and this user may create and write tables "
            "(a DuckDB file must not be open in another process).",
        ) from None
    finally:
        engine.dispose()
    print(summary.describe())
    return 0
