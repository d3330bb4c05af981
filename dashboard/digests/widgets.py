"""The Streamlit side: "E-mail me this view" in the sidebar of every data page, and the
Subscriptions section (own subscriptions and alert rules with pause and delete; admins see all).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import streamlit as st
from sqlalchemy import Engine

from common import settings
from common.errors import LeadlineError
from dashboard.access.viewer import Viewer
from dashboard.access.watch import load_access_file
from dashboard.digests.alert_kinds import ALERT_KINDS
from dashboard.digests.alerts import threshold_text
from dashboard.digests.schedule import FREQUENCIES, WEEKDAYS, WINDOWS
from dashboard.digests.specs import DIGEST_SPECS
from dashboard.digests.subscribe import create_alert_rule, create_subscription, may_manage, visible_to
from dashboard.filters.url_state import COMPARE_KEY, COMPARISONS, FILTER_KEYS, FILTER_NAMES
from loaders.appdb import store
from loaders.appdb.schema import open_app_db
from loaders.appdb.store import AlertRule, Subscription

# The sidebar's quick pick -> the relative window a subscription keeps.
PICK_TO_WINDOW = {"7d": "7d", "30d": "30d"}


@st.cache_resource(show_spinner=False)
def _app_db(url: str) -> Engine:
    return open_app_db(url)


def app_db() -> Engine:
    """The application database of the setting ``app_db_url``, created or migrated on first use."""
    return _app_db(str(settings.get("app_db_url")))


def actor_email(viewer: Viewer) -> str | None:
    """The signed-in user's e-mail (None in demo mode)."""
    if viewer.demo_mode or not st.user.get("is_logged_in"):
        return None
    return load_access_file().identity(st.user.to_dict()).email


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def render_subscribe(viewer: Viewer, page: str, params: Mapping[str, Sequence[str]], pick: str) -> None:
    """The "E-mail me this view" popover on a data page (dashboard/app.py puts it in the sidebar)."""
    if page not in DIGEST_SPECS:
        return
    with st.popover("E-mail me this view", icon=":material/forward_to_inbox:", width="stretch"):
        email = actor_email(viewer)
        if email is None:
            st.caption("E-mail digests need sign-in: they only go to addresses the access file grants.")
            return
        with st.form("subscribe-form", border=False):
            st.caption("This page and its filters, sent as a digest within the recipient's access.")
            recipient = st.text_input("Send to", value=email) if viewer.is_admin else email
            windows = list(WINDOWS)
            window = st.selectbox(
                "Period",
                windows,
                index=windows.index(PICK_TO_WINDOW.get(pick, "last_week")),
                format_func=WINDOWS.__getitem__,
            )
            frequency = st.selectbox("How often", list(FREQUENCIES), format_func=FREQUENCIES.__getitem__)
            weekday = st.selectbox("Day", range(7), format_func=WEEKDAYS.__getitem__)
            hour = st.selectbox("Hour", range(24), index=7, format_func=lambda h: f"{h:02d}:00")
            tz = st.text_input("Time zone", value=st.context.timezone or "UTC")
            if st.form_submit_button("Subscribe", icon=":material/check:"):
                try:
                    create_subscription(
                        app_db(),
                        viewer,
                        email,
                        recipient=str(recipient),
                        page=page,
                        params=params,
                        window=str(window),
                        frequency=str(frequency),
                        weekday=int(weekday),
                        hour=int(hour),
                        tz=tz.strip(),
                        now=_now(),
                    )
                except LeadlineError as exc:
                    st.error(exc.describe())
                else:
                    done = f"Subscribed {recipient}. Manage it under Subscriptions."
                    st.success(done)
                    st.toast(done, icon=":material/forward_to_inbox:")  # seen also when the popover closes


def _filters_text(params: Mapping[str, Sequence[str]]) -> str:
    names = {key: FILTER_NAMES[dim] for dim, key in FILTER_KEYS.items()}
    parts = [f"{names[k]}: {', '.join(v)}" for k, v in params.items() if k in names]
    compare = list(params.get(COMPARE_KEY, ()))
    if compare and compare[0] in COMPARISONS:
        parts.append(f"compared with: {COMPARISONS[compare[0]].lower()}")
    return "; ".join(parts) or "no filters"


