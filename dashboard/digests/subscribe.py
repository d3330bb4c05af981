"""Creating and managing subscriptions and alert rules, with the rules of who may do what.

Anyone signed in may subscribe themselves to a page they may open; only an admin may subscribe
somebody else, and only to an address the access file grants that page. Owners and admins may
pause or delete. The stored link keeps filters and page options, never dates: the window is
relative ("last 7 days") and turned into dates at each send.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Engine

from common.errors import LeadlineError
from dashboard.access.viewer import Viewer
from dashboard.digests.alert_kinds import ALERT_KINDS
from dashboard.digests.recipients import normalise, viewer_for
from dashboard.digests.schedule import FREQUENCIES, WINDOWS, zone
from dashboard.digests.specs import DIGEST_SPECS
from dashboard.filters.url_state import COMPARE_KEY, FILTER_KEYS
from loaders.appdb import store
from loaders.appdb.store import AlertRule, Subscription

T = TypeVar("T", Subscription, AlertRule)


class NotAllowed(LeadlineError):
    """The person asking may not create or change this subscription or rule."""


def _check_recipient(actor: Viewer, actor_email: str | None, recipient: str, page: str) -> str:
    address = normalise(recipient)
    if address != normalise(actor_email or "") and not actor.is_admin:
        raise NotAllowed(
            "Only an admin may subscribe somebody else.", "Subscribe yourself, or ask your Leadline admin."
        )
    viewer_for(address, page)  # NotGranted unless the access file lets them open the page now
    return address


def link_params(page: str, params: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The parts of a link a subscription keeps: filters, comparison, the page's own options."""
    keep = {*FILTER_KEYS.values(), COMPARE_KEY, *DIGEST_SPECS[page].page_keys}
    return {k: [str(v) for v in vs] for k, vs in params.items() if k in keep and vs}


def create_subscription(
    app_db: Engine,
    actor: Viewer,
    actor_email: str | None,
    *,
    recipient: str,
    page: str,
    params: Mapping[str, Sequence[str]],
    window: str,
    frequency: str,
    weekday: int,
    hour: int,
    tz: str,
    now: datetime,
) -> int:
    """Store a subscription after checking who asks, for whom, and every field; returns its id."""
    if page not in DIGEST_SPECS:
        raise NotAllowed(
            f"The page {page!r} has no digest.", f"Subscribe to one of: {', '.join(DIGEST_SPECS)}."
        )
    if window not in WINDOWS or frequency not in FREQUENCIES or not (0 <= weekday <= 6 and 0 <= hour <= 23):
        raise NotAllowed(
            "The schedule is not one Leadline offers.",
            "Pick window, frequency, weekday and hour from the lists.",
        )
    zone(tz)
    address = _check_recipient(actor, actor_email, recipient, page)
    return store.add_subscription(
        app_db,
        email=address,
        created_by=normalise(actor_email or "demo"),
        page=page,
        params=link_params(page, params),
        window=window,
        frequency=frequency,
        weekday=weekday,
        hour=hour,
        tz=tz,
        created_at=now,
    )


def create_alert_rule(
    app_db: Engine,
    actor: Viewer,
    actor_email: str | None,
    *,
    recipient: str,
    kind: str,
    threshold: float,
    window_days: int,
    params: Mapping[str, Sequence[str]],
    now: datetime,
) -> int:
    """Store an alert rule after the same checks as a subscription; returns its id."""
    spec = ALERT_KINDS.get(kind)
    if spec is None or not spec.available:
        offered = ", ".join(k for k, v in ALERT_KINDS.items() if v.available)
        raise NotAllowed(f"There is no alert kind {kind!r} to set.", f"Use one of: {offered}.")
    if not 1 <= window_days <= 366:
        raise NotAllowed(f"A window of {window_days} days is not offered.", "Give 1 to 366 days.")
    address = _check_recipient(actor, actor_email, recipient, spec.page)
    filters = {k: [str(v) for v in vs] for k, vs in params.items() if k in FILTER_KEYS.values() and vs}
    return store.add_alert_rule(
        app_db,
        email=address,
        created_by=normalise(actor_email or "demo"),
        kind=kind,
        threshold=float(threshold),
        window_days=window_days,
        params=filters,
        created_at=now,
    )


def may_manage(actor: Viewer, actor_email: str | None, item: Subscription | AlertRule) -> bool:
    """True when ``actor`` may pause or delete ``item``: its recipient, or an admin."""
    return actor.is_admin or (actor_email is not None and normalise(actor_email) == item.email)


def visible_to(actor: Viewer, actor_email: str | None, items: Sequence[T]) -> list[T]:
    """The items the Subscriptions section lists for ``actor``: their own; every one for admins."""
    return [item for item in items if may_manage(actor, actor_email, item)]
