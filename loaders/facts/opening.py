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
from typing import Any

from sqlalchemy import (
    CTE,
    TIMESTAMP,
    ColumnElement,
    Connection,
    Date,
    FromClause,
    Subquery,
    and_,
    case,
    cast,
    func,
    inspect,
    literal,
    or_,
    select,
    true,
    union_all,
)

from common import settings
from common.opening_hours import Interval
from loaders.contract.check_optional import valid_closed_row, valid_hours_row
from loaders.contract.tables import dealer_closed_days, dealer_opening_hours, dealers
from loaders.warehouse.sql_time import (
    date_plus_days,
    days_between,
    iso_weekday,
    local_time,
    minutes_between,
)

_SERIALS = itertools.count(1)
DEFAULT_KEY = "__leadline_default_hours__"  # calendar key of leads whose dealer is not in dealers
CALENDAR_DIGITS = 5  # the calendar spans at most 10**5 days


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
    key = func.coalesce(info.c.dealer_id, literal(DEFAULT_KEY))
    pts = (
        select(
            points.c.lead_id,
            points.c.start_at,
            points.c.end_at,
            key.label("cal_key"),
            _local(points.c.start_at, info.c.tz, setup.zones).label("local_start"),
            _local(points.c.end_at, info.c.tz, setup.zones).label("local_end"),
        )
        .select_from(points.outerjoin(info, info.c.dealer_id == points.c.dealer_id))
        .where(points.c.end_at.is_not(None))
        .cte(f"bh_points_{serial}")
    )
    intervals = _merged_intervals(pts, setup, serial)
    calendar = _calendar(pts, intervals, info, setup, serial)
    at_start = _open_minutes_until(pts, pts.c.local_start, calendar, intervals, "bh_at_start")
    at_end = _open_minutes_until(pts, pts.c.local_end, calendar, intervals, "bh_at_end")
    # Whole days first (integers, exact), then the two partial days: the same floating-point result
    # whatever day the calendar starts on, so both facts paths agree to the bit.
    whole_days = at_end.c.open_before - at_start.c.open_before
    span = whole_days + (at_end.c.open_today - at_start.c.open_today)
    minutes = case((at_start.c.end_at <= at_start.c.start_at, 0), else_=func.greatest(span, 0))
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


def _dealer_info() -> Subquery:
    """One row per dealer_id of ``dealers``: its time zone and market (the first, if it is listed twice)."""
    return (
        select(
            dealers.c.dealer_id,
            func.min(dealers.c.timezone).label("tz"),
            func.min(dealers.c.market).label("market"),
        )
        .where(dealers.c.dealer_id.is_not(None))
        .group_by(dealers.c.dealer_id)
        .subquery("bh_dealers")
    )


def _local(moment: ColumnElement[Any], tz: ColumnElement[Any], zones: tuple[str, ...]) -> ColumnElement[Any]:
    if not zones:
        return moment
    return case((tz.in_(list(zones)), local_time(moment, tz)), else_=moment)


def _merged_intervals(pts: FromClause, setup: OpeningSetup, serial: int) -> CTE:
    """Per calendar key and weekday, the opening intervals with overlapping rows merged."""
    keys = select(pts.c.cal_key).distinct().subquery("bh_keys")
    parts = []
    own = None
    if setup.has_hours:
        h = dealer_opening_hours.c
        own = (
            select(h.dealer_id.label("cal_key"), h.weekday, h.opens_min, h.closes_min)
            .where(valid_hours_row(), h.dealer_id.in_(select(keys.c.cal_key)))
            .subquery("bh_own_hours")
        )
        parts.append(select(own.c.cal_key, own.c.weekday, own.c.opens_min, own.c.closes_min))
    defaults = union_all(
        *(
            select(
                literal(weekday).label("weekday"),
                literal(opens).label("opens_min"),
                literal(closes).label("closes_min"),
            )
            for weekday, opens, closes in setup.default_hours
        )
    ).subquery("bh_default_hours")
    without_own = keys.c.cal_key.not_in(select(own.c.cal_key)) if own is not None else true()
    parts.append(
        select(keys.c.cal_key, defaults.c.weekday, defaults.c.opens_min, defaults.c.closes_min)
        .select_from(keys.join(defaults, true()))
        .where(without_own)
    )
    hours = union_all(*parts).subquery("bh_hours")
    reach = func.max(hours.c.closes_min).over(
        partition_by=(hours.c.cal_key, hours.c.weekday),
        order_by=(hours.c.opens_min, hours.c.closes_min),
        rows=(None, -1),
    )
    starts = select(
        *hours.c,
        case((or_(reach.is_(None), hours.c.opens_min > reach), 1), else_=0).label("starts_island"),
    ).subquery("bh_starts")
    islands = select(
        starts.c.cal_key,
        starts.c.weekday,
        starts.c.opens_min,
        starts.c.closes_min,
        func.sum(starts.c.starts_island)
        .over(
            partition_by=(starts.c.cal_key, starts.c.weekday),
            order_by=(starts.c.opens_min, starts.c.closes_min),
            rows=(None, 0),
        )
        .label("island"),
    ).subquery("bh_islands")
    return (
        select(
            islands.c.cal_key,
            islands.c.weekday,
            func.min(islands.c.opens_min).label("opens_min"),
            func.max(islands.c.closes_min).label("closes_min"),
        )
        .group_by(islands.c.cal_key, islands.c.weekday, islands.c.island)
        .cte(f"bh_intervals_{serial}")
    )


