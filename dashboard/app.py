"""The dashboard's entrypoint and router: viewer, sidebar filters, then the chosen page.

Run it through ``leadline serve`` (which applies streamlit_config.toml). Each run:
who is viewing (dashboard/access/viewer.py), which pages they may open, the filters from the
URL and the sidebar (dashboard/filters/sidebar.py), the View pages read (dashboard/filters/view.py),
and finally the page itself, one file each in pages/.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

# Imported whole before any page runs: plotly looks numpy and pandas up in sys.modules lazily,
# and two sessions starting at once could otherwise get a half-imported module (seen under load).
import numpy  # noqa: F401
import pandas  # noqa: F401
import streamlit as st

from common import settings
from common.errors import LeadlineError
from dashboard.access.viewer import Viewer, current_viewer
from dashboard.data.choices import load_choices
from dashboard.data.last_good import take_stale
from dashboard.data.period_guard import guarded_view
from dashboard.data.profile import current_profile
from dashboard.digests.widgets import render_subscribe
from dashboard.filters.sidebar import (
    dropped_notices,
    moved_default_notice,
    read_query_params,
    remove_other_page_keys,
    render_copy_link,
    render_sidebar,
    unfiltered_state,
)
from dashboard.filters.url_state import Choices
from dashboard.filters.view import View, as_of_now, set_current_view
from dashboard.navigation import (
    OFFLINE_PAGES,
    PAGE_KEYS,
    PAGE_SPECS,
    UNFILTERED_PAGES,
    first_page,
    navigation_pages,
)
from dashboard.ui.layout import PAGE_ICON, inject_layout
from dashboard.ui.page import show_error, show_stale_notice
from loaders.facts.state import one_check_per_read


def main() -> None:
    """One run of the app: one read of the warehouse. The sidebar's choices and the page's tables
    share one look at ``leads`` for the consent check (``one_check_per_read``); the next run looks
    again (docs/privacy.md section 1)."""
    with one_check_per_read():
        _run()


def _run() -> None:
    st.set_page_config(page_title="Leadline", page_icon=str(PAGE_ICON), layout="wide")
    inject_layout()
    viewer = current_viewer()
    sections = navigation_pages(viewer)
    page = st.navigation(sections, position="sidebar")
    if page.url_path == "":
        first = first_page(sections)
        if first is None:
            st.error("You may not open any page of this dashboard. Ask your administrator for access.")
            return
        st.switch_page(first, query_params=read_query_params())
    # Only the grants whose role may open this page count on it (docs/access.md).
    viewer = viewer.for_page(page.url_path)
    if not viewer.demo_mode:
        st.sidebar.button("Sign out", key="sign-out", icon=":material/logout:", on_click=st.logout)
    if viewer.demo_mode:
        st.warning(
            "**Demo mode, no sign-in.** Everyone who can open this address sees all data; "
            "Leadline therefore only listens on this computer (127.0.0.1).",
            icon=":material/visibility:",
        )
    try:
        min_group_size = int(settings.get("min_group_size"))
        choices = load_choices(viewer.scope)
    except LeadlineError as exc:
        if page.url_path in OFFLINE_PAGES:
            set_current_view(_offline_view(viewer))
            page.run()
            return
        show_error(exc, key="retry-app", admin=viewer.is_admin)
        return
    today = datetime.now(UTC).date()
    current_keys = next((s.url_keys for s in PAGE_SPECS if s.url_path == page.url_path), ())
    remove_other_page_keys(PAGE_KEYS, current_keys)
    if page.url_path in UNFILTERED_PAGES:  # filters would change nothing here: not drawn
        state, dropped = unfiltered_state(choices, today, PAGE_KEYS)
        dropped = list(dict.fromkeys([*dropped_notices(), *dropped]))  # the link's notice follows the user
        st.sidebar.caption("Period and filters apply to the dashboard pages; this page does not use them.")
    else:
        profile = current_profile()
        state = render_sidebar(choices, today, PAGE_KEYS, (profile.first_day, profile.last_day))
        moved = moved_default_notice()
        if moved:
            st.info(moved, icon=":material/event_busy:")
        dropped = dropped_notices()
    if dropped:
        lines = "\n".join(f"- {d.describe()}" for d in dropped)
        st.warning(f"Some values in the link could not be used and were left out:\n{lines}")
    st.sidebar.caption(f"Viewing as: {viewer.label}")
    view = View(viewer, state, choices, as_of_now(), min_group_size)
    if not viewer.is_admin:
        try:
            view = guarded_view_with_caption(view)
        except LeadlineError as exc:
            show_error(exc, key="retry-period")
            return
    set_current_view(view)
    stale_slot = st.empty()  # above the page: filled when the warehouse failed during this run
    subscribe_slot = st.sidebar.empty()  # filled after the page ran (also after its st.stop())
    try:
        page.run()
    finally:  # also after a page's st.stop(): the link is built from the URL the page left
        render_copy_link()
        render_stale_notice(stale_slot)
        with subscribe_slot.container():  # "E-mail me this view" on every data page
            try:
                render_subscribe(viewer, page.url_path, read_query_params(), state.quick_pick(today))
            except LeadlineError as exc:
                st.caption(f":orange[E-mail digests are unavailable: {exc.message}]")


def guarded_view_with_caption(view: View) -> View:
    """The view of a viewer who is not an administrator (dashboard/data/period_guard.py), and the
    sidebar says when its period was widened."""
    guarded = guarded_view(view)
    start, end = guarded.state.start, guarded.state.end
    if (start, end) != (view.state.start, view.state.end):
        st.sidebar.caption(
            f"Showing {start:%-d %b %Y} to {end:%-d %b %Y}: for your role, periods are whole weeks, "
            f"joined until each holds at least {view.min_group_size} leads, so that no single lead can be "
            "read off by comparing two periods."
        )
    return guarded


def render_stale_notice(slot: Any) -> None:
    """When this run showed earlier results because the warehouse failed, say so above the page."""
    notice = take_stale()
    if notice is not None:
        with slot.container():
            show_stale_notice(notice)


def _offline_view(viewer: Viewer) -> View:
    from dashboard.filters.url_state import default_state

    today = datetime.now(UTC).date()
    return View(viewer, default_state(today), Choices(), as_of_now(), 5)


main()
