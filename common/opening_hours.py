"""Weekly opening hours written for people (``"Mon-Fri 08:00-18:00; Sat 09:00-13:00"``), parsed and checked.

The setting ``default_opening_hours`` uses this format; it gives the hours of every dealer that
has no rows in the optional ``dealer_opening_hours`` table (docs/warehouse.md). Days not named
are closed. A part is ``DAYS HH:MM-HH:MM[, HH:MM-HH:MM ...]``; ``DAYS`` is a day (``Sat``), a
range (``Mon-Fri``) or a comma list of either (``Mon,Wed,Fri``). ``24:00`` closes at midnight.
Overlapping intervals are allowed and count once, as in the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MINUTES_PER_DAY = 1440

# (weekday 1 = Monday .. 7 = Sunday, opens_min, closes_min): one row of dealer_opening_hours.
Interval = tuple[int, int, int]

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_PART = re.compile(r"^(?P<days>[A-Za-z,\- ]+?)\s+(?P<times>\d.*)$")


@dataclass(frozen=True)
class WeeklyHours:
    """Opening hours as written (``text``) and as rows of ``dealer_opening_hours`` (``intervals``)."""

    text: str
    intervals: tuple[Interval, ...]

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return repr(self.text)


def parse_weekly_hours(text: str) -> WeeklyHours:
    """Parse ``text``; ValueError saying what is wrong and what a valid value looks like.

    >>> parse_weekly_hours("Mon-Fri 08:00-12:00, 14:00-18:00; Sat 09:00-13:00").intervals[:2]
    ((1, 480, 720), (1, 840, 1080))
    """
    example = 'e.g. "Mon-Fri 08:00-18:00; Sat 09:00-13:00"'
    intervals: list[Interval] = []
    parts = [part.strip() for part in text.split(";") if part.strip()]
    if not parts:
        raise ValueError(f"names no opening hours at all; write days and times, {example}")
    for part in parts:
        match = _PART.match(part)
        if match is None:
            raise ValueError(f"cannot read {part!r}: write days then times, {example}")
        days = _days(match["days"], example)
        for span in (s.strip() for s in match["times"].split(",")):
            opens, closes = _span(span, part, example)
            intervals += [(day, opens, closes) for day in days]
    return WeeklyHours(text.strip(), tuple(sorted(set(intervals))))


def _days(text: str, example: str) -> list[int]:
    days: list[int] = []
    for item in (i.strip() for i in text.split(",") if i.strip()):
        ends = [_day(name.strip(), example) for name in item.split("-")]
        if len(ends) == 1:
            days.append(ends[0])
        elif len(ends) == 2 and ends[0] <= ends[1]:
            days += list(range(ends[0], ends[1] + 1))
        else:
            raise ValueError(f"cannot read the days {item!r}: a range runs forward (Mon-Fri), {example}")
    return days


def _day(name: str, example: str) -> int:
    for number, day in enumerate(DAY_NAMES, start=1):
        if name.lower() == day.lower():
            return number
    raise ValueError(f"{name!r} is not a day; use {', '.join(DAY_NAMES)}, {example}")


def _span(span: str, part: str, example: str) -> tuple[int, int]:
    ends = span.split("-")
    if len(ends) != 2:
        raise ValueError(f"cannot read the times {span!r} in {part!r}: write HH:MM-HH:MM, {example}")
    opens, closes = (_minutes(end.strip(), example) for end in ends)
    if not 0 <= opens < closes <= MINUTES_PER_DAY:
        raise ValueError(
            f"{span!r} in {part!r} does not open before it closes within one day (00:00-24:00), {example}"
        )
    return opens, closes


def _minutes(text: str, example: str) -> int:
    match = _TIME.match(text)
    if match is None or int(match[2]) >= 60:
        raise ValueError(f"{text!r} is not a time of day HH:MM, {example}")
    return int(match[1]) * 60 + int(match[2])
