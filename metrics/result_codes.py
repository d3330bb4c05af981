"""The call result-code taxonomy, used when the warehouse's ``result_codes`` table is absent or empty.

After each call a salesperson keys in a result code (``reached``, ``no_answer``, ``wrong_number``
...). Each code belongs to one category; a lead's *best outcome* is the best category among the
codes of its qualifying contacts, in the order of ``BEST_OUTCOMES``.

Codes are compared after trimming surrounding blanks, case-sensitively (``Reached`` is not
``reached``: map a CRM's own spelling with an import value map). A code not in the taxonomy has
the category ``unknown``; a NULL or blank code is ``uncoded``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

RESULT_CATEGORIES = ("reached", "appointment", "not_reached", "invalid_contact", "other")
UNKNOWN_CATEGORY = "unknown"
UNCODED_CATEGORY = "uncoded"
NOT_CONTACTED = "not_contacted"


@dataclass(frozen=True)
class ResultCode:
    """One row of the ``result_codes`` table."""

    code: str
    category: str
    label: str


DEFAULT_RESULT_CODES: tuple[ResultCode, ...] = (
    ResultCode("reached", "reached", "Reached"),
    ResultCode("callback_requested", "reached", "Reached, asked to be called back"),
    ResultCode("not_interested", "reached", "Reached, not interested"),
    ResultCode("appointment_set", "appointment", "Appointment set"),
    ResultCode("no_answer", "not_reached", "No answer"),
    ResultCode("voicemail", "not_reached", "Voicemail"),
    ResultCode("busy", "not_reached", "Busy"),
    ResultCode("wrong_number", "invalid_contact", "Wrong number"),
    ResultCode("number_not_in_service", "invalid_contact", "Number not in service"),
    ResultCode("email_bounced", "invalid_contact", "E-mail bounced"),
)


@dataclass(frozen=True)
class Outcome:
    """A best-outcome bucket: ``rank`` orders them (higher is better), ``name`` is the category."""

    rank: int
    name: str
    label: str


# Best first. A category 'other' (only in a warehouse's own table) ranks below invalid_contact,
# above unknown: it is a known code that says neither reached nor not reached.
BEST_OUTCOMES: tuple[Outcome, ...] = (
    Outcome(7, "appointment", "Appointment"),
    Outcome(6, "reached", "Reached"),
    Outcome(5, "not_reached", "Not reached"),
    Outcome(4, "invalid_contact", "Invalid contact data"),
    Outcome(3, "other", "Other code"),
    Outcome(2, UNKNOWN_CATEGORY, "Unknown code"),
    Outcome(1, UNCODED_CATEGORY, "Contacted, no code"),
    Outcome(0, NOT_CONTACTED, "Never contacted"),
)
RANK: dict[str, int] = {o.name: o.rank for o in BEST_OUTCOMES}
REACHED_RANK = RANK["reached"]  # a lead is reached when its best rank is at least this
INVALID_RANK = RANK["invalid_contact"]

Taxonomy = tuple[tuple[str, str], ...]  # (code, category), codes already trimmed


def default_result_codes_frame() -> pl.DataFrame:
    """The default taxonomy as rows of the ``result_codes`` table."""
    return pl.DataFrame(
        [r.__dict__ for r in DEFAULT_RESULT_CODES],
        schema={"code": pl.String, "category": pl.String, "label": pl.String},
    )


DEFAULT_TAXONOMY: Taxonomy = tuple((r.code, r.category) for r in DEFAULT_RESULT_CODES)


def taxonomy_pairs(rows: Iterable[tuple[str | None, str | None]]) -> Taxonomy:
    """(code, category) pairs of a ``result_codes`` table: codes trimmed, sorted, blank codes dropped.

    A category outside ``RESULT_CATEGORIES`` (``leadline check`` reports it) is read as 'other'.
    When the same trimmed code appears twice, the first in code order wins.
    """
    seen: dict[str, str] = {}
    for code, category in rows:
        key = (code or "").strip(" ")
        if key and key not in seen:
            cat = (category or "").strip(" ")
            seen[key] = cat if cat in RESULT_CATEGORIES else "other"
    return tuple(sorted(seen.items()))


def categorise(code: str | None, taxonomy: Taxonomy = DEFAULT_TAXONOMY) -> str:
    """The category of one result code: the taxonomy's, ``unknown`` or ``uncoded``.

    >>> categorise("  wrong_number "), categorise("Reached"), categorise("  ")
    ('invalid_contact', 'unknown', 'uncoded')
    """
    key = (code or "").strip(" ")
    if not key:
        return UNCODED_CATEGORY
    return dict(taxonomy).get(key, UNKNOWN_CATEGORY)
