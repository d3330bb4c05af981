"""The demo warehouse: a DuckDB file of realistic, seeded, fictional leads for a dealer network.

``generate_demo`` writes every contract table. The same seed and end date always give the same
table contents. Leads are generated in chunks of about a million (a run of consecutive days
each), so ten million leads fit in a few GB of memory. The file is written next to its target
under a temporary name and renamed into place at the end: a dashboard reading the old file never
sees a half-written one, and a failure leaves the old file as it was.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from sqlalchemy import Connection, Engine, column, insert, select, table, text
from sqlalchemy.exc import SQLAlchemyError

from common.errors import LeadlineError
from loaders.contract.tables import TABLES
from loaders.contract.write import create_contract_tables, write_tables
from loaders.demo.activities import build_activities
from loaders.demo.calendar import DAYS, build_calendar
from loaders.demo.campaigns import build_campaigns, count_by_day, spend_frame
from loaders.demo.contacts import plan_contacts
from loaders.demo.frames import activities_table, leads_table, outcomes_table
from loaders.demo.hours import closed_days_frame, opening_hours_frame
from loaders.demo.leads import generate_leads
from loaders.demo.network import build_network
from loaders.demo.outcomes import decide_outcomes
from loaders.facts.refresh import refresh_lead_facts
from loaders.warehouse.engine import make_engine
from metrics.taxonomy import default_close_reasons_frame

DEFAULT_LEADS = 300_000
DEFAULT_SEED = 7
MAX_LEADS = 50_000_000
CHUNK_LEADS = 1_000_000


class DemoError(LeadlineError):
    """The demo warehouse cannot be written with the arguments given, or where it was asked to go."""


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate_demo`` wrote."""

    path: Path
    leads: int
    activities: int
    outcomes: int
    dealers: int
    campaigns: int
    spend_rows: int
    first_day: date
    end: date
    seconds: float

    def describe(self) -> str:
        """One line for people."""
        return (
            f"Wrote {self.path}: {self.leads:,} leads, {self.activities:,} activities, "
            f"{self.outcomes:,} outcomes, {self.dealers} dealers, {self.campaigns} campaigns "
            f"({self.spend_rows:,} spend rows), {self.first_day} to {self.end}, in {self.seconds:.1f} s."
        )


def today_utc() -> date:
    """The default end of the demo data."""
    return datetime.now(UTC).date()


