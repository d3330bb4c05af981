"""A viewer's access as a union of grants, each grant a ``Scope``.

One ``Scope`` limits each field independently (brands AND markets AND dealers), so it
cannot say "brand A in Italy, and brand B everywhere": that is not brands {A, B} in
markets {IT}. A user who matches several entries of the access file gets the union of
their entries, exactly, by keeping one grant per entry and OR-ing their predicates.

``LeadQuery.scope`` accepts either a ``Scope`` or an ``AccessScope``; the predicate in
``loaders.facts.lead_facts.scope_predicate`` handles both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """The part of the network a viewer may see. ``None`` on a field means 'no limit on it'.

    A viewer sees a lead only if it passes every limited field. An empty tuple means
    'nothing': a user with an empty scope sees no data at all.
    """

    brands: tuple[str, ...] | None = None
    markets: tuple[str, ...] | None = None
    dealer_group_ids: tuple[str, ...] | None = None
    dealer_ids: tuple[str, ...] | None = None

    @classmethod
    def everything(cls) -> Scope:
        """The scope of an admin, of demo mode, and of the CLI run by the warehouse owner."""
        return cls()

    @property
    def is_everything(self) -> bool:
        """True when nothing is limited."""
        return all(v is None for v in (self.brands, self.markets, self.dealer_group_ids, self.dealer_ids))


def _normalised(scope: Scope) -> Scope:
    """The same grant with each limited field sorted and without repeats (a stable cache key)."""

    def tidy(values: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if values is None else tuple(sorted(set(values)))

    return Scope(
        brands=tidy(scope.brands),
        markets=tidy(scope.markets),
        dealer_group_ids=tidy(scope.dealer_group_ids),
        dealer_ids=tidy(scope.dealer_ids),
    )


def grants_nothing(scope: Scope) -> bool:
    """True when no lead can pass ``scope``: an empty brand or market list, or no dealer at all."""
    if scope.brands == () or scope.markets == ():
        return True
    dealer_limited = scope.dealer_group_ids is not None or scope.dealer_ids is not None
    return dealer_limited and not scope.dealer_group_ids and not scope.dealer_ids


def _sort_key(scope: Scope) -> tuple[tuple[int, tuple[str, ...]], ...]:
    # None sorts before any tuple so that the order is total and stable.
    fields = (scope.brands, scope.markets, scope.dealer_group_ids, scope.dealer_ids)
    return tuple((0, ()) if f is None else (1, f) for f in fields)


@dataclass(frozen=True)
class AccessScope:
    """The leads a viewer may see: those that pass at least one grant.

    No grants means nothing at all (deny by default). Build it with ``AccessScope.of``,
    which drops grants that grant nothing, removes repeats and sorts, so that equal
    access always gives an equal, hashable cache key.
    """

    grants: tuple[Scope, ...] = ()

    @classmethod
    def of(cls, grants: Iterable[Scope]) -> AccessScope:
        """The union of ``grants``, in canonical form; an unlimited grant absorbs the rest."""
        kept = {_normalised(g) for g in grants if not grants_nothing(g)}
        if any(g.is_everything for g in kept):
            return cls.everything()
        return cls(tuple(sorted(kept, key=_sort_key)))

    @classmethod
    def everything(cls) -> AccessScope:
        """Access to the whole network (admin, demo mode)."""
        return cls((Scope.everything(),))

    @classmethod
    def nothing(cls) -> AccessScope:
        """No access at all: the scope of a signed-in user the access file does not name."""
        return cls(())

    @classmethod
    def from_scope(cls, scope: Scope | AccessScope) -> AccessScope:
        """``scope`` itself if it is an AccessScope, else the union of that one grant."""
        return scope if isinstance(scope, AccessScope) else cls.of((scope,))

    @property
    def is_everything(self) -> bool:
        """True when some grant limits nothing."""
        return any(g.is_everything for g in self.grants)

    @property
    def is_nothing(self) -> bool:
        """True when no grant lets any lead through."""
        return all(grants_nothing(g) for g in self.grants)

    def describe(self) -> str:
        """The access in words, for the sidebar and the CLI: 'brand A in IT; or brand B'."""
        if self.is_everything:
            return "the whole network"
        if not self.grants:
            return "nothing"
        return "; or ".join(describe_scope(g) for g in self.grants)


def describe_scope(scope: Scope) -> str:
    """One grant in words: 'brands A, B in markets IT; dealer groups G1 or dealers D7'."""
    if scope.is_everything:
        return "the whole network"
    parts: list[str] = []
    if scope.brands is not None:
        parts.append(f"brands {', '.join(scope.brands) or '(none)'}")
    if scope.markets is not None:
        parts.append(f"in markets {', '.join(scope.markets) or '(none)'}")
    dealers: list[str] = []
    if scope.dealer_group_ids:
        dealers.append(f"dealer groups {', '.join(scope.dealer_group_ids)}")
    if scope.dealer_ids:
        dealers.append(f"dealers {', '.join(scope.dealer_ids)}")
    if scope.dealer_group_ids is not None or scope.dealer_ids is not None:
        parts.append(" or ".join(dealers) or "no dealer")
    return " ".join(parts)
