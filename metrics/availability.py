"""Which metrics a warehouse can answer at all: missing data is not failure.

A warehouse filled from a marketing funnel export may hold leads and outcomes only: no contact
activities, no delivery receipts, no spend, dates without a time of day. Counting those as
zero would show "0.0 % followed up, 95 pts below target" and "every lead undelivered", which is
false. Each metric names the inputs it rests on (``METRIC_INPUTS``); an input the warehouse does
not hold (``DataProfile.absent``, filled by loaders/contract/availability.py) makes the metric
"not in your data": pages show that phrase with the reason, never 0 and never a target gap, and
exports leave the value empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl

NOT_IN_DATA = "not in your data"

# Input -> why it counts as absent, in plain words first, then the exact rule.
INPUT_REASONS: dict[str, str] = {
    "activities": "Your data has no contact activities (the lead_activities table is empty).",
    "contact_times": "Your data has no times of contact or of lead arrival (dates only, or a stated default).",
    "time_of_day": "Times of day are not in your data: every lead arrived at the same clock time "
    "(leads.created_at holds dates only).",
    "delivery": "Your data does not say when leads reached the dealer (leads.delivered_at is empty "
    "or a stated default).",
    "outcomes": "Your data has no lead outcomes (the lead_outcomes table is empty).",
    "appointments": "Your data has no appointments (lead_outcomes.appointment_at is empty).",
    "sales": "Your data has no sales (lead_outcomes.sold_at is empty).",
    "closures": "Your data has no closed leads (lead_outcomes.closed_at is empty).",
    "gross_profit": "Your data has no gross profit of sales (lead_outcomes.gross_profit is empty).",
    "spend": "Your data has no campaign spend (the campaign_spend table is empty).",
}

# Metric -> the inputs it rests on. A metric not listed rests on the leads alone.
METRIC_INPUTS: dict[str, tuple[str, ...]] = {
    "contacted": ("activities",),
    "follow_up_rate": ("activities",),
    "median_first_response_min": ("activities", "contact_times"),
    "p90_first_response_min": ("activities", "contact_times"),
    "responded_1h_rate": ("activities", "contact_times"),
    "no_contact": ("activities",),
    "duplicate_contact": ("activities",),
    "duplicate_contact_rate": ("activities",),
    "avg_attempts": ("activities",),
    "undelivered": ("delivery",),
    "appointments": ("outcomes", "appointments"),
    "appointment_rate": ("outcomes", "appointments"),
    "sold": ("outcomes", "sales"),
    "conversion_rate": ("outcomes", "sales"),
    "lost": ("outcomes", "closures"),
    "vague_close_rate": ("outcomes", "closures"),
    "lost_after_one_attempt_rate": ("outcomes", "closures", "activities"),
    "spend": ("spend",),
    "cost_per_lead": ("spend",),
    "cost_per_sale": ("spend", "outcomes", "sales"),
    "gross_profit": ("outcomes", "sales", "gross_profit"),
    "roi": ("spend", "outcomes", "sales", "gross_profit"),
    # Result codes of contacts (issue 14): all rest on contact activities.
    "reached": ("activities",),
    "reach_rate": ("activities",),
    "invalid_contact_rate": ("activities",),
    "coded_contact_rate": ("activities",),
    "cost_per_reached_lead": ("spend", "activities"),
    "reached_of_contacted_rate": ("activities",),
    # Business hours and conversion within the window (issue 13).
    "median_first_response_bh_min": ("activities", "contact_times"),
    "p90_first_response_bh_min": ("activities", "contact_times"),
    "responded_1bh_rate": ("activities", "contact_times"),
    "mature_leads": (),  # the leads alone
    "sold_in_window": ("outcomes", "sales"),
    "conversion_in_window_rate": ("outcomes", "sales"),
    "cost_per_sale_in_window": ("spend", "outcomes", "sales"),
}


@dataclass(frozen=True)
class DataProfile:
    """What a warehouse holds: the first and last day with leads, the inputs it lacks, the newest
    lead's creation time and when this was read (UTC, naive)."""

    first_day: date | None = None
    last_day: date | None = None
    absent: frozenset[str] = field(default_factory=frozenset)
    last_lead: datetime | None = None
    read_at: datetime | None = None

    def missing_reason(self, metric_name: str) -> str | None:
        """Why metric ``metric_name`` is not in the data (the first absent input), or None."""
        for name in METRIC_INPUTS.get(metric_name, ()):
            if name in self.absent:
                return INPUT_REASONS[name]
        return None

    def missing(self, metric_names: Iterable[str]) -> dict[str, str]:
        """Each of ``metric_names`` that is not in the data, with the reason."""
        reasons = {name: self.missing_reason(name) for name in metric_names}
        return {name: reason for name, reason in reasons.items() if reason is not None}

    def has(self, input_name: str) -> bool:
        """True when input ``input_name`` (a key of INPUT_REASONS) is in the data."""
        return input_name not in self.absent


EVERYTHING = DataProfile()  # a profile that lacks nothing (used when the warehouse cannot say)


def absent_inputs(
    *,
    leads: int,
    has_rows: Mapping[str, bool],
    times_of_day: int,
    time_zones: int,
    defaulted: Iterable[tuple[str, str]] = (),
) -> frozenset[str]:
    """The inputs a warehouse lacks, from what loaders/contract/availability.py counted.

    ``leads``: leads in the warehouse (with none, nothing counts as absent: the page says "no
    leads"). ``has_rows``: for each input whose presence is a table or column having a value
    (``activities``, ``outcomes``, ``spend``, ``delivery``, ``appointments``, ``sales``,
    ``closures``, ``gross_profit``), whether any row has one. ``times_of_day``: distinct clock
    times of leads.created_at (counted up to a small cap); ``time_zones``: distinct dealer time
    zones. Dates stored at local midnight and converted to UTC give one clock time per zone (two
    with daylight saving), so ``times_of_day <= 2 x max(1, time_zones)`` over 20 or more leads means
    the data has dates only. ``defaulted``: (table, column) pairs an import filled with a stated
    constant (leadline_import_log): a defaulted created_at or occurred_at means no contact times,
    a defaulted delivered_at no delivery.

    >>> sorted(absent_inputs(leads=8000, has_rows={"activities": False, "sales": True},
    ...                      times_of_day=2, time_zones=1))
    ['activities', 'contact_times', 'time_of_day']
    """
    if leads == 0:
        return frozenset()
    absent = {name for name, present in has_rows.items() if not present}
    if leads >= 20 and times_of_day <= 2 * max(1, time_zones):
        absent |= {"time_of_day", "contact_times"}
    pairs = set(defaulted)
    if ("leads", "created_at") in pairs:
        absent |= {"time_of_day", "contact_times"}
    if ("lead_activities", "occurred_at") in pairs:
        absent.add("contact_times")
    if ("leads", "delivered_at") in pairs:
        absent.add("delivery")
    return frozenset(absent)


def blank_missing(frame: pl.DataFrame, profile: DataProfile) -> pl.DataFrame:
    """``frame`` with every metric column that is not in the data set to NULL (exports leave it empty)."""
    gone = [c for c in frame.columns if profile.missing_reason(c) is not None]
    if not gone:
        return frame
    return frame.with_columns(pl.lit(None, dtype=frame.schema[c]).alias(c) for c in gone)