def generate_demo(
    path: Path,
    leads: int = DEFAULT_LEADS,
    seed: int = DEFAULT_SEED,
    end: date | None = None,
    as_of: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Write a demo warehouse of ``leads`` leads over the 395 days ending on ``end`` (default: today, UTC).

    The same ``leads``, ``seed`` and ``end`` always give the same table contents. Nothing is
    recorded after the end of ``end``, or after ``as_of`` (naive UTC, a time on ``end``) when
    given: pass the current time for a demo that ends today and holds nothing in the future.
    ``progress`` receives a line after each chunk. Replaces ``path`` atomically. Raises
    DemoError for a lead count out of range, an ``as_of`` not on ``end``, or a path that
    cannot be written.
    """
    if not 1 <= leads <= MAX_LEADS:
        raise DemoError(
            f"The number of demo leads must be between 1 and {MAX_LEADS:,}; got {leads:,}.",
            "Use e.g. --leads 300000 (the default).",
        )
    if seed < 0:
        raise DemoError(f"The demo seed must be 0 or more; got {seed}.", "Use e.g. --seed 7 (the default).")
    end = end or today_utc()
    if as_of is not None and not (datetime.combine(end, time()) < as_of <= datetime.combine(end, time.max)):
        raise DemoError(
            f"The demo's as-of time {as_of} is not on its end date {end}.", "Give a time on --end."
        )
    started = perf_counter()
    with atomic_output(path) as scratch:
        engine = make_engine(f"duckdb:///{scratch}", read_only=False)
        try:
            report = progress or (lambda _message: None)
            counts, first_day = _write_all(engine, _Generator(leads, seed, end, as_of), report)
            # The per-lead facts the dashboard reads (loaders/facts/refresh.py): built once here so
            # that the demo answers fast from the first page view.
            report(refresh_lead_facts(engine, full=True).describe())
            with engine.begin() as conn:
                conn.execute(text("CHECKPOINT"))
        except (SQLAlchemyError, duckdb.Error, OSError) as exc:
            raise DemoError(
                f"Could not write the demo warehouse {path}: {str(exc).splitlines()[0]}",
                "Check that the folder is writable and the disk has room (10 million leads take about 3 GB).",
            ) from exc
        finally:
            engine.dispose()
        # Renaming a file whose write-ahead log still holds rows would silently lose them.
        log = Path(f"{scratch}.wal")
        if log.exists() and log.stat().st_size > 0:
            raise DemoError(f"The demo warehouse {path} was not fully written.", "Run `leadline demo` again.")
    return DemoSummary(
        path=path,
        leads=counts["leads"],
        activities=counts["activities"],
        outcomes=counts["outcomes"],
        dealers=counts["dealers"],
        campaigns=counts["campaigns"],
        spend_rows=counts["spend_rows"],
        first_day=first_day,
        end=end,
        seconds=perf_counter() - started,
    )


@dataclass(frozen=True)
class _Chunk:
    """One chunk of generated rows, ready to append."""

    tables: dict[str, pa.Table]
    leads_per_day: np.ndarray


class _Generator:
    """Everything that is the same for every chunk of one run."""

    def __init__(self, total: int, seed: int, end: date, as_of: datetime | None) -> None:
        self.seed = seed
        self.total = total
        self.net = build_network(seed)
        self.cal = build_calendar(end, seed, as_of)
        self.camps = build_campaigns(self.net, seed)
        rng = np.random.default_rng(np.random.SeedSequence([seed, 5]))
        self.day_counts = rng.multinomial(total, self.cal.day_weight)
        self.chunks = _chunks(self.day_counts)
        self.first_lead_no = np.concatenate([[1], 1 + np.cumsum([self._size(c) for c in self.chunks])])

    def _size(self, chunk: tuple[int, int]) -> int:
        return int(self.day_counts[chunk[0] : chunk[1] + 1].sum())

    def chunk(self, index: int) -> _Chunk:
        """Chunk ``index``: it depends only on the seed, the end date and the lead count."""
        first_day, last_day = self.chunks[index]
        net, cal, camps = self.net, self.cal, self.camps
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 100, index]))
        days = np.repeat(np.arange(first_day, last_day + 1), self.day_counts[first_day : last_day + 1])
        batch = generate_leads(rng, net, camps, cal, days, int(self.first_lead_no[index]))
        plan = plan_contacts(rng, net, cal, batch)
        outcomes = decide_outcomes(rng, net, cal, batch, plan)
        acts = build_activities(rng, net, cal, batch, plan, outcomes)
        return _Chunk(
            tables={
                "leads": leads_table(net, batch, camps.ids, self.seed),
                "lead_activities": activities_table(net, batch, acts),
                "lead_outcomes": outcomes_table(batch, outcomes),
            },
            leads_per_day=count_by_day(camps, batch.campaign, batch.created_s, cal),
        )


def _write_all(
    engine: Engine, gen: _Generator, progress: Callable[[str], None]
) -> tuple[dict[str, int], date]:
    create_contract_tables(engine)
    dimensions = {"dealers": gen.net.dealers, "campaigns": gen.camps.frame}
    write_tables(engine, {**dimensions, "close_reasons": default_close_reasons_frame()})
    last_day = gen.cal.start + timedelta(days=DAYS + 7)
    hours = {
        "dealer_opening_hours": opening_hours_frame(gen.net),
        "dealer_closed_days": closed_days_frame(gen.net, gen.cal.start, last_day),
    }
    write_tables(engine, hours)
    leads_per_day = np.zeros((len(gen.camps.ids), DAYS), dtype=np.int64)
    written = {"leads": 0, "activities": 0, "outcomes": 0}
    # Generate the next chunk while DuckDB appends this one: NumPy, Arrow and DuckDB all release
    # the GIL, so the two overlap on a two-core machine; at most two chunks are in memory.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(gen.chunk, 0)
        for index in range(len(gen.chunks)):
            chunk = pending.result()
            if index + 1 < len(gen.chunks):
                pending = pool.submit(gen.chunk, index + 1)
            with engine.begin() as conn:
                for name, data in chunk.tables.items():
                    append_arrow(conn, name, data)
            leads_per_day += chunk.leads_per_day
            written["leads"] += chunk.tables["leads"].num_rows
            written["activities"] += chunk.tables["lead_activities"].num_rows
            written["outcomes"] += chunk.tables["lead_outcomes"].num_rows
            del chunk
            progress(f"{written['leads']:,} of {gen.total:,} leads written")
    spend = spend_frame(gen.camps, leads_per_day, gen.total, gen.cal, gen.seed)
    write_tables(engine, {"campaign_spend": spend})
    sizes = {
        "dealers": gen.net.dealers.height,
        "campaigns": gen.camps.frame.height,
        "spend_rows": spend.height,
    }
    return {**written, **sizes}, gen.cal.start


def append_arrow(conn: Connection, name: str, data: pa.Table) -> None:
    """Append an Arrow table to contract table ``name`` on a DuckDB connection, without copying rows in Python."""
    raw: Any = conn.connection.driver_connection
    view = f"_leadline_demo_{name}"
    raw.register(view, data)
    try:
        incoming = table(view, *(column(c) for c in data.column_names))
        conn.execute(insert(TABLES[name]).from_select(data.column_names, select(*incoming.c)))
    finally:
        raw.unregister(view)


def _chunks(day_counts: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive days (first, last) holding about CHUNK_LEADS leads each."""
    cumulative = np.cumsum(day_counts)
    chunk_of_day = (cumulative - day_counts) // CHUNK_LEADS  # by the first lead of the day
    return [
        (int(np.flatnonzero(chunk_of_day == c)[0]), int(np.flatnonzero(chunk_of_day == c)[-1]))
        for c in np.unique(chunk_of_day)
    ]


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A scratch path next to ``path``; renamed onto ``path`` only if the block succeeds.

    Whatever happens, no scratch file is left behind, and on failure ``path`` is untouched.
    """
    if path.is_dir():
        raise DemoError(f"{path} is a folder, not a file.", "Give a file path, e.g. --out data/demo.duckdb.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DemoError(
            f"Cannot create the folder {path.parent} for the demo warehouse: {exc.strerror}.",
            "Choose an --out path in a folder you can write to.",
        ) from None
    scratch = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield scratch
        os.replace(scratch, path)
        # A write-ahead log left by an earlier crashed writer would be replayed onto the new file.
        Path(f"{path}.wal").unlink(missing_ok=True)
    finally:
        scratch.unlink(missing_ok=True)
        Path(f"{scratch}.wal").unlink(missing_ok=True)
