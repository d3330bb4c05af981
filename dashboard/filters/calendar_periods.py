"""Periods people think in: calendar months, quarters and years, and what each compares with.

Pure date arithmetic for dashboard/filters/url_state.py. A quick pick is relative to today
("This month": the 1st to today); a comparison is aligned to the calendar when the period is one
(Q3 against Q2, not against the 92 days before it; a month to date against the same days of the
month before; the year to date against the same dates a year earlier).
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta


def month_end(year: int, month: int) -> date:
    """The last day of ``month`` of ``year``."""
    return date(year, month, monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day (31 Mar - 1 -> 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def quarter_start(day: date) -> date:
    """The first day of ``day``'s quarter."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


# Calendar quick picks: key -> (start, end) relative to today. Rolling ones ("30d") live in url_state.
def calendar_pick(key: str, today: date) -> tuple[date, date] | None:
    """The period of calendar quick pick ``key`` relative to ``today`` (None: not a calendar pick)."""
    first_of_month = today.replace(day=1)
    if key == "this_month":
        return first_of_month, today
    if key == "last_month":
        start = add_months(first_of_month, -1)
        return start, first_of_month - timedelta(days=1)
    if key == "quarter":
        return quarter_start(today), today
    if key == "last_quarter":
        this_quarter = quarter_start(today)
        return add_months(this_quarter, -3), this_quarter - timedelta(days=1)
    if key == "ytd":
        return date(today.year, 1, 1), today
    if key == "12m":  # the last 12 whole months and this month to date
        return add_months(first_of_month, -11), today
    if key == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    return None


def previous_calendar_period(start: date, end: date) -> tuple[date, date] | None:
    """The calendar period before ``start``-``end`` when it is a calendar one, else None.

    Whole months (a month, a quarter, a year, twelve months): the same number of months before.
    A month, quarter or year to date: the same days of the month or quarter before, or of the year
    before. Anything else (the last 30 days, a single day) has no calendar predecessor.

    >>> previous_calendar_period(date(2026, 7, 1), date(2026, 9, 30))
    (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    """
    if start.day != 1 or end <= start:  # a single day compares with the day before
        return None
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if end == month_end(end.year, end.month):
        previous_start = add_months(start, -months)
        return previous_start, start - timedelta(days=1)
    if months == 1:  # month to date: the same days of the month before
        return add_months(start, -1), add_months(end, -1)
    if start == quarter_start(start) and months <= 3 and quarter_start(end) == start:
        return add_months(start, -3), add_months(end, -3)  # quarter to date
    if start.month == 1:  # year to date
        return date(start.year - 1, 1, 1), add_months(end, -12)
    return None
