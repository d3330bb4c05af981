"""The fictional dealer network of the demo warehouse: brands, markets, dealer groups, dealers, sources.

Everything here is small (dozens of rows) and built once per run. Each dealer also carries
hidden behaviour parameters (how often and how fast it follows up, how vague its close codes
are ...) that the lead, outcome and activity generators read; they are what makes every story
of the product visible in the demo data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import polars as pl

# (code, IANA time zone, regions)
MARKETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("IT", "Europe/Rome", ("Lombardia", "Lazio", "Veneto", "Emilia-Romagna", "Piemonte", "Toscana")),
    ("DE", "Europe/Berlin", ("Bayern", "Nordrhein-Westfalen", "Hamburg", "Baden-Württemberg", "Sachsen")),
    ("FR", "Europe/Paris", ("Île-de-France", "Auvergne-Rhône-Alpes", "Occitanie", "Bretagne", "Grand Est")),
    ("ES", "Europe/Madrid", ("Madrid", "Cataluña", "Andalucía", "Valencia", "Canarias")),
    ("NL", "Europe/Amsterdam", ("Noord-Holland", "Zuid-Holland", "Utrecht", "Noord-Brabant")),
    ("BE", "Europe/Brussels", ("Flanders", "Wallonia", "Brussels")),
    ("PT", "Europe/Lisbon", ("Lisboa", "Porto", "Braga", "Faro")),
)
MARKET_CODES = tuple(m[0] for m in MARKETS)
# Time zones used anywhere (Canary Islands dealers live one hour behind Madrid).
TIMEZONES = (*(m[1] for m in MARKETS), "Atlantic/Canary")

# (brand, kind, models)
BRANDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Aurelia", "car", ("Aurelia Uno", "Aurelia Sette", "Aurelia Vela", "Aurelia Terra e-4x4")),
    ("Nordwind", "car", ("Nordwind Fjord", "Nordwind Kestrel", "Nordwind Polar EV")),
    ("Falco Moto", "motorcycle", ("Falco Strada 700", "Falco Tracker 900", "Falco Sprint 125")),
    ("Vento", "motorcycle", ("Vento Brezza 300", "Vento Maestrale 1000")),
)
BRAND_NAMES = tuple(b[0] for b in BRANDS)
IS_MOTORCYCLE = np.array([b[1] == "motorcycle" for b in BRANDS])

MARKETPLACES = ("autoscout24", "mobile_de", "subito", "leboncoin", "coches_net", "standvirtual", "2dehands")
THIRD_PARTIES = ("carwow", "leasing_partner", "insurance_compare")
SOURCES = (
    "brand_site",
    *(f"marketplace:{m}" for m in MARKETPLACES),
    *(f"third_party:{t}" for t in THIRD_PARTIES),
)
SOURCE_KIND = np.array([0] + [1] * len(MARKETPLACES) + [2] * len(THIRD_PARTIES))  # 0 site, 1 mkt, 2 3rd
# Source weights per market, in SOURCES order: brand site, 7 marketplaces, 3 third parties.
_SOURCE_WEIGHTS = {
    "IT": (45, 14, 0, 20, 0, 0, 0, 0, 8, 7, 6),
    "DE": (40, 16, 28, 0, 0, 0, 0, 0, 7, 6, 3),
    "FR": (46, 14, 0, 0, 22, 0, 0, 0, 8, 6, 4),
    "ES": (48, 12, 0, 0, 0, 24, 0, 0, 6, 6, 4),
    "NL": (50, 18, 0, 0, 0, 0, 0, 16, 8, 5, 3),
    "BE": (48, 20, 0, 0, 0, 0, 0, 14, 8, 6, 4),
    "PT": (50, 8, 0, 0, 0, 0, 26, 0, 6, 6, 4),
}
SOURCE_CDF = np.cumsum(
    [np.array(_SOURCE_WEIGHTS[m], dtype=float) / sum(_SOURCE_WEIGHTS[m]) for m in MARKET_CODES], 1
)
MOBILE_DE = SOURCES.index("marketplace:mobile_de")

# (group name, markets its dealers are in, number of dealers, brands it sells, follow-up level).
# The levels are chosen so markets and groups range from about 20 % to about 95 % follow-up.
_GROUPS: tuple[tuple[str, tuple[str, ...], int, tuple[int, ...], float], ...] = (
    ("Gruppo Motori Lombardi", ("IT",), 6, (0, 1, 2), 0.58),
    ("Autosalone Centro Italia", ("IT",), 5, (0, 3), 0.42),
    ("Nordstern Automobile", ("DE",), 7, (0, 1), 0.90),
    ("Autohaus Süd Gruppe", ("DE",), 6, (1, 2), 0.82),
    ("Rheinland Mobil", ("DE",), 4, (0, 3), 0.72),
    ("Groupe Lumière Auto", ("FR",), 6, (0, 1), 0.66),
    ("Atlantique Motos & Autos", ("FR",), 4, (1, 2, 3), 0.52),
    ("Grupo Ibérica Motor", ("ES",), 6, (0, 1), 0.46),
    ("Holland Auto Groep", ("NL",), 5, (0, 1, 2), 0.98),
    ("Groupe Meuse & Escaut", ("BE",), 5, (0, 1, 3), 0.76),
    ("Lusitânia Automóveis", ("PT",), 4, (0, 1), 0.20),
    ("EuroMoto Partners", ("ES", "PT"), 4, (2, 3), 0.34),
)
_CITIES = {
    "IT": ("Milano", "Roma", "Verona", "Bologna", "Torino", "Firenze", "Bergamo", "Padova", "Latina"),
    "DE": ("München", "Köln", "Hamburg", "Stuttgart", "Dresden", "Nürnberg", "Bonn", "Düsseldorf", "Ulm"),
    "FR": ("Paris", "Lyon", "Toulouse", "Rennes", "Strasbourg", "Nantes", "Grenoble", "Brest"),
    "ES": ("Madrid", "Barcelona", "Sevilla", "Valencia", "Las Palmas", "Málaga", "Bilbao"),
    "NL": ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Den Haag"),
    "BE": ("Antwerpen", "Liège", "Bruxelles", "Gent", "Namur"),
    "PT": ("Lisboa", "Porto", "Braga", "Faro", "Coimbra"),
}


@dataclass(frozen=True)
class Network:
    """The dealer network: the ``dealers`` rows plus per-dealer behaviour arrays (index = dealer)."""

    dealers: pl.DataFrame
    dealer_ids: list[str]
    market: np.ndarray  # market index
    tz: np.ndarray  # index into TIMEZONES (the market's zone when the dealer's own is NULL)
    brands: np.ndarray  # (dealers, 3) brand indexes, -1 = none
    weight: np.ndarray  # share of all leads
    follow_rate: np.ndarray  # probability of following up a delivered lead with a valid phone
    response_median_s: np.ndarray  # median seconds to the first contact
    extra_attempts: np.ndarray  # mean attempts after the first
    second_actor_rate: np.ndarray  # share of multi-attempt leads a second salesperson also calls
    vague_rate: np.ndarray  # share of lost leads closed with a vague or missing code
    hasty_rate: np.ndarray  # share of lost, contacted leads written off after one attempt
    sales_skill: np.ndarray  # multiplies appointment and sale probabilities
    auto_responder: np.ndarray  # bool: sends an automatic e-mail on arrival
    actor_start: np.ndarray  # first index of the dealer's salespeople in actor_keys
    actor_count: np.ndarray
    actor_keys: list[str]
    crm_switch_dealer: int  # the dealer whose mobile_de leads went undelivered for weeks


def _actor_key(seed: int, dealer_id: str, number: int) -> str:
    digest = hashlib.sha256(f"leadline-demo:{seed}:{dealer_id}:{number}".encode()).hexdigest()
    return f"a_{digest[:12]}"


def build_network(seed: int) -> Network:
    """The network for ``seed``: same seed, same network."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    rows: list[dict[str, str | None]] = []
    market, tz, brands, follow = [], [], [], []
    for g, (group_name, group_markets, count, group_brands, level) in enumerate(_GROUPS):
        for k in range(count):
            m_code = group_markets[k % len(group_markets)]
            m = MARKET_CODES.index(m_code)
            _, zone, regions = MARKETS[m]
            city = _CITIES[m_code][(k * 3 + g) % len(_CITIES[m_code])]
            region: str | None = regions[(k + g) % len(regions)]
            zone_of_dealer = zone
            if region == "Canarias":
                zone_of_dealer, city = "Atlantic/Canary", "Las Palmas"
            dealer_id = f"D{len(rows) + 1:03d}"
            # Most dealers sell two of the group's brands, every third one a single brand.
            n_sold = 1 if k % 3 == 2 else min(2, len(group_brands))
            sold = [group_brands[(k + j) % len(group_brands)] for j in range(n_sold)]
            rows.append(
                {
                    "dealer_id": dealer_id,
                    "dealer_name": f"{group_name.split()[-1]} {city} {k + 1}",
                    "dealer_group_id": f"G{g + 1:02d}",
                    "dealer_group_name": group_name,
                    "market": m_code,
                    "region": region,
                    "timezone": zone_of_dealer,
                }
            )
            market.append(m)
            tz.append(TIMEZONES.index(zone_of_dealer))
            brands.append([*sorted(set(sold)), -1, -1][:3])
            follow.append(level)
    n = len(rows)
    # A few dealers never filled in region or time zone: the dashboard must cope with NULLs.
    for i in (7, 23, 41):
        rows[i]["timezone"] = None
    for i in (12, 23, 50):
        rows[i]["region"] = None

    levels = np.array(follow)
    logit = np.log(levels / (1 - levels)) + rng.normal(0, 0.35, n)
    follow_rate = np.clip(1 / (1 + np.exp(-logit)), 0.05, 0.99)
    # Good follow-up and fast answers go together, with plenty of noise.
    response_median_s = np.exp(rng.normal(np.log(25 * 60) - 2.2 * (follow_rate - 0.6), 0.7))
    vague_rate = rng.uniform(0.03, 0.1, n)
    vague_rate[[4, 15, 35, 53, 58]] = (0.62, 0.55, 0.7, 0.6, 0.66)
    hasty_rate = rng.uniform(0.05, 0.15, n)
    hasty_rate[[2, 19, 30, 44, 56, 60]] = 0.75
    actor_count = rng.integers(3, 11, n)
    actor_start = np.concatenate([[0], np.cumsum(actor_count)[:-1]])
    dealer_ids = [str(r["dealer_id"]) for r in rows]
    weight = rng.lognormal(0, 0.45, n)
    crm_switch_dealer = 13  # a Nordstern (DE) dealer with many mobile_de leads
    weight[crm_switch_dealer] = weight.max() * 1.4
    return Network(
        dealers=pl.DataFrame(rows),
        dealer_ids=dealer_ids,
        market=np.array(market),
        tz=np.array(tz),
        brands=np.array(brands),
        weight=weight / weight.sum(),
        follow_rate=follow_rate,
        response_median_s=response_median_s,
        extra_attempts=rng.uniform(1.0, 2.8, n),
        second_actor_rate=rng.choice([0.04, 0.1, 0.3], n, p=[0.5, 0.3, 0.2]),
        vague_rate=vague_rate,
        hasty_rate=hasty_rate,
        sales_skill=rng.uniform(0.7, 1.3, n),
        auto_responder=rng.uniform(size=n) < 0.7,
        actor_start=actor_start,
        actor_count=actor_count,
        actor_keys=[_actor_key(seed, dealer_ids[d], i) for d in range(n) for i in range(actor_count[d])],
        crm_switch_dealer=crm_switch_dealer,
    )
