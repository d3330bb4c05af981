"""The current view a page draws: who looks, at which period and filters, and how to ask for numbers.

The entrypoint (dashboard/app.py) builds one ``View`` per run from the viewer and the
sidebar and stores it; pages read it with ``current_view()`` and never touch the URL,
the sidebar or the access rules themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import streamlit as st

from dashboard.access.viewer import Viewer
from dashboard.filters.url_state import COMPARISONS, Choices, FilterState, describe
from loaders.request.query import LeadQuery

_SESSION_KEY = "leadline_view"


@dataclass(frozen=True)
class View:
    """Everything a page needs to ask for and label its numbers."""

    viewer: Viewer
    state: FilterState
    choices: Choices
    as_of: datetime
    min_group_size: int
    # For viewers who are not administrators: widens a query's period to whole blocks of at
    # least K leads (dashboard/data/period_guard.py), against overlapping-period differencing.
    period_guard: Callable[[LeadQuery], tuple[date, date]] | None = None

    def query(self, group_by: tuple[str, ...] = (), *, period: tuple[date, date] | None = None) -> LeadQuery:
        """The LeadQuery of this view (or of ``period``), grouped by ``group_by``, in the viewer's scope."""
        start, end = period or (self.state.start, self.state.end)
        query = LeadQuery(
            start=start,
            end=end,
            as_of=self.as_of,
            group_by=group_by,
            filters=self.state.filters,
            scope=self.viewer.scope,
        )
        if self.period_guard is None:
            return query
        start, end = self.period_guard(query)
        return replace(query, start=start, end=end)

    def comparison_query(self, group_by: tuple[str, ...] = ()) -> LeadQuery | None:
        """The same query over the comparison period, or None when comparison is off."""
        period = self.state.comparison_period()
        return None if period is None else self.query(group_by, period=period)

    def comparison_label(self) -> str:
        """``vs 2025-01-01 to 2025-01-30``: what the deltas compare with ('' when off)."""
        period = self.state.comparison_period()
        if period is None:
            return ""
        return f"vs {period[0].isoformat()} to {period[1].isoformat()}"

    def comparison_name(self) -> str:
        """The comparison setting in words ('Previous period' ...)."""
        return COMPARISONS[self.state.compare]

    def describe(self) -> str:
        """The period and filters in words, for captions and export headers."""
        return describe(self.state, self.choices)

    def label(self, dim: str, value: str | None) -> str:
        """Display label of a dimension value (dealer name for a dealer id ...)."""
        if value is None:
            return "(none)"
        return self.choices.label(dim, value)

    def with_state(self, state: FilterState) -> View:
        """A copy for another filter state (tests use it)."""
        return replace(self, state=state)


def as_of_now() -> datetime:
    """Now in UTC (naive, as the contract stores times), cut to the hour.

    Only "no contact" (older than 24 h at as_of) depends on it; cutting it to the hour keeps
    cache keys stable within the hour instead of changing at every rerun.
    """
    return datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)


def set_current_view(view: View) -> None:
    """Store this run's view (dashboard/app.py calls it before running the page)."""
    st.session_state[_SESSION_KEY] = view


def current_view() -> View:
    """This run's view; pages call it first."""
    view = st.session_state.get(_SESSION_KEY)
    if not isinstance(view, View):
        raise RuntimeError("No view: run the page through dashboard/app.py, the entrypoint.")
    return view
