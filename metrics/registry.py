"""The metric registry: every number Leadline shows, declared once.

Pages, help texts, CSV exports, the CLI and ``docs/metrics.md`` all read this list;
nothing restates a metric's label or definition elsewhere. The order of ``METRICS`` is
the column order of ``leadline metrics``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from common import settings
from common.errors import SettingsError

Format = Literal["count", "percent", "minutes", "money", "ratio", "number"]
Direction = Literal["higher", "lower", "neutral"]


def _window_days() -> int:
    """The setting conversion_window_days for labels (its default when malformed: the error shows elsewhere)."""
    try:
        return int(settings.get("conversion_window_days"))
    except SettingsError:
        return 90


@dataclass(frozen=True)
class Metric:
    """One metric: its column name, label, exact definition, number format and direction.

    ``people`` marks a "how people worked" metric (speed, attempts, duplicate contact): it is
    hidden for a group whose qualifying contacts come from fewer than ``min_team_size``
    salespeople or that has fewer than K contacted leads (metrics/suppression.py), because
    there it describes one or two people. A new metric of that kind joins by saying
    ``people=True``; coverage and outcome metrics stay visible.
    """

    name: str
    label: str
    definition: str
    format: Format
    better: Direction
    people: bool = False

    @property
    def help(self) -> str:
        """Help text shown next to the number on every page."""
        return self.definition


METRICS: tuple[Metric, ...] = (
    Metric("leads", "Leads", "Leads in the lead set L.", "count", "neutral"),
    Metric(
        "contacted",
        "Contacted leads",
        "Leads with at least one qualifying contact (outbound, not automated, at or after the lead's "
        "created_at).",
        "count",
        "higher",
    ),
    Metric("follow_up_rate", "Follow-up rate", "contacted / leads.", "percent", "higher"),
    Metric(
        "median_first_response_min",
        "Median first response",
        "Median, over contacted leads, of the minutes from created_at to the first qualifying contact "
        "(linear interpolation).",
        "minutes",
        "lower",
        people=True,
    ),
    Metric(
        "p90_first_response_min",
        "90th percentile first response",
        "90th percentile, over contacted leads, of the minutes from created_at to the first qualifying "
        "contact (linear interpolation).",
        "minutes",
        "lower",
        people=True,
    ),
    Metric(
        "responded_1h_rate",
        "Responded within 1 h",
        "Leads whose first qualifying contact came within 60 minutes (<= 60.0) of created_at / leads.",
        "percent",
        "higher",
        people=True,
    ),
    Metric(
        "no_contact",
        "No-contact leads",
        "Leads with no qualifying contact and created_at <= as_of - 24 hours.",
        "count",
        "lower",
    ),
    Metric(
        "duplicate_contact",
        "Duplicate-contact leads",
        "Leads whose qualifying contacts come from 2 or more distinct non-null salespeople (actor_key).",
        "count",
        "lower",
        people=True,
    ),
    Metric(
        "duplicate_contact_rate",
        "Duplicate-contact rate",
        "duplicate_contact / contacted.",
        "percent",
        "lower",
        people=True,
    ),
    Metric(
        "avg_attempts",
        "Attempts per contacted lead",
        "Mean number of qualifying contacts per contacted lead.",
        "number",
        "neutral",
        people=True,
    ),
    Metric(
        "undelivered",
        "Undelivered leads",
        "Leads with delivered_at IS NULL: the dealer's CRM never acknowledged them.",
        "count",
        "lower",
    ),
    Metric("appointments", "Appointments", "Leads with appointment_at not null.", "count", "higher"),
    Metric("sold", "Sales", "Leads with sold_at not null.", "count", "higher"),
    Metric("conversion_rate", "Conversion rate", "sold / leads.", "percent", "higher"),
    Metric("lost", "Lost leads", "Leads with closed_at not null and sold_at null.", "count", "lower"),
    Metric(
        "vague_close_rate",
        "Vague close reasons",
        "Lost leads whose close_reason_code is null, blank, not in the taxonomy, or flagged is_vague / lost.",
        "percent",
        "lower",
    ),
    Metric(
        "lost_after_one_attempt_rate",
        "Lost after one attempt",
        "Lost leads with at most 1 qualifying contact at or before closed_at / lost.",
        "percent",
        "lower",
        people=True,
    ),
    Metric(
        "spend",
        "Spend",
        "Allocated campaign spend: for each campaign c, S_c = its spend with spend_date in [start, end]; "
        "N_c = all leads of c created in the period with consent not false (no other filter, no access "
        "scope); the group gets S_c x (leads of c in the group) / N_c, summed over campaigns.",
        "money",
        "neutral",
    ),
    Metric("cost_per_lead", "Cost per lead", "spend / leads.", "money", "lower"),
    Metric("cost_per_sale", "Cost per sale", "spend / sold.", "money", "lower"),
    Metric(
        "gross_profit",
        "Gross profit",
        "Sum of gross_profit of sold leads (NULL counts as 0).",
        "money",
        "higher",
    ),
    Metric("roi", "ROI", "(gross_profit - spend) / spend.", "ratio", "higher"),
    Metric(
        "reached",
        "Reached leads",
        "Leads with at least one qualifying contact whose result code's category is reached or "
        "appointment (codes trimmed; taxonomy: the result_codes table, or the default).",
        "count",
        "higher",
    ),
    Metric("reach_rate", "Reach rate", "reached / leads.", "percent", "higher"),
    Metric(
        "invalid_contact_rate",
        "Invalid-contact rate",
        "Leads with a qualifying contact coded invalid_contact (wrong number ...) and none coded reached "
        "or appointment / contacted.",
        "percent",
        "lower",
    ),
    Metric(
        "coded_contact_rate",
        "Coded calls",
        "Qualifying contacts on channel phone whose result_code is not NULL or blank / qualifying "
        "contacts on channel phone (a count of calls, not of people).",
        "percent",
        "higher",
    ),
    # Issue 13, after the columns of v1 and issue 14: business hours, and conversion that compares like with like.
    Metric(
        "median_first_response_bh_min",
        "Median response, business hours",
        "Median, over contacted leads, of first_response_bh_min: the business minutes from created_at to the "
        "first qualifying contact, counting only the dealer's opening hours in its time zone "
        "(dealer_opening_hours, or the setting default_opening_hours) on days it is not closed "
        "(linear interpolation).",
        "minutes",
        "lower",
        people=True,
    ),
    Metric(
        "p90_first_response_bh_min",
        "90th pct response, business hours",
        "90th percentile, over contacted leads, of first_response_bh_min (business minutes from created_at "
        "to the first qualifying contact, the dealer's opening hours) (linear interpolation).",
        "minutes",
        "lower",
        people=True,
    ),
    Metric(
        "responded_1bh_rate",
        "Within 1 business hour",
        "Leads whose first qualifying contact came within 60 business minutes (first_response_bh_min <= 60.0, "
        "the dealer's opening hours) / leads.",
        "percent",
        "higher",
        people=True,
    ),
    Metric(
        "mature_leads",
        "Leads old enough to judge",
        "Leads with created_at <= as_of - W days (W = the setting conversion_window_days).",
        "count",
        "neutral",
    ),
    Metric(
        "sold_in_window",
        "Sales within the window",
        "Mature leads with sold_at not null and sold_at < created_at + W days.",
        "count",
        "higher",
    ),
    Metric(
        "conversion_in_window_rate",
        f"Conversion within {_window_days()} days",
        "sold_in_window / mature_leads: only leads at least W days old (W = conversion_window_days), "
        "each counted as sold when sold within W days of arriving; NULL when no lead is that old.",
        "percent",
        "higher",
    ),
)

# Metrics pages derive from the CLI columns (metrics/derived.py). They are not columns of `leadline metrics`,
# whose columns are exactly METRIC_COLUMNS; docs/metrics.md lists them in a table of their own.
DERIVED_METRICS: tuple[Metric, ...] = (
    Metric("appointment_rate", "Appointment rate", "appointments / leads.", "percent", "higher"),
    Metric("cost_per_reached_lead", "Cost per reached lead", "spend / reached.", "money", "lower"),
    Metric(
        "reached_of_contacted_rate",
        "Reached when called",
        "reached / contacted: of the leads with a qualifying contact, those reached.",
        "percent",
        "higher",
    ),
    Metric(
        "cost_per_sale_in_window",
        f"Cost per sale within {_window_days()} days",
        "cost_per_lead / conversion_in_window_rate = spend * mature_leads / (leads * sold_in_window): what a "
        "sale costs when the period's leads sell within W days as its mature leads did; NULL when no mature "
        "lead was sold within W days.",
        "money",
        "lower",
    ),
)

# The "how people worked" metrics, in registry order: hidden for small teams (metrics/suppression.py).
PEOPLE_METRICS: tuple[str, ...] = tuple(m.name for m in (*METRICS, *DERIVED_METRICS) if m.people)

BY_NAME: dict[str, Metric] = {m.name: m for m in (*METRICS, *DERIVED_METRICS)}
METRIC_COLUMNS: tuple[str, ...] = tuple(m.name for m in METRICS)


def metric(name: str) -> Metric:
    """The registered metric called ``name`` (KeyError naming the known ones otherwise)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"Unknown metric {name!r}; known: {', '.join(METRIC_COLUMNS)}") from None
