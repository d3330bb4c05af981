"""What becomes of each demo lead: appointment, test drive, quote, sale or write-off, and why.

Close reasons come from the default taxonomy, but like in real CRMs some dealers mostly pick
vague ones (``no_interest``, ``.``, ``not_applicable``), leave the code blank, or use codes
that are in no taxonomy at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loaders.demo.calendar import DAY_S, HOUR_S, Calendar, next_opening
from loaders.demo.contacts import Contacts, visible
from loaders.demo.leads import LeadBatch
from loaders.demo.network import IS_MOTORCYCLE, Network
from metrics.taxonomy import DEFAULT_CLOSE_REASONS

# Codes as written into lead_outcomes: the taxonomy, then blank, NULL and codes nobody defined.
CLOSE_CODES: tuple[str | None, ...] = (
    *(r.code for r in DEFAULT_CLOSE_REASONS),
    "",
    None,
    "lost",
    "NI",
    "misc",
)
_CODE = {code: i for i, code in enumerate(CLOSE_CODES)}
_VAGUE = ("no_interest", ".", "not_applicable", None, "", "lost", "NI", "misc")
_VAGUE_CDF = np.cumsum((0.42, 0.2, 0.15, 0.1, 0.05, 0.04, 0.02, 0.02))
_SPECIFIC = (
    "not_reached_max_attempts", "refused_call", "bought_other_car", "trade_in_value_only", "prefers_other_car",
    "already_contacted_dealer", "visit_on_own_initiative", "do_not_call", "no_conversion_follow_up",
    "own_brand_other_dealer", "not_for_bdc", "test_bug",
)  # fmt: skip
_SPECIFIC_CDF = np.cumsum((0.18, 0.06, 0.14, 0.08, 0.16, 0.08, 0.08, 0.05, 0.07, 0.05, 0.04, 0.01))
CLOSE_TEXTS = (None, "Called three times, no answer", "Bought elsewhere", "Will come back in spring", "n/a")
_MISSING, _PLACEHOLDER, _INVALID = 1, 2, 3


@dataclass
class Outcomes:
    """Per lead; times are -1 where nothing happened (yet). ``has_row``: write a lead_outcomes row."""

    appointment_s: np.ndarray
    visit_s: np.ndarray  # the buyer came to the showroom (an inbound 'visit' activity)
    test_drive_s: np.ndarray
    quote_s: np.ndarray
    sold_s: np.ndarray
    sale_amount: np.ndarray
    gross_profit: np.ndarray
    closed_s: np.ndarray
    close_code: np.ndarray  # index into CLOSE_CODES
    close_text: np.ndarray  # index into CLOSE_TEXTS
    has_row: np.ndarray


def _visible(seconds: np.ndarray, cal: Calendar) -> np.ndarray:
    return np.where(visible(seconds, cal), seconds, -1)


def decide_outcomes(
    rng: np.random.Generator, net: Network, cal: Calendar, leads: LeadBatch, plan: Contacts
) -> Outcomes:
    """Outcomes of every lead, following its contact plan and cut off at the end of the data."""
    n = leads.created_s.size
    zone = net.tz[leads.dealer]
    appointment_s = np.where(plan.appointment, plan.last_s, -1)
    visit_planned = next_opening(cal, appointment_s + rng.integers(DAY_S, 8 * DAY_S, n), zone, rng)
    shows_up = plan.appointment & (rng.uniform(size=n) < 0.75)
    visit_s = np.where(shows_up, visit_planned, -1)
    test_drive_share = np.where(leads.lead_type == 2, 0.8, 0.55)
    test_drive_s = np.where(
        shows_up & (rng.uniform(size=n) < test_drive_share), visit_s + rng.integers(900, HOUR_S, n), -1
    )
    quote_share = np.where(shows_up, 0.55, np.where(plan.contacted, 0.12, 0.0)) * np.where(
        leads.lead_type == 3, 1.6, 1.0
    )
    quote_base = np.where(shows_up, visit_s, plan.first_s)
    quote_s = np.where(rng.uniform(size=n) < quote_share, quote_base + rng.integers(HOUR_S, 2 * DAY_S, n), -1)

    # Sales close days after the visit (or weeks after the lead when the buyer came on their own).
    after = np.where(shows_up, visit_s, np.where(plan.contacted, plan.last_s, leads.created_s))
    median_days = np.where(shows_up, 5.0, np.where(plan.contacted, 12.0, 20.0))
    sold_planned = after + (rng.lognormal(np.log(median_days), 0.8, n) * DAY_S).astype(np.int64)
    sold_s = _visible(np.where(plan.sold & (~plan.appointment | shows_up), sold_planned, -1), cal)
    sold = sold_s >= 0
    moto = IS_MOTORCYCLE[leads.brand]
    sale_amount = np.where(
        moto, rng.lognormal(np.log(11_000), 0.35, n), rng.lognormal(np.log(32_000), 0.3, n)
    )
    gross_profit = np.clip(np.where(moto, rng.normal(1_900, 350, n), rng.normal(2_900, 550, n)), 600, 6_000)

    write_off_after = np.where(plan.contacted, plan.last_s, leads.created_s)
    lost_planned = write_off_after + (rng.lognormal(np.log(6.0), 0.9, n) * DAY_S).astype(np.int64)
    lost_planned = np.where(plan.hasty, plan.first_s + rng.integers(600, 3 * HOUR_S, n), lost_planned)
    # Appointments that led nowhere (no-show, no deal) are mostly written off too.
    dead_end = plan.appointment & ~(plan.sold & shows_up) & (rng.uniform(size=n) < 0.6)
    lost_s = _visible(np.where(plan.lost | dead_end, lost_planned, -1), cal)
    lost = (lost_s >= 0) & ~sold
    closed_s = np.where(sold, sold_s, np.where(lost, lost_s, -1))
    close_code = _close_codes(rng, net, leads, plan, lost, test_drive_s, quote_s, appointment_s)
    close_code = np.where(sold | lost, close_code, _CODE[None])
    close_text = np.where(lost & (rng.uniform(size=n) < 0.08), rng.integers(1, len(CLOSE_TEXTS), n), 0)

    appointment_s, visit_s = _visible(appointment_s, cal), _visible(visit_s, cal)
    test_drive_s, quote_s = _visible(test_drive_s, cal), _visible(quote_s, cal)
    has_row = (appointment_s >= 0) | (test_drive_s >= 0) | (quote_s >= 0) | (closed_s >= 0)
    return Outcomes(
        appointment_s=appointment_s,
        visit_s=visit_s,
        test_drive_s=test_drive_s,
        quote_s=quote_s,
        sold_s=sold_s,
        sale_amount=np.round(sale_amount, -1),
        gross_profit=np.round(gross_profit, 2),
        closed_s=closed_s,
        close_code=close_code,
        close_text=close_text,
        has_row=has_row,
    )


def _close_codes(
    rng: np.random.Generator,
    net: Network,
    leads: LeadBatch,
    plan: Contacts,
    lost: np.ndarray,
    test_drive_s: np.ndarray,
    quote_s: np.ndarray,
    appointment_s: np.ndarray,
) -> np.ndarray:
    """Close-reason code index of every lead: conversion codes for sales, a reason for write-offs."""
    n = lost.size
    code = np.take(
        [_CODE[c] for c in _SPECIFIC], np.searchsorted(_SPECIFIC_CDF, rng.uniform(size=n), side="right")
    )
    u = rng.uniform(size=n)
    slow = plan.contacted & ((plan.first_s - leads.created_s) > DAY_S)
    code = np.where(slow & (u < 0.3), _CODE["bought_other_car"], code)
    code = np.where(~plan.contacted & (u < 0.5), _CODE["not_reached_max_attempts"], code)
    no_number = (leads.phone == _MISSING) | (leads.phone == _PLACEHOLDER)
    code = np.where(no_number & (u < 0.6), _CODE["phone_missing"], code)
    code = np.where((leads.phone == _INVALID) & (u < 0.5), _CODE["personal_data_incorrect"], code)
    code = np.where(leads.is_double & (u < 0.7), _CODE["double_lead"], code)
    vague_pick = np.take(
        [_CODE[c] for c in _VAGUE], np.searchsorted(_VAGUE_CDF, rng.uniform(size=n), side="right")
    )
    vague = rng.uniform(size=n) < net.vague_rate[leads.dealer]
    code = np.where(lost & vague, vague_pick, code)
    conversion = np.select(
        [test_drive_s >= 0, (quote_s >= 0) & (appointment_s < 0)],
        [_CODE["appointment_test_drive"], _CODE["quotation_request"]],
        _CODE["appointment_showroom"],
    )
    return np.where(lost, code, conversion)
