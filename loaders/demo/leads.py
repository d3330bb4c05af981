"""Demo leads, one chunk at a time, fully vectorised: no Python loop runs per lead.

A chunk covers a run of consecutive days; its leads are sorted by ``created_at`` and numbered
on from the previous chunk, so lead ids grow with time across the whole warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loaders.demo.calendar import DAY_S, Calendar, sample_local_seconds
from loaders.demo.campaigns import Campaigns, assign_campaigns
from loaders.demo.network import BRANDS, IS_MOTORCYCLE, MOBILE_DE, SOURCE_CDF, SOURCE_KIND, Network

# Index orders follow loaders.contract.tables: LEAD_TYPES, PHONE_STATUSES, EMAIL_STATUSES, PREFERRED_CHANNELS.
_LEAD_TYPE_CDF = np.cumsum(
    [
        (0.40, 0.08, 0.20, 0.14, 0.05, 0.06, 0.04, 0.03),  # brand site
        (0.20, 0.60, 0.05, 0.05, 0.04, 0.03, 0.00, 0.03),  # marketplace
        (0.35, 0.15, 0.05, 0.20, 0.05, 0.15, 0.00, 0.05),  # third party
    ],
    axis=1,
)
# Marketplaces often pass on placeholders ("0000000") or no number at all.
_PHONE_CDF = np.cumsum([(0.88, 0.04, 0.04, 0.04), (0.70, 0.12, 0.12, 0.06), (0.80, 0.06, 0.08, 0.06)], axis=1)
_EMAIL_CDF = np.cumsum((0.87, 0.03, 0.06, 0.04))
_PREFERRED_CDF = np.cumsum((0.30, 0.15, 0.02, 0.06, 0.02))  # the remaining 45 %: not asked
_MODEL_OFFSET = np.concatenate([[0], np.cumsum([len(b[2]) for b in BRANDS])])
MODELS = tuple(model for b in BRANDS for model in b[2])
DOUBLE_LEAD_SHARE = 0.05
_CONSENT_CDF = np.cumsum((0.80, 0.18))  # NULL, TRUE; the remaining 2 %: FALSE
CRM_GAP_DAYS = 35
CRM_GAP_ENDS_DAYS_BEFORE_END = 60


@dataclass
class LeadBatch:
    """One chunk of leads as arrays; -1 stands for NULL in index and time columns."""

    lead_no: np.ndarray
    created_s: np.ndarray
    dealer: np.ndarray
    brand: np.ndarray
    source: np.ndarray
    campaign: np.ndarray
    lead_type: np.ndarray
    model: np.ndarray
    phone: np.ndarray
    email: np.ndarray
    preferred: np.ndarray
    customer: np.ndarray
    consent: np.ndarray  # 0 NULL, 1 TRUE, 2 FALSE
    delivered_s: np.ndarray
    is_double: np.ndarray


def _pick(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category index for uniforms ``u``; ``cdf`` is one row, or one row per value of ``u``."""
    if cdf.ndim == 1:
        return np.searchsorted(cdf, u, side="right")
    return (u[:, None] >= cdf).sum(axis=1)


def crm_gap(cal: Calendar) -> tuple[int, int]:
    """UTC seconds [from, to) in which the CRM-switch dealer's mobile_de leads were never delivered."""
    end = cal.end_s - CRM_GAP_ENDS_DAYS_BEFORE_END * DAY_S
    return end - CRM_GAP_DAYS * DAY_S, end


