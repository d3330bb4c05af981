"""Business minutes, computed in the warehouse from a calendar of opening hours per dealer.

``business_minutes(d, a, b)`` (docs/metrics.md) is the length in minutes of
``[local(d, a), local(d, b))`` intersected with ``open(d)``, the dealer's opening intervals on the
local dates it is not closed; 0 when ``a >= b``. With ``F(t)`` = the open minutes of the dealer
from the first calendar day up to the local wall-clock time ``t``, that length is
``max(0, F(local(b)) - F(local(a)))``, and ``F(t)`` = (open minutes of the days before t's date,
a running sum over the calendar) + (open minutes of t's date before t's time of day). So each
lead joins the calendar by (dealer, date) twice, and only equality joins are needed.

The calendar has one row per dealer and local date between the earliest start and the latest
end among the leads asked about (at most 100,000 days); the opening intervals of a weekday are
merged first, so overlapping rows count once. Dealers without valid rows in
``dealer_opening_hours`` (and leads of dealers missing from ``dealers``) get the setting
``default_opening_hours``; a NULL or unknown time zone counts as UTC.

Whether the optional tables exist, and which zones the warehouse knows, is probed once per
table call (``loaders/facts/source.py``) and held in a context variable, like the facts reader.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    TIMESTAMP,
    ColumnElement,
    Connection,
    Subquery,
    and_,
    case,
    func,
    inspect,
    literal,
    select,
)

from common import settings
from common.opening_hours import Interval
from loaders.contract.tables import dealer_closed_days, dealer_opening_hours
from loaders.facts.opening_calendar import (
    _calendar,
    _day_bounds,
    _dealer_info,
    _local,
    _merged_intervals,
    _open_minutes_until,
)

_SERIALS = itertools.count(1)
DEFAULT_KEY = "__leadline_default_hours__"  # calendar key of leads whose dealer is not in dealers


@dataclass(frozen=True)
class OpeningSetup:
    """What the business-hours SQL needs to know about the warehouse and the settings."""

    zones: tuple[str, ...]  # dealer time zones the warehouse can convert to
    has_hours: bool  # dealer_opening_hours exists
    has_closed_days: bool  # dealer_closed_days exists
    default_hours: tuple[Interval, ...]  # (weekday, opens_min, closes_min) of default_opening_hours


def default_setup(zones: tuple[str, ...] = ()) -> OpeningSetup:
    """No optional tables, the setting's default hours, and ``zones``."""
    return OpeningSetup(zones, False, False, settings.get("default_opening_hours").intervals)


def probe_opening(conn: Connection, zones: tuple[str, ...]) -> OpeningSetup:
    """The setup of the warehouse behind ``conn``: which optional tables exist, plus ``zones``."""
    inspector = inspect(conn)
    names = set(inspector.get_table_names()) | set(inspector.get_view_names())
    return OpeningSetup(
        zones,
        dealer_opening_hours.name in names,
        dealer_closed_days.name in names,
        settings.get("default_opening_hours").intervals,
    )


_ACTIVE_SETUP: ContextVar[OpeningSetup | None] = ContextVar("leadline_opening_setup", default=None)


@contextmanager
def opening_setup_used(setup: OpeningSetup) -> Iterator[None]:
    """Inside the block, business minutes built on the fly use ``setup``."""
    token = _ACTIVE_SETUP.set(setup)
    try:
        yield
    finally:
        _ACTIVE_SETUP.reset(token)


def opening_setup_chosen() -> bool:
    """True inside an ``opening_setup_used`` block."""
    return _ACTIVE_SETUP.get() is not None


def current_setup() -> OpeningSetup:
    """The setup of the enclosing ``opening_setup_used`` block; outside one, ``default_setup()``
    (no optional tables, every zone UTC): table functions always run inside one."""
    return _ACTIVE_SETUP.get() or default_setup()


