"""Settings (administrators only): the settings in effect, how people sign in, and who may see what."""

from __future__ import annotations

import polars as pl
import streamlit as st

from common.errors import SettingsError
from dashboard.access.auth_config import load_auth_config, read_auth_section
from dashboard.access.watch import load_access_file
from dashboard.filters.view import current_view
from dashboard.ui.settings_view import grant_rows, settings_rows, sign_in_summary, unknown_names

view = current_view()
if not view.viewer.is_admin:  # the navigation never offers it to others; a typed URL gets nothing either
    st.stop()

st.title("Settings")
st.caption(
    "What this Leadline runs with. Secrets are never shown, only whether they are set. See docs/settings.md."
)

st.subheader("Settings in effect")
rows = settings_rows()
# What each setting does, in words, and its value first (a static table: long help texts wrap);
# the exact names one click below.
st.table(rows.select(pl.col("help").alias("What it sets"), pl.col("value").alias("In effect")))
with st.expander("Exact names, environment variables and defaults"):
    st.dataframe(rows, hide_index=True, width="stretch", key="settings-exact")

st.subheader("Sign-in")
try:
    auth = load_auth_config(read_auth_section())
    st.write(sign_in_summary(auth))
except SettingsError as exc:
    auth = None
    st.error(exc.describe())

st.subheader("Access file")
if auth is None and not view.viewer.access:
    st.caption("In demo mode everyone sees everything; the access file applies once sign-in is configured.")
try:
    access_file = load_access_file()
except SettingsError as exc:
    # In demo mode no access file is needed (everyone sees everything): a note, not a warning.
    (st.caption if view.viewer.demo_mode else st.warning)(exc.describe())
else:
    st.write(
        f"`{access_file.path}`: {len(access_file.entries)} grants; users without one are sent to "
        f"{access_file.contact}. Claims matched: `{access_file.email_claim}`, `{access_file.group_claim}`."
    )
    st.dataframe(grant_rows(access_file), hide_index=True, width="stretch")
    if view.choices.labels:  # empty when the warehouse does not answer: nothing to compare with
        for problem in unknown_names(access_file, view.choices.labels):
            st.warning(problem)
