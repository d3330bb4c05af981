"""The Import page's steps without Streamlit: mappings to start from, where an import may be
written, the equivalent CLI command, and writing a checked plan into the warehouse.

The dashboard reads DuckDB read-only. An import from the page opens a separate, writable engine
to the same URL, only when the ``dashboard_import`` setting allows it, the warehouse is a DuckDB
file, and that file (or its folder, for a new warehouse) is writable. Otherwise the page shows
the ``leadline import`` command to run instead.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from common import settings
from common.errors import LeadlineError, WarehouseUnavailable
from loaders.imports import ImportPlan, ImportResult, apply_import
from loaders.warehouse.duckdb_file_gate import gate_for
from loaders.warehouse.engine import make_engine, redact
from loaders.warehouse.redaction import scrub

EXAMPLES_DIR = settings.PROJECT_ROOT / "examples" / "mappings"
UPLOAD_TYPES = ("csv", "txt", "tsv", "parquet", "xlsx")


def example_mappings() -> dict[str, Path]:
    """The example mappings shipped in examples/mappings/, by file name."""
    return {path.name: path for path in sorted(EXAMPLES_DIR.glob("*.toml"))}


@dataclass(frozen=True)
class WriteTarget:
    """Whether the page may write to the warehouse, and if not, why (for people)."""

    url: str
    writable: bool
    reason: str = ""


def write_target(url: str) -> WriteTarget:
    """Can the Import page write to ``url``? Checks the setting, the backend and the file."""
    if not settings.get("dashboard_import"):
        return WriteTarget(
            url, False, "Imports from the dashboard are switched off (setting dashboard_import)."
        )
    try:
        parsed = make_url(url)
    except ArgumentError:
        return WriteTarget(url, False, f"The warehouse URL {redact(url)} is not a SQLAlchemy URL.")
    if parsed.get_backend_name() != "duckdb":
        return WriteTarget(
            url,
            False,
            f"The warehouse is {parsed.get_backend_name()}, not a DuckDB file: the dashboard only reads it, "
            "so imports go through the command line.",
        )
    database = parsed.database or ""
    if database in ("", ":memory:"):
        return WriteTarget(
            url, False, "The warehouse is an in-memory DuckDB database; there is no file to write."
        )
    path = Path(database)
    if path.exists() and not os.access(path, os.W_OK):
        return WriteTarget(url, False, f"The warehouse file {path} is read-only for the dashboard's user.")
    if not path.exists() and not (path.parent.is_dir() and os.access(path.parent, os.W_OK)):
        return WriteTarget(url, False, f"The folder {path.parent} does not exist or cannot be written.")
    return WriteTarget(url, True)


def cli_command(mapping: str, url: str, files: Sequence[tuple[str, str]] = ()) -> str:
    """``leadline import --mapping ... --warehouse ... [--file NAME=PATH ...]`` (password hidden)."""
    parts = ["leadline", "import", "--mapping", mapping, "--warehouse", redact(url)]
    for name, path in files:
        parts += ["--file", f"{name}={path}"]
    return shlex.join(parts)


def release_readers(url: str) -> None:
    """Close this process's spare read-only connection to a DuckDB file, so it can be opened for writing.

    DuckDB refuses a read-write connection to a file this process still holds read-only.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "duckdb" and parsed.database not in (None, "", ":memory:"):
        gate_for(parsed.database).release()


def write_plan(plan: ImportPlan, url: str) -> ImportResult:
    """Write ``plan`` through a separate, writable engine, then close it so readers see the new data.

    Raises WarehouseUnavailable when the file is locked by another program or cannot be
    written; the plan's own checks (ImportRejected) pass through unchanged.
    """
    release_readers(url)
    engine = make_engine(url, read_only=False)
    try:
        return apply_import(plan, engine)
    except LeadlineError:
        raise
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        first_line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        raise WarehouseUnavailable(
            f"The warehouse at {redact(url)} could not be written: {scrub(first_line, url)}",
            "Another program may hold the file open for writing (a second `leadline serve`, a notebook). "
            "Close it, or run the command below instead.",
        ) from None
    finally:
        engine.dispose()
