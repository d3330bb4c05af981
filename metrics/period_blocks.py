"""Whole-week blocks of at least K leads: the periods a non-admin viewer's numbers are taken over.

Two overlapping periods differ by a few days; subtracting one view from the other reveals
those days' leads, often one lead and its outcome. For viewers who are not administrators,
every period is therefore widened to *blocks*: runs of whole weeks (Monday to Sunday) that,
counted from the first week with a lead in the viewer's lead set, each hold at least K leads
(a trailing run under K joins the block before it). Any two periods a viewer can see then
differ by whole blocks, so a difference is itself a group of at least K leads, the same
protection a suppressed group has. Pure Python: the week counts come from the loaders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

WEEK = timedelta(days=7)


def monday(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def period_blocks(week_leads: Sequence[tuple[date, int]], min_leads: int) -> list[tuple[date, date]]:
    """Consecutive blocks ``(first Monday, last Sunday)`` covering every week from the first to the last
    week in ``week_leads`` (pairs of a week's Monday and its lead count, any order, gaps count 0),
    each with at least ``min_leads`` leads; when the total is under ``min_leads``, one block.

    >>> period_blocks([(date(2026, 6, 1), 3), (date(2026, 6, 8), 1), (date(2026, 6, 15), 4)], 4)
    [(datetime.date(2026, 6, 1), datetime.date(2026, 6, 14)), (datetime.date(2026, 6, 15), datetime.date(2026, 6, 21))]
    """
    counts: dict[date, int] = {}
    for week, leads in week_leads:
        counts[monday(week)] = counts.get(monday(week), 0) + int(leads or 0)
    if not counts:
        return []
    first, last = min(counts), max(counts)
    blocks: list[tuple[date, date]] = []
    start, held, week = first, 0, first
    while week <= last:
        held += counts.get(week, 0)
        if held >= min_leads:
            blocks.append((start, week + WEEK - timedelta(days=1)))
            start, held = week + WEEK, 0
        week += WEEK
    if start <= last:  # a trailing run under K joins the block before it
        end = last + WEEK - timedelta(days=1)
        blocks = [*blocks[:-1], (blocks[-1][0], end)] if blocks else [(start, end)]
    return blocks


def snap_period(start: date, end: date, blocks: Sequence[tuple[date, date]]) -> tuple[date, date]:
    """``[start, end]`` widened to whole blocks; outside the blocks, to whole weeks.

    >>> blocks = [(date(2026, 6, 1), date(2026, 6, 14)), (date(2026, 6, 15), date(2026, 6, 21))]
    >>> snap_period(date(2026, 6, 9), date(2026, 6, 16), blocks)
    (datetime.date(2026, 6, 1), datetime.date(2026, 6, 21))
    """
    snapped_start = monday(start)
    snapped_end = monday(end) + WEEK - timedelta(days=1)
    for first, last in blocks:
        if first <= start <= last:
            snapped_start = first
        if first <= end <= last:
            snapped_end = last
    return snapped_start, snapped_end
