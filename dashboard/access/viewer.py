"""Who is viewing, and what may they see: the one place the dashboard asks.

Every page and the sidebar take the viewer from ``current_viewer()``; nothing else
decides scope or page access. Without an ``[auth]`` section in the secrets Leadline runs
in demo mode: the server binds to localhost only (``leadline serve``), a banner says so,
and the viewer sees everything. With one, every run passes the sign-in gate
(dashboard/access/signin.py) and the viewer gets what the access file grants them
(dashboard/access/access_file.py, dashboard/access/roles.py); see docs/access.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from common.errors import SettingsError
from dashboard.access.access_file import Identity
from dashboard.access.auth_config import load_auth_config, read_auth_section
from dashboard.access.roles import UserAccess
from dashboard.access.signin import signed_in_access
from dashboard.access.watch import load_access_file
from loaders.request.access_scope import AccessScope
from loaders.request.query import Scope

# Every page's url_path, in navigation order (dashboard/app.py builds the pages from it).
ALL_PAGES: tuple[str, ...] = (
    "overview",
    "follow-up",
    "delivery",
    "close-reasons",
    "campaigns",
    "definitions",
    "data-quality",
    "subscriptions",
    "settings",
    "import",
)


@dataclass(frozen=True)
class Viewer:
    """A person looking at the dashboard.

    ``scope`` limits the leads every query counts; ``pages`` holds the url_paths of the
    pages they may open; ``label`` is what the sidebar shows; ``demo_mode`` is True
    when no sign-in is configured. ``access`` holds a signed-in user's role-tagged grants
    (None in demo mode), from which ``for_page`` narrows the scope to one page.
    """

    role: str
    scope: Scope | AccessScope
    label: str
    pages: tuple[str, ...] = ALL_PAGES
    demo_mode: bool = False
    access: UserAccess | None = None

    def may_open(self, page: str) -> bool:
        """True when the viewer may open the page with url_path ``page``."""
        return page in self.pages

    def for_page(self, page: str) -> Viewer:
        """This viewer on page ``page``: the union of only the grants whose role may open it."""
        if self.access is None:
            return self
        return replace(self, scope=self.access.scope_for_page(page))

    @property
    def dealer_scope(self) -> AccessScope:
        """The viewer's own dealers (dealer-group grants), compared with the network median."""
        return AccessScope.nothing() if self.access is None else self.access.dealer_scope

    @property
    def is_admin(self) -> bool:
        """True in demo mode and for admins: the settings view is open."""
        return self.demo_mode or (self.access is not None and self.access.is_admin)


DEMO_VIEWER = Viewer(
    role="demo",
    scope=Scope.everything(),
    label="Demo mode, no sign-in",
    pages=ALL_PAGES,
    demo_mode=True,
)


def current_viewer() -> Viewer:
    """The viewer of this run. Without sign-in: the demo viewer, who sees everything.

    With sign-in, a visitor who is not signed in, or whom the access file does not name,
    gets the sign-in or "no access yet" page and the run stops here: no page, no data.
    """
    try:
        auth = load_auth_config(read_auth_section())
    except SettingsError as exc:
        st.error(exc.describe())
        st.stop()
    if auth is None:
        return DEMO_VIEWER
    access, identity = signed_in_access(auth)
    return viewer_of(access, identity)


def viewer_of(access: UserAccess, identity: Identity) -> Viewer:
    """The Viewer of a signed-in user with ``access``."""
    role = access.role.value if access.role else "none"
    return Viewer(
        role=role,
        scope=access.scope,
        label=f"{identity.email or 'signed in'} ({role.replace('_', ' ')})",
        pages=tuple(page for page in ALL_PAGES if access.may_open(page)),
        access=access,
    )


def sign_in_configured() -> bool:
    """True when an ``[auth]`` section is set up; SettingsError when it, or the access file, is unusable.

    Without one Leadline serves in demo mode on localhost only. With one, ``leadline serve``
    refuses to start until the access file is valid too (later edits are read without a restart).
    """
    if load_auth_config(read_auth_section()) is None:
        return False
    load_access_file()
    return True
