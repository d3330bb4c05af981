"""A minimal app that proves the OIDC harness: st.login against the test provider, st.user, st.logout."""

from __future__ import annotations

import streamlit as st

if not st.user.is_logged_in:
    st.title("Sign in to the probe")
    st.button("Sign in", on_click=st.login)
else:
    st.write(f"signed in as {st.user.email}")
    st.write(f"groups: {', '.join(st.user.get('groups') or [])}")
    st.button("Sign out", on_click=st.logout)
