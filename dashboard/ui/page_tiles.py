"""The KPI tiles of the pages that lead with them, shared by the pages and their e-mail digests.

One list per page, so a digest shows exactly the tiles of the page its deep link opens.
"""

from __future__ import annotations

OVERVIEW_KPIS = (
    "leads",
    "follow_up_rate",
    "median_first_response_bh_min",
    "responded_1bh_rate",
    "conversion_in_window_rate",
    "cost_per_sale",
    "roi",
)
# Clock time and raw conversion, one click away on the Overview (an expander).
OVERVIEW_CLOCK_KPIS = ("median_first_response_min", "responded_1h_rate", "conversion_rate")

FOLLOW_UP_KPIS = (
    "follow_up_rate",
    "median_first_response_bh_min",
    "p90_first_response_bh_min",
    "responded_1bh_rate",
    "no_contact",
    "duplicate_contact_rate",
)
FOLLOW_UP_CLOCK_KPIS = ("median_first_response_min", "p90_first_response_min", "responded_1h_rate")

# Campaigns judge by leads old enough to have been sold; raw conversion and cost per sale are one click away.
CAMPAIGNS_KPIS = (
    "leads",
    "spend",
    "cost_per_lead",
    "conversion_in_window_rate",
    "cost_per_sale_in_window",
    "roi",
)
