"""Subscriptions: your e-mail digests and alert rules, with pause and delete (admins: everyone's)."""

from __future__ import annotations

import streamlit as st

from common.errors import LeadlineError
from dashboard.digests.widgets import render_subscriptions_page
from dashboard.filters.view import current_view

st.title("Subscriptions")
st.caption("Weekly or monthly digests of a page, and alerts when a number crosses a line, by e-mail.")
try:
    render_subscriptions_page(current_view().viewer)
except LeadlineError as exc:
    st.error(exc.describe())
