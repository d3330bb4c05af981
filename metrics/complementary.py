"""Complementary (secondary) suppression: a hidden group cannot be recovered as total minus the rest.

A breakdown is shown next to its total (a KPI tile, the ungrouped export, the same query
without grouping). When exactly one group of a breakdown is hidden, ``total - shown groups``
is that group; when several are hidden, it is their sum. So inside every *slice* of a
breakdown (for 1-D tables: the whole table; for 2-D tables such as week x dealer: every row
and every column) the hidden set must be at least two groups that together hold at least
``min_size`` units (leads, or contacted leads for the "how people worked" metrics) and, when
given, at least ``min_team`` salespeople. Until it is, the smallest shown group of the slice
is hidden as well. Rows and columns are revisited until nothing changes, so hiding a cell for
a row never reopens a column.

Only flags are decided here; metrics/suppression.py blanks the numbers. Pure Python over a
Polars frame: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def complement_flags(
    frame: pl.DataFrame,
    group_by: Sequence[str],
    *,
    flag: str,
    size: str,
    min_size: int,
    team: str | None = None,
    min_team: int = 0,
) -> pl.DataFrame:
    """``frame`` with more rows of boolean column ``flag`` set, so that no slice hides one group alone.

    ``size`` counts the units behind a row (NULL counts as 0); ``team`` (optional) the distinct
    salespeople behind it, summed over the hidden set (exact for disjoint teams such as dealers,
    an upper bound otherwise). Without grouping there is nothing to complement.

    >>> f = pl.DataFrame({"g": ["a", "b", "c"], "leads": [2, 9, 30], "suppressed": [True, False, False]})
    >>> complement_flags(f, ["g"], flag="suppressed", size="leads", min_size=5)["suppressed"].to_list()
    [True, True, False]
    """
    if not group_by or frame.is_empty():
        return frame
    flags = [bool(v) for v in frame[flag].fill_null(False).to_list()]
    if not any(flags):
        return frame
    sizes = [int(v or 0) for v in frame[size].to_list()]
    teams = [int(v or 0) for v in frame[team].to_list()] if team else [0] * frame.height
    keys = list(zip(*(frame[d].to_list() for d in group_by), strict=True))
    order = sorted(range(frame.height), key=lambda i: (sizes[i], repr(keys[i])))  # smallest first
    changed = True
    while changed:
        changed = False
        for axis in range(len(group_by)):
            slices: dict[tuple[object, ...], list[int]] = {}
            for i in order:
                slices.setdefault(keys[i][:axis] + keys[i][axis + 1 :], []).append(i)
            for members in slices.values():
                changed |= _protect(members, flags, sizes, teams, min_size, min_team if team else 0)
    return frame.with_columns(pl.Series(flag, flags, dtype=pl.Boolean))


def _protect(
    members: list[int], flags: list[bool], sizes: list[int], teams: list[int], min_size: int, min_team: int
) -> bool:
    """Hide the smallest shown members of one slice until its hidden set is safe; True if any changed."""
    hidden = [i for i in members if flags[i]]
    if not hidden:
        return False
    shown = [i for i in members if not flags[i]]  # already smallest first

    def unsafe() -> bool:
        return (
            len(hidden) < 2
            or sum(sizes[i] for i in hidden) < min_size
            or sum(teams[i] for i in hidden) < min_team
        )

    changed = False
    while shown and unsafe():
        nxt = shown.pop(0)
        flags[nxt] = True
        hidden.append(nxt)
        changed = True
    return changed
