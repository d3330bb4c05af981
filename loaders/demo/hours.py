"""Opening hours and closed days of the demo network: the optional tables ``dealer_opening_hours``
and ``dealer_closed_days``.

Southern markets keep a long lunch break (two rows a day), northern ones open straight through;
most dealers open on Saturday morning, some all Saturday, a few close on Saturday afternoon and
two open on Sunday morning. A few dealers have no rows, so the setting ``default_opening_hours``
applies to them. Every market closes on its national holidays (Easter Monday included where it
is one); one dealer also closes for its summer holidays.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from loaders.demo.network import Network

# Minutes after local midnight.
_SPLIT = ((510, 750), (900, 1140))  # 08:30-12:30, 15:00-19:00
_STRAIGHT = ((480, 1080),)  # 08:00-18:00
_SPLIT_MARKETS = ("IT", "ES", "PT", "FR")
_DEFAULT_HOURS_DEALERS = (5, 17, 33)  # no rows: they get default_opening_hours
_SUNDAY_DEALERS = (3, 26)  # open Sunday 10:00-13:00
_SATURDAY_ALL_DAY = (9, 21, 38, 47)  # open Saturday 09:00-18:00
_SATURDAY_CLOSED = (11, 29, 52)  # closed on Saturdays
_SUMMER_DEALER = 14  # closed for two weeks in August

# Fixed-date national holidays (month, day) per market, and whether Easter Monday is one.
_HOLIDAYS: dict[str, tuple[tuple[tuple[int, int], ...], bool]] = {
    "IT": (((1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)), True),
    "DE": (((1, 1), (5, 1), (10, 3), (12, 25), (12, 26)), True),
    "FR": (((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)), True),
    "ES": (((1, 1), (1, 6), (5, 1), (8, 15), (10, 12), (11, 1), (12, 6), (12, 8), (12, 25)), False),
    "NL": (((1, 1), (4, 27), (12, 25), (12, 26)), True),
    "BE": (((1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25)), True),
    "PT": (((1, 1), (4, 25), (5, 1), (6, 10), (8, 15), (10, 5), (11, 1), (12, 1), (12, 8), (12, 25)), False),
}


def opening_hours_frame(net: Network) -> pl.DataFrame:
    """Rows of ``dealer_opening_hours`` for the demo dealers."""
    rows: list[dict[str, object]] = []
    markets = net.dealers["market"].to_list()
    for index, dealer_id in enumerate(net.dealer_ids):
        if index in _DEFAULT_HOURS_DEALERS:
            continue
        weekdays = _SPLIT if markets[index] in _SPLIT_MARKETS else _STRAIGHT
        week: list[tuple[int, int, int]] = [(day, o, c) for day in range(1, 6) for o, c in weekdays]
        if index in _SATURDAY_ALL_DAY:
            week.append((6, 540, 1080))
        elif index not in _SATURDAY_CLOSED:
            week.append((6, 540, 780))
        if index in _SUNDAY_DEALERS:
            week.append((7, 600, 780))
        rows += [{"dealer_id": dealer_id, "weekday": d, "opens_min": o, "closes_min": c} for d, o, c in week]
    schema = {
        "dealer_id": pl.String(),
        "weekday": pl.Int32(),
        "opens_min": pl.Int32(),
        "closes_min": pl.Int32(),
    }
    return pl.DataFrame(rows, schema=schema)


def closed_days_frame(net: Network, first: date, last: date) -> pl.DataFrame:
    """Rows of ``dealer_closed_days``: national holidays per market from ``first`` to ``last``, and
    one dealer's summer break."""
    rows: list[dict[str, object]] = []
    for market, (fixed, easter_monday) in _HOLIDAYS.items():
        for year in range(first.year, last.year + 1):
            days = [date(year, month, day) for month, day in fixed]
            if easter_monday:
                days.append(_easter(year) + timedelta(days=1))
            rows += [
                {"dealer_id": None, "market": market, "closed_on": d} for d in days if first <= d <= last
            ]
    dealer_id = net.dealer_ids[_SUMMER_DEALER]
    for year in range(first.year, last.year + 1):
        for offset in range(14):
            day = date(year, 8, 5) + timedelta(days=offset)
            if first <= day <= last:
                rows.append({"dealer_id": dealer_id, "market": None, "closed_on": day})
    schema = {"dealer_id": pl.String(), "market": pl.String(), "closed_on": pl.Date()}
    return pl.DataFrame(rows, schema=schema).sort("closed_on", "market", "dealer_id", nulls_last=True)


def _easter(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    lw = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lw) // 451
    month, day = divmod(h + lw - 7 * m + 114, 31)
    return date(year, month, day + 1)
