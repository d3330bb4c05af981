"""An Olist-like warehouse: a marketing funnel export with leads and outcomes only.

Like the Olist marketing funnel (8,000 leads, 842 deals): no contact activities, no delivery
receipts, no campaigns or spend, dates without a time of day (DD-MM-YYYY at local midnight in
America/Sao_Paulo, stored in UTC as 02:00 or 03:00), and a last lead long before today. Its
pages must show no misleading figure: nothing "0 % followed up", "every lead undelivered" or
"€0.00 spent".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
from sqlalchemy import Engine

from loaders.contract.write import create_contract_tables, write_tables
from loaders.warehouse.engine import make_engine

FIRST_DAY = date(2017, 6, 1)
LAST_DAY = date(2018, 5, 31)
LEADS = 800
SOLD_EVERY = 9  # about 1 lead in 9 becomes a deal, as in Olist (842 of 8,000)
SOURCES = ("organic_search", "paid_search", "social", "unknown", "direct_traffic")


def _created_at(i: int) -> datetime:
    """Local midnight in São Paulo as UTC: 03:00, or 02:00 during its daylight saving time."""
    day = FIRST_DAY + timedelta(days=(i * 7) % ((LAST_DAY - FIRST_DAY).days + 1))
    if i == LEADS - 1:
        day = LAST_DAY
    summer = (
        day.month in (11, 12, 1) or (day.month == 10 and day.day >= 15) or (day.month == 2 and day.day < 18)
    )
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=2 if summer else 3)


def write_olist_like(path: Path) -> str:
    """Write the warehouse to a DuckDB file at ``path`` and return its URL."""
    url = f"duckdb:///{path}"
    engine = make_engine(url, read_only=False)
    fill_olist_like(engine)
    engine.dispose()
    return url


def fill_olist_like(engine: Engine) -> None:
    """Create the contract tables in ``engine``'s empty warehouse and fill them."""
    create_contract_tables(engine)
    created = [_created_at(i) for i in range(LEADS)]
    leads = pl.DataFrame(
        {
            "lead_id": [f"mql-{i:05d}" for i in range(LEADS)],
            "created_at": created,
            "brand": ["Olist"] * LEADS,
            "dealer_id": ["olist"] * LEADS,
            "campaign_id": [None] * LEADS,
            "source": [SOURCES[i % len(SOURCES)] for i in range(LEADS)],
            "lead_type": ["other"] * LEADS,
            "phone_status": ["valid"] * LEADS,
            "email_status": ["valid"] * LEADS,
        },
        schema_overrides={"campaign_id": pl.String},
    )
    sold = [i for i in range(LEADS) if i % SOLD_EVERY == 0]
    outcomes = pl.DataFrame(
        {
            "lead_id": [f"mql-{i:05d}" for i in sold],
            "sold_at": [created[i] + timedelta(days=20) for i in sold],
            "closed_at": [created[i] + timedelta(days=20) for i in sold],
        }
    )
    dealers = pl.DataFrame(
        {
            "dealer_id": ["olist"],
            "dealer_name": ["Olist"],
            "dealer_group_id": ["olist"],
            "dealer_group_name": ["Olist"],
            "market": ["BR"],
            "timezone": ["America/Sao_Paulo"],
        }
    )
    write_tables(engine, {"dealers": dealers, "leads": leads, "lead_outcomes": outcomes})
