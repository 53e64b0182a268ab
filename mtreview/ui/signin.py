"""Who is using the app: the local user, or a signed-in team member. Never the URL.

- A store without accounts is a local, single-user store: no password, but only while the
  server listens on a loopback address (`mtreview app` binds 127.0.0.1 by default); served
  to a network it refuses to work until accounts exist.
- A store with accounts is a team store: everyone signs in, with a password (argon2 in
  the store) or, when `.streamlit/secrets.toml` has an `[auth]` section, through the
  team's identity provider (`st.login`, OIDC): the store decides from the ID token's
  claims which account, if any, the identity enters (`mtreview.store.external`: bound to
  its issuer and subject; a verified e-mail; never a password account an admin did not
  link). A `?reviewer=` in the URL is dropped and changes nothing.

A password sign-in is a plain HTML form posted to `mtreview.ui.session_routes`, which
sets the session token as an HttpOnly, SameSite=Strict cookie. Every script run reads the
token from the cookie this connection brought (`st.context.cookies`), never from the
session state, and asks the store for its principal (idle and absolute timeouts there):
a Streamlit session id presented without the cookie gets the sign-in form, and a reload
stays signed in. An identity provider's sign-in is Streamlit's own cookie; the store
session it opens is kept with that Streamlit session, which Streamlit resumes only for
the same identity.

AppTest sends no cookies: a test signs in by putting a `HarnessSignIn` (a token wrapped
in a class of ours) in the session state under `HARNESS_KEY`. A browser cannot: no widget
has that key, and widget values arrive as strings, numbers and lists, never this class.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from mtreview.errors import MTReviewError
from mtreview.hosts import is_loopback
from mtreview.settings import Settings
from mtreview.store import ROLES, ReviewStore
from mtreview.store.external import REFUSALS, ExternalIdentity, ExternalRefused
from mtreview.store.sessions import SessionPolicy
from mtreview.ui.session_routes import (
    COOKIE,
    SIGN_IN,
    SIGN_OUT,
    SIGN_OUT_EVERYWHERE,
    signin_message,
)
from mtreview.ui.view_model import md_escape

HARNESS_KEY = "mtreview_harness_sign_in"  # AppTest only: see the module's docstring
OIDC_TOKEN = "oidc_session"  # ((issuer, subject) of the provider's identity, the store's token)
OIDC_REFUSED = "oidc_refused"  # ((issuer, subject), why the store refused it): asked once
REFUSAL_KEYS = ("signin", "kind", "locked", "seconds")  # a refused sign-in's redirect


@dataclasses.dataclass(frozen=True)
class HarnessSignIn:
    """A session token a test harness hands the page (AppTest sends no cookies)."""

    token: str


@dataclasses.dataclass(frozen=True)
class Identity:
    """The person acting: their name goes with every stored action. On a team store the
    name is the session's `Principal` (a `str` carrying its proof), which every store call
    re-checks; on a local store, the plain name."""

    name: str
    role: str
    local: bool  # the single user of a local store (no accounts)
    provider: bool = False  # signed in through the identity provider (OIDC)

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
    policy = SessionPolicy.from_settings(settings)
    token = session_token()
    principal = store.principal(token, policy=policy)
    if principal is not None:
        return Identity(principal, principal.role, local=False)
    if _oidc_configured() and st.user.is_logged_in:
        return _provider_member(store, settings, policy)
    _sign_in_form(ended=token is not None)
    return None


def session_token() -> str | None:
    """This run's sign-in token: the cookie this connection brought; else (AppTest) the
    harness's. Never anything kept in the session state by the page."""
    cookie = st.context.cookies.get(COOKIE)
    if isinstance(cookie, str) and cookie:  # (AppTest's stand-in connection has no cookies)
        return cookie
    given = st.session_state.get(HARNESS_KEY)
    return given.token if isinstance(given, HarnessSignIn) else None


