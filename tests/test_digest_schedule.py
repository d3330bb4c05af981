"""When a subscription is due and which days its digest covers (pure functions of the clock)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from common.errors import FilterError
from dashboard.digests.schedule import latest_slot, window_period


@pytest.mark.parametrize(
    ("now", "frequency", "weekday", "hour", "tz", "key", "at_utc"),
    [
        # Monday 23 Nov 2026, 08:05 UTC = 09:05 in Rome: the Monday 09:00 Rome slot is due
        (
            datetime(2026, 11, 23, 8, 5),
            "weekly",
            0,
            9,
            "Europe/Rome",
            "2026-11-23T09",
            datetime(2026, 11, 23, 8),
        ),
        # 07:59 UTC is 08:59 in Rome: still the previous Monday's slot
        (
            datetime(2026, 11, 23, 7, 59),
            "weekly",
            0,
            9,
            "Europe/Rome",
            "2026-11-16T09",
            datetime(2026, 11, 16, 8),
        ),
        # Sunday evening in New York is already Monday in UTC
        (
            datetime(2026, 11, 23, 2, 0),
            "weekly",
            6,
            20,
            "America/New_York",
            "2026-11-22T20",
            datetime(2026, 11, 23, 1),
        ),
        # summer time: 09:00 in Rome is 07:00 UTC
        (datetime(2026, 7, 6, 7, 0), "weekly", 0, 9, "Europe/Rome", "2026-07-06T09", datetime(2026, 7, 6, 7)),
        # monthly: the first Monday of November 2026 is the 2nd
        (datetime(2026, 11, 23, 8, 0), "monthly", 0, 8, "UTC", "2026-11-02T08", datetime(2026, 11, 2, 8)),
        # before it, the first Monday of October (the 5th)
        (datetime(2026, 11, 1, 8, 0), "monthly", 0, 8, "UTC", "2026-10-05T08", datetime(2026, 10, 5, 8)),
    ],
)
def test_latest_slot(
    now: datetime, frequency: str, weekday: int, hour: int, tz: str, key: str, at_utc: datetime
) -> None:
    slot = latest_slot(now, frequency, weekday, hour, tz)
    assert (slot.key, slot.at_utc) == (key, at_utc)


@pytest.mark.parametrize(
    ("window", "today", "period"),
    [
        ("7d", date(2026, 11, 23), (date(2026, 11, 16), date(2026, 11, 22))),
        ("30d", date(2026, 11, 23), (date(2026, 10, 24), date(2026, 11, 22))),
        ("last_week", date(2026, 11, 25), (date(2026, 11, 16), date(2026, 11, 22))),
        ("last_week", date(2026, 11, 23), (date(2026, 11, 16), date(2026, 11, 22))),
        ("last_month", date(2026, 3, 2), (date(2026, 2, 1), date(2026, 2, 28))),
        ("last_month", date(2026, 1, 5), (date(2025, 12, 1), date(2025, 12, 31))),
    ],
)
def test_window_period(window: str, today: date, period: tuple[date, date]) -> None:
    assert window_period(window, today) == period


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("hourly", 0, 8, "UTC"), "Unknown frequency"),
        (("weekly", 7, 8, "UTC"), "Weekday must be 0-6"),
        (("weekly", 0, 8, "Mars/Olympus"), "Unknown time zone"),
    ],
)
def test_bad_schedules_say_what_to_fix(args: tuple[str, int, int, str], fragment: str) -> None:
    with pytest.raises(FilterError, match=fragment):
        latest_slot(datetime(2026, 1, 1), *args)