def render_subscriptions_page(viewer: Viewer) -> None:
    """The Subscriptions section: digests and alert rules the viewer may manage, and a new-rule form."""
    email = actor_email(viewer)
    db = app_db()
    if email is None and not viewer.demo_mode:
        st.info("Sign in to manage subscriptions.")
        return
    if viewer.demo_mode:
        st.info(
            "Digests and alerts go only to addresses the access file grants, so they need sign-in "
            "(docs/access.md). Subscriptions already stored are listed below."
        )
    st.caption(
        "Admins see every subscription; everyone else their own."
        if viewer.is_admin
        else "Your digests and alerts. Subscribe to a view with *E-mail me this view* in the sidebar of a page."
    )
    st.subheader("Digests")
    subscriptions = visible_to(viewer, email, store.list_subscriptions(db))
    if not subscriptions:
        st.caption("No digests yet.")
    for sub in subscriptions:
        with st.container(border=True):
            when = (
                f"{FREQUENCIES[sub.frequency].split()[0]}, {WEEKDAYS[sub.weekday]} {sub.hour:02d}:00 {sub.tz}"
            )
            st.markdown(
                f"**{DIGEST_SPECS[sub.page].title if sub.page in DIGEST_SPECS else sub.page}** to "
                f"{sub.email} · {WINDOWS.get(sub.window, sub.window)} · {when}"
                + (" · :orange[paused]" if sub.paused else "")
            )
            st.caption(_filters_text(sub.params))
            _manage_buttons(viewer, email, sub, "subscriptions", sub.paused, db)
    st.subheader("Alerts")
    rules = visible_to(viewer, email, store.list_alert_rules(db))
    if not rules:
        st.caption("No alert rules yet.")
    for rule in rules:
        kind = ALERT_KINDS.get(rule.kind)
        with st.container(border=True):
            title = kind.label if kind else rule.kind
            detail = f"{kind.comparison} {threshold_text(kind, rule.threshold)}" if kind else ""
            st.markdown(
                f"**{title}** {detail}, last {rule.window_days} days, to {rule.email}"
                + (" · :orange[paused]" if rule.paused else "")
            )
            st.caption(_filters_text(rule.params))
            _manage_buttons(viewer, email, rule, "alert_rules", rule.paused, db)
    if email is not None:
        _alert_form(viewer, email, db)


def _manage_buttons(
    viewer: Viewer, email: str | None, item: Subscription | AlertRule, table: str, paused: bool, db: Engine
) -> None:
    if not may_manage(viewer, email, item):
        return
    item_id = item.id
    left, right, _ = st.columns([1, 1, 4])
    if left.button("Resume" if paused else "Pause", key=f"pause-{table}-{item_id}"):
        store.set_paused(db, table, item_id, not paused)
        st.rerun()
    if right.button("Delete", key=f"delete-{table}-{item_id}"):
        (store.delete_subscription if table == "subscriptions" else store.delete_alert_rule)(db, item_id)
        st.rerun()


def _alert_form(viewer: Viewer, email: str, db: Engine) -> None:
    offered = {key: kind for key, kind in ALERT_KINDS.items() if kind.available}
    with (
        st.expander("New alert rule", icon=":material/notification_add:"),
        st.form("alert-form", border=False),
    ):
        key = st.selectbox("When", list(offered), format_func=lambda k: offered[k].label)
        kind = offered[str(key)]
        st.caption(kind.meaning)
        threshold = st.number_input(
            "Threshold", value=float(kind.default_threshold), help=kind.threshold_help
        )
        window_days = st.number_input(
            "Over the last days", min_value=1, max_value=366, value=kind.default_window_days
        )
        recipient = st.text_input("Send to", value=email) if viewer.is_admin else email
        if st.form_submit_button("Add rule", icon=":material/check:"):
            try:
                create_alert_rule(
                    db,
                    viewer,
                    email,
                    recipient=str(recipient),
                    kind=str(key),
                    threshold=float(threshold),
                    window_days=int(window_days),
                    params={},
                    now=_now(),
                )
            except LeadlineError as exc:
                st.error(exc.describe())
            else:
                st.rerun()