def business_minutes_between(points: Subquery, setup: OpeningSetup) -> Subquery:
    """Per row of ``points`` (``lead_id``, ``dealer_id``, ``start_at``, ``end_at`` in UTC, end not NULL):
    ``lead_id``, ``start_at`` and ``business_minutes`` = business_minutes(dealer, start_at, end_at)."""
    # CTEs (each is read several times) need names unique within a statement that holds two of these.
    serial = next(_SERIALS)
    info = _dealer_info()
    pts = (
        select(
            points.c.lead_id,
            points.c.start_at,
            points.c.end_at,
            _calendar_key(info).label("cal_key"),
            _local(points.c.start_at, info.c.tz, setup.zones).label("local_start"),
            _local(points.c.end_at, info.c.tz, setup.zones).label("local_end"),
        )
        .select_from(points.outerjoin(info, info.c.dealer_id == points.c.dealer_id))
        .where(points.c.end_at.is_not(None))
        .cte(f"bh_points_{serial}")
    )
    intervals = _merged_intervals(pts, setup.has_hours, setup.default_hours, serial)
    # Both ends' dates: a point that ends before it starts (0 minutes) still finds its two days.
    bounds = _day_bounds((pts, "local_start"), (pts, "local_end"))
    calendar = _calendar(pts, bounds, intervals, info, setup.has_closed_days, serial)
    at_start = _open_minutes_until(pts, pts.c.local_start, calendar, intervals, "bh_at_start")
    at_end = _open_minutes_until(pts, pts.c.local_end, calendar, intervals, "bh_at_end")
    minutes = _minutes_between_clocks(at_start, at_end, at_start.c.end_at <= at_start.c.start_at)
    return (
        select(at_start.c.lead_id, at_start.c.start_at, minutes.label("business_minutes"))
        .select_from(
            at_start.join(
                at_end,
                and_(
                    at_end.c.lead_id == at_start.c.lead_id,
                    at_end.c.start_at == at_start.c.start_at,
                    at_end.c.end_at == at_start.c.end_at,
                ),
            )
        )
        .subquery("business_minutes")
    )


def business_minutes_until(points: Subquery, moment: datetime, setup: OpeningSetup) -> Subquery:
    """Per row of ``points`` (``lead_id``, ``dealer_id``, ``start_at`` in UTC): ``lead_id``,
    ``dealer_id`` and ``business_minutes`` = business_minutes(dealer, start_at, moment). The same values as
    ``business_minutes_between`` with ``end_at`` = moment, but F(local(moment)) is looked up once
    per dealer instead of once per row (leads waiting now: one end for all)."""
    serial = next(_SERIALS)
    info = _dealer_info()
    end = literal(moment, TIMESTAMP)
    pts = (
        select(
            points.c.lead_id,
            points.c.dealer_id,
            points.c.start_at,
            _calendar_key(info).label("cal_key"),
            _local(points.c.start_at, info.c.tz, setup.zones).label("local_start"),
        )
        .select_from(points.outerjoin(info, info.c.dealer_id == points.c.dealer_id))
        .cte(f"bh_points_{serial}")
    )
    # "now" in each dealer's time zone: once per dealer, not once per row.
    dealer_ids = select(points.c.dealer_id).distinct().subquery("bh_point_dealers")
    ends = (
        select(
            _calendar_key(info).label("cal_key"),
            _local(end, info.c.tz, setup.zones).label("local_end"),
        )
        .select_from(dealer_ids.outerjoin(info, info.c.dealer_id == dealer_ids.c.dealer_id))
        .distinct()
        .cte(f"bh_ends_{serial}")
    )
    intervals = _merged_intervals(ends, setup.has_hours, setup.default_hours, serial)
    bounds = _day_bounds((pts, "local_start"), (ends, "local_end"))
    calendar = _calendar(ends, bounds, intervals, info, setup.has_closed_days, serial)
    at_start = _open_minutes_until(
        pts, pts.c.local_start, calendar, intervals, "bh_at_start", ("lead_id", "dealer_id", "start_at")
    )
    at_end = _open_minutes_until(ends, ends.c.local_end, calendar, intervals, "bh_at_end", ())
    minutes = _minutes_between_clocks(at_start, at_end, end <= at_start.c.start_at)
    return (
        select(at_start.c.lead_id, at_start.c.dealer_id, minutes.label("business_minutes"))
        .select_from(at_start.join(at_end, at_end.c.cal_key == at_start.c.cal_key))
        .subquery("business_minutes_until")
    )


def _calendar_key(info: Subquery) -> ColumnElement[Any]:
    """A point's calendar key: its dealer, or ``DEFAULT_KEY`` when the dealer is not in ``dealers``."""
    return func.coalesce(info.c.dealer_id, literal(DEFAULT_KEY))


def _minutes_between_clocks(
    at_start: Subquery, at_end: Subquery, ended_first: ColumnElement[bool]
) -> ColumnElement[Any]:
    """F(local(end)) - F(local(start)) from two ``_open_minutes_until`` rows, 0 when ``ended_first``.
    Whole days first (integers, exact), then the two partial days: the same floating-point result
    whatever day the calendar starts on, so both facts paths (and both functions above) agree to the bit."""
    whole_days = at_end.c.open_before - at_start.c.open_before
    span = whole_days + (at_end.c.open_today - at_start.c.open_today)
    return case((ended_first, 0), else_=func.greatest(span, 0))
