"""The calendar behind business minutes: opening intervals per dealer and weekday (overlaps
merged), one row per dealer and local date with the open minutes before it, and F(local time).

Building blocks of ``loaders/facts/opening.py`` (``business_minutes_between`` and
``business_minutes_until``), which documents the method; not used elsewhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CTE,
    TIMESTAMP,
    ColumnElement,
    Date,
    FromClause,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)

from common.opening_hours import Interval
from loaders.contract.check_optional import valid_closed_row, valid_hours_row
from loaders.contract.tables import dealer_closed_days, dealer_opening_hours, dealers
from loaders.warehouse.sql_time import date_plus_days, days_between, iso_weekday, local_time, minutes_between

CALENDAR_DIGITS = 5  # the calendar spans at most 10**5 days


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


def _merged_intervals(
    pts: FromClause, has_hours: bool, default_hours: tuple[Interval, ...], serial: int
) -> CTE:
    """Per calendar key and weekday, the opening intervals with overlapping rows merged."""
    keys = select(pts.c.cal_key).distinct().subquery("bh_keys")
    parts = []
    own = None
    if has_hours:
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
            for weekday, opens, closes in default_hours
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
    keyed: FromClause,
    bounds: Subquery,
    intervals: FromClause,
    info: Subquery,
    has_closed_days: bool,
    serial: int,
) -> CTE:
    """One row per calendar key of ``keyed`` (its ``cal_key``) and local date from ``bounds``'
    ``first_day`` to its ``last_day`` (``_day_bounds``): ``is_open`` (1 unless closed) and
    ``open_before`` (the open minutes of the calendar's earlier days)."""
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
    keys = select(keyed.c.cal_key).distinct().subquery("bh_calendar_keys")
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
    if has_closed_days:
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


def _day_bounds(*local_times: tuple[FromClause, str]) -> Subquery:
    """``first_day`` and ``last_day``: the earliest and latest local date among the columns named
    (each a (table, column) pair)."""
    dates = union_all(*(select(cast(table.c[name], Date).label("day")) for table, name in local_times))
    days = dates.subquery("bh_local_days")
    return select(func.min(days.c.day).label("first_day"), func.max(days.c.day).label("last_day")).subquery(
        "bh_bounds"
    )


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
    pts: FromClause,
    local: ColumnElement[Any],
    calendar: FromClause,
    intervals: FromClause,
    name: str,
    identity: tuple[str, ...] = ("lead_id", "start_at", "end_at"),
) -> Subquery:
    """Per row of ``pts`` (told apart by its ``identity`` columns and ``cal_key``), F(local): open
    minutes of the calendar's earlier days plus those of its own day before ``local``'s time of day."""
    day = cast(local, Date)
    into_day = minutes_between(cast(calendar.c.day, TIMESTAMP), local)
    length = intervals.c.closes_min - intervals.c.opens_min
    elapsed = func.least(func.greatest(into_day - intervals.c.opens_min, 0), length)
    today = func.coalesce(func.sum(case((calendar.c.is_open == 1, elapsed), else_=0)), 0)
    return (
        select(
            *(pts.c[c] for c in identity),
            pts.c.cal_key,
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
        .group_by(*(pts.c[c] for c in identity), pts.c.cal_key)
        .subquery(name)
    )
