"""Which data-quality checks exist, and how the metrics treat the rows each one finds.

Pure data: the SQL that counts the rows is in ``loaders/contract/data_quality.py``; the meaning of
each check is documented for people in ``docs/data-quality.md``.
"""

from __future__ import annotations

from datetime import date, datetime

from loaders.contract.tables import CONTRACT, Kind

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
    "result_codes": ("code",),
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
    "unknown_result_code": "use a result code that is in no taxonomy (per source: see below)",
    "in_the_future": "later than the as-of time",
    "before_2000": "before 2000-01-01",
    "negative_spend": "negative",
    "sale_before_lead": "record a sale dated before its lead was created",
    "unknown_value": "not one of the allowed values",
    "unknown_time_zone": "without a time zone, or with one that is not an IANA name such as Europe/Rome",
}

# How the metrics treat rows a check finds: by (check, table, column), then (check, table), then check.
# tests/test_data_quality_treatment.py makes each case happen and checks the numbers do this.
_TREATMENTS: dict[tuple[str, ...], str] = {
    ("null_required",): (
        "The row is kept; where the column is needed it is empty: leads group under an empty value, "
        "and a filter on the column leaves them out."
    ),
    ("null_required", "leads", "created_at"): "The lead falls in no period, so it is never counted.",
    (
        "null_required",
        "leads",
        "dealer_id",
    ): "Counted; its dealer is empty and market and group are 'unknown'.",
    (
        "null_required",
        "dealers",
    ): "Leads of the dealer are counted; an empty market or dealer group is 'unknown'.",
    ("null_required", "lead_activities", "occurred_at"): "Never a qualifying contact.",
    ("null_required", "lead_activities", "direction"): "Never a qualifying contact (not 'outbound').",
    ("null_required", "lead_activities", "lead_id"): "Ignored: it belongs to no lead.",
    ("null_required", "campaign_spend", "amount"): "Left out of the spend sum.",
    ("null_required", "campaign_spend", "spend_date"): "The spend falls in no period, so it is never summed.",
    ("null_required", "campaign_spend", "campaign_id"): "Allocated to no lead, so left out of the spend.",
    ("null_required", "campaign_spend", "currency"): "Summed as it is (amounts are never converted).",
    ("duplicate_key",): "Each copy is read as a row of its own.",
    (
        "duplicate_key",
        "leads",
    ): "Each copy is counted as a lead with the lead's contacts and outcome: the lead, its sale or loss "
    "count twice, and its contact attempts four times.",
    ("duplicate_key", "lead_activities"): "Each copy counts as a contact attempt: attempts are over-counted.",
    (
        "duplicate_key",
        "lead_outcomes",
    ): "The lead is counted once per copy, with its contacts.",
    (
        "duplicate_key",
        "dealers",
    ): "Leads of the dealer are counted once per copy, with their contacts.",
    (
        "duplicate_key",
        "campaigns",
    ): "Leads of the campaign are counted once per copy, with their contacts.",
    ("duplicate_key", "campaign_spend"): "Every row is summed: a day loaded twice is spent twice.",
    (
        "duplicate_key",
        "close_reasons",
    ): "One copy per code is used; when the copies differ, which one is not defined.",
    ("unknown_lead",): "Ignored: activities and outcomes are only read for leads that exist.",
    ("unknown_dealer",): "Counted; market and dealer group show as 'unknown'.",
    (
        "unknown_campaign",
        "leads",
    ): "Counted; its channel is empty, and spend recorded for that campaign_id is allocated to it.",
    (
        "unknown_campaign",
        "campaign_spend",
    ): "Allocated to the leads with that campaign_id like any spend; without such leads, to nobody.",
    (
        "unknown_close_reason",
    ): "Lost leads with this code count as vague closes, under the category 'unspecified' on Close reasons.",
    (
        "duplicate_key",
        "result_codes",
    ): "Compared trimmed, the first copy in code order is used.",
    (
        "unknown_result_code",
    ): "The call counts as coded but its lead is neither reached nor invalid: its best outcome is "
    "'unknown' unless another call says more. Map the CRM's code with an import value map.",
    (
        "unknown_value",
        "result_codes",
        "category",
    ): "Read as the category 'other': neither reached nor invalid.",
    ("in_the_future",): "Read as it is: a sale, quote or delivery dated in the future still counts.",
    ("in_the_future", "leads", "created_at"): "Counted only in a period that includes that day.",
    ("in_the_future", "lead_activities", "occurred_at"): "Still a qualifying contact; response times grow.",
    ("in_the_future", "campaign_spend", "spend_date"): "Summed only in a period that includes that day.",
    (
        "before_2000",
    ): "Read as it is (almost always a placeholder): a sale or delivery dated then still counts.",
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
    ("before_2000", "campaign_spend", "spend_date"): "Summed only in a period that includes that day.",
    ("unknown_time_zone",): "Read as UTC: the dealer's opening hours, its response times in business hours, "
    "the waiting times of its leads and their arrival hours are counted on UTC clocks.",
    ("negative_spend",): "Summed as it is: a refund or correction lowers the spend of that campaign.",
    ("sale_before_lead",): "Counted as a sale of the lead, in the period of the lead's creation; the date "
    "order is almost always a swapped day and month or a sale matched to the wrong lead.",
    ("unknown_value",): "Counted; shown as a group of its own when grouping by the column.",
    ("unknown_value", "lead_activities", "direction"): "Not 'outbound', so never a qualifying contact.",
    ("unknown_value", "lead_activities", "channel"): "Read as it is: the channel does not decide a contact.",
    (
        "unknown_value",
        "close_reasons",
        "category",
    ): "Listed after the known categories on Close reasons; whether a close is vague follows is_vague.",
}


