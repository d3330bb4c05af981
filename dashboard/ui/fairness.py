"""Numbers that need their context: how much of a period is too young to judge its outcomes.

Sales, losses and what follows from them (cost per sale, ROI) take weeks to come in. A recent
period always looks worse on those than an older one, so pages say how young its leads are, and
a change in an outcome metric against an older period is not coloured as good or bad news.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from common import settings
from dashboard.ui.format import format_value

# Metrics whose value moves as leads age (sold, closed): a younger period is not comparable. The
# close-reason shares are among them: a young period's losses are the quick write-offs, often after
# one call and with a vague reason; the considered ones come in later.
OUTCOME_METRICS = frozenset(
    {
        "sold",
        "conversion_rate",
        "lost",
        "cost_per_sale",
        "roi",
        "gross_profit",
        "vague_close_rate",
        "lost_after_one_attempt_rate",
    }
)
LOSS_METRICS = ("lost", "vague_close_rate", "lost_after_one_attempt_rate")
# The share of immature leads above which a period's outcomes are not compared.
COMPARABLE_YOUTH_GAP = 0.05


def young_share(row: Mapping[str, Any] | None) -> float | None:
    """Share of the row's leads younger than the conversion window (None: unknown or suppressed)."""
    if row is None or row.get("suppressed") or not row.get("leads"):
        return None
    mature = row.get("mature_leads")
    return None if mature is None else 1.0 - float(mature) / float(row["leads"])


def outcome_change_is_unfair(
    name: str, current: Mapping[str, Any] | None, previous: Mapping[str, Any] | None
) -> bool:
    """True when ``name`` is an outcome metric and either period has more than a few leads too young
    to judge: their sales and losses are still coming in, at different rates, so the change says little."""
    if name not in OUTCOME_METRICS or previous is None:
        return False
    shares = [share for share in (young_share(current), young_share(previous)) if share is not None]
    return any(share > COMPARABLE_YOUTH_GAP for share in shares)


def young_leads_note(current: Mapping[str, Any] | None, previous: Mapping[str, Any] | None = None) -> None:
    """A caption saying how many of the period's leads are too young to judge conversion on."""
    share = young_share(current)
    if not share:
        return
    window = int(settings.get("conversion_window_days"))
    text = (
        f"{format_value(share, 'percent')} of these leads are younger than {window} days; their sales are not "
        f"in yet. Conversion within {window} days counts only the older ones"
    )
    text += "; it is blank when none is that old." if share >= 1.0 else "."
    if outcome_change_is_unfair("sold", current, previous):
        text += " Changes in sales, lost leads, cost per sale and ROI are shown in grey: the periods are not comparable."
    st.caption(text)


def young_losses_text(
    current: Mapping[str, Any] | None, previous: Mapping[str, Any] | None = None
) -> str | None:
    """What a young period means for lost leads and close reasons, or None when the period is old enough.

    Shared by the Close reasons page and its e-mail digest.
    """
    share = young_share(current)
    if not share:
        return None
    window = int(settings.get("conversion_window_days"))
    text = (
        f"{format_value(share, 'percent')} of these leads are younger than {window} days: many are still open, "
        "so their losses and close reasons are not all in yet."
    )
    if any(outcome_change_is_unfair(name, current, previous) for name in LOSS_METRICS):
        text += (
            " Changes in lost leads, vague closes and losses after one attempt are shown in grey, never as good "
            "or bad news: the periods are not comparable."
        )
    return text


def young_losses_note(current: Mapping[str, Any] | None, previous: Mapping[str, Any] | None = None) -> None:
    """A caption under the Close reasons tiles: how young the period is, and why its changes are grey."""
    text = young_losses_text(current, previous)
    if text:
        st.caption(text)
