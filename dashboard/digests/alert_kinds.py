"""The kinds of alert rule, declared as data like the metric registry: one entry per kind.

Each kind says which groups it watches (``group_by``), which metric, how a group breaches the
threshold, and which page its deep link opens. docs/alerts.md states each kind's exact meaning;
a test keeps them in step. A kind whose metric is not (yet) in metrics/registry.py is listed but
not offered, and rules of it are skipped. Most kinds read the metrics table; "leads waiting longer
than a business day" reads the leads-waiting-now table (``table = "waiting_now"``), whose columns
are counts per dealer rather than registry metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from metrics.registry import BY_NAME

Row = Mapping[str, Any]


def _below(metric_name: str) -> Callable[[Row, float], bool]:
    return lambda row, threshold: row.get(metric_name) is not None and row[metric_name] < threshold


def _above(metric_name: str) -> Callable[[Row, float], bool]:
    return lambda row, threshold: row.get(metric_name) is not None and row[metric_name] > threshold


def _delivery_break(row: Row, threshold: float) -> bool:
    leads, undelivered = row.get("leads"), row.get("undelivered")
    return leads is not None and undelivered is not None and leads >= threshold and undelivered == leads


@dataclass(frozen=True)
class AlertKind:
    """One kind of alert rule."""

    key: str
    label: str
    meaning: str  # the exact rule, as docs/alerts.md states it
    metric: str  # the registry metric it reads (and shows)
    group_by: tuple[str, ...]
    breaches: Callable[[Row, float], bool]
    comparison: str  # how the threshold reads: "below", "above", "at least"
    page: str  # the page the deep link opens
    default_threshold: float
    default_window_days: int
    threshold_help: str
    table: str = "metrics"  # the table whose rows it judges: "metrics" or "waiting_now"

    @property
    def available(self) -> bool:
        """True when the figure it needs exists (a registry metric, or the waiting-now table)."""
        return self.table == "waiting_now" or self.metric in BY_NAME


ALERT_KINDS: dict[str, AlertKind] = {
    kind.key: kind
    for kind in (
        AlertKind(
            "follow_up_below",
            "Follow-up rate of a dealer below a threshold",
            "For each dealer in the rule's view: its follow-up rate over the last N complete days (UTC, "
            "ending yesterday) is below the threshold. Dealers with fewer than K leads in the window are "
            "suppressed and never fire.",
            "follow_up_rate",
            ("dealer_id",),
            _below("follow_up_rate"),
            "below",
            "follow-up",
            0.80,
            7,
            "A fraction, e.g. 0.8 for 80 %.",
        ),
        AlertKind(
            "delivery_break",
            "A source stopped delivering to a dealer",
            "For each source and dealer pair in the rule's view: at least `threshold` leads (and at least K) "
            "arrived in the last N complete days, and none of them reached the dealer's CRM "
            "(undelivered leads = leads).",
            "undelivered",
            ("source", "dealer_id"),
            _delivery_break,
            "at least",
            "delivery",
            5,
            3,
            "The fewest leads in the window that count as 'leads keep arriving'.",
        ),
        AlertKind(
            "cost_per_sale_above",
            "Cost per sale of a campaign above a threshold",
            "For each campaign in the rule's view: its cost per sale (allocated spend / sales) over the last "
            "N complete days is above the threshold. Campaigns without a sale have no cost per sale and "
            "do not fire; campaigns with fewer than K leads are suppressed.",
            "cost_per_sale",
            ("campaign_id",),
            _above("cost_per_sale"),
            "above",
            "campaigns",
            1500.0,
            30,
            "In the warehouse currency, e.g. 1500.",
        ),
        AlertKind(
            "waiting_over_business_day",
            "Leads waiting longer than a business day",
            "For each dealer in the rule's view: more than `threshold` of its leads of the last 7 days are "
            "waiting now (no qualifying contact, not closed, consent not refused) and have waited 480 "
            "business minutes or more in the dealer's opening hours (docs/metrics.md, leads waiting now). "
            "Dealers with fewer than K recent leads are suppressed and never fire; the rule's window "
            "does not apply.",
            "from_480",
            ("dealer_id",),
            _above("from_480"),
            "above",
            "follow-up",
            0,
            7,
            "The number of leads waiting a business day or more a dealer may have before it fires.",
            table="waiting_now",
        ),
    )
}