def generate_leads(
    rng: np.random.Generator,
    net: Network,
    camps: Campaigns,
    cal: Calendar,
    days: np.ndarray,
    first_lead_no: int,
) -> LeadBatch:
    """Leads arriving on ``days`` (one entry per lead, day indexes), numbered from ``first_lead_no``."""
    n = days.size
    dealer = np.searchsorted(np.cumsum(net.weight), rng.uniform(size=n), side="right")
    dealer = np.minimum(dealer, net.weight.size - 1)
    n_brands = (net.brands[dealer] >= 0).sum(axis=1)
    second = (n_brands > 1) & (rng.uniform(size=n) > 0.65)
    brand = net.brands[dealer, second.astype(np.int64)]
    zone = net.tz[dealer]
    local = cal.start_s + days * DAY_S + sample_local_seconds(rng, cal.weekday[days] >= 5)
    created = local - cal.utc_offset_s[zone, days]
    # When the data ends today, today's leads fall into the part of the day that has passed.
    today_s = cal.end_s - DAY_S
    elapsed = rng.uniform(size=n) * (cal.cutoff_s - today_s)
    created = np.where(created >= cal.cutoff_s, today_s + elapsed.astype(np.int64), created)

    # Double leads: the same buyer asks the same dealer about the same brand again within 30 days.
    is_double = rng.uniform(size=n) < DOUBLE_LEAD_SHARE
    doubles = np.flatnonzero(is_double)
    originals = np.flatnonzero(~is_double)
    customer = first_lead_no + np.arange(n, dtype=np.int64)
    identified = is_double.copy()
    if originals.size and doubles.size:
        original = originals[rng.integers(0, originals.size, doubles.size)]
        dealer[doubles], brand[doubles] = dealer[original], brand[original]
        gap = rng.integers(600, 30 * DAY_S, doubles.size)
        later = created[original] + gap
        created[doubles] = np.where(later < cal.cutoff_s, later, created[original] - gap)
        customer[doubles] = customer[original]
        identified[original] = True
    else:
        is_double[:] = False
    # Some forms do not identify the buyer at all; both leads of a double pair are identified.
    customer = np.where((rng.uniform(size=n) < 0.08) & ~identified, -1, customer)
    created = np.clip(created, cal.start_s - DAY_S, cal.cutoff_s - 1)

    order = np.argsort(created, kind="stable")
    created, dealer, brand, customer, is_double = (
        created[order], dealer[order], brand[order], customer[order], is_double[order]
    )  # fmt: skip
    market = net.market[dealer]
    source = _pick(SOURCE_CDF[market], rng.uniform(size=n))
    kind = SOURCE_KIND[source]
    campaign = assign_campaigns(rng, camps, brand, market, source, cal.day_of(created))
    lead_type = _pick(_LEAD_TYPE_CDF[kind], rng.uniform(size=n))
    # Motorcycle buyers rarely ask about finance or trade-ins through marketplaces; keep it simple.
    lead_type = np.where(IS_MOTORCYCLE[brand] & (lead_type == 4), 0, lead_type)
    n_models = _MODEL_OFFSET[brand + 1] - _MODEL_OFFSET[brand]
    model = _MODEL_OFFSET[brand] + (rng.uniform(size=n) * n_models).astype(np.int64)
    model = np.where(rng.uniform(size=n) < 0.06, -1, model)
    phone = _pick(_PHONE_CDF[kind], rng.uniform(size=n))
    email = _pick(_EMAIL_CDF, rng.uniform(size=n))
    preferred = _pick(_PREFERRED_CDF, rng.uniform(size=n))
    preferred = np.where(preferred >= _PREFERRED_CDF.size, -1, preferred)
    consent = _pick(_CONSENT_CDF, rng.uniform(size=n))
    delivered = _delivery(rng, net, cal, dealer, source, created)
    return LeadBatch(
        lead_no=first_lead_no + np.arange(n, dtype=np.int64),
        created_s=created,
        dealer=dealer,
        brand=brand,
        source=source,
        campaign=campaign,
        lead_type=lead_type,
        model=model,
        phone=phone,
        email=email,
        preferred=preferred,
        customer=customer,
        consent=consent,
        delivered_s=delivered,
        is_double=is_double,
    )


def _delivery(
    rng: np.random.Generator,
    net: Network,
    cal: Calendar,
    dealer: np.ndarray,
    source: np.ndarray,
    created: np.ndarray,
) -> np.ndarray:
    """When each lead reached the dealer's CRM (-1: never)."""
    n = created.size
    gap_from, gap_to = crm_gap(cal)
    switched = (dealer == net.crm_switch_dealer) & (created >= gap_from)
    # Usually seconds, sometimes a stuck queue for hours; the new CRM answers faster.
    latency = rng.lognormal(np.log(np.where(switched, 8.0, 25.0)), 1.6, n)
    delivered = created + np.ceil(latency).astype(np.int64)
    lost = rng.uniform(size=n) < 0.004
    # After the switch, nobody mapped the mobile_de feed to the new CRM for five weeks.
    lost |= switched & (source == MOBILE_DE) & (created < gap_to)
    lost |= delivered >= cal.cutoff_s
    return np.where(lost, -1, delivered)
