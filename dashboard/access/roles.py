"""Roles, what each may open and export, and a signed-in user's access as role-tagged grants.

A user may match several entries of the access file. Each entry becomes a ``Grant``: a
role and a scope. A page shows the union of the scopes of those grants whose role may
open it, so matching a dealer-group entry next to a brand entry never shows the dealer
group's numbers on a page dealer principals may not open: the union, never more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from loaders.request.access_scope import AccessScope, describe_scope
from loaders.request.query import Scope


class Role(StrEnum):
    """What a user is to Leadline; the access file names one per entry."""

    BRAND = "brand"
    DEALER_GROUP = "dealer_group"
    ANALYST = "analyst"
    ADMIN = "admin"


ROLE_HELP: dict[Role, str] = {
    Role.BRAND: "Brand marketing teams: one or more brands, optionally limited to markets; every page.",
    Role.DEALER_GROUP: (
        "Dealer principals: one or more dealer groups or single dealers; every page but Campaigns & ROI; "
        "they see the network median of the other dealers of the same brands next to their numbers."
    ),
    Role.ANALYST: "Analysts: a set of brands; every page, every export.",
    Role.ADMIN: "Administrators: the whole network, every page and export, and the settings view.",
}

# Broadest first: the role named in the sidebar when a user holds several.
ROLE_ORDER = (Role.ADMIN, Role.ANALYST, Role.BRAND, Role.DEALER_GROUP)

# Pages only some roles may open, by the url path of the page. A page not listed is open to
# every role; its numbers are limited to the viewer's scope all the same.
RESTRICTED_PAGES: dict[str, frozenset[Role]] = {
    "campaigns": frozenset({Role.BRAND, Role.ANALYST, Role.ADMIN}),
    "settings": frozenset({Role.ADMIN}),
    "data-quality": frozenset({Role.ANALYST, Role.ADMIN}),
    "import": frozenset({Role.ADMIN}),
}

# Export kinds: "view" downloads the aggregate table a page shows; "bulk" downloads every
# metric by every dimension of the current filters in one file.
EXPORT_KINDS = ("view", "bulk")
EXPORTS: dict[Role, frozenset[str]] = {
    Role.BRAND: frozenset({"view"}),
    Role.DEALER_GROUP: frozenset({"view"}),
    Role.ANALYST: frozenset(EXPORT_KINDS),
    Role.ADMIN: frozenset(EXPORT_KINDS),
}


def role_may_open(role: Role, page: str) -> bool:
    """True when ``role`` may open the page whose url path is ``page``."""
    allowed = RESTRICTED_PAGES.get(page)
    return allowed is None or role in allowed


@dataclass(frozen=True)
class Grant:
    """One matched entry of the access file: a role over a scope, and where it came from."""

    role: Role
    scope: Scope
    source: str = ""

    def describe(self) -> str:
        """'brand: brands A in markets IT'."""
        return f"{self.role.value}: {describe_scope(self.scope)}"


@dataclass(frozen=True)
class UserAccess:
    """Everything a user may see and do, from the grants the access file gives them."""

    grants: tuple[Grant, ...] = ()

    @classmethod
    def everything(cls, source: str = "demo mode") -> UserAccess:
        """Full access: demo mode, and the CLI run by the warehouse owner."""
        return cls((Grant(Role.ADMIN, Scope.everything(), source),))

    @classmethod
    def of(cls, grants: Iterable[Grant]) -> UserAccess:
        """The access of several grants, repeats removed, in a stable order."""
        unique = dict.fromkeys(grants)
        return cls(tuple(sorted(unique, key=lambda g: (ROLE_ORDER.index(g.role), g.source, repr(g.scope)))))

    @property
    def has_access(self) -> bool:
        """False for a user no entry matches (deny by default), or whose entries grant nothing."""
        return not self.scope.is_nothing

    @property
    def roles(self) -> frozenset[Role]:
        """Every role some grant gives."""
        return frozenset(g.role for g in self.grants)

    @property
    def role(self) -> Role | None:
        """The broadest role held, to name in the sidebar; None without any grant."""
        return next((r for r in ROLE_ORDER if r in self.roles), None)

    @property
    def scope(self) -> AccessScope:
        """The union of every grant's scope: what the user may see somewhere."""
        return AccessScope.of(g.scope for g in self.grants)

    def may_open(self, page: str) -> bool:
        """True when some grant's role may open ``page`` and that page would show something."""
        return not self.scope_for_page(page).is_nothing

    def scope_for_page(self, page: str) -> AccessScope:
        """The union of the scopes of the grants whose role may open ``page``."""
        return AccessScope.of(g.scope for g in self.grants if role_may_open(g.role, page))

    def may_export(self, kind: str) -> bool:
        """True when some grant's role may use export ``kind`` (see ``EXPORT_KINDS``)."""
        return any(kind in EXPORTS[g.role] for g in self.grants)

    def scope_for_export(self, kind: str) -> AccessScope:
        """The union of the scopes of the grants whose role may use export ``kind``."""
        return AccessScope.of(g.scope for g in self.grants if kind in EXPORTS[g.role])

    @property
    def is_admin(self) -> bool:
        """True when some grant is an admin grant: the settings view is open."""
        return Role.ADMIN in self.roles

    @property
    def dealer_scope(self) -> AccessScope:
        """The union of the dealer-group grants: the dealers compared with the network median."""
        return AccessScope.of(g.scope for g in self.grants if g.role is Role.DEALER_GROUP)

    def describe(self) -> str:
        """The grants in words, one per line."""
        return "\n".join(g.describe() for g in self.grants) or "no access"