# What a table's rows are, in words (the Data quality page leads with these, not with table names).
TABLE_NOUNS: dict[str, str] = {
    "dealers": "Dealers",
    "campaigns": "Campaigns",
    "campaign_spend": "Campaign spend entries",
    "leads": "Leads",
    "lead_activities": "Contacts (calls, e-mails)",
    "lead_outcomes": "Lead outcomes",
    "close_reasons": "Close reasons",
    "result_codes": "Call result codes",
}


# Each check in words, led by what the rows are ({noun}) and naming the column in words ({col}).
_PLAIN: dict[str, str] = {
    "null_required": "{noun} without {col}",
    "duplicate_key": "{noun} whose {col} appears more than once",
    "unknown_lead": "{noun} of a lead that is not among the leads",
    "unknown_dealer": "{noun} of a dealer that is not among the dealers",
    "unknown_campaign": "{noun} of a campaign that is not among the campaigns",
    "unknown_close_reason": "{noun} with a close reason that is in no list of close reasons",
    "unknown_result_code": "{noun} with a result code that is in no list of result codes (per source: see below)",
    "in_the_future": "{noun} whose {col} is in the future",
    "before_2000": "{noun} whose {col} is before the year 2000 (a placeholder date)",
    "negative_spend": "{noun} with a negative amount",
    "sale_before_lead": "Sales dated before their lead arrived",
    "unknown_value": "{noun} whose {col} is not one of the allowed values",
    "unknown_time_zone": "{noun} without a {col} Leadline knows (none, or not a name such as Europe/Rome)",
}
_COLUMN_WORDS: dict[str, str] = {
    "created_at": "arrival time",
    "occurred_at": "time",
    "delivered_at": "delivery time",
    "sold_at": "sale date",
    "closed_at": "close date",
    "appointment_at": "appointment date",
    "spend_date": "date",
}


def plain_finding(check: str, table: str, column: str) -> str:
    """What the rows ``check`` finds in ``table.column`` are, in words (no table or column names).

    >>> plain_finding("in_the_future", "leads", "created_at")
    'Leads whose arrival time is in the future'
    """
    noun = TABLE_NOUNS.get(table, table.replace("_", " ").capitalize())
    words = column.removesuffix("_id").replace("_", " ") + (" ID" if column.endswith("_id") else "")
    col = _COLUMN_WORDS.get(column, words)
    return _PLAIN.get(check, "{noun}: {col} " + DESCRIPTIONS.get(check, check)).format(noun=noun, col=col)


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
