"""When a subscription is due, which period a digest covers, and the key that makes a send unique.

Pure functions of the clock: a subscription is sent weekly (on ``weekday`` at ``hour`` in its
time zone) or monthly (on the first such weekday of the month). The latest slot at or before
now is the one due; its local date is the digest's "today", so a retry of the same period
shows the same numbers, and its key ``2026-11-23T08`` is unique per subscription in the send log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.errors import FilterError

FREQUENCIES = {"weekly": "Weekly", "monthly": "Monthly (first chosen weekday of the month)"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Relative windows a subscription keeps: key -> label. Complete days only, ending the day before.
WINDOWS = {
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "last_week": "Last week (Monday to Sunday)",
    "last_month": "Last month",
}


@dataclass(frozen=True)
class Slot:
    """One scheduled send: its local day (the digest's 'today'), its key, and when it is in UTC."""

    day: date
    key: str
    at_utc: datetime  # naive UTC


def zone(name: str) -> ZoneInfo:
    """The time zone ``name`` (IANA, e.g. Europe/Rome); FilterError with a hint when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FilterError(
            f"Unknown time zone {name!r}.", "Give an IANA name such as Europe/Rome or UTC."
        ) from None


def _first_weekday(year: int, month: int, weekday: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def latest_slot(now_utc: datetime, frequency: str, weekday: int, hour: int, tz: str) -> Slot:
    """The latest scheduled send at or before ``now_utc`` (naive or aware UTC)."""
    if frequency not in FREQUENCIES:
        raise FilterError(f"Unknown frequency {frequency!r}.", f"Use one of: {', '.join(FREQUENCIES)}.")
    if not (0 <= weekday <= 6 and 0 <= hour <= 23):
        raise FilterError("Weekday must be 0-6 (Monday = 0) and hour 0-23.", "Pick them from the lists.")
    tzinfo = zone(tz)
    aware = now_utc if now_utc.tzinfo else now_utc.replace(tzinfo=UTC)
    local = aware.astimezone(tzinfo)
    if frequency == "weekly":
        day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
        if datetime.combine(day, time(hour), tzinfo) > local:
            day -= timedelta(days=7)
    else:
        day = _first_weekday(local.year, local.month, weekday)
        if datetime.combine(day, time(hour), tzinfo) > local:
            previous = date(local.year, local.month, 1) - timedelta(days=1)
            day = _first_weekday(previous.year, previous.month, weekday)
    at = datetime.combine(day, time(hour), tzinfo).astimezone(UTC).replace(tzinfo=None)
    return Slot(day, f"{day.isoformat()}T{hour:02d}", at)


def window_period(window: str, today: date) -> tuple[date, date]:
    """The period of relative window ``window`` for a digest sent on ``today`` (complete days)."""
    yesterday = today - timedelta(days=1)
    if window in ("7d", "30d"):
        return yesterday - timedelta(days=int(window[:-1]) - 1), yesterday
    if window == "last_week":
        monday = today - timedelta(days=today.weekday()) - timedelta(days=7)
        return monday, monday + timedelta(days=6)
    if window == "last_month":
        end = date(today.year, today.month, 1) - timedelta(days=1)
        return date(end.year, end.month, 1), end
    raise FilterError(f"Unknown window {window!r}.", f"Use one of: {', '.join(WINDOWS)}.")
