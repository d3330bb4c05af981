"""Checking the optional tables (opening hours, closed days): their columns, and rows Leadline ignores.

Absent tables are fine (the defaults apply). A present table must have its columns with the right
kinds, like any contract table; rows that break the documented ranges, or name a dealer that is not
in ``dealers``, are reported as warnings: they are ignored when business hours are computed
(loaders/facts/opening.py reads only valid rows).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from loaders.contract.check_schema import ContractProblem, FoundType, Severity, column_problems
from loaders.contract.tables import OPTIONAL_CONTRACT, dealer_closed_days, dealer_opening_hours, dealers
from loaders.warehouse.sql_aggregates import count_where


def valid_hours_row() -> ColumnElement[bool]:
    """A row of ``dealer_opening_hours`` within the contract's ranges (others are ignored)."""
    h = dealer_opening_hours.c
    return and_(
        h.dealer_id.is_not(None),
        h.weekday.between(1, 7),
        h.opens_min >= 0,
        h.opens_min < 1440,
        h.closes_min > h.opens_min,
        h.closes_min <= 1440,
    )


def valid_closed_row() -> ColumnElement[bool]:
    """A row of ``dealer_closed_days`` that names a day and a dealer or a market (others are ignored)."""
    c = dealer_closed_days.c
    return and_(c.closed_on.is_not(None), or_(c.dealer_id.is_not(None), c.market.is_not(None)))


def optional_column_problems(name: str, found: list[tuple[str, FoundType]]) -> list[ContractProblem]:
    """Errors for a present optional table: a missing column or one of the wrong kind."""
    types = dict(found)
    problems: list[ContractProblem] = []
    for spec in OPTIONAL_CONTRACT[name]:
        if spec.name in types:
            problems += column_problems(name, spec, types[spec.name])
        else:
            problems.append(
                ContractProblem(
                    name,
                    spec.name,
                    f"a {spec.kind.value} column",
                    "no such column",
                    "add it, or drop the table to use the defaults (docs/warehouse.md)",
                    Severity.ERROR,
                )
            )
    return problems


def optional_value_problems(conn: Connection, present: Sequence[str]) -> list[ContractProblem]:
    """Warnings for rows of the present optional tables that Leadline ignores, one per kind of mistake."""
    problems: list[ContractProblem] = []
    known_dealer = dealers.c.dealer_id
    if "dealer_opening_hours" in present:
        h = dealer_opening_hours.c
        rules = {
            "weekday": ("1 (Monday) to 7 (Sunday)", or_(h.weekday.is_(None), ~h.weekday.between(1, 7))),
            "opens_min": (
                "0 to 1439 minutes after midnight",
                or_(h.opens_min.is_(None), h.opens_min < 0, h.opens_min >= 1440),
            ),
            "closes_min": (
                "above opens_min and at most 1440",
                or_(h.closes_min.is_(None), h.closes_min <= h.opens_min, h.closes_min > 1440),
            ),
            "dealer_id": (
                "a dealer of dealers",
                or_(
                    h.dealer_id.is_(None),
                    h.dealer_id.not_in(select(known_dealer).where(known_dealer.is_not(None))),
                ),
            ),
        }
        problems += _counted(conn, "dealer_opening_hours", rules)
    if "dealer_closed_days" in present:
        c = dealer_closed_days.c
        rules = {
            "closed_on": ("a date", c.closed_on.is_(None)),
            "market": ("a dealer_id or a market", and_(c.dealer_id.is_(None), c.market.is_(None))),
            "dealer_id": (
                "a dealer of dealers",
                and_(
                    c.dealer_id.is_not(None),
                    c.dealer_id.not_in(select(known_dealer).where(known_dealer.is_not(None))),
                ),
            ),
        }
        problems += _counted(conn, "dealer_closed_days", rules)
    return problems


def _counted(
    conn: Connection, name: str, rules: dict[str, tuple[str, ColumnElement[bool]]]
) -> list[ContractProblem]:
    table = dealer_opening_hours if name == "dealer_opening_hours" else dealer_closed_days
    counts = conn.execute(
        select(*(count_where(broken).label(column) for column, (_, broken) in rules.items())).select_from(
            table
        )
    ).one()
    problems = []
    for (column, (expected, _)), count in zip(rules.items(), counts, strict=True):
        if count:
            rows = f"{int(count)} row" + ("s" if count != 1 else "")
            problems.append(
                ContractProblem(
                    name,
                    column,
                    expected,
                    f"{rows} with another value",
                    "those rows are ignored (a dealer without valid hours gets default_opening_hours); "
                    "fix them in the table or in a view",
                    Severity.WARNING,
                )
            )
    return problems
