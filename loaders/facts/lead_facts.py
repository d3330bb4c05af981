"""The lead set L and one row of facts per lead in it, as a SQL subquery.

Every aggregate Leadline shows is a GROUP BY over this subquery, so the definitions of
"qualifying contact", "lost", the period and the access scope are written exactly once.
Nothing here is executed: callers aggregate over ``lead_facts(query)`` and run that.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
)

from loaders.contract.tables import (
    campaigns,
    consent_not_false,
    dealers,
    lead_activities,
    lead_outcomes,
    leads,
)
from loaders.facts.opening import OpeningSetup, business_minutes_between, current_setup
from loaders.facts.result_taxonomy import result_rank
from loaders.request.access_scope import AccessScope
from loaders.request.query import LeadQuery, Scope
from loaders.warehouse.sql_time import minutes_between, month_start, week_start
from metrics.result_codes import INVALID_RANK

UNKNOWN = "unknown"  # dimension value of leads whose dealer is not in the dealers table


def period_bounds(query: LeadQuery) -> tuple[datetime, datetime]:
    """``[start 00:00, end + 1 day 00:00)`` in UTC, as naive timestamps (the contract's UTC)."""
    return datetime.combine(query.start, time()), datetime.combine(query.end + timedelta(days=1), time())


def dimension_columns() -> dict[str, ColumnElement[Any]]:
    """Each groupable dimension as a SQL expression over leads LEFT JOIN dealers, campaigns."""
    return {
        "brand": leads.c.brand,
        "market": func.coalesce(dealers.c.market, literal(UNKNOWN)),
        "dealer_group_id": func.coalesce(dealers.c.dealer_group_id, literal(UNKNOWN)),
        "dealer_id": leads.c.dealer_id,
        "campaign_id": leads.c.campaign_id,
        "channel": campaigns.c.channel,
        "source": leads.c.source,
        "lead_type": leads.c.lead_type,
        "phone_status": leads.c.phone_status,
        "email_status": leads.c.email_status,
        "preferred_channel": leads.c.preferred_channel,
        "week": week_start(leads.c.created_at),
        "month": month_start(leads.c.created_at),
    }


def scope_predicate(
    scope: Scope | AccessScope, dims: Mapping[str, ColumnElement[Any]] | None = None
) -> ColumnElement[bool]:
    """The access scope as a WHERE predicate.

    Brands and markets each narrow the leads. Dealer groups and single dealers together
    form one grant: a lead passes when its group OR its dealer is granted (the union).
    An empty tuple grants nothing, so an empty scope matches no lead at all.
    An ``AccessScope`` is the OR of its grants' predicates; with no grants it matches nothing.
    ``dims`` are the dimension expressions to test (default: ``dimension_columns()``; the
    materialised facts pass their own columns).
    """
    dims = dimension_columns() if dims is None else dims
    if isinstance(scope, AccessScope):
        if scope.is_everything:
            return true()
        return or_(false(), *(scope_predicate(grant, dims) for grant in scope.grants))

    def member(dim: str, allowed: tuple[str, ...] | None) -> ColumnElement[bool]:
        return dims[dim].in_(list(allowed)) if allowed else false()

    clauses: list[ColumnElement[bool]] = []
    if scope.brands is not None:
        clauses.append(member("brand", scope.brands))
    if scope.markets is not None:
        clauses.append(member("market", scope.markets))
    if scope.dealer_group_ids is not None or scope.dealer_ids is not None:
        clauses.append(
            or_(member("dealer_group_id", scope.dealer_group_ids), member("dealer_id", scope.dealer_ids))
        )
    return and_(true(), *clauses)


def query_predicates(
    query: LeadQuery, created_at: ColumnElement[Any], dims: Mapping[str, ColumnElement[Any]]
) -> list[ColumnElement[bool]]:
    """The period, filters and scope of ``query`` as WHERE predicates over the given columns."""
    start, stop = period_bounds(query)
    where = [created_at >= start, created_at < stop, scope_predicate(query.scope, dims)]
    for dim, values in query.filters:
        where.append(dims[dim].in_(list(values)))
    return where


def lead_set(query: LeadQuery) -> Select[Any]:
    """The lead set L with its dimension columns: period, consent, filters and scope applied.

    Reads the materialised facts when ``reading_facts_from`` made them the active source.
    """
    reader = _ACTIVE_READER.get()
    if reader is not None:
        return reader.lead_set(query)
    where = [consent_not_false(), *query_predicates(query, leads.c.created_at, dimension_columns())]
    return lead_rows_select(where)


def lead_rows_select(where: Sequence[ColumnElement[bool]], *extra: ColumnElement[Any]) -> Select[Any]:
    """``LEAD_SET_COLUMNS`` (plus ``extra``) of the leads matching ``where``, with their dealer and campaign."""
    source = leads.outerjoin(dealers, dealers.c.dealer_id == leads.c.dealer_id).outerjoin(
        campaigns, campaigns.c.campaign_id == leads.c.campaign_id
    )
    return (
        select(
            leads.c.lead_id,
            leads.c.created_at,
            leads.c.delivered_at,
            leads.c.customer_key,
            *(expr.label(name) for name, expr in dimension_columns().items()),
            *extra,
        )
        .select_from(source)
        .where(*where)
    )


def lead_facts(query: LeadQuery, *, business_hours: bool = False) -> Subquery:
    """One row per lead in L: its dimensions plus the facts every metric is built from.

    Columns: the dimensions of ``dimension_columns()``, ``lead_id``, ``created_at``,
    ``customer_key``, ``is_delivered``, ``first_response_min`` (NULL: never contacted),
    ``attempts`` (qualifying contacts), ``distinct_actors``, ``attempts_to_close``
    (qualifying contacts at or before ``closed_at``), ``has_appointment``,
    ``has_test_drive``, ``has_quote``, ``is_sold``, ``is_lost``, ``sold_gross_profit``
    (0 unless sold), ``closed_at``, ``close_reason_code``, ``best_result_rank`` (best result-code
    outcome of the qualifying contacts, metrics.result_codes.RANK; 0: never contacted),
    ``has_invalid_contact`` (a qualifying contact coded invalid_contact), ``phone_contacts`` and
    ``coded_phone_contacts`` (qualifying contacts on channel phone, and those with a non-blank code),
    ``first_response_bh_min`` (business minutes from created_at to the first qualifying contact:
    loaders/facts/opening.py), ``first_contact_at``, ``sold_at``.

    Computed on the fly from the contract tables, unless ``reading_facts_from`` made the
    materialised facts (loaders/facts/source.py) the active source: those have the same
    columns and values, plus ``arrival_weekday``, ``arrival_hour`` and ``is_double``.

    On the fly, ``first_response_bh_min`` costs a calendar join (loaders/facts/opening.py), so it is
    computed only with ``business_hours=True`` (queries that aggregate it ask for it); otherwise the
    column is NULL. The materialised facts always hold it.
    """
    reader = _ACTIVE_READER.get()
    if reader is not None:
        return reader.lead_facts(query)
    base = lead_set(query).subquery("lead_set")
    return facts_select(base, business_hours=business_hours).subquery("lead_facts")


def facts_select(
    base: Subquery, *extra: ColumnElement[Any], setup: OpeningSetup | None = None, business_hours: bool = True
) -> Select[Any]:
    """The columns of ``lead_facts`` (plus ``extra``) for the leads of ``base``, a ``lead_rows_select``.

    ``setup``: the warehouse's opening-hours tables and zones (default: the enclosing block's).
    ``business_hours=False`` leaves ``first_response_bh_min`` NULL and skips its calendar join.
    """
    contacts = _qualifying_contacts(base)
    first_response = minutes_between(base.c.created_at, contacts.c.first_contact_at)
    response_points = (
        select(
            base.c.lead_id,
            base.c.dealer_id,
            base.c.created_at.label("start_at"),
            contacts.c.first_contact_at.label("end_at"),
        )
        .select_from(base.join(contacts, contacts.c.lead_id == base.c.lead_id))
        .subquery("response_points")
    )
    joined = base.outerjoin(contacts, contacts.c.lead_id == base.c.lead_id).outerjoin(
        lead_outcomes, lead_outcomes.c.lead_id == base.c.lead_id
    )
    business_minutes: ColumnElement[Any] = null().cast(first_response.type)
    if business_hours:
        business = business_minutes_between(response_points, setup or current_setup())
        business_minutes = business.c.business_minutes
        joined = joined.outerjoin(
            business, and_(business.c.lead_id == base.c.lead_id, business.c.start_at == base.c.created_at)
        )
    sold = lead_outcomes.c.sold_at.is_not(None)
    lost = and_(lead_outcomes.c.closed_at.is_not(None), lead_outcomes.c.sold_at.is_(None))
    facts = select(
        *(base.c[name] for name in dimension_columns()),
        base.c.lead_id,
        base.c.created_at,
        base.c.customer_key,
        _flag(base.c.delivered_at.is_not(None)).label("is_delivered"),
        first_response.label("first_response_min"),
        func.coalesce(contacts.c.attempts, 0).label("attempts"),
        func.coalesce(contacts.c.distinct_actors, 0).label("distinct_actors"),
        func.coalesce(contacts.c.attempts_to_close, 0).label("attempts_to_close"),
        _flag(lead_outcomes.c.appointment_at.is_not(None)).label("has_appointment"),
        _flag(lead_outcomes.c.test_drive_at.is_not(None)).label("has_test_drive"),
        _flag(lead_outcomes.c.quote_at.is_not(None)).label("has_quote"),
        _flag(sold).label("is_sold"),
        _flag(lost).label("is_lost"),
        case((sold, func.coalesce(lead_outcomes.c.gross_profit, 0)), else_=0).label("sold_gross_profit"),
        lead_outcomes.c.closed_at,
        lead_outcomes.c.close_reason_code,
        func.coalesce(contacts.c.best_result_rank, 0).label("best_result_rank"),
        func.coalesce(contacts.c.has_invalid_contact, 0).label("has_invalid_contact"),
        func.coalesce(contacts.c.phone_contacts, 0).label("phone_contacts"),
        func.coalesce(contacts.c.coded_phone_contacts, 0).label("coded_phone_contacts"),
        business_minutes.label("first_response_bh_min"),
        contacts.c.first_contact_at,
        lead_outcomes.c.sold_at,
        *extra,
    ).select_from(joined)
    return facts


def qualifying_contact(created_at: ColumnElement[Any]) -> ColumnElement[bool]:
    """A row of ``lead_activities`` is a qualifying contact of the lead created at ``created_at``:
    outbound, not automated, at or after the lead's creation. Written once, here."""
    act = lead_activities
    return and_(
        act.c.direction == "outbound",
        or_(act.c.automated.is_(None), act.c.automated == false()),
        act.c.occurred_at >= created_at,
    )


def _qualifying_contacts(base: Subquery) -> Subquery:
    """Per lead of L: first qualifying contact, count, distinct salespeople, attempts before close."""
    act = lead_activities
    qualifying = qualifying_contact(base.c.created_at)
    before_close = and_(
        lead_outcomes.c.closed_at.is_not(None), act.c.occurred_at <= lead_outcomes.c.closed_at
    )
    rank = result_rank(act.c.result_code)
    on_phone = act.c.channel == "phone"
    coded = and_(act.c.result_code.is_not(None), func.trim(act.c.result_code) != "")
    return (
        select(
            act.c.lead_id,
            func.min(act.c.occurred_at).label("first_contact_at"),
            func.count().label("attempts"),
            # actor_key appears only here, inside COUNT(DISTINCT ...): it never leaves the warehouse.
            func.count(act.c.actor_key.distinct()).label("distinct_actors"),
            func.sum(case((before_close, 1), else_=0)).label("attempts_to_close"),
            # Result codes (loaders/facts/result_taxonomy.py): the best one, and whether any was invalid.
            func.max(rank).label("best_result_rank"),
            func.max(case((rank == INVALID_RANK, 1), else_=0)).label("has_invalid_contact"),
            func.sum(case((on_phone, 1), else_=0)).label("phone_contacts"),
            func.sum(case((and_(on_phone, coded), 1), else_=0)).label("coded_phone_contacts"),
        )
        .select_from(
            act.join(base, base.c.lead_id == act.c.lead_id).outerjoin(
                lead_outcomes, lead_outcomes.c.lead_id == act.c.lead_id
            )
        )
        .where(qualifying)
        .group_by(act.c.lead_id)
        .subquery("qualifying_contacts")
    )


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 when the condition holds, else 0: summable on every warehouse."""
    return case((condition, 1), else_=0).cast(Integer)


class FactsReader(Protocol):
    """Where ``lead_set`` and ``lead_facts`` read from instead of computing on the fly."""

    def lead_set(self, query: LeadQuery) -> Select[Any]:
        """The columns of ``lead_set(query)`` for the same leads."""

    def lead_facts(self, query: LeadQuery) -> Subquery:
        """The columns of ``lead_facts(query)`` for the same leads, with the same values."""


# Set for the duration of one table's queries by ``loaders.facts.source.reading_facts_from``;
# context variables so that concurrent sessions (threads) each keep their own.
_ACTIVE_READER: ContextVar[FactsReader | None] = ContextVar("leadline_facts_reader", default=None)
_READER_CHOSEN: ContextVar[bool] = ContextVar("leadline_facts_reader_chosen", default=False)


@contextmanager
def facts_read_by(reader: FactsReader | None) -> Iterator[None]:
    """Inside the block, ``lead_set`` and ``lead_facts`` read through ``reader`` (None: on the fly).

    The choice holds for nested blocks too: ``reader_chosen()`` is then true.
    """
    token = _ACTIVE_READER.set(reader)
    chosen = _READER_CHOSEN.set(True)
    try:
        yield
    finally:
        _READER_CHOSEN.reset(chosen)
        _ACTIVE_READER.reset(token)


def reader_chosen() -> bool:
    """True inside a ``facts_read_by`` block: the source of the facts is already decided."""
    return _READER_CHOSEN.get()


def chosen_reader_text() -> str:
    """Which source a ``facts_read_by`` block chose, in words ("auto" outside one): a cache key part,
    so an answer read one way is never served for a read forced the other way (the equality tests)."""
    return f"chosen:{_ACTIVE_READER.get()!r}" if _READER_CHOSEN.get() else "auto"
