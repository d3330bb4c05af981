"""Small hand-made warehouses for the metric tests: row builders with sensible defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Engine

from dashboard.data.tables import metrics_table
from loaders.contract.tables import CONTRACT
from loaders.contract.write import conform, write_tables
from loaders.request.query import LeadQuery, Scope

START = date(2024, 3, 4)  # a Monday
END = date(2024, 3, 10)
AS_OF = datetime(2024, 3, 20)
T0 = datetime(2024, 3, 5, 10, 0)  # default created_at, inside the period


def ts(minutes: float, base: datetime = T0) -> datetime:
    """``base`` plus ``minutes`` (may be fractional or negative)."""
    return base + timedelta(minutes=minutes)


def lead(lead_id: str, created_at: datetime = T0, **values: Any) -> dict[str, Any]:
    """A leads row; every NOT NULL column gets a default."""
    row: dict[str, Any] = {
        "lead_id": lead_id,
        "created_at": created_at,
        "brand": "Alfa",
        "dealer_id": "d1",
        "campaign_id": None,
        "source": "brand_site",
        "lead_type": "quote",
        "phone_status": "valid",
        "email_status": "valid",
        "consent": True,
        "delivered_at": created_at,
    }
    row.update(values)
    return row


_activity_numbers = iter(range(10**9))


def contact(lead_id: str, at: datetime, actor: str | None = "s1", **values: Any) -> dict[str, Any]:
    """A lead_activities row: by default a qualifying contact (outbound, manual)."""
    row: dict[str, Any] = {
        "activity_id": f"a{next(_activity_numbers)}",
        "lead_id": lead_id,
        "occurred_at": at,
        "channel": "phone",
        "direction": "outbound",
        "automated": False,
        "actor_key": actor,
    }
    row.update(values)
    return row


def outcome(lead_id: str, **values: Any) -> dict[str, Any]:
    """A lead_outcomes row."""
    return {"lead_id": lead_id, **values}


def spend(campaign_id: str, day: date, amount: float) -> dict[str, Any]:
    """A campaign_spend row."""
    return {"campaign_id": campaign_id, "spend_date": day, "amount": amount, "currency": "EUR"}


DEALERS = [
    {
        "dealer_id": "d1",
        "dealer_name": "Nord",
        "dealer_group_id": "g1",
        "dealer_group_name": "G1",
        "market": "DE",
    },
    {
        "dealer_id": "d2",
        "dealer_name": "Sud",
        "dealer_group_id": "g2",
        "dealer_group_name": "G2",
        "market": "IT",
    },
]
CAMPAIGNS = [
    {"campaign_id": c, "campaign_name": c, "brand": "Alfa", "market": "DE", "channel": "search"}
    for c in ("c1", "c2", "c3")
]


def _empty(table: str) -> pl.DataFrame:
    # A frame without columns would be conformed to one row of NULLs; give it the columns.
    return conform(table, pl.DataFrame({spec.name: [] for spec in CONTRACT[table]}))


@dataclass
class Fixture:
    """Rows of each table; ``write`` puts them into a warehouse."""

    leads: Sequence[Mapping[str, Any]] = ()
    activities: Sequence[Mapping[str, Any]] = ()
    outcomes: Sequence[Mapping[str, Any]] = ()
    spend: Sequence[Mapping[str, Any]] = ()
    close_reasons: Sequence[Mapping[str, Any]] = ()
    query: Mapping[str, Any] = field(default_factory=dict)
    result_codes: Sequence[Mapping[str, Any]] = ()

    def frames(self) -> dict[str, pl.DataFrame]:
        """Every contract table, empty ones with their columns (so a replace clears them)."""
        tables = {
            "dealers": DEALERS,
            "campaigns": CAMPAIGNS,
            "leads": self.leads,
            "lead_activities": self.activities,
            "lead_outcomes": self.outcomes,
            "campaign_spend": self.spend,
            "close_reasons": self.close_reasons,
            "result_codes": self.result_codes,
        }
        return {
            name: pl.DataFrame(list(rows), infer_schema_length=None) if rows else _empty(name)
            for name, rows in tables.items()
        }

    def write(self, engine: Engine) -> None:
        """Replace every contract table's rows with this fixture's."""
        write_tables(engine, self.frames(), replace=True)

    def lead_query(self, **overrides: Any) -> LeadQuery:
        values: dict[str, Any] = {"start": START, "end": END, "as_of": AS_OF, **self.query, **overrides}
        if isinstance(values.get("filters"), dict):
            values["filters"] = LeadQuery.make_filters(values["filters"])
        if isinstance(values.get("scope"), dict):
            values["scope"] = Scope(**values["scope"])
        return LeadQuery(**values)

    def table(
        self, engine: Engine, min_group_size: int = 0, min_team_size: int = 0, **overrides: Any
    ) -> pl.DataFrame:
        """Write the rows and return the metrics table (K = 0 and no team size by default: nothing suppressed)."""
        self.write(engine)
        return metrics_table(engine, self.lead_query(**overrides), min_group_size, min_team_size)


def mixed_fixture() -> Fixture:
    """A few leads touching every definition: quantiles, boundaries, taxonomy, spend."""
    leads = [
        lead("a", campaign_id="c1"),
        lead("b", ts(60 * 24 * 3), campaign_id="c1", brand="Beta", dealer_id="d2"),
        lead("c", ts(30), consent=None, delivered_at=None),
        lead("d", ts(60 * 50), consent=False, campaign_id="c1"),
        lead("e", ts(-60 * 24), campaign_id="c2", dealer_id="ghost"),
        lead("f", ts(60 * 24 * 5), campaign_id="c2"),
    ]
    activities = [
        contact("a", ts(7.25), "x"),
        contact("a", ts(90), "y"),
        contact("b", ts(60 * 24 * 3 + 60), "x"),
        contact("c", ts(29), "x"),  # before lead c: not qualifying
        contact("c", ts(31), "x", automated=True),
        contact("e", ts(-60 * 24 + 13), None),
        contact("e", ts(-60 * 24 + 14), None),
        contact("f", ts(60 * 24 * 5 + 61), "y", direction="inbound"),
    ]
    outcomes = [
        outcome("a", sold_at=ts(600), closed_at=ts(600), gross_profit=1234.5),
        outcome("b", closed_at=ts(60 * 24 * 4), close_reason_code="no_interest"),
        outcome("e", closed_at=ts(-60 * 20), close_reason_code="bought_other_car"),
        outcome("f", closed_at=ts(60 * 24 * 6), close_reason_code="  ", appointment_at=ts(60 * 24 * 5 + 5)),
    ]
    spends = [
        spend("c1", START, 99.99),
        spend("c2", START + timedelta(days=6), 10.0),
        spend("c3", START, 5.0),
    ]
    return Fixture(leads, activities, outcomes, spends)
