"""What an error says to whom: details for administrators, a generic message with a reference for everyone else.

A warehouse or configuration error names the warehouse (host, database, file), and a driver's
message may quote more. Administrators need that to fix it; other signed-in users cannot act on
it and must not learn the warehouse's layout, let alone a credential. So a non-admin sees a
generic message with a short reference, an administrator sees the details with the same
reference, and the server log keeps the details (with every credential scrubbed) under that
reference (docs/privacy.md section 4).
"""

from __future__ import annotations

import logging
import secrets

from common.errors import ContractError, LeadlineError, QueryTimeout, SettingsError, WarehouseUnavailable
from loaders.warehouse.redaction import scrub

_LOG = logging.getLogger("leadline.errors")
# Errors about the warehouse or the server's configuration: their text is for administrators.
DETAILED_ERRORS = (WarehouseUnavailable, SettingsError, ContractError)


def reference_of(exc: LeadlineError) -> str:
    """A short reference for ``exc``, the same each time it is asked (it is logged once, when made)."""
    ref = getattr(exc, "reference", None)
    if isinstance(ref, str):
        return ref
    ref = f"E-{secrets.token_hex(4).upper()}"
    exc.reference = ref  # type: ignore[attr-defined]
    _LOG.warning("Error shown to a user, reference %s: %s", ref, scrub(exc.describe()))
    return ref


def error_for_viewer(exc: LeadlineError, *, admin: bool) -> LeadlineError:
    """``exc`` as the viewer may read it: unchanged for errors about their own input; for warehouse
    and configuration errors, the details plus a reference for admins, a generic text otherwise."""
    if not isinstance(exc, DETAILED_ERRORS):
        return exc
    ref = reference_of(exc)
    if admin:
        hint = f"{exc.hint} (Reference {ref} in the server log.)" if exc.hint else f"Reference {ref}."
        return type(exc)(scrub(exc.message), scrub(hint))
    if isinstance(exc, QueryTimeout):
        return QueryTimeout(
            f"The data for this view took too long to load (reference {ref}).",
            "Choose a shorter period or fewer filters and press Retry. "
            "If it keeps happening, give your administrator the reference.",
        )
    return WarehouseUnavailable(
        f"The data could not be loaded right now (reference {ref}).",
        "Press Retry in a minute. If it keeps happening, give your administrator the reference: "
        "the server log has the details.",
    )