def _calendar(
    pts: FromClause, intervals: FromClause, info: Subquery, setup: OpeningSetup, serial: int
) -> CTE:
    """One row per key and local date: ``is_open`` (1 unless closed) and ``open_before`` (the open
    minutes of the calendar's earlier days)."""
    bounds = select(
        func.min(cast(pts.c.local_start, Date)).label("first_day"),
        func.max(cast(pts.c.local_end, Date)).label("last_day"),
    ).subquery("bh_bounds")
    digits = union_all(*(select(literal(i).label("d")) for i in range(10))).subquery("bh_digits")
    tables = [digits.alias(f"bh_d{i}") for i in range(CALENDAR_DIGITS)]
    offset: ColumnElement[Any] = tables[0].c.d
    for power, table in enumerate(tables[1:], start=1):
        offset = offset + table.c.d * (10**power)
    joined: Any = bounds
    for table in tables:
        joined = joined.join(table, true())
    days = (
        select(date_plus_days(bounds.c.first_day, offset).label("day"))
        .select_from(joined)
        .where(offset <= days_between(bounds.c.first_day, bounds.c.last_day))
        .subquery("bh_days")
    )
    keys = select(pts.c.cal_key).distinct().subquery("bh_calendar_keys")
    day_minutes = (
        select(
            intervals.c.cal_key,
            intervals.c.weekday,
            func.sum(intervals.c.closes_min - intervals.c.opens_min).label("minutes"),
        )
        .group_by(intervals.c.cal_key, intervals.c.weekday)
        .subquery("bh_day_minutes")
    )
    grid: Any = keys.join(days, true()).outerjoin(
        day_minutes,
        and_(day_minutes.c.cal_key == keys.c.cal_key, day_minutes.c.weekday == iso_weekday(days.c.day)),
    )
    is_open: ColumnElement[Any] = literal(1)
    if setup.has_closed_days:
        closed = _closed_days(info)
        grid = grid.outerjoin(
            closed, and_(closed.c.cal_key == keys.c.cal_key, closed.c.closed_on == days.c.day)
        )
        is_open = case((closed.c.closed_on.is_not(None), 0), else_=1)
    daily = (
        select(
            keys.c.cal_key,
            days.c.day,
            is_open.label("is_open"),
            (is_open * func.coalesce(day_minutes.c.minutes, 0)).label("open_minutes"),
        )
        .select_from(grid)
        .subquery("bh_daily")
    )
    before = func.sum(daily.c.open_minutes).over(
        partition_by=daily.c.cal_key, order_by=daily.c.day, rows=(None, -1)
    )
    return select(
        daily.c.cal_key, daily.c.day, daily.c.is_open, func.coalesce(before, 0).label("open_before")
    ).cte(f"bh_calendar_{serial}")


def _closed_days(info: Subquery) -> Subquery:
    """(key, closed_on) for every dealer closed on a date: named itself, or its market with dealer NULL."""
    c = dealer_closed_days.c
    names_dealer = c.dealer_id == info.c.dealer_id
    names_market = and_(c.dealer_id.is_(None), c.market == info.c.market)
    return (
        select(info.c.dealer_id.label("cal_key"), c.closed_on)
        .select_from(dealer_closed_days.join(info, or_(names_dealer, names_market)))
        .where(valid_closed_row())
        .distinct()
        .subquery("bh_closed")
    )


def _open_minutes_until(
    pts: FromClause, local: ColumnElement[Any], calendar: FromClause, intervals: FromClause, name: str
) -> Subquery:
    """Per point, F(local): open minutes of the calendar's earlier days plus those of its own day
    before ``local``'s time of day."""
    day = cast(local, Date)
    into_day = minutes_between(cast(calendar.c.day, TIMESTAMP), local)
    length = intervals.c.closes_min - intervals.c.opens_min
    elapsed = func.least(func.greatest(into_day - intervals.c.opens_min, 0), length)
    today = func.coalesce(func.sum(case((calendar.c.is_open == 1, elapsed), else_=0)), 0)
    return (
        select(
            pts.c.lead_id,
            pts.c.start_at,
            pts.c.end_at,
            func.max(calendar.c.open_before).label("open_before"),
            today.label("open_today"),
        )
        .select_from(
            pts.join(calendar, and_(calendar.c.cal_key == pts.c.cal_key, calendar.c.day == day)).outerjoin(
                intervals,
                and_(
                    intervals.c.cal_key == pts.c.cal_key,
                    intervals.c.weekday == iso_weekday(calendar.c.day),
                ),
            )
        )
        .group_by(pts.c.lead_id, pts.c.start_at, pts.c.end_at, pts.c.cal_key)
        .subquery(name)
    )
