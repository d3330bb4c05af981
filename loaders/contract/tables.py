"""The warehouse contract: the only tables and columns Leadline reads.

Every other module refers to the warehouse through the ``Table`` objects declared
here, so a column name is spelled exactly once. ``docs/warehouse.md`` documents the
same tables for people; ``tests/test_contract_docs.py`` keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import (
    TIMESTAMP,
    Boolean,
    Column,
    ColumnElement,
    Date,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    or_,
    true,
)


class Kind(StrEnum):
    """The kind of value a contract column holds, independent of the SQL dialect."""

    TEXT = "text"
    TIMESTAMP = "timestamp"
    DATE = "date"
    NUMERIC = "numeric"
    BOOLEAN = "boolean"
    INTEGER = "integer"


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the contract, as documented and validated."""

    name: str
    kind: Kind
    nullable: bool
    meaning: str
    allowed: tuple[str, ...] = ()
    primary_key: bool = False


LEAD_TYPES = ("new_vehicle", "used_vehicle", "test_drive", "quote", "trade_in", "finance", "service", "other")
PHONE_STATUSES = ("valid", "missing", "placeholder", "invalid")
EMAIL_STATUSES = ("valid", "missing", "suspicious", "invalid")
PREFERRED_CHANNELS = ("phone", "email", "sms", "whatsapp", "chat")
CAMPAIGN_CHANNELS = ("search", "social", "display", "email", "marketplace", "website", "event", "other")
ACTIVITY_CHANNELS = ("phone", "email", "sms", "whatsapp", "chat", "visit", "other")
DIRECTIONS = ("outbound", "inbound")
CLOSE_REASON_CATEGORIES = ("pollution", "not_reached", "no_interest", "conversion", "other")
RESULT_CODE_CATEGORIES = ("reached", "appointment", "not_reached", "invalid_contact", "other")

T, TS, D, N, B, INT = Kind.TEXT, Kind.TIMESTAMP, Kind.DATE, Kind.NUMERIC, Kind.BOOLEAN, Kind.INTEGER

