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
    plain: str = ""

    @property
    def help(self) -> str:
        """Help text shown next to the number on every page: the plain sentence a dealer reads
        first, then the exact definition (column names) for whoever needs it."""
        return f"{self.plain}\n\n*Exactly:* {self.definition}" if self.plain else self.definition


METRICS: tuple[Metric, ...] = (
    Metric(
        "leads",
        "Leads",
        "Leads in the lead set L.",
        "count",
        "neutral",
        plain="Leads that arrived in the period.",
    ),
    Metric(
        "contacted",
        "Contacted leads",
        "Leads with at least one qualifying contact (outbound, not automated, at or after the lead's "
        "created_at).",
        "count",
        "higher",
        plain="Leads a salesperson called, e-mailed or messaged at least once (automatic replies do not count).",
    ),
    Metric(
        "follow_up_rate",
        "Follow-up rate",
        "contacted / leads.",
        "percent",
        "higher",
        plain="The share of leads a salesperson contacted at least once.",
    ),
    Metric(
        "median_first_response_min",
        "Median first response",
        "Median, over contacted leads, of the minutes from created_at to the first qualifying contact "
        "(linear interpolation).",
        "minutes",
        "lower",
        people=True,
        plain="How long a typical contacted lead waited for its first contact by a person: half waited less, half longer.",
    ),
    Metric(
        "p90_first_response_min",
        "90th percentile first response",
        "90th percentile, over contacted leads, of the minutes from created_at to the first qualifying "
        "contact (linear interpolation).",
        "minutes",
        "lower",
        people=True,
        plain="How long the slowest tenth of contacted leads waited for their first contact (nine in ten were contacted sooner).",
    ),
    Metric(
        "responded_1h_rate",
        "Responded within 1 h",
        "Leads whose first qualifying contact came within 60 minutes (<= 60.0) of created_at / leads.",
        "percent",
        "higher",
        people=True,
        plain="The share of leads contacted by a person within an hour of arriving.",
    ),
    Metric(
        "no_contact",
        "No-contact leads",
        "Leads with no qualifying contact and created_at <= as_of - 24 hours.",
        "count",
        "lower",
        plain="Leads nobody has contacted, at least a day after they arrived.",
    ),
    Metric(
        "duplicate_contact",
        "Duplicate-contact leads",
        "Leads whose qualifying contacts come from 2 or more distinct non-null salespeople (actor_key).",
        "count",
        "lower",
        people=True,
        plain="Leads contacted by two or more different salespeople (the buyer hears from several people).",
    ),
    Metric(
        "duplicate_contact_rate",
        "Duplicate-contact rate",
        "duplicate_contact / contacted.",
        "percent",
        "lower",
        people=True,
        plain="The share of contacted leads that two or more different salespeople contacted.",
    ),
    Metric(
        "avg_attempts",
        "Attempts per contacted lead",
        "Mean number of qualifying contacts per contacted lead.",
        "number",
        "neutral",
        people=True,
        plain="How many times, on average, a contacted lead was called, e-mailed or messaged.",
    ),
    Metric(
        "undelivered",
        "Undelivered leads",
        "Leads with delivered_at IS NULL: the dealer's CRM never acknowledged them.",
        "count",
        "lower",
        plain="Leads the dealer's system never confirmed receiving.",
    ),
    Metric(
        "appointments",
        "Appointments",
        "Leads with appointment_at not null.",
        "count",
        "higher",
        plain="Leads that led to an appointment.",
    ),
    Metric(
        "sold",
        "Sales",
        "Leads with sold_at not null.",
        "count",
        "higher",
        plain="Leads that ended in a sale.",
    ),
    Metric(
        "conversion_rate",
        "Conversion rate",
        "sold / leads.",
        "percent",
        "higher",
        plain="The share of leads that ended in a sale.",
    ),
    Metric(
        "lost",
        "Lost leads",
        "Leads with closed_at not null and sold_at null.",
        "count",
        "lower",
        plain="Leads closed without a sale.",
    ),
    Metric(
        "vague_close_rate",
        "Vague close reasons",
        "Lost leads whose close_reason_code is null, blank, not in the taxonomy, or flagged is_vague / lost.",
        "percent",
        "lower",
        plain='The share of lost leads closed without a usable reason (none given, or only "lost" or "other").',
    ),
    Metric(
        "lost_after_one_attempt_rate",
        "Lost after one attempt",
        "Lost leads with at most 1 qualifying contact at or before closed_at / lost.",
        "percent",
        "lower",
        people=True,
        plain="The share of lost leads given up after a single contact or none.",
    ),
    Metric(
        "spend",
        "Spend",
        "Allocated campaign spend: for each campaign c, S_c = its spend with spend_date in [start, end]; "
        "N_c = all leads of c created in the period with consent not false (no other filter, no access "
        "scope); the group gets S_c x (leads of c in the group) / N_c, summed over campaigns.",
        "money",
        "neutral",
        plain="What the campaigns behind these leads cost in the period, shared out over their leads.",
    ),
    Metric(
        "cost_per_lead",
        "Cost per lead",
        "spend / leads.",
        "money",
        "lower",
        plain="What one lead cost on average.",
    ),
    Metric(
        "cost_per_sale",
        "Cost per sale",
        "spend / sold.",
        "money",
        "lower",
        plain="Campaign spend for each sale these leads brought.",
    ),
    Metric(
        "gross_profit",
        "Gross profit",
        "Sum of gross_profit of sold leads (NULL counts as 0).",
        "money",
        "higher",
        plain="The gross profit of the sales these leads brought.",
    ),
    Metric(
        "roi",
        "ROI",
        "(gross_profit - spend) / spend.",
        "ratio",
        "higher",
        plain="What the sales earned beyond the campaign spend, as a share of that spend.",
    ),
    Metric(
        "reached",
        "Reached leads",
        "Leads with at least one qualifying contact whose result code's category is reached or "
        "appointment (codes trimmed; taxonomy: the result_codes table, or the default).",
        "count",
        "higher",
        plain="Leads a salesperson actually spoke to (or booked an appointment with), going by the call result codes.",
    ),
    Metric(
        "reach_rate",
        "Reach rate",
        "reached / leads.",
        "percent",
        "higher",
        plain="The share of leads a salesperson actually reached.",
    ),
    Metric(
        "invalid_contact_rate",
        "Invalid-contact rate",
        "Leads with a qualifying contact coded invalid_contact (wrong number ...) and none coded reached "
        "or appointment / contacted.",
        "percent",
        "lower",
        plain="The share of contacted leads whose contact details were wrong (wrong number, bounced e-mail) and never reached.",
    ),
    Metric(
        "coded_contact_rate",
        "Coded calls",
        "Qualifying contacts on channel phone whose result_code is not NULL or blank / qualifying "
        "contacts on channel phone (a count of calls, not of people).",
        "percent",
        "higher",
        plain="The share of calls for which the salesperson recorded how the call went.",
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
        plain="How long a typical contacted lead waited for its first contact, counting only the dealer's opening hours.",
    ),
    Metric(
        "p90_first_response_bh_min",
        "90th pct response, business hours",
        "90th percentile, over contacted leads, of first_response_bh_min (business minutes from created_at "
        "to the first qualifying contact, the dealer's opening hours) (linear interpolation).",
        "minutes",
        "lower",
        people=True,
        plain="How long the slowest tenth of contacted leads waited, counting only the dealer's opening hours.",
    ),
    Metric(
        "responded_1bh_rate",
        "Within 1 business hour",
        "Leads whose first qualifying contact came within 60 business minutes (first_response_bh_min <= 60.0, "
        "the dealer's opening hours) / leads.",
        "percent",
        "higher",
        people=True,
        plain="The share of leads contacted within one hour of the dealer's opening hours.",
    ),
    Metric(
        "mature_leads",
        "Leads old enough to judge",
        "Leads with created_at <= as_of - W days (W = the setting conversion_window_days).",
        "count",
        "neutral",
        plain="Leads old enough for their outcome to be judged fairly.",
    ),
    Metric(
        "sold_in_window",
        "Sales within the window",
        "Mature leads with sold_at not null and sold_at < created_at + W days.",
        "count",
        "higher",
        plain="Leads old enough to judge that became a sale within the conversion window.",
    ),
    Metric(
        "conversion_in_window_rate",
        f"Conversion within {_window_days()} days",
        "sold_in_window / mature_leads: only leads at least W days old (W = conversion_window_days), "
        "each counted as sold when sold within W days of arriving; NULL when no lead is that old.",
        "percent",
        "higher",
        plain="Of the leads old enough to judge, the share sold within the conversion window (so recent leads do not drag the rate down).",
    ),
)

