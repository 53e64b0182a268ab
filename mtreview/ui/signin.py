"""Who is using the app: the local user, or a signed-in team member. Never the URL.

- A store without accounts is a local, single-user store: no password, but only while the
  server listens on a loopback address (`mtreview app` binds 127.0.0.1 by default); served
  to a network it refuses to work until accounts exist.
- A store with accounts is a team store: everyone signs in, with a password (argon2 in
  the store) or, when `.streamlit/secrets.toml` has an `[auth]` section, through the
  team's identity provider (`st.login`, OIDC; the account must exist). The session token
  lives only in this browser session's server-side state; a `?reviewer=` in the URL is
  dropped and changes nothing.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from mtreview.errors import MTReviewError
from mtreview.hosts import is_loopback
from mtreview.settings import Settings
from mtreview.store import ROLES, AuthError, ReviewStore
from mtreview.store.throttle import SignInThrottled, client_address
from mtreview.ui.view_model import md_escape

TOKEN = "session_token"


@dataclasses.dataclass(frozen=True)
class Identity:
    """The person acting: their name goes with every stored action. On a team store the
    name is the session's `Principal` (a `str` carrying its proof), which every store call
    re-checks; on a local store, the plain name."""

    name: str
    role: str
    local: bool  # the single user of a local store (no accounts)

    def can(self, permission: str) -> bool:
        return permission in ROLES.get(self.role, frozenset())


def current_identity(store: ReviewStore, settings: Settings) -> Identity | None:
    """The identity for this run, or None after drawing what is needed to get one."""
    if "reviewer" in st.query_params:  # old links carried the name: it means nothing now
        del st.query_params["reviewer"]
    if store.has_accounts():
        return _team_member(store, settings)
    address = st.get_option("server.address")
    if not is_loopback(address):
        st.error(
            "This app is served beyond this machine but the store has no accounts, so "
            "anyone could act as anyone. Add accounts (`mtreview users add NAME --role "
            "admin`) or serve it on 127.0.0.1 (`mtreview app`)."
        )
        return None
    return _local_user(store, settings)


def _local_user(store: ReviewStore, settings: Settings) -> Identity | None:
    """One local user, no password: the name (for the record) from the settings, else
    asked once and kept in the store."""
    name = (settings.reviewer or store.local_user() or "").strip()
    if name:
        return Identity(name, "admin", local=True)
    st.title("mtreview")
    st.write("Who is reviewing? Your name is saved with every action you make.")
    with st.form("who", border=False):
        typed = st.text_input("Your name", key="reviewer_input")
        submitted = st.form_submit_button("Start reviewing", key="reviewer_start")
    if submitted and typed.strip():
        try:
            store.set_local_user(typed)
        except MTReviewError as exc:
            st.error(md_escape(str(exc)))
        else:
            st.rerun()
    return None


def _team_member(store: ReviewStore, settings: Settings) -> Identity | None:
    principal = store.principal(st.session_state.get(TOKEN))
    if principal is not None:
        return Identity(principal, principal.role, local=False)
    st.session_state.pop(TOKEN, None)
    if _oidc_configured() and st.user.is_logged_in:
        claimed = str(st.user.get("email") or st.user.get("preferred_username") or "")
        try:
            st.session_state[TOKEN] = store.sign_in_external(claimed).token
        except MTReviewError as exc:
            st.error(md_escape(f"{claimed}: {exc}. Ask an admin for an account."))
            st.button("Sign out of the provider", key="oidc_logout", on_click=st.logout)
            return None
        st.rerun()
    st.title("mtreview · sign in")
    with st.form("signin", border=False):
        name = st.text_input("Name", key="signin_name")
        password = st.text_input("Password", type="password", key="signin_password")
        submitted = st.form_submit_button("Sign in", key="signin_go")
    if submitted:
        try:
            signed = store.sign_in(name, password, client=client_key(settings))
        except (AuthError, SignInThrottled) as exc:  # throttled: says when to try again
            st.error(md_escape(str(exc)))
        else:
            st.session_state[TOKEN] = signed.token
            st.rerun()
    if _oidc_configured():
        st.button("Sign in with your organisation", key="oidc_login", on_click=st.login)
    return None


def client_key(settings: Settings) -> str:
    """The address this browser's sign-ins are counted against (`throttle.client_address`):
    the connection's, or the proxy's X-Forwarded-For when `trust_forwarded_for` says so."""
    peer = st.context.ip_address
    forwarded = ", ".join(st.context.headers.get_all("X-Forwarded-For"))
    return client_address(
        peer if isinstance(peer, str) else None,  # (AppTest has no connection)
        forwarded,
        trust_forwarded=settings.trust_forwarded_for,
    )


def sign_out(store: ReviewStore) -> None:
    token = st.session_state.pop(TOKEN, None)
    if token:
        store.sign_out(token)
    st.session_state.clear()
    if _oidc_configured() and st.user.is_logged_in:
        st.logout()


def identity_sidebar(store: ReviewStore, identity: Identity) -> None:
    st.sidebar.text(f"Reviewer: {identity.name}")
    if not identity.local:
        st.sidebar.caption(md_escape(f"signed in · {identity.role}"))
        st.sidebar.button("Sign out", key="signout", on_click=sign_out, args=(store,))


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, MTReviewError):
        return False
    except Exception:  # a malformed secrets.toml: password sign-in still works
        return False
