"""Reading the lead set and lead facts from ``leadline_lead_facts`` when that gives the same numbers.

``reading_facts_from(bind)`` probes the warehouse (at most every ``PROBE_SECONDS`` per
warehouse) and, for the queries run inside the block, makes ``lead_set``/``lead_facts`` read:

* the materialised facts alone, when the contract tables still match the recorded signature;
* the materialised facts of untouched leads UNION ALL the on-the-fly facts of the leads touched
  since the last refresh (minus its margin), when new data landed since: the dashboard shows
  new leads and activities at once, and only the recent rows cost extra until the next
  ``leadline refresh``;
* nothing (on-the-fly computation) when there are no facts, or they were built by another
  facts version or from other dealers, campaigns or time zones.

Consent and existence are checked at every read, cheaply: one scan of ``leads`` for its row
count, latest ``created_at`` and refused count, compared with the refresh's. When it differs
(rows deleted, consent refused, leads added) the read keeps only facts rows whose lead is still
present and consenting (a semi-join on ``lead_id``) and recomputes the other leads of the
buyers whose leads went away; so a lead whose buyer withdrew consent, or whose row was
deleted, is not counted from the next read on, without ``leadline refresh`` (GDPR;
docs/privacy.md section 1). The next refresh purges the rows.

Every path filters, groups and aggregates in the warehouse; only aggregates leave it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import ColumnElement, Connection, FromClause, Select, Subquery, or_, select, union_all
from sqlalchemy.exc import SQLAlchemyError

from loaders.contract.tables import leads
from loaders.facts.build import (
    TABLE_COLUMNS,
    buyers_of_withdrawn_leads,
    facts_rows_select,
    recomputed_leads,
    still_consenting,
    touched_lead_ids,
)
from loaders.facts.lead_facts import facts_read_by, query_predicates, reader_chosen
from loaders.facts.opening import (
    OpeningSetup,
    default_setup,
    opening_setup_chosen,
    opening_setup_used,
    probe_opening,
)
from loaders.facts.refresh import CATCH_UP_MARGIN
from loaders.facts.result_taxonomy import load_result_taxonomy, taxonomy_chosen, using_result_taxonomy
from loaders.facts.state import (
    connection_of,
    data_signature,
    dimensions_digest,
    known_timezones,
    leads_signature,
    one_check_per_read,
    read_state,
    recorded_leads_signature,
    signature_text,
)
from loaders.facts.table import (
    DIMENSION_NAMES,
    FACTS_COLUMNS,
    FACTS_VERSION,
    LEAD_SET_NAMES,
    lead_facts_table,
)
from loaders.request.query import LeadQuery
from loaders.warehouse.fetch import Bind
from loaders.warehouse.timed_memo import TimedMemo, forget_all, warehouse_key
from metrics.result_codes import DEFAULT_TAXONOMY, Taxonomy

P = ParamSpec("P")
R = TypeVar("R")

# How long a probe's answer is trusted. Well under the result cache's time-to-live, so new
# data shows up within that time-to-live plus this.
PROBE_SECONDS = 15.0


@dataclass(frozen=True)
class MaterialisedFacts:
    """A ``FactsReader`` over ``leadline_lead_facts``; ``catch_up_since`` set when new data landed.

    ``built_leads`` is the ``leads_signature`` of the last refresh; ``recheck`` is set for a read
    whose own probe of ``leads`` found it different (rows deleted, consent refused, or leads
    added): the read then keeps only facts of leads still present and consenting, and recomputes
    the other leads of the buyers whose leads went away.
    """

    zones: tuple[str, ...]
    catch_up_since: datetime | None = None
    setup: OpeningSetup | None = None  # the opening-hours tables the catch-up computes with
    built_leads: tuple[Any, ...] | None = None
    recheck: bool = False

    def checked(self, bind: Bind) -> MaterialisedFacts:
        """This reader for one read: ``recheck`` set unless ``leads`` still matches the refresh's signature."""
        try:
            same = self.built_leads is not None and tuple(leads_signature(bind)) == self.built_leads
        except SQLAlchemyError:
            same = False  # the exact path; a failing warehouse reports itself in the read itself
        return self if same else replace(self, recheck=True)

    def rows(self) -> FromClause:
        """Every consenting lead's facts: the table, or the table patched with the leads that changed."""
        table = lead_facts_table
        if self.catch_up_since is None and not self.recheck:
            return table
        changed: list[ColumnElement[bool]] = []
        if self.catch_up_since is not None:
            changed.append(recomputed_leads(touched_lead_ids(self.catch_up_since)))
        if self.recheck:
            changed.append(leads.c.customer_key.in_(buyers_of_withdrawn_leads()))
        recompute = or_(*changed)
        untouched = select(*(table.c[name] for name in TABLE_COLUMNS)).where(
            *([still_consenting()] if self.recheck else []),
            table.c.lead_id.not_in(select(leads.c.lead_id).where(recompute)),
        )
        rows = facts_rows_select([recompute], self.zones, self.setup)
        return union_all(untouched, rows).subquery("lead_fact_rows")

    def _select(self, query: LeadQuery, names: tuple[str, ...]) -> Select[Any]:
        rows = self.rows()
        dims = {name: rows.c[name] for name in DIMENSION_NAMES}
        return select(*(rows.c[name] for name in names)).where(
            *query_predicates(query, rows.c.created_at, dims)
        )

    def lead_set(self, query: LeadQuery) -> Select[Any]:
        """The columns of ``lead_set(query)``, read from the facts."""
        return self._select(query, LEAD_SET_NAMES)

    def lead_facts(self, query: LeadQuery) -> Subquery:
        """The columns of ``lead_facts(query)`` plus the precomputed extras, read from the facts."""
        return self._select(query, FACTS_COLUMNS).subquery("lead_facts")


