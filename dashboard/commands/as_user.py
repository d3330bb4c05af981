"""The command line on a user's behalf: the scope the access file gives an e-mail (``--as-user``)."""

from __future__ import annotations

from common.errors import FilterError, LeadlineError
from dashboard.access.watch import access_of_user
from loaders.request.access_scope import AccessScope
from loaders.request.query import Scope


class NoAccess(LeadlineError):
    """The access file gives the user the command acts for no access at all."""


def user_is_admin(email: str | None, idp_groups: tuple[str, ...] = ()) -> bool:
    """True without ``email`` (the warehouse owner) and for users with an admin grant."""
    if email is None:
        return True
    access, _ = access_of_user(email, idp_groups)
    return access.is_admin


def scope_of_user(email: str | None, idp_groups: tuple[str, ...] = ()) -> Scope | AccessScope:
    """Everything without ``email`` (the warehouse owner runs the CLI); else that user's access.

    The union of every grant the user matches, as on the dashboard's Overview. Groups are
    only known at sign-in, so they are given with ``--as-group``. NoAccess when the file
    names the user nowhere: an empty table would look like "no leads".
    """
    if email is None:
        if idp_groups:
            raise FilterError("--as-group needs --as-user.", "Give the user's e-mail with --as-user EMAIL.")
        return Scope.everything()
    access, access_file = access_of_user(email, idp_groups)
    if not access.has_access:
        raise NoAccess(
            f"The access file {access_file.path} gives {email} no access (deny by default).",
            f"Add a [[grant]] that matches them (see docs/access.md), or ask {access_file.contact}.",
        )
    return access.scope
