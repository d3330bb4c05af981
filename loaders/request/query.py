"""A validated request for numbers: period, filters, grouping, as-of time and scope.

Pages build it from the URL, the CLI from its arguments; loaders turn it into SQL.
It is frozen and hashable so that it can be a cache key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from common.errors import FilterError
from loaders.request.access_scope import AccessScope, Scope

# Dimensions a request may group or filter by. ``actor_key`` is deliberately absent.
LEAD_DIMENSIONS = (
    "brand",
    "market",
    "dealer_group_id",
    "dealer_id",
    "campaign_id",
    "channel",
    "source",
    "lead_type",
    "phone_status",
    "email_status",
    "preferred_channel",
)
TIME_DIMENSIONS = ("week", "month")
# The dimensions the dashboard offers as sidebar filters (the contact-data ones are groupings only).
SIDEBAR_DIMENSIONS = LEAD_DIMENSIONS[:8]
DIMENSIONS = LEAD_DIMENSIONS + TIME_DIMENSIONS


@dataclass(frozen=True)
class LeadQuery:
    """Which leads to count and how to group them.

    ``filters`` holds (dimension, allowed values) pairs, sorted; a lead must match all.
    ``scope`` is one ``Scope`` or, for a viewer with several grants, an ``AccessScope``
    (their union); either is hashable, so the query stays a cache key.
    """

    start: date
    end: date
    as_of: datetime
    group_by: tuple[str, ...] = ()
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    scope: Scope | AccessScope = field(default_factory=Scope.everything)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise FilterError(
                f"The period ends ({self.end}) before it starts ({self.start}).",
                "Give an end date on or after the start date.",
            )
        for dim in self.group_by:
            check_dimension(dim)
        if len(set(self.group_by)) != len(self.group_by):
            raise FilterError(
                f"A dimension is repeated in the grouping {list(self.group_by)}.", "Name it once."
            )
        for dim, values in self.filters:
            if dim not in LEAD_DIMENSIONS:
                raise FilterError(
                    f"Cannot filter by {dim!r}.", f"Filter by one of: {', '.join(LEAD_DIMENSIONS)}."
                )
            if not values:
                raise FilterError(f"The filter on {dim!r} has no values.", f"Give e.g. {dim}=VALUE.")

    @staticmethod
    def make_filters(
        pairs: dict[str, list[str] | tuple[str, ...]],
    ) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """A canonical, hashable filters tuple from a mapping of dimension to values."""
        return tuple(sorted((dim, tuple(sorted(set(vals)))) for dim, vals in pairs.items() if vals))

    def filter_values(self, dim: str) -> tuple[str, ...] | None:
        """The values the filter on ``dim`` allows, or None when it is not filtered."""
        return dict(self.filters).get(dim)


def check_dimension(dim: str) -> str:
    """``dim`` itself if Leadline can group by it; otherwise a FilterError with the choices."""
    if dim not in DIMENSIONS:
        close = [d for d in DIMENSIONS if dim.lower().replace("-", "_") in d or d in dim.lower()]
        suggestion = f" Did you mean {close[0]!r}?" if close else ""
        raise FilterError(
            f"Cannot group by {dim!r}.{suggestion}", f"Group by one of: {', '.join(DIMENSIONS)}."
        )
    return dim
