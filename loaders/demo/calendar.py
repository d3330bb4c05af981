"""The demo's time axis: 395 days ending on ``--end``, with weekday, season and hour-of-day patterns.

All times are whole seconds since 1970-01-01 UTC in ``int64`` arrays. Seasonality is applied
in each dealer's local time (more leads in the evening and at weekends), then converted to UTC
with the zone's offset of that day, so daylight-saving changes show as they would in real data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from loaders.demo.network import TIMEZONES

DAYS = 395
DAY_S = 86_400
HOUR_S = 3_600
# Relative lead arrivals per local hour, 0..23: a lunch bump and an evening peak.
_WEEKDAY_HOURS = (
    0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.6, 0.9, 1.0, 1.0, 1.0,
    1.1, 1.0, 0.95, 0.95, 1.0, 1.1, 1.3, 1.6, 1.8, 1.7, 1.3, 0.7,
)  # fmt: skip
_WEEKEND_HOURS = (
    0.35, 0.2, 0.12, 0.08, 0.08, 0.1, 0.2, 0.4, 0.7, 1.1, 1.3, 1.4,
    1.3, 1.2, 1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 1.9, 1.7, 1.3, 0.8,
)  # fmt: skip
_WEEKDAY_FACTOR = (0.95, 0.9, 0.9, 0.92, 0.95, 1.3, 1.35)  # Monday .. Sunday
HOUR_CDF = np.cumsum([np.array(h) / sum(h) for h in (_WEEKDAY_HOURS, _WEEKEND_HOURS)], axis=1)


@dataclass(frozen=True)
class Calendar:
    """The days of the demo and everything needed to place an event on them."""

    end: date
    start: date
    start_s: int  # first day, 00:00 UTC
    end_s: int  # the day after ``end``, 00:00 UTC
    cutoff_s: int  # nothing is recorded at or after it: ``end_s``, or earlier when ``end`` is today
    weekday: np.ndarray  # (DAYS,) 0 = Monday
    utc_offset_s: np.ndarray  # (zones, DAYS) seconds the zone is ahead of UTC on that day
    day_weight: np.ndarray  # (DAYS,) probability that a lead arrives on that day

    def day_of(self, seconds: np.ndarray) -> np.ndarray:
        """Day index (0 .. DAYS-1, clipped) of UTC times."""
        return np.clip((seconds - self.start_s) // DAY_S, 0, DAYS - 1)

    def local(self, seconds: np.ndarray, zone: np.ndarray) -> np.ndarray:
        """UTC times shifted to the local wall clock of ``zone`` (indexes into TIMEZONES)."""
        return seconds + self.utc_offset_s[zone, self.day_of(seconds)]


def build_calendar(end: date, seed: int, as_of: datetime | None = None) -> Calendar:
    """The calendar of a demo ending on ``end``; ``seed`` sets the day-to-day noise.

    ``as_of`` (naive UTC, on ``end``) cuts the data off earlier than the end of that day, so a
    demo ending today holds nothing in the future.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    start = end - timedelta(days=DAYS - 1)
    start_s = int(datetime.combine(start, time(), UTC).timestamp())
    days = [start + timedelta(days=i) for i in range(DAYS)]
    weekday = np.array([d.weekday() for d in days])
    offsets = np.array(
        [[_offset_s(ZoneInfo(zone), d) for d in days] for zone in TIMEZONES],
        dtype=np.int64,
    )
    day_of_year = np.array([d.timetuple().tm_yday for d in days])
    month = np.array([d.month for d in days])
    season = 1 + 0.15 * np.cos(2 * np.pi * (day_of_year - 110) / 365)  # spring peak
    season *= np.where(month == 8, 0.8, 1.0)  # holidays
    season *= np.where([(d.month, d.day) >= (12, 23) or (d.month, d.day) <= (1, 2) for d in days], 0.6, 1.0)
    trend = 1 + 0.15 * np.arange(DAYS) / DAYS
    weight = trend * season * np.take(_WEEKDAY_FACTOR, weekday) * rng.lognormal(0, 0.08, DAYS)
    return Calendar(
        end=end,
        start=start,
        start_s=start_s,
        end_s=start_s + DAYS * DAY_S,
        cutoff_s=_cutoff_s(start_s + DAYS * DAY_S, as_of),
        weekday=weekday,
        utc_offset_s=offsets,
        day_weight=weight / weight.sum(),
    )


def _cutoff_s(end_s: int, as_of: datetime | None) -> int:
    if as_of is None:
        return end_s
    as_of_s = int(as_of.replace(tzinfo=UTC).timestamp())
    if not end_s - DAY_S < as_of_s <= end_s:
        raise ValueError(f"as_of {as_of} is not on the last day of the data")
    return as_of_s


def _offset_s(zone: ZoneInfo, day: date) -> int:
    offset = datetime.combine(day, time(12), zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def sample_local_seconds(rng: np.random.Generator, weekend: np.ndarray) -> np.ndarray:
    """Seconds after local midnight, following the weekday or weekend hour profile."""
    u = rng.uniform(size=weekend.size)
    hour = np.where(
        weekend,
        np.searchsorted(HOUR_CDF[1], u, side="right"),
        np.searchsorted(HOUR_CDF[0], u, side="right"),
    )
    return np.minimum(hour, 23) * HOUR_S + rng.integers(0, HOUR_S, weekend.size)


def next_opening(
    cal: Calendar, seconds: np.ndarray, zone: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Times moved into opening hours (08:00-20:00 local, not on Sunday): nobody calls at night.

    A time outside them moves to the next opening plus a short random queue delay.
    """
    local = cal.local(seconds, zone)
    second_of_day = local % DAY_S
    opens, closes = 8 * HOUR_S, 20 * HOUR_S
    wait = np.where(second_of_day < opens, opens - second_of_day, 0)
    wait = np.where(second_of_day >= closes, DAY_S - second_of_day + opens, wait)
    moved = wait > 0
    shifted = seconds + wait + np.where(moved, rng.exponential(40 * 60, seconds.size).astype(np.int64), 0)
    # 1970-01-01 was a Thursday: weekday = (days since epoch + 3) % 7, Sunday = 6.
    sunday = ((cal.local(shifted, zone) // DAY_S + 3) % 7) == 6
    return shifted + np.where(sunday, DAY_S, 0)
