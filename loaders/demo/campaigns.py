"""Demo campaigns: which campaign brought each lead, and what was spent on each campaign per day.

Spend follows the leads a campaign actually brought (smoothed and noisy, as media budgets are)
and is scaled so that the whole network pays about EUR 15 per lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from loaders.demo.calendar import DAY_S, DAYS, Calendar
from loaders.demo.network import (
    BRAND_NAMES,
    MARKET_CODES,
    SOURCE_CDF,
    SOURCE_KIND,
    SOURCES,
    Network,
)

EUR_PER_LEAD = 15.0
SITE_CHANNELS = ("search", "social", "display", "email", "website", "event")
# Brand-site leads by channel; the rest (6 %) came without a known campaign.
_SITE_CHANNEL_CDF = np.cumsum((0.34, 0.24, 0.1, 0.08, 0.14, 0.04))
_EVENT = SITE_CHANNELS.index("event")
_SEARCH = SITE_CHANNELS.index("search")
# Relative cost of a lead by campaign channel, before scaling to EUR_PER_LEAD.
_COST_PER_LEAD = {"search": 1.2, "social": 0.9, "display": 2.2, "email": 0.2, "website": 0.4, "event": 2.5}
_COST_PER_LEAD |= {"marketplace": 1.3, "other": 1.1}
_EVENT_DAYS = 12
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Campaigns:
    """The ``campaigns`` rows and the lookups that attach leads to them (-1 = no campaign)."""

    frame: pl.DataFrame
    ids: list[str]
    cost_weight: np.ndarray  # (campaigns,) relative cost per lead of the campaign's channel
    first_day: np.ndarray  # (campaigns,) first and last day with spend
    last_day: np.ndarray
    site: np.ndarray  # (brands, markets, SITE_CHANNELS) campaign per brand-site channel
    by_source: np.ndarray  # (brands, markets, SOURCES) campaign for marketplace and third-party leads
    event_window: np.ndarray  # (brands, markets, 2) first and last day of the brand's local event


def build_campaigns(net: Network, seed: int) -> Campaigns:
    """Campaigns for every brand and market the network sells in."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 3]))
    n_brands, n_markets = len(BRAND_NAMES), len(MARKET_CODES)
    site = np.full((n_brands, n_markets, len(SITE_CHANNELS)), -1)
    by_source = np.full((n_brands, n_markets, len(SOURCES)), -1)
    event_window = np.zeros((n_brands, n_markets, 2), dtype=np.int64)
    rows: list[dict[str, str | None]] = []
    first, last = [], []

    def add(
        name: str, brand: int, market: int | None, channel: str, days: tuple[int, int] = (0, DAYS - 1)
    ) -> int:
        rows.append(
            {
                "campaign_id": f"C{len(rows) + 1:03d}",
                "campaign_name": name,
                "brand": BRAND_NAMES[brand],
                "market": None if market is None else MARKET_CODES[market],
                "channel": channel,
            }
        )
        first.append(days[0])
        last.append(days[1])
        return len(rows) - 1

    sold_in = {(int(b), int(m)) for m, bs in zip(net.market, net.brands, strict=True) for b in bs if b >= 0}
    for b, brand in enumerate(BRAND_NAMES):
        # Display runs pan-European: its campaigns have no market.
        display = add(f"{brand} Europe display", b, None, "display")
        third_party = {
            s: add(f"{brand} partnership {SOURCES[s].split(':')[1]}", b, None, "other")
            for s in np.flatnonzero(SOURCE_KIND == 2)
        }
        for m, market in enumerate(MARKET_CODES):
            if (b, m) not in sold_in:
                continue
            for c, channel in enumerate(SITE_CHANNELS):
                if channel == "display":
                    site[b, m, c] = display
                elif channel == "event":
                    start = int(rng.integers(30, DAYS - _EVENT_DAYS - 5))
                    event_window[b, m] = (start, start + _EVENT_DAYS - 1)
                    site[b, m, c] = add(
                        f"{brand} {market} motor show", b, m, "event", (start - 10, start + 11)
                    )
                else:
                    site[b, m, c] = add(f"{brand} {market} {channel} always-on", b, m, channel)
            for s in np.flatnonzero(SOURCE_KIND == 1):
                if SOURCE_CDF[m, s] > SOURCE_CDF[m, s - 1]:  # the marketplace operates in this market
                    by_source[b, m, s] = add(
                        f"{brand} {market} {SOURCES[s].split(':')[1]} listings", b, m, "marketplace"
                    )
            for s, campaign in third_party.items():
                by_source[b, m, s] = campaign
    frame = pl.DataFrame(rows)
    return Campaigns(
        frame=frame,
        ids=[str(r["campaign_id"]) for r in rows],
        cost_weight=np.array([_COST_PER_LEAD[str(r["channel"])] for r in rows]),
        first_day=np.array(first),
        last_day=np.array(last),
        site=site,
        by_source=by_source,
        event_window=event_window,
    )


