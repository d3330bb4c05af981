"""The pages before any data: sign in, "no access yet", and "access cannot be checked".

When sign-in is configured, ``signed_in_access`` is the gate every run passes through:
a visitor who is not signed in gets the sign-in page and the run stops; a signed-in user
the access file does not name gets the "no access yet" page and the run stops. Only a
user with access comes back out, with their grants.
"""

from __future__ import annotations

import logging

import streamlit as st

from common.errors import SettingsError
from dashboard.access.access_file import DEFAULT_CONTACT, Identity
from dashboard.access.auth_config import DEFAULT_PROVIDER, AuthConfig
from dashboard.access.roles import UserAccess
from dashboard.access.watch import load_access_file

_LOG = logging.getLogger("leadline.access")
NO_ACCESS_TITLE = "No access yet"


def signed_in_access(auth: AuthConfig) -> tuple[UserAccess, Identity]:
    """The signed-in user's access and identity; otherwise draws the right page and stops the run."""
    user = st.user.to_dict()
    if not user.get("is_logged_in"):
        render_sign_in(auth)
        st.stop()
    try:
        access_file = load_access_file()
    except SettingsError as exc:
        # The details name people and groups: they go to the server log, not to the visitor.
        _LOG.error("Access cannot be checked: %s", exc.describe())
        render_access_unavailable()
        st.stop()
    identity = access_file.identity(user)
    access = access_file.access_for(identity)
    if not access.has_access:
        render_no_access(identity, access_file.contact)
        st.stop()
    return access, identity


def render_sign_in(auth: AuthConfig) -> None:
    """The only page a visitor sees before signing in: one button per identity provider."""
    st.title("Leadline")
    st.subheader("Sign in")
    st.write(
        "Leadline shows brands and dealer groups whether their sales leads are followed up. "
        "Sign in with your company account to see your part of the network."
    )
    for provider in auth.providers:
        name = "Sign in" if provider == DEFAULT_PROVIDER else f"Sign in with {auth.label(provider)}"
        args = () if provider == DEFAULT_PROVIDER else (provider,)
        st.button(name, key=f"sign-in-{provider}", type="primary", on_click=st.login, args=args)


def render_no_access(identity: Identity, contact: str) -> None:
    """The page of a signed-in user the access file does not name: who to ask, and no data."""
    st.title(NO_ACCESS_TITLE)
    who = identity.email or "this account"
    st.info(
        f"You are signed in as **{who}**, but Leadline has not been opened to you yet. "
        f"Ask {contact or DEFAULT_CONTACT} to give you access; once they have, reload this page.",
        icon=":material/lock:",
    )
    if identity.email is not None and identity.email_verified is not True:
        st.caption(
            "Your identity provider does not confirm that this e-mail address is verified, so it cannot "
            "be matched by e-mail or domain. Your administrator can tell Leadline to trust a provider "
            "that never sends the confirmation (docs/access.md)."
        )
    st.button("Sign out", key="sign-out-no-access", on_click=st.logout)


def render_access_unavailable() -> None:
    """The page when the access file is missing or invalid: fail closed, without details."""
    st.title(NO_ACCESS_TITLE)
    st.error(
        "Leadline cannot check who may see what right now, so it shows no data. "
        "Please tell your Leadline administrator; the server log names the problem.",
        icon=":material/lock:",
    )
    st.button("Sign out", key="sign-out-unavailable", on_click=st.logout)


def render_sign_out(identity: Identity, role_label: str) -> None:
    """The sidebar's 'signed in as' line and its Sign out button."""
    st.sidebar.caption(f"Signed in as {identity.email or 'you'} ({role_label})")
    st.sidebar.button("Sign out", key="sign-out", on_click=st.logout)