def probe_facts(bind: Bind) -> MaterialisedFacts | None:
    """The reader the materialised facts allow now, or None when only on-the-fly is exact."""
    with connection_of(bind) as conn:
        return _probe(conn)


def _probe(conn: Connection) -> MaterialisedFacts | None:
    state = read_state(conn)
    if state is None or state.facts_version != FACTS_VERSION:
        return None
    zones = known_timezones(conn)
    if dimensions_digest(conn, zones) != state.dimensions_digest:
        return None
    setup = probe_opening(conn, zones)
    recorded = recorded_leads_signature(state)
    built = tuple(recorded) if recorded is not None else None
    if signature_text(data_signature(conn)) == state.data_signature:
        return MaterialisedFacts(zones, built_leads=built, setup=setup)
    return MaterialisedFacts(
        zones, catch_up_since=state.high_water - CATCH_UP_MARGIN, built_leads=built, setup=setup
    )


_probes: TimedMemo[MaterialisedFacts | None] = TimedMemo(PROBE_SECONDS)
_openings: TimedMemo[OpeningSetup] = TimedMemo(PROBE_SECONDS)
_taxonomies: TimedMemo[Taxonomy] = TimedMemo(PROBE_SECONDS)


def current_reader(bind: Bind) -> MaterialisedFacts | None:
    """``probe_facts`` for the warehouse of ``bind``, re-probed at most every PROBE_SECONDS."""
    try:
        return _probes.get(warehouse_key(bind), lambda: probe_facts(bind))
    except SQLAlchemyError:
        return None  # the on-the-fly path is always exact; a failing warehouse reports itself there


def _probe_opening(bind: Bind) -> OpeningSetup:
    with connection_of(bind) as conn:
        return probe_opening(conn, known_timezones(conn))


def current_opening(bind: Bind) -> OpeningSetup:
    """The opening-hours setup of the warehouse of ``bind`` (optional tables, known zones), re-probed
    at most every PROBE_SECONDS; the defaults when the probe fails (the queries then report it)."""
    try:
        return _openings.get(warehouse_key(bind), lambda: _probe_opening(bind))
    except SQLAlchemyError:
        return default_setup()


def forget_probes() -> None:
    """Probe again on next use (after a refresh in this process, and for cold benchmarks)."""
    forget_all()  # the probes here and every other timed memo (loaders/warehouse/timed_memo.py)


def current_result_taxonomy(bind: Bind) -> Taxonomy:
    """``load_result_taxonomy`` for the warehouse of ``bind``, re-read at most every PROBE_SECONDS.

    The materialised facts were built with the taxonomy of their refresh; when the warehouse's
    differs now, ``dimensions_digest`` differs too and the reader computes on the fly with this one.
    """
    try:
        return _taxonomies.get(warehouse_key(bind), lambda: load_result_taxonomy(bind))
    except SQLAlchemyError:
        return DEFAULT_TAXONOMY  # a failing warehouse reports itself in the query that follows


@contextmanager
def reading_facts_from(bind: Bind) -> Iterator[None]:
    """Inside the block, lead_set/lead_facts read the materialised facts of ``bind`` when exact,
    and business minutes computed on the fly use the opening-hours tables ``bind`` has.

    Inside an outer ``reading_facts_from`` or ``facts_read_by`` block, the outer choice stands.
    The result-code taxonomy in force is set for the block too (unless an outer block set it).
    """
    with ExitStack() as stack:
        stack.enter_context(one_check_per_read())  # the probe and the check share one scan of leads
        reader = None
        if not reader_chosen():
            reader = current_reader(bind)
            # The probe is shared for PROBE_SECONDS; consent and erasure are checked at every read.
            stack.enter_context(facts_read_by(None if reader is None else reader.checked(bind)))
        # Decided on its own: a block that chose the facts source (facts_read_by) still reads
        # the warehouse's result-code taxonomy and opening hours.
        if not taxonomy_chosen():
            stack.enter_context(using_result_taxonomy(current_result_taxonomy(bind)))
        if not opening_setup_chosen():
            setup = reader.setup if reader is not None and reader.setup is not None else current_opening(bind)
            stack.enter_context(opening_setup_used(setup))
        yield


def with_materialised_facts(table: Callable[Concatenate[Any, P], R]) -> Callable[Concatenate[Any, P], R]:
    """Decorate a table function ``fn(engine, ...)`` so that its queries run in ``reading_facts_from``.

    All its queries (and the probe) share one connection: opening a DuckDB file costs far more
    than a query on its facts, and the engine keeps no idle connections (loaders/warehouse/engine.py).
    """

    @functools.wraps(table)
    def run(bind: Any, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with connection_of(bind) as conn, reading_facts_from(conn):
            return table(conn, *args, **kwargs)

    return run
