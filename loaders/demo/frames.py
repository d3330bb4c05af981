"""Turning the demo's index arrays into Arrow tables shaped like the contract tables.

Low-cardinality text (brand, dealer, channel ...) becomes Arrow dictionary arrays built from the
index arrays without copying, ids are formatted by Arrow compute kernels, and -1 becomes NULL:
no Python loop touches a row, so a chunk of a million leads converts in about a second.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from loaders.contract.tables import (
    ACTIVITY_CHANNELS,
    CONTRACT,
    DIRECTIONS,
    EMAIL_STATUSES,
    LEAD_TYPES,
    PHONE_STATUSES,
    PREFERRED_CHANNELS,
    Kind,
)
from loaders.demo.activities import RESULT_CODES, Activities
from loaders.demo.leads import MODELS, LeadBatch
from loaders.demo.network import BRAND_NAMES, SOURCES, Network
from loaders.demo.outcomes import CLOSE_CODES, CLOSE_TEXTS, Outcomes

_CUSTOMER_KEY_SPACE = 10**15
_KINDS = {
    Kind.TEXT: (pa.types.is_string, pa.types.is_large_string, pa.types.is_dictionary),
    Kind.TIMESTAMP: (pa.types.is_timestamp,),
    Kind.DATE: (pa.types.is_date,),
    Kind.NUMERIC: (pa.types.is_floating, pa.types.is_decimal),
    Kind.BOOLEAN: (pa.types.is_boolean,),
}


def labels(values: Sequence[str | None], index: np.ndarray) -> pa.DictionaryArray:
    """``values[index]`` as a dictionary array; a negative index, or a None value, gives NULL."""
    # NULL entries get a placeholder the mask hides, keeping the dictionary free of duplicates.
    dictionary = pa.array([v if v is not None else f"\x00null{i}" for i, v in enumerate(values)], pa.string())
    null_entries = [i for i, v in enumerate(values) if v is None]
    is_null = (index < 0) | np.isin(index, null_entries) if null_entries else index < 0
    return pa.DictionaryArray.from_arrays(
        pa.array(np.maximum(index, 0).astype(np.int32), mask=is_null), dictionary
    )


def timestamps(seconds: np.ndarray) -> pa.Array:
    """UTC seconds as microsecond timestamps; -1 gives NULL."""
    return pa.array(seconds * 1_000_000, type=pa.timestamp("us"), mask=seconds < 0)


def keyed(prefix: str, numbers: np.ndarray, width: int, null: np.ndarray | None = None) -> pa.Array:
    """``numbers`` formatted as ``<prefix><zero-padded number>`` ids (NULL where ``null``)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, mask=null), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _pseudonym(numbers: np.ndarray, seed: int) -> np.ndarray:
    """A seeded bijective mix (splitmix64 finaliser) so customer keys reveal no order or count."""
    with np.errstate(over="ignore"):  # wrapping multiplication is the point of the mix
        x = numbers.astype(np.uint64) + np.uint64(seed % 2**32) * np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return ((x ^ (x >> np.uint64(31))) % np.uint64(_CUSTOMER_KEY_SPACE)).astype(np.int64)


def contract_table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    """``columns`` as an Arrow table of contract table ``name``, checked column by column."""
    specs = CONTRACT[name]
    if list(columns) != [s.name for s in specs]:
        raise ValueError(f"demo columns for {name} {list(columns)} differ from the contract")
    for spec in specs:
        kind_ok = any(test(columns[spec.name].type) for test in _KINDS[spec.kind])
        if not kind_ok or (not spec.nullable and columns[spec.name].null_count):
            raise ValueError(f"demo column {name}.{spec.name} breaks the contract ({spec.kind.value})")
    return pa.table(columns)


def leads_table(net: Network, leads: LeadBatch, campaign_ids: Sequence[str], seed: int) -> pa.Table:
    """Rows of the ``leads`` table."""
    return contract_table(
        "leads",
        {
            "lead_id": keyed("L", leads.lead_no, 9),
            "created_at": timestamps(leads.created_s),
            "brand": labels(BRAND_NAMES, leads.brand),
            "dealer_id": labels(net.dealer_ids, leads.dealer),
            "campaign_id": labels(campaign_ids, leads.campaign),
            "source": labels(SOURCES, leads.source),
            "lead_type": labels(LEAD_TYPES, leads.lead_type),
            "model": labels(MODELS, leads.model),
            "phone_status": labels(PHONE_STATUSES, leads.phone),
            "email_status": labels(EMAIL_STATUSES, leads.email),
            "preferred_channel": labels(PREFERRED_CHANNELS, leads.preferred),
            "customer_key": keyed("c_", _pseudonym(leads.customer, seed), 15, leads.customer < 0),
            "consent": pa.array(leads.consent == 1, mask=leads.consent == 0),
            "delivered_at": timestamps(leads.delivered_s),
        },
    )


def activities_table(net: Network, leads: LeadBatch, acts: Activities) -> pa.Table:
    """Rows of the ``lead_activities`` table.

    An activity's id is its lead's number and its position in the lead's history, so chunks can
    be numbered independently: ``A00001234503`` is the fourth activity of lead ``L000012345``.
    """
    lead_start = np.flatnonzero(np.r_[True, acts.lead[1:] != acts.lead[:-1]]) if acts.lead.size else acts.lead
    position = np.arange(acts.lead.size) - np.repeat(lead_start, np.diff(np.r_[lead_start, acts.lead.size]))
    return contract_table(
        "lead_activities",
        {
            "activity_id": keyed("A", leads.lead_no[acts.lead] * 100 + position, 11),
            "lead_id": keyed("L", leads.lead_no[acts.lead], 9),
            "occurred_at": timestamps(acts.occurred_s),
            "channel": labels(ACTIVITY_CHANNELS, acts.channel),
            "direction": labels(DIRECTIONS, acts.inbound.astype(np.int8)),
            "automated": pa.array(acts.automated),
            "result_code": labels(RESULT_CODES, acts.result),
            "actor_key": labels(net.actor_keys, acts.actor),
        },
    )


def outcomes_table(leads: LeadBatch, outcomes: Outcomes) -> pa.Table:
    """Rows of the ``lead_outcomes`` table: one per lead where anything happened."""
    rows = np.flatnonzero(outcomes.has_row)
    not_sold = outcomes.sold_s[rows] < 0
    return contract_table(
        "lead_outcomes",
        {
            "lead_id": keyed("L", leads.lead_no[rows], 9),
            "appointment_at": timestamps(outcomes.appointment_s[rows]),
            "test_drive_at": timestamps(outcomes.test_drive_s[rows]),
            "quote_at": timestamps(outcomes.quote_s[rows]),
            "sold_at": timestamps(outcomes.sold_s[rows]),
            "sale_amount": pa.array(outcomes.sale_amount[rows], mask=not_sold),
            "gross_profit": pa.array(outcomes.gross_profit[rows], mask=not_sold),
            "closed_at": timestamps(outcomes.closed_s[rows]),
            "close_reason_code": labels(CLOSE_CODES, outcomes.close_code[rows]),
            "close_reason_text": labels(CLOSE_TEXTS, outcomes.close_text[rows]),
        },
    )
