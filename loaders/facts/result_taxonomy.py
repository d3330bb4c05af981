"""The result-code taxonomy in force, and a call's result code as a best-outcome rank in SQL.

The taxonomy is the warehouse's ``result_codes`` table, or the shipped default
(metrics/result_codes.py) when that table is absent or empty. ``lead_facts`` turns each
qualifying contact's ``result_code`` into a rank with a CASE over the taxonomy's codes (bound
values); which taxonomy is in force for the queries of a block is set by ``using_result_taxonomy``
(``loaders.facts.source.reading_facts_from`` and the facts refresh load it from the warehouse).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, func, literal

from loaders.contract.result_codes import load_result_taxonomy
from metrics.result_codes import DEFAULT_TAXONOMY, RANK, UNCODED_CATEGORY, UNKNOWN_CATEGORY, Taxonomy

__all__ = [
    "load_result_taxonomy",
    "result_rank",
    "taxonomy_chosen",
    "taxonomy_in_force",
    "using_result_taxonomy",
]

_TAXONOMY: ContextVar[Taxonomy | None] = ContextVar("leadline_result_taxonomy", default=None)


def taxonomy_in_force() -> Taxonomy:
    """The taxonomy set by the innermost ``using_result_taxonomy`` block, else the default."""
    chosen = _TAXONOMY.get()
    return DEFAULT_TAXONOMY if chosen is None else chosen


def taxonomy_chosen() -> bool:
    """True inside a ``using_result_taxonomy`` block."""
    return _TAXONOMY.get() is not None


@contextmanager
def using_result_taxonomy(taxonomy: Taxonomy) -> Iterator[None]:
    """Inside the block, lead facts categorise result codes with ``taxonomy``."""
    token = _TAXONOMY.set(taxonomy)
    try:
        yield
    finally:
        _TAXONOMY.reset(token)


def result_rank(code: ColumnElement[Any], taxonomy: Taxonomy | None = None) -> ColumnElement[int]:
    """The best-outcome rank of one contact's ``code`` (metrics.result_codes.RANK).

    NULL or blank after trimming: uncoded; a code of the taxonomy: its category's rank;
    any other code: unknown.
    """
    pairs = taxonomy_in_force() if taxonomy is None else taxonomy
    trimmed = func.trim(code)
    whens: list[tuple[ColumnElement[bool], ColumnElement[int]]] = [
        (code.is_(None), literal(RANK[UNCODED_CATEGORY])),
        (trimmed == "", literal(RANK[UNCODED_CATEGORY])),
    ]
    by_rank: dict[int, list[str]] = {}
    for value, category in pairs:
        by_rank.setdefault(RANK[category], []).append(value)
    for rank in sorted(by_rank, reverse=True):
        whens.append((trimmed.in_(by_rank[rank]), literal(rank)))
    return case(*whens, else_=literal(RANK[UNKNOWN_CATEGORY])).cast(Integer)
