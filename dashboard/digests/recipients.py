"""Who may receive what, decided at send time from the access file as it is then.

A recipient is matched by e-mail address and its domain only: groups from the identity
provider are known at sign-in, not when cron runs, so a grant by ``idp_groups`` alone does not
reach an inbox. Someone the file no longer names, or whose grants no longer open the page,
gets nothing. Without an access file (demo mode) nobody is granted, so nothing is sent.
"""

from __future__ import annotations

from common.errors import LeadlineError
from dashboard.access.access_file import Identity
from dashboard.access.roles import UserAccess
from dashboard.access.viewer import Viewer, viewer_of
from dashboard.access.watch import load_access_file


class NotGranted(LeadlineError):
    """The access file does not let this address see the view (any more)."""


def normalise(email: str) -> str:
    """An address as the access file compares it: trimmed, lower case."""
    return email.strip().lower()


def access_of(email: str) -> UserAccess:
    """What the access file grants ``email`` now (address and domain entries only)."""
    identity = Identity(normalise(email), (), email_verified=True)
    return load_access_file().access_for(identity)


def viewer_for(email: str, page: str) -> Viewer:
    """The viewer ``email`` would be on ``page`` now; NotGranted when they may not open it."""
    address = normalise(email)
    if "@" not in address:
        raise NotGranted(f"{email!r} is not an e-mail address.", "Give the recipient's full address.")
    access = access_of(address)
    if not access.may_open(page):
        raise NotGranted(
            f"The access file does not let {address} open the page {page!r}.",
            "Grant them access in the access file (docs/access.md), or pick a page they may open.",
        )
    return viewer_of(access, Identity(address, (), email_verified=True)).for_page(page)
