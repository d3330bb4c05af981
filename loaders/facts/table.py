"""The tables Leadline itself keeps in the warehouse: one row of facts per lead, and its state.

``leadline_lead_facts`` holds, for every lead whose buyer did not refuse consent, exactly the
columns of ``loaders.facts.lead_facts.lead_facts`` (same names, same values) plus what some pages
would otherwise compute with an extra join: the local weekday and hour of arrival and the
double-lead flag. Every number is still a GROUP BY in the warehouse, now over one table.
``leadline_facts_state`` is one row describing the data the facts were built from, so that a
refresh knows what changed and a reader knows whether the facts are current.

These tables are derived: dropping them loses nothing (``leadline refresh --full`` rebuilds).
They are not part of the contract (loaders/contract/tables.py), which lists what Leadline reads.
"""

from __future__ import annotations

from sqlalchemy import TIMESTAMP, Column, Date, Double, Index, Integer, MetaData, Numeric, Table, Text

from loaders.request.query import DIMENSIONS

# Bump when a column or the meaning of a value changes: older tables are then rebuilt, never read.
FACTS_VERSION = 3

DIMENSION_NAMES = DIMENSIONS
# The columns of lead_facts(query) after the dimensions, in its order.
FACT_NAMES = (
    "lead_id",
    "created_at",
    "customer_key",
    "is_delivered",
    "first_response_min",
    "attempts",
    "distinct_actors",
    "attempts_to_close",
    "has_appointment",
    "has_test_drive",
    "has_quote",
    "is_sold",
    "is_lost",
    "sold_gross_profit",
    "closed_at",
    "close_reason_code",
    "best_result_rank",
    "has_invalid_contact",
    "phone_contacts",
    "coded_phone_contacts",
    "first_response_bh_min",
    "first_contact_at",
    "sold_at",
)
# Precomputed for single pages: arrival in the dealer's time zone, and the double-lead flag.
EXTRA_NAMES = ("arrival_weekday", "arrival_hour", "is_double")

facts_metadata = MetaData()

lead_facts_table = Table(
    "leadline_lead_facts",
    facts_metadata,
    *(Column(name, Date() if name in ("week", "month") else Text()) for name in DIMENSION_NAMES),
    Column("lead_id", Text(), nullable=False),
    Column("created_at", TIMESTAMP(), nullable=False),
    Column("customer_key", Text()),
    Column("is_delivered", Integer(), nullable=False),
    # The type the on-the-fly expression has on each warehouse, so that quantiles agree to the bit:
    # DOUBLE on DuckDB (and most), NUMERIC on PostgreSQL (its EXTRACT(EPOCH ...) is numeric).
    Column("first_response_min", Double().with_variant(Numeric(), "postgresql")),
    Column("attempts", Integer(), nullable=False),
    Column("distinct_actors", Integer(), nullable=False),
    Column("attempts_to_close", Integer(), nullable=False),
    Column("has_appointment", Integer(), nullable=False),
    Column("has_test_drive", Integer(), nullable=False),
    Column("has_quote", Integer(), nullable=False),
    Column("is_sold", Integer(), nullable=False),
    Column("is_lost", Integer(), nullable=False),
    Column("sold_gross_profit", Numeric(), nullable=False),
    Column("closed_at", TIMESTAMP()),
    Column("close_reason_code", Text()),
    Column("best_result_rank", Integer(), nullable=False),
    Column("has_invalid_contact", Integer(), nullable=False),
    Column("phone_contacts", Integer(), nullable=False),
    Column("coded_phone_contacts", Integer(), nullable=False),
    Column("arrival_weekday", Integer(), nullable=False),
    Column("arrival_hour", Integer(), nullable=False),
    Column("is_double", Integer(), nullable=False),
    # lead_set(query) also hands out delivered_at; kept so that it reads from here as well.
    Column("delivered_at", TIMESTAMP()),
    # Business minutes to the first contact (loaders/facts/opening.py); typed like first_response_min.
    Column("first_response_bh_min", Double().with_variant(Numeric(), "postgresql")),
    # For conversion within a window and the leads waiting now.
    Column("first_contact_at", TIMESTAMP()),
    Column("sold_at", TIMESTAMP()),
)

# A row store needs indexes to find the touched leads and a period; DuckDB (and the cloud
# warehouses, which have no CREATE INDEX) scan columns with zone maps instead.
Index("ix_leadline_lead_facts_lead_id", lead_facts_table.c.lead_id).ddl_if(dialect="postgresql")
Index("ix_leadline_lead_facts_created_at", lead_facts_table.c.created_at).ddl_if(dialect="postgresql")

facts_state_table = Table(
    "leadline_facts_state",
    facts_metadata,
    Column("facts_version", Integer(), nullable=False),
    # Digest of dealers, campaigns and the known time zones: a change rebuilds every row.
    Column("dimensions_digest", Text(), nullable=False),
    # Counts and latest timestamps of the contract tables when the facts were last refreshed.
    Column("data_signature", Text(), nullable=False),
    # The newest lead's created_at at that refresh (capped at the refresh time).
    Column("high_water", TIMESTAMP(), nullable=False),
    Column("refreshed_at", TIMESTAMP(), nullable=False),
)

# The leads an incremental refresh recomputes, written once per refresh (inside its transaction)
# so that deleting and recomputing their facts do not each evaluate "touched since T" again.
refresh_ids_table = Table(
    "leadline_refresh_ids",
    facts_metadata,
    Column("lead_id", Text(), nullable=False),
)

FACTS_COLUMNS: tuple[str, ...] = DIMENSION_NAMES + FACT_NAMES + EXTRA_NAMES
LEAD_SET_NAMES: tuple[str, ...] = ("lead_id", "created_at", "delivered_at", "customer_key", *DIMENSION_NAMES)
