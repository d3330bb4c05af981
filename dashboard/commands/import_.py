"""`leadline import`: read CSV, Parquet or Excel exports through a mapping into the contract tables.

The import is all or nothing: problems are reported with file, row, column and a fix, and
then nothing is written. ``--dry-run`` shows what would be written without writing it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from common import settings
from common.errors import SettingsError, WarehouseUnavailable
from loaders.imports import ImportRejected, apply_import, load_mapping, plan_import
from loaders.imports.problems import DEFAULT_LIMIT
from loaders.warehouse.engine import make_engine, redact


def add_parser(subparsers: Any) -> None:
    """Register the sub-command."""
    parser = subparsers.add_parser(
        "import",
        help="import CSV, Parquet or Excel exports into the warehouse through a mapping file",
        description="Read exports as a mapping file describes (docs/import.md) and write the contract "
        "tables, all or nothing. Personal data is turned into statuses and keyed hashes, never stored.",
    )
    parser.add_argument(
        "--mapping", required=True, type=Path, help="mapping file (TOML), see examples/mappings/"
    )
    parser.add_argument(
        "--warehouse",
        default=None,
        help="SQLAlchemy URL of the warehouse to write (default: the warehouse_url setting)",
    )
    parser.add_argument(
        "--file",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="the file for [files.NAME] of the mapping, instead of its path (repeat for several)",
    )
    parser.add_argument("--dry-run", action="store_true", help="check and summarise, write nothing")
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"problems listed in detail (default {DEFAULT_LIMIT})",
    )
    parser.set_defaults(run=run)


def _files(pairs: list[str]) -> dict[str, Path]:
    files = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not name or not path:
            raise SettingsError(
                f"--file {pair!r} is not NAME=PATH.", "Write e.g. --file leads=exports/leads.csv."
            )
        files[name] = Path(path)
    return files


def run(args: argparse.Namespace) -> int:
    """Plan the import, print the summary and any problems; write unless it is a dry run."""
    mapping = load_mapping(args.mapping)
    url = args.warehouse or str(settings.get("warehouse_url"))
    engine = _engine(url, dry_run=args.dry_run)
    try:
        plan = plan_import(mapping, _files(args.file), engine=engine, limit=max(args.limit, 1))
        print(plan.summary())
        if not plan.ok:
            raise ImportRejected(
                f"The import {mapping.name!r} was not written.\n{plan.report}",
                "Fix the files or the mapping as each line says, then run the import again "
                "(add --dry-run to check without writing).",
            )
        if args.dry_run:
            print(f"Dry run: no problems found; nothing was written to {redact(url)}.")
            return 0
        assert engine is not None  # only a dry run goes without
        result = apply_import(plan, engine)
        print(result.summary())
        print(f"Written to {redact(url)}.", file=sys.stdout)
        return 0
    finally:
        if engine is not None:
            engine.dispose()


def _engine(url: str, *, dry_run: bool) -> Engine | None:
    """A writable engine; for a dry run a read-only one, or none when the DuckDB file does not exist yet."""
    if not dry_run:
        return make_engine(url, read_only=False)
    try:
        return make_engine(url, read_only=True)
    except WarehouseUnavailable:
        return None