CONTRACT: dict[str, tuple[ColumnSpec, ...]] = {
    "dealers": (
        ColumnSpec("dealer_id", T, False, "Key of the dealership.", primary_key=True),
        ColumnSpec("dealer_name", T, False, "Name of the dealership as shown on the dashboard."),
        ColumnSpec("dealer_group_id", T, False, "Key of the dealer group the dealership belongs to."),
        ColumnSpec("dealer_group_name", T, False, "Name of the dealer group."),
        ColumnSpec("market", T, False, "Country of the dealership, ISO 3166-1 alpha-2 (`DE`, `IT`)."),
        ColumnSpec("region", T, True, "Region inside the market, free text."),
        ColumnSpec(
            "timezone",
            T,
            True,
            "IANA time-zone name (`Europe/Rome`); arrival heat maps and business hours use it "
            "(NULL or another name: UTC, counted on Data quality).",
        ),
    ),
    "campaigns": (
        ColumnSpec("campaign_id", T, False, "Key of the campaign.", primary_key=True),
        ColumnSpec("campaign_name", T, False, "Name of the campaign."),
        ColumnSpec("brand", T, False, "Brand that runs the campaign."),
        ColumnSpec("market", T, True, "Market the campaign targets, ISO 3166-1 alpha-2; NULL for several."),
        ColumnSpec("channel", T, False, "Marketing channel of the campaign.", CAMPAIGN_CHANNELS),
    ),
    "campaign_spend": (
        ColumnSpec("campaign_id", T, False, "Campaign the money was spent on."),
        ColumnSpec("spend_date", D, False, "Day of the spend."),
        ColumnSpec("amount", N, False, "Amount spent that day, >= 0."),
        ColumnSpec("currency", T, False, "ISO 4217 currency code of `amount` (`EUR`)."),
    ),
    "leads": (
        ColumnSpec("lead_id", T, False, "Key of the lead.", primary_key=True),
        ColumnSpec("created_at", TS, False, "When the buyer sent the request (UTC)."),
        ColumnSpec("brand", T, False, "Brand the lead is for."),
        ColumnSpec("dealer_id", T, False, "Dealership the lead was assigned to."),
        ColumnSpec("campaign_id", T, True, "Campaign that brought the lead; NULL if none is known."),
        ColumnSpec(
            "source",
            T,
            False,
            "Where the lead came from: `brand_site`, `marketplace:<name>`, `third_party:<name>` ...",
        ),
        ColumnSpec("lead_type", T, False, "What the buyer asked for.", LEAD_TYPES),
        ColumnSpec("model", T, True, "Vehicle model asked about."),
        ColumnSpec("phone_status", T, False, "Quality of the phone number the buyer gave.", PHONE_STATUSES),
        ColumnSpec("email_status", T, False, "Quality of the e-mail address the buyer gave.", EMAIL_STATUSES),
        ColumnSpec("preferred_channel", T, True, "How the buyer asked to be contacted.", PREFERRED_CHANNELS),
        ColumnSpec("customer_key", T, True, "Pseudonymous key of the buyer, to find double leads."),
        ColumnSpec(
            "consent",
            B,
            True,
            "FALSE: the buyer refused or withdrew consent; such a lead is never loaded, counted or shown.",
        ),
        ColumnSpec(
            "delivered_at", TS, True, "When the dealer's CRM acknowledged the lead; NULL: never arrived."
        ),
    ),
    "lead_activities": (
        ColumnSpec("activity_id", T, False, "Key of the activity.", primary_key=True),
        ColumnSpec("lead_id", T, False, "Lead the activity belongs to."),
        ColumnSpec("occurred_at", TS, False, "When it happened (UTC)."),
        ColumnSpec("channel", T, False, "How the contact was made.", ACTIVITY_CHANNELS),
        ColumnSpec("direction", T, False, "Who started it.", DIRECTIONS),
        ColumnSpec("automated", B, True, "TRUE for auto-responders; they never count as a contact."),
        ColumnSpec(
            "result_code", T, True, "Feedback code keyed in after a call (`reached`, `no_answer` ...)."
        ),
        ColumnSpec(
            "actor_key",
            T,
            True,
            "Pseudonymous key of the salesperson; only ever counted distinct per lead, never shown.",
        ),
    ),
    "lead_outcomes": (
        ColumnSpec("lead_id", T, False, "Lead the outcome belongs to.", primary_key=True),
        ColumnSpec("appointment_at", TS, True, "When an appointment was set."),
        ColumnSpec("test_drive_at", TS, True, "When the buyer took a test drive."),
        ColumnSpec("quote_at", TS, True, "When a quote was sent."),
        ColumnSpec("sold_at", TS, True, "When a vehicle was sold on this lead."),
        ColumnSpec("sale_amount", N, True, "Sale amount, in the currency of the market."),
        ColumnSpec("gross_profit", N, True, "Gross profit of the sale."),
        ColumnSpec("closed_at", TS, True, "When the lead was closed (sold or written off)."),
        ColumnSpec("close_reason_code", T, True, "Code of the close reason, see `close_reasons`."),
        ColumnSpec(
            "close_reason_text", T, True, "Free text; never read by Leadline (it may hold personal data)."
        ),
    ),
    "close_reasons": (
        ColumnSpec("code", T, False, "Code used in `lead_outcomes.close_reason_code`.", primary_key=True),
        ColumnSpec("category", T, False, "Kind of reason.", CLOSE_REASON_CATEGORIES),
        ColumnSpec("label", T, False, "Text shown on the dashboard."),
        ColumnSpec(
            "is_vague", B, False, "TRUE when the reason tells marketing nothing (`no interest`, `.`)."
        ),
        ColumnSpec("next_action", T, True, "What sales or marketing should do about leads closed for it."),
    ),
    "result_codes": (
        ColumnSpec(
            "code", T, False, "Code used in `lead_activities.result_code` (compared trimmed).", primary_key=True
        ),
        ColumnSpec("category", T, False, "What the call achieved.", RESULT_CODE_CATEGORIES),
        ColumnSpec("label", T, False, "Text shown on the dashboard."),
    ),
}
# Tables a warehouse may lack: Leadline then uses its shipped default (metrics/result_codes.py).
OPTIONAL_TABLES = frozenset({"result_codes"})

