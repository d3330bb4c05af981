"""What a digest of each data page shows: the page's KPI tiles, its main table, one chart.

One entry per page that can be subscribed to; the KPI tuples are the pages' own (a test reads
each page file and fails when they drift). Adding a page to digests means adding an entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from common import settings
from dashboard.ui.page_tiles import CAMPAIGNS_KPIS, FOLLOW_UP_KPIS, OVERVIEW_KPIS


@dataclass(frozen=True)
class DigestSpec:
    """A page as a digest: title, KPI tiles, the table's grouping options and metrics, the chart."""

    page: str  # url_path
    title: str
    kpis: tuple[str, ...]
    breakdowns: dict[str, str]  # dimension -> label; the first is the default
    table_metrics: tuple[str, ...]
    breakdown_key: str | None = None  # the page's own URL option choosing the breakdown
    chart_key: str | None = None  # the page's own URL option choosing the trend metric
    targets: bool = False  # the page shows targets next to its tiles
    page_keys: tuple[str, ...] = field(default=())

    @property
    def default_breakdown(self) -> str:
        """The grouping of the table when the link does not choose one."""
        return next(iter(self.breakdowns))


DIGEST_SPECS: dict[str, DigestSpec] = {
    spec.page: spec
    for spec in (
        DigestSpec(
            "overview",
            "Overview",
            OVERVIEW_KPIS,
            {"market": "Market", "dealer_group_id": "Dealer group", "brand": "Brand"},
            OVERVIEW_KPIS,
            breakdown_key="by",
            chart_key="trend",
            targets=True,
            page_keys=("trend", "by"),
        ),
        DigestSpec(
            "follow-up",
            "Follow-up coverage",
            FOLLOW_UP_KPIS,
            {"dealer_id": "Dealer"},
            ("leads", "follow_up_rate", "median_first_response_bh_min", "p90_first_response_bh_min"),
        ),
        DigestSpec(
            "delivery",
            "Lead delivery",
            ("leads", "undelivered"),
            {"dealer_group_id": "Dealer group", "market": "Market"},
            ("leads", "undelivered"),
        ),
        DigestSpec(
            "close-reasons",
            "Close reasons",
            ("lost", "vague_close_rate", "lost_after_one_attempt_rate"),
            {"dealer_group_id": "Dealer group"},
            ("leads", "lost", "vague_close_rate", "lost_after_one_attempt_rate"),
        ),
        DigestSpec(
            "campaigns",
            "Campaigns & ROI",
            CAMPAIGNS_KPIS,
            {"campaign_id": "Campaign", "channel": "Channel", "source": "Source"},
            CAMPAIGNS_KPIS,
            breakdown_key="per",
            page_keys=("per",),
        ),
    )
}


def targets() -> dict[str, float]:
    """The targets the Overview shows, from the settings."""
    return {
        "follow_up_rate": float(settings.get("target_follow_up_rate")),
        "conversion_in_window_rate": float(settings.get("target_conversion_rate")),
    }
