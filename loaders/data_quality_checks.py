"""Which data-quality checks exist, and how the metrics treat the rows each one finds.

Pure data: the SQL that counts the rows is in ``loaders/data_quality.py``; the meaning of
each check is documented for people in ``docs/data-quality.md``.
"""

from __future__ import annotations

from datetime import date, datetime

from loaders.contract import CONTRACT, Kind

# Oldest plausible time in a lead warehouse; anything before is a placeholder (1900-01-01, 1970-01-01).
EARLIEST_PLAUSIBLE = datetime(2000, 1, 1)
EARLIEST_PLAUSIBLE_DAY = date(2000, 1, 1)

# Columns that identify a row of each table; the example key of a violation is built from them.
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "dealers": ("dealer_id",),
    "campaigns": ("campaign_id",),
    "campaign_spend": ("campaign_id", "spend_date"),
    "leads": ("lead_id",),
    "lead_activities": ("activity_id",),
    "lead_outcomes": ("lead_id",),
    "close_reasons": ("code",),
}

# (child table, column, parent table, parent column, check name): references that must resolve.
REFERENCES: tuple[tuple[str, str, str, str, str], ...] = (
    ("lead_activities", "lead_id", "leads", "lead_id", "unknown_lead"),
    ("lead_outcomes", "lead_id", "leads", "lead_id", "unknown_lead"),
    ("leads", "dealer_id", "dealers", "dealer_id", "unknown_dealer"),
    ("leads", "campaign_id", "campaigns", "campaign_id", "unknown_campaign"),
    ("campaign_spend", "campaign_id", "campaigns", "campaign_id", "unknown_campaign"),
)

# What each check finds, phrased to follow "<count> rows ..." (duplicate_key counts key values).
DESCRIPTIONS: dict[str, str] = {
    "null_required": "empty although the contract requires a value",
    "duplicate_key": "found in more than one row",
    "unknown_lead": "name a lead that is not in leads",
    "unknown_dealer": "name a dealer that is not in dealers",
    "unknown_campaign": "name a campaign that is not in campaigns",
    "unknown_close_reason": "use a close-reason code that is in no taxonomy",
    "in_the_future": "later than the as-of time",
    "before_2000": "before 2000-01-01",
    "negative_spend": "negative",
    "unknown_value": "not one of the allowed values",
}

_TBC = "To be confirmed by the metrics layer."

# How the metrics treat rows a check finds: by (check, table, column), then (check, table), then check.
_TREATMENTS: dict[tuple[str, ...], str] = {
    ("null_required",): f"The row is kept; whatever needs the missing value skips it. {_TBC}",
    ("null_required", "leads", "created_at"): "The lead falls in no period, so it is never counted.",
    (
        "null_required",
        "leads",
        "dealer_id",
    ): "Counted; its dealer is empty and market and group are 'unknown'.",
    ("null_required", "lead_activities", "occurred_at"): "Never a qualifying contact.",
    ("null_required", "lead_activities", "direction"): "Never a qualifying contact (not 'outbound').",
    ("null_required", "lead_activities", "lead_id"): "Ignored: it belongs to no lead.",
    ("null_required", "campaign_spend", "amount"): "Left out of the spend sum.",
    ("duplicate_key",): f"Each copy is read as a row of its own. {_TBC}",
    ("duplicate_key", "leads"): f"Each copy is counted as a lead, so the lead counts twice. {_TBC}",
    ("duplicate_key", "lead_activities"): "Each copy counts as a contact attempt: attempts are over-counted.",
    ("duplicate_key", "lead_outcomes"): f"The lead is joined to every copy and counted once per copy. {_TBC}",
    (
        "duplicate_key",
        "dealers",
    ): f"Leads of the dealer are joined to every copy and counted once per copy. {_TBC}",
    (
        "duplicate_key",
        "campaigns",
    ): f"Leads of the campaign are joined to every copy and counted once per copy. {_TBC}",
    ("duplicate_key", "campaign_spend"): "Every row is summed: a day loaded twice is spent twice.",
    ("unknown_lead",): "Ignored: activities and outcomes are only read for leads that exist.",
    ("unknown_dealer",): "Counted; market and dealer group show as 'unknown'.",
    ("unknown_campaign", "leads"): f"Counted; the campaign's channel is empty. {_TBC}",
    ("unknown_campaign", "campaign_spend"): f"Summed per campaign_id all the same. {_TBC}",
    ("unknown_close_reason",): f"Lost leads with this code fall in the category 'unspecified'. {_TBC}",
    ("in_the_future",): f"Read as it is. {_TBC}",
    ("in_the_future", "leads", "created_at"): "Counted only in a period that includes that day.",
    ("in_the_future", "lead_activities", "occurred_at"): "Still a qualifying contact; response times grow.",
    ("in_the_future", "campaign_spend", "spend_date"): "Summed only in a period that includes that day.",
    ("before_2000",): f"Read as it is; almost always a placeholder date. {_TBC}",
    (
        "before_2000",
        "leads",
        "created_at",
    ): "Counted only in a period that includes that day (nobody picks one).",
    (
        "before_2000",
        "lead_activities",
        "occurred_at",
    ): "Before its lead was created: not a qualifying contact.",
    ("negative_spend",): "Summed as it is: a refund or correction lowers the spend of that campaign.",
    ("unknown_value",): "Counted; shown as a group of its own when grouping by the column.",
    ("unknown_value", "lead_activities", "direction"): "Not 'outbound', so never a qualifying contact.",
    ("unknown_value", "lead_activities", "channel"): "Read as it is: the channel does not decide a contact.",
    (
        "unknown_value",
        "close_reasons",
        "category",
    ): f"The reason falls in none of the known categories. {_TBC}",
}


def how_treated(check: str, table: str, column: str) -> str:
    """How the metrics treat the rows that ``check`` finds in ``table.column``."""
    for key in ((check, table, column), (check, table), (check,)):
        if key in _TREATMENTS:
            return _TREATMENTS[key]
    raise KeyError(f"no treatment documented for {check} on {table}.{column}")


def required_columns(table: str) -> list[str]:
    """Columns of ``table`` the contract says are never NULL."""
    return [spec.name for spec in CONTRACT[table] if not spec.nullable]


def enumerated_columns(table: str) -> list[tuple[str, tuple[str, ...]]]:
    """Columns of ``table`` with a closed list of allowed values, with that list."""
    return [(spec.name, spec.allowed) for spec in CONTRACT[table] if spec.allowed]


def time_columns(table: str) -> list[tuple[str, Kind]]:
    """Timestamp and date columns of ``table``."""
    return [(spec.name, spec.kind) for spec in CONTRACT[table] if spec.kind in (Kind.TIMESTAMP, Kind.DATE)]