def _provider_member(
    store: ReviewStore, settings: Settings, policy: SessionPolicy
) -> Identity | None:
    """The account the store lets the provider's identity enter (its claims, as the ID
    token gave them), with a store session of its own kept beside this Streamlit session's
    provider identity. Once that session ends (idle, too old, signed out everywhere) the
    provider's sign-in ends too: sign in again. A refusal is asked once per identity and
    shown in fixed words (never the provider's text), with a way out of the provider."""
    identity = ExternalIdentity.from_claims(st.user.to_dict())
    who = (identity.issuer, identity.subject)
    kept = st.session_state.get(OIDC_TOKEN)
    if isinstance(kept, tuple) and kept[0] == who:
        principal = store.principal(kept[1], policy=policy)
        if principal is not None:
            return Identity(principal, principal.role, local=False, provider=True)
        del st.session_state[OIDC_TOKEN]
        st.title("mtreview · sign in")
        st.info("Your session has ended (signed out, idle or too old): sign in again.")
        st.button("Sign in again", key="oidc_again", on_click=st.logout)
        return None
    refused = st.session_state.get(OIDC_REFUSED)
    if isinstance(refused, tuple) and refused[0] == who:
        why = REFUSALS[refused[1]]
    else:
        try:
            signed = store.sign_in_external(identity, key=settings.oidc_key_claim, policy=policy)
        except ExternalRefused as exc:
            st.session_state[OIDC_REFUSED] = (who, exc.reason)
            why = REFUSALS[exc.reason]
        except MTReviewError as exc:  # the store, or a wrong `oidc_key_claim`
            why = str(exc)
        else:
            st.session_state[OIDC_TOKEN] = (who, signed.token)
            return Identity(signed.principal, signed.principal.role, local=False, provider=True)
    st.title("mtreview · sign in")
    st.error(md_escape(f"You cannot sign in here with this identity: {why}."))
    st.button("Sign out of the provider", key="oidc_logout", on_click=st.logout)
    return None


def _sign_in_form(*, ended: bool) -> None:
    """The password form (posted to the sign-in route, not to Streamlit) and why the last
    sign-in was refused: a fixed message for the redirect's code, never the input."""
    st.title("mtreview · sign in")
    refused = signin_message(st.query_params.to_dict())
    for key in REFUSAL_KEYS:
        if key in st.query_params:
            del st.query_params[key]  # a reload does not show it again
    if refused is not None:
        st.error(refused)  # fixed words and a number (`signin_message`)
    elif ended:
        st.info("Your session has ended (signed out, idle or too old): sign in again.")
    st.html(SIGN_IN_FORM)
    if _oidc_configured():
        st.button("Sign in with your organisation", key="oidc_login", on_click=st.login)


def _provider_sign_out(store: ReviewStore) -> None:
    kept = st.session_state.pop(OIDC_TOKEN, None)
    if isinstance(kept, tuple):
        store.sign_out(kept[1])
    st.logout()


def identity_sidebar(store: ReviewStore, identity: Identity) -> None:
    st.sidebar.text(f"Reviewer: {identity.name}")
    if identity.local:
        return
    st.sidebar.caption(md_escape(f"signed in · {identity.role}"))
    if identity.provider:
        st.sidebar.button("Sign out", key="signout", on_click=_provider_sign_out, args=(store,))
    else:
        st.sidebar.html(SIGN_OUT_FORMS)


# the forms look like the app's own inputs and buttons; they post to the sign-in routes
_STYLE = """<style>
.mtr-signin { display: flex; flex-direction: column; gap: 1rem; }
.mtr-signin label { display: flex; flex-direction: column; gap: 0.25rem;
  font-size: 0.875rem; }
.mtr-signin input { font: inherit; font-size: 1rem; color: inherit; padding: 0.5rem 0.75rem;
  border: 1px solid transparent; border-radius: 0.5rem; background: #f0f2f6; }
.mtr-signin input:focus { outline: none; border-color: #ff4b4b; }
.mtr-signin button, .mtr-signout button { font: inherit; color: inherit; cursor: pointer;
  align-self: flex-start; min-height: 2.5rem; padding: 0.25rem 0.75rem;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; background: #fff; }
.mtr-signin button:hover, .mtr-signout button:hover { border-color: #ff4b4b; color: #ff4b4b; }
.mtr-signout { margin: 0 0 0.5rem 0; }
</style>"""
SIGN_IN_FORM = f"""{_STYLE}
<form class="mtr-signin" method="post" action="{SIGN_IN}">
<label>Name<input name="user" autocomplete="username" required></label>
<label>Password<input name="password" type="password" autocomplete="current-password"
required></label>
<button type="submit">Sign in</button>
</form>"""
SIGN_OUT_FORMS = f"""{_STYLE}
<form class="mtr-signout" method="post" action="{SIGN_OUT}">
<button type="submit">Sign out</button></form>
<form class="mtr-signout" method="post" action="{SIGN_OUT_EVERYWHERE}">
<button type="submit" title="End this account's sessions in every browser">Sign out
everywhere</button></form>"""


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, MTReviewError):
        return False
    except Exception:  # a malformed secrets.toml: password sign-in still works
        return False
