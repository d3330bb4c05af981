"""A dealer principal's numbers next to the network median of the other dealers of the same brands.

Shown on the Overview to viewers with dealer-group grants only. The median is taken in
dashboard/data/peer_table.py over anonymous per-dealer rows; this module only draws it, and
says why it is missing when fewer than K dealers contribute.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
import streamlit as st

from dashboard.data import cached as data
from dashboard.data.peer_table import network_median_table
from dashboard.filters.view import View
from dashboard.ui.format import MISSING, format_metric, suppressed_text
from loaders.request.access_scope import AccessScope
from metrics.network_median import CONTRIBUTING, MIN_OTHER_DEALERS, PEER_METRICS
from metrics.registry import metric

network_median = data.cached(network_median_table)
TITLE = "Compared with the network"


def comparison_table(own: Mapping[str, Any], median: Mapping[str, Any], min_group_size: int) -> pl.DataFrame:
    """Rows of PEER_METRICS: label, the viewer's value, the network median, as display text."""
    suppressed = bool(own.get("suppressed"))
    return pl.DataFrame(
        {
            "Metric": [metric(name).label for name in PEER_METRICS],
            "Your dealers": [
                suppressed_text(min_group_size) if suppressed else format_metric(name, own.get(name))
                for name in PEER_METRICS
            ],
            "Network median": [format_metric(name, median.get(name)) for name in PEER_METRICS],
        }
    )


def render_network_median(view: View, own_row: Mapping[str, Any]) -> None:
    """The comparison block for a dealer principal; nothing for any other viewer."""
    dealers: AccessScope = getattr(view.viewer, "dealer_scope", AccessScope.nothing())
    if dealers.is_nothing:
        return
    k = view.min_group_size
    median = network_median(view.query(), dealers, k).row(0, named=True)
    st.subheader(TITLE)
    contributing = int(median[CONTRIBUTING])
    needed = max(MIN_OTHER_DEALERS, k)
    if contributing < needed:
        st.caption(
            f"The network median appears once at least {needed} other dealers of your brands have at least "
            f"{k} leads each in this period and these filters (now: {contributing}): with fewer, it would "
            "be one other dealer's own figure."
        )
        return
    st.dataframe(comparison_table(own_row, median, k), hide_index=True, width="stretch", placeholder=MISSING)
    st.caption(
        f"Median over {contributing} other dealers of the same brands with at least {k} leads each "
        f"(speed: those with at least {k} contacted leads), same period and filters; a median needs at least "
        f"{needed} dealers. Other dealers' own figures are never shown."
    )