def assign_campaigns(
    rng: np.random.Generator,
    camps: Campaigns,
    brand: np.ndarray,
    market: np.ndarray,
    source: np.ndarray,
    day: np.ndarray,
) -> np.ndarray:
    """The campaign of each lead (-1: none known), from its brand, market, source and day."""
    channel = np.searchsorted(_SITE_CHANNEL_CDF, rng.uniform(size=brand.size), side="right")
    window = camps.event_window[brand, market]
    off_season = (channel == _EVENT) & ((day < window[:, 0]) | (day > window[:, 1]))
    channel = np.where(off_season, _SEARCH, channel)
    from_site = np.where(
        channel < len(SITE_CHANNELS), camps.site[brand, market, np.minimum(channel, _EVENT)], -1
    )
    kind = SOURCE_KIND[source]
    # Not every marketplace or partner lead can be traced to the campaign that paid for it.
    traced = rng.uniform(size=brand.size) < np.where(kind == 1, 0.9, 0.75)
    from_partner = np.where(traced, camps.by_source[brand, market, source], -1)
    return np.where(kind == 0, from_site, from_partner)


def count_by_day(camps: Campaigns, campaign: np.ndarray, created_s: np.ndarray, cal: Calendar) -> np.ndarray:
    """(campaigns, DAYS) number of leads each campaign brought on each UTC day."""
    known = campaign >= 0
    day = np.clip((created_s[known] - cal.start_s) // DAY_S, 0, DAYS - 1)
    cells = np.bincount(campaign[known] * DAYS + day, minlength=len(camps.ids) * DAYS)
    return cells.reshape(len(camps.ids), DAYS)


def spend_frame(
    camps: Campaigns, leads_per_day: np.ndarray, total_leads: int, cal: Calendar, seed: int
) -> pl.DataFrame:
    """The ``campaign_spend`` rows: one per campaign and day it ran, in EUR."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 4]))
    day = np.arange(DAYS)
    first = np.clip(camps.first_day, 0, DAYS - 1)[:, None]
    active = (day >= first) & (day <= camps.last_day[:, None])
    active_days = np.maximum(active.sum(1, keepdims=True), 1)
    daily_mean = leads_per_day.sum(1, keepdims=True) / active_days
    baseline = max(leads_per_day.sum() / max(active.sum(), 1), 0.01)
    # Budgets follow results with a lag and a floor: smooth the daily counts towards the mean.
    raw = 0.5 * leads_per_day + 0.4 * daily_mean + 0.1 * baseline
    raw = raw * camps.cost_weight[:, None] * rng.lognormal(0, 0.3, raw.shape) * active
    raw *= EUR_PER_LEAD * total_leads / raw.sum()
    campaign_index, day_index = np.nonzero(active)
    return pl.DataFrame(
        {
            "campaign_id": pl.Series(camps.ids).gather(campaign_index),
            "spend_date": pl.Series((cal.start - _EPOCH).days + day_index).cast(pl.Int32).cast(pl.Date),
            "amount": np.round(raw[campaign_index, day_index], 2),
            "currency": "EUR",
        }
    )
