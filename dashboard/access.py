"""Who is viewing, and what may they see: the one place the dashboard asks.

Every page and the sidebar take the viewer from ``current_viewer()``; nothing else
decides scope or page access. Until sign-in is configured Leadline runs in demo mode:
the server binds to localhost only (``leadline serve``), a banner says so, and the
viewer sees everything. Sign-in replaces the body of ``current_viewer`` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.access_scope import AccessScope
from loaders.query import Scope

# Every page's url_path, in navigation order (dashboard/app.py builds the pages from it).
ALL_PAGES: tuple[str, ...] = (
    "overview",
    "follow-up",
    "delivery",
    "close-reasons",
    "campaigns",
    "definitions",
)


@dataclass(frozen=True)
class Viewer:
    """A person looking at the dashboard.

    ``scope`` limits the leads every query counts; ``pages`` holds the url_paths of the
    pages they may open; ``label`` is what the sidebar shows; ``demo_mode`` is True
    when no sign-in is configured.
    """

    role: str
    scope: Scope | AccessScope
    label: str
    pages: tuple[str, ...] = ALL_PAGES
    demo_mode: bool = False

    def may_open(self, page: str) -> bool:
        """True when the viewer may open the page with url_path ``page``."""
        return page in self.pages


DEMO_VIEWER = Viewer(
    role="demo",
    scope=Scope.everything(),
    label="Demo mode, no sign-in",
    pages=ALL_PAGES,
    demo_mode=True,
)


def current_viewer() -> Viewer:
    """The viewer of this session. Without sign-in: the demo viewer, who sees everything."""
    return DEMO_VIEWER


def sign_in_configured() -> bool:
    """True when sign-in is set up; until then Leadline serves in demo mode on localhost only."""
    return False