# Metrics pages derive from the CLI columns (metrics/derived.py). They are not columns of `leadline metrics`,
# whose columns are exactly METRIC_COLUMNS; docs/metrics.md lists them in a table of their own.
DERIVED_METRICS: tuple[Metric, ...] = (
    Metric(
        "appointment_rate",
        "Appointment rate",
        "appointments / leads.",
        "percent",
        "higher",
        plain="The share of leads that led to an appointment.",
    ),
    Metric(
        "cost_per_reached_lead",
        "Cost per reached lead",
        "spend / reached.",
        "money",
        "lower",
        plain="What each lead a salesperson actually reached cost.",
    ),
    Metric(
        "reached_of_contacted_rate",
        "Reached when called",
        "reached / contacted: of the leads with a qualifying contact, those reached.",
        "percent",
        "higher",
        plain="Of the leads someone tried to contact, the share actually reached.",
    ),
    Metric(
        "cost_per_sale_in_window",
        f"Cost per sale within {_window_days()} days",
        "cost_per_lead / conversion_in_window_rate = spend * mature_leads / (leads * sold_in_window): what a "
        "sale costs when the period's leads sell within W days as its mature leads did; NULL when no mature "
        "lead was sold within W days.",
        "money",
        "lower",
        plain="What one sale costs, judged by the leads old enough for their sale to be in.",
    ),
)

# The "how people worked" metrics, in registry order: hidden for small teams (metrics/suppression.py).
PEOPLE_METRICS: tuple[str, ...] = tuple(m.name for m in (*METRICS, *DERIVED_METRICS) if m.people)

# The metrics computed from the close-reason codes of lost leads (vague closes) or the campaigns'
# spend, in registry order: a page that shows none of them asks its tables without those inputs.
CODES_AND_SPEND_METRICS: tuple[str, ...] = (
    "vague_close_rate",
    "spend",
    "cost_per_lead",
    "cost_per_sale",
    "roi",
)

BY_NAME: dict[str, Metric] = {m.name: m for m in (*METRICS, *DERIVED_METRICS)}
METRIC_COLUMNS: tuple[str, ...] = tuple(m.name for m in METRICS)


def metric(name: str) -> Metric:
    """The registered metric called ``name`` (KeyError naming the known ones otherwise)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"Unknown metric {name!r}; known: {', '.join(METRIC_COLUMNS)}") from None