# Tables a warehouse may leave out: absent or empty, Leadline uses the defaults docs/warehouse.md names.
# `leadline check` validates them when they are there; they are written by the demo and the import.
OPTIONAL_CONTRACT: dict[str, tuple[ColumnSpec, ...]] = {
    "dealer_opening_hours": (
        ColumnSpec("dealer_id", T, False, "Dealership the hours are of."),
        ColumnSpec("weekday", INT, False, "Day of the week, 1 = Monday .. 7 = Sunday."),
        ColumnSpec(
            "opens_min", INT, False, "Opening time, minutes after local midnight in the dealer's time zone, 0-1439."
        ),
        ColumnSpec(
            "closes_min",
            INT,
            False,
            "Closing time, minutes after local midnight, above `opens_min` and at most 1440 (midnight). "
            "Several rows per day are allowed (split shifts); overlapping rows count once.",
        ),
    ),
    "dealer_closed_days": (
        ColumnSpec("dealer_id", T, True, "Dealership closed that day; NULL: every dealer of `market`."),
        ColumnSpec("market", T, True, "Market whose dealers are all closed that day (a public holiday)."),
        ColumnSpec("closed_on", D, False, "The local date the dealership is closed."),
    ),
}

_SQL_TYPES = {T: Text, TS: TIMESTAMP, D: Date, N: Numeric, B: Boolean, INT: Integer}

metadata = MetaData()
optional_metadata = MetaData()


def _table(name: str) -> Table:
    optional = name in OPTIONAL_CONTRACT
    columns = [
        Column(spec.name, _SQL_TYPES[spec.kind](), primary_key=spec.primary_key, nullable=spec.nullable)
        for spec in (OPTIONAL_CONTRACT if optional else CONTRACT)[name]
    ]
    return Table(name, optional_metadata if optional else metadata, *columns)


dealers = _table("dealers")
campaigns = _table("campaigns")
campaign_spend = _table("campaign_spend")
leads = _table("leads")
lead_activities = _table("lead_activities")
lead_outcomes = _table("lead_outcomes")
close_reasons = _table("close_reasons")
result_codes = _table("result_codes")

dealer_opening_hours = _table("dealer_opening_hours")
dealer_closed_days = _table("dealer_closed_days")

TABLES: dict[str, Table] = {t.name: t for t in metadata.sorted_tables}
HOURS_TABLES: dict[str, Table] = {t.name: t for t in optional_metadata.sorted_tables}
# Every table a writer may fill (the importer, the demo): the contract's and the opening-hours tables.
ALL_SPECS: dict[str, tuple[ColumnSpec, ...]] = {**CONTRACT, **OPTIONAL_CONTRACT}
ALL_TABLES: dict[str, Table] = {**TABLES, **HOURS_TABLES}

# Columns the dashboard must never select: free text may hold personal data.
NEVER_SELECTED = frozenset({("lead_outcomes", "close_reason_text")})
# Columns that may only appear inside COUNT(DISTINCT ...): they identify people.
DISTINCT_COUNT_ONLY = frozenset({("lead_activities", "actor_key")})


def consent_not_false() -> ColumnElement[bool]:
    """Leads whose buyer did not refuse consent (NULL counts as not refused)."""
    return or_(leads.c.consent.is_(None), leads.c.consent == true())
