"""Complementary (secondary) suppression: a hidden group cannot be recovered as total minus the rest.

A breakdown is shown next to its total (a KPI tile, the ungrouped export, the same query
without grouping). When exactly one group of a breakdown is hidden, ``total - shown groups``
is that group; when several are hidden, it is their sum. So inside every *slice* of a
breakdown (for 1-D tables: the whole table; for 2-D tables such as week x dealer: every row
and every column) the hidden set must be at least two groups that together hold at least
``min_size`` units (leads, or contacted leads for the "how people worked" metrics) and, when
given, at least ``min_team`` salespeople. Until it is, another shown group of the slice is
hidden as well: one whose column (row) already hides a cell, so that one extra cell serves both,
else the smallest. Rows and columns are revisited until nothing changes, so hiding a cell for a
row never leaves a column with one hidden cell.

Only flags are decided here; metrics/suppression.py blanks the numbers. Pure Python over a
Polars frame: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
    an upper bound otherwise). Without grouping there is nothing to complement; a hidden group
    of size 0 (an empty cell) has nothing to protect and needs no complement.

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
    axes = range(len(group_by))
    # slices[axis][slice key] = rows of that slice (rows varying along ``axis``), smallest first
    order = sorted(range(frame.height), key=lambda i: (sizes[i], repr(keys[i])))
    slices: list[dict[tuple[object, ...], list[int]]] = [{} for _ in axes]
    for i in order:
        for axis in axes:
            slices[axis].setdefault(_slice_key(keys[i], axis), []).append(i)
    state = _State(flags, sizes, teams, min_size, min_team if team else 0)
    changed = True
    while changed:
        changed = False
        for axis in axes:
            for members in slices[axis].values():

                def crossing(i: int, axis: int = axis) -> bool:
                    """True when hiding ``i`` also helps a slice across (it already hides a row)."""
                    return any(
                        any(flags[j] for j in slices[other][_slice_key(keys[i], other)])
                        for other in axes
                        if other != axis
                    )

                changed |= state.protect(members, crossing)
    return frame.with_columns(pl.Series(flag, flags, dtype=pl.Boolean))


def _slice_key(key: tuple[object, ...], axis: int) -> tuple[object, ...]:
    return key[:axis] + key[axis + 1 :]


class _State:
    """The flags being decided and the thresholds a hidden set must reach."""

    def __init__(
        self, flags: list[bool], sizes: list[int], teams: list[int], min_size: int, min_team: int
    ) -> None:
        self.flags, self.sizes, self.teams = flags, sizes, teams
        self.min_size, self.min_team = min_size, min_team

    def unsafe(self, hidden: list[int]) -> bool:
        """One hidden group alone, or hidden groups under the thresholds together."""
        return (
            len(hidden) < 2
            or sum(self.sizes[i] for i in hidden) < self.min_size
            or sum(self.teams[i] for i in hidden) < self.min_team
        )

    def protect(self, members: list[int], crossing: Callable[[int], bool]) -> bool:
        """Hide shown members of one slice until its hidden set is safe: first those whose hiding also
        pairs up a slice across, then the smallest. True if any flag changed."""
        # A hidden group without units (an empty heat-map cell) holds nothing to recover.
        hidden = [i for i in members if self.flags[i] and self.sizes[i] > 0]
        if not hidden or not self.unsafe(hidden):
            return False
        shown = sorted((i for i in members if not self.flags[i]), key=lambda i: not crossing(i))  # stable
        changed = False
        while shown and self.unsafe(hidden):
            nxt = shown.pop(0)
            self.flags[nxt] = True
            hidden.append(nxt)
            changed = True
        return changed
