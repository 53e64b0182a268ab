"""OIDC done right: which account an identity provider's identity may enter.

The store's rules first (`mtreview.store.external`, no server): bound to (`iss`, `sub`) at
the first sign-in, `email_verified` required when the e-mail is the key, never a password
account an admin did not link; each refusal audited, nothing else written. Then `mtreview
users link/unlink`. Then the whole sign-in against the real app (`streamlit run`) and a real
OpenID Connect provider on loopback (`mtreview.testing.oidc_provider`), no browser: the raw
websocket presses "Sign in with your organisation", httpx follows the redirects st.login
sends (Streamlit's /auth/login, the provider's /authorize, Streamlit's /oauth2callback,
which exchanges the code for a signed ID token) with a cookie jar, and a websocket with
those cookies reads who the page says is signed in.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit_stream import request_run
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from mtreview.cli import main
from mtreview.errors import AccessError, SettingsError, StoreError
from mtreview.readers import document_from_text
from mtreview.store import ExternalIdentity, ExternalRefused, Principal, ReviewStore
from mtreview.store.external import REFUSALS
from mtreview.store.schema import SCHEMA_VERSION
from mtreview.testing.browser import streamlit_app
from mtreview.testing.oidc_provider import OIDCProvider, oidc_provider
from mtreview.testing.team import ADMIN, provider_sign_in, team
from mtreview.ui.view_model import md_escape

ISSUER = "https://idp.example.org"
ADMIN_PASSWORD = "violet harbour sextant"
ANNE_PASSWORD = "plum orchard lantern"
CLIENT = ("mtreview-test", "the client secret of the test")


def _identity(sub: str, *, issuer: str = ISSUER, **claims: Any) -> ExternalIdentity:
    return ExternalIdentity.from_claims({"iss": issuer, "sub": sub, **claims})


@dataclass(frozen=True)
class World:
    store: ReviewStore
    db: Path
    admin: Principal  # a live session of the password admin
    token: str  # its token


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The team store, made once (each password costs an argon2 hash): admin (password,
    its session kept), lena@example.org and bob@example.org (no password), and
    anne@example.org (password, linked by the admin to ISSUER)."""
    path = tmp_path_factory.mktemp("oidc-store") / "team.db"
    with ReviewStore(path) as store:
        store.add_user("admin", role="admin", password=ADMIN_PASSWORD, by="admin")
        signed = store.sign_in("admin", ADMIN_PASSWORD)
        for name in ("lena@example.org", "bob@example.org"):
            store.add_user(name, role="reviewer", password=None, by=signed.principal)
        store.add_user("anne@example.org", role="lead", password=ANNE_PASSWORD,
                       by=signed.principal)  # fmt: skip
        store.link_external("anne@example.org", issuer=ISSUER, by=signed.principal)
    return path, signed.token


@pytest.fixture
def world(template: tuple[Path, str], tmp_path: Path) -> Iterator[World]:
    db = tmp_path / "team.db"
    shutil.copyfile(template[0], db)
    with ReviewStore(db) as store:
        admin = store.principal(template[1])
        assert admin is not None
        yield World(store, db, admin, template[1])


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """What a refusal must not change: accounts, sessions, bindings."""
    with sqlite3.connect(db) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("accounts", "sessions", "external_identities", "reviewers")
        }


def _refused(world: World, identity: ExternalIdentity, reason: str, *,
             key: str = "email") -> None:  # fmt: skip
    """Refused for `reason`, in its fixed words; one audit row, nothing else written."""
    store = world.store
    before, audited = _rows(world.db), len(store.audit_log())
    with pytest.raises(ExternalRefused) as refused:
        store.sign_in_external(identity, key=key)
    assert refused.value.reason == reason and str(refused.value) == REFUSALS[reason]
    assert _rows(world.db) == before
    log = store.audit_log()
    assert len(log) == audited + 1 and log[-1].action == "sign-in-external-refused"
    assert log[-1].detail["reason"] == reason and log[-1].detail["subject"] == identity.subject


def _verified(sub: str, email: str, **claims: Any) -> ExternalIdentity:
    return _identity(sub, email=email, email_verified=True, **claims)


# --- the store's rules --------------------------------------------------------------------
def test_an_account_without_a_password_is_bound_at_its_first_sign_in(world: World) -> None:
    store = world.store
    first = store.sign_in_external(_verified("lena-1", "lena@example.org"))
    assert first.user.name == "lena@example.org" and store.principal(first.token) is not None
    link = store.external_link("lena@example.org")
    assert link is not None
    assert (link.issuer, link.subject, link.linked_by) == (ISSUER, "lena-1", None)
    bound = [e for e in store.audit_log() if e.action == "bind-external"]
    assert [(e.actor, e.detail["subject"]) for e in bound] == [("lena@example.org", "lena-1")]
    # the binding, not the claims, decides from now on: a changed e-mail still enters
    moved = _identity("lena-1", email="lena@elsewhere.example", email_verified=False)
    assert store.sign_in_external(moved).user.name == "lena@example.org"
    assert len([e for e in store.audit_log() if e.action == "bind-external"]) == 1
    # another identity with lena's verified e-mail is refused, at this issuer or another
    _refused(world, _verified("mallory", "lena@example.org"), "bound-elsewhere")
    other = _verified("lena-1", "lena@example.org", issuer="https://other.example")
    _refused(world, other, "bound-elsewhere")


def test_what_is_refused_and_audited(world: World) -> None:
    store = world.store
    # the issue's sign-in: preferred_username "admin", no e-mail
    named_admin = _identity("mallory", preferred_username="admin")
    _refused(world, named_admin, "no-claim")
    _refused(world, named_admin, "password-account", key="preferred_username")
    _refused(world, _identity("bob-1", email="bob@example.org", email_verified=False),
             "unverified")  # fmt: skip
    _refused(world, _identity("bob-1", email="bob@example.org", email_verified="false"),
             "unverified")  # fmt: skip
    _refused(world, _identity("bob-1", email="bob@example.org"), "unverified")
    _refused(world, _verified("zoe", "zoe@example.org"), "no-account")
    _refused(world, _verified("", "bob@example.org"), "no-identity")
    store.update_user("bob@example.org", disabled=True, by=world.admin)
    disabled = _identity("bob-1", email="BOB@example.org", email_verified="true")
    _refused(world, disabled, "disabled")
    assert store.external_link("bob@example.org") is None
    # a password account an admin did not link, found by its e-mail
    store.unlink_external("anne@example.org", by=world.admin)
    _refused(world, _verified("anne-1", "anne@example.org"), "password-account")
    with pytest.raises(SettingsError, match="oidc_key_claim"):
        store.sign_in_external(_verified("lena-1", "lena@example.org"), key="name")
    refused = [e for e in store.audit_log() if e.action == "sign-in-external-refused"]
    assert {e.actor for e in refused} == {
        "system:unknown", "admin", "bob@example.org", "anne@example.org",
    }  # fmt: skip
    assert store.verify_audit().ok


def test_an_admin_links_a_password_account(world: World) -> None:
    store, admin = world.store, world.admin
    anne = _verified("anne-1", "anne@example.org")
    _refused(world, _verified("anne-1", "anne@example.org", issuer="https://other.example"),
             "other-issuer")  # fmt: skip
    assert store.sign_in_external(anne).user.name == "anne@example.org"
    link = store.external_link("anne@example.org")
    assert link is not None and (link.subject, link.linked_by) == ("anne-1", "admin")
    _refused(world, _verified("anne-2", "anne@example.org"), "bound-elsewhere")
    # linked to one subject: no other identity binds it first
    store.unlink_external("anne@example.org", by=admin)
    store.link_external("anne@example.org", issuer=ISSUER, subject="anne-2", by=admin)
    _refused(world, anne, "bound-elsewhere")
    assert store.sign_in_external(_identity("anne-2")).user.name == "anne@example.org"
    with pytest.raises(StoreError, match="already linked"):
        store.link_external("anne@example.org", issuer=ISSUER, by=admin)
    with pytest.raises(StoreError, match="already bound to another account"):
        store.link_external("lena@example.org", issuer=ISSUER, subject="anne-2", by=admin)
    lena = store.sign_in_external(_verified("lena-1", "lena@example.org"))
    with pytest.raises(AccessError):  # an admin's work
        store.link_external("bob@example.org", issuer=ISSUER, by=lena.principal)
    # unlinking ends the account's sessions; an account without a password binds anew
    store.unlink_external("lena@example.org", by=admin)
    assert store.principal(lena.token) is None
    again = store.sign_in_external(_verified("lena-2", "lena@example.org"))
    assert again.user.name == "lena@example.org"
    actions = [e.action for e in store.audit_log()]
    assert actions.count("link-external") == 2 and actions.count("unlink-external") == 2


def test_the_rules_on_sqlite_and_postgresql_and_the_upgrade_from_schema_6(store_db: str) -> None:
    """The binding's queries and constraints on both databases; a schema 6 store (no
    `external_identities`) is upgraded in place, with no account bound."""
    with ReviewStore(store_db) as store:
        admin = team(store, {"lena": ("reviewer", None)})[ADMIN]
        store.add_user("anne", role="lead", password=ANNE_PASSWORD, by=admin)
        store.link_external("anne", issuer=ISSUER, subject="anne-1", by=admin)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE external_identities")
            conn.exec_driver_sql("UPDATE meta SET value = '6' WHERE key = 'schema'")
    with ReviewStore(store_db) as store:
        with store.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema'")
            assert version.scalar() == str(SCHEMA_VERSION)
        assert store.external_link("anne") is None and store.external_link(ADMIN) is None
        admin = provider_sign_in(store, ADMIN).principal  # bound again: no password
        lena = _identity("lena-1", preferred_username="lena")
        assert store.sign_in_external(lena, key="preferred_username").user.name == "lena"
        for impostor, reason in [
            (_identity("lena-2", preferred_username="lena"), "bound-elsewhere"),
            (_identity("anne-1", preferred_username="anne"), "password-account"),
        ]:
            with pytest.raises(ExternalRefused) as refused:
                store.sign_in_external(impostor, key="preferred_username")
            assert refused.value.reason == reason
        store.link_external("anne", issuer=ISSUER, by=admin)
        anne = _identity("anne-1", preferred_username="anne")
        assert store.sign_in_external(anne, key="preferred_username").user.name == "anne"
        store.unlink_external("lena", by=admin)
        with pytest.raises(StoreError, match="already bound to another account"):
            store.link_external("lena", issuer=ISSUER, subject="anne-1", by=admin)
        assert store.sign_in_external(_identity("lena-2", preferred_username="lena"),
                                      key="preferred_username").user.name == "lena"  # fmt: skip
        assert store.verify_audit().ok


def test_users_link_and_unlink_on_the_command_line(world: World, monkeypatch, capsys) -> None:
    db = str(world.db)

    def run(*argv: str, token: str = world.token) -> tuple[int, str]:
        """As the admin's session (the app's token), or as `token`'s."""
        monkeypatch.setattr(sys, "stdin", io.StringIO(f"{token}\n"))
        code = main(["users", *argv, "--token-stdin", "--db", db])
        return code, capsys.readouterr().err

    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{ADMIN_PASSWORD}\n"))  # --as, a password
    code = main(["users", "link", "bob@example.org", "--issuer", ISSUER, "--subject", "bob-1",
                 "--as", "admin", "--password-stdin", "--db", db])  # fmt: skip
    said = capsys.readouterr().err
    assert code == 0 and said == f"link: bob@example.org ({ISSUER}, subject bob-1)\n"
    lena = world.store.sign_in_external(_verified("lena-1", "lena@example.org")).token
    for argv, words in [
        (("link", "bob@example.org", "--issuer", ISSUER), "already linked"),
        (("link", "lena@example.org", "--issuer", "http://idp.example.org"), "issuer URL"),
        (("link", "lena@example.org", "--issuer", ISSUER + "?x=1"), "no query"),
        (("link", "lena@example.org", "--issuer", ISSUER, "--subject", "a\x07b"), "1 to 255"),
        (("link", "zoe", "--issuer", ISSUER), "no user 'zoe'"),
        (("unlink", "admin"), "linked to no identity provider"),
    ]:
        code, said = run(*argv)
        assert code == 2 and said.count("\n") == 1 and words in said, said
        assert said.startswith("mtreview: error: ") and "Traceback" not in said
    code, said = run("unlink", "bob@example.org", token=lena)  # a reviewer's session
    assert code == 2 and "may not" in said and world.store.external_link("bob@example.org")
    code, said = run("unlink", "bob@example.org")
    assert code == 0 and said == f"unlink: bob@example.org ({ISSUER}, removed; subject bob-1)\n"
    log = [(e.actor, e.action, e.detail.get("subject")) for e in world.store.audit_log()]
    assert world.store.external_link("bob@example.org") is None
    assert ("admin", "link-external", "bob-1") in log
    assert ("admin", "unlink-external", "bob-1") in log


# --- the whole sign-in: the app and a provider on loopback ----------------------------------
SIGN_IN_BUTTON = "Sign in with your organisation"
SIGN_OUT_BUTTON = "Sign out of the provider"
IDENTITIES = {  # login hint -> (sub, claims) at the loopback provider
    "lena": ("lena-1", {"email": "lena@example.org", "email_verified": True,
                        "preferred_username": "lena"}),
    "impostor": ("impostor-1", {"email": "lena@example.org", "email_verified": True}),
    "unverified": ("bob-1", {"email": "bob@example.org", "email_verified": False}),
    "named-admin": ("mallory", {"preferred_username": "admin", "name": "Admin"}),
    "anne": ("anne-1", {"email": "anne@example.org", "email_verified": True}),
}  # fmt: skip


@dataclass(frozen=True)
class Site:
    port: int
    db: Path
    idp: OIDCProvider

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def site(template: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app on a copy of the team store, anne's password account linked to the loopback
    provider, whose client it is (`[auth]` in .streamlit/secrets.toml of its folder)."""
    folder = tmp_path_factory.mktemp("oidc-app")
    db = folder / "team.db"
    shutil.copyfile(template[0], db)
    with oidc_provider(*CLIENT) as idp:
        for hint, (sub, claims) in IDENTITIES.items():
            idp.add(hint, sub=sub, **claims)
        with ReviewStore(db) as store:
            admin = store.principal(template[1])
            assert admin is not None
            doc = document_from_text("Une phrase.\n", doc_id="doc", name="doc.txt")
            store.add_document(doc, by=admin)
            store.unlink_external("anne@example.org", by=admin)
            store.link_external("anne@example.org", issuer=idp.issuer, by=admin)
        (folder / ".streamlit").mkdir()
        (folder / ".streamlit" / "secrets.toml").write_text(
            "[auth]\n"
            'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a cookie secret of the test, long enough"\n'
            f'client_id = "{CLIENT[0]}"\nclient_secret = "{CLIENT[1]}"\n'
            f'server_metadata_url = "{idp.metadata_url}"\n',
            "utf-8",
        )
        with streamlit_app(db, folder / "streamlit.log", MTREVIEW_USE_MODELS="false") as url:
            yield Site(int(url.rsplit(":", 1)[1]), db, idp)


@dataclass(frozen=True)
class Page:
    texts: list[str]  # every text-bearing element's text, in order
    buttons: dict[str, str]  # label -> widget id
    redirect: str  # where the run sent the browser (st.login, st.logout), if anywhere

    @property
    def signed_in(self) -> str | None:
        names = [t.removeprefix("Reviewer: ") for t in self.texts if t.startswith("Reviewer: ")]
        assert len(names) <= 1
        return names[0] if names else None


def _tab(site: Site, client: httpx.Client) -> ClientConnection:
    """The app's websocket as the page opens it: this jar's cookies, and the XSRF token
    (the cookie's value) Streamlit checks before it reads the provider's sign-in."""
    cookies = "; ".join(f"{c.name}={c.value}" for c in client.cookies.jar)
    xsrf = client.cookies.get("_streamlit_xsrf") or "no-xsrf"
    return connect(
        f"ws://127.0.0.1:{site.port}/_stcore/stream",
        origin=Origin(site.origin),
        additional_headers={"Cookie": cookies},
        subprotocols=[Subprotocol("streamlit"), Subprotocol(xsrf)],
        open_timeout=30,
    )


def _run(ws: ClientConnection, *, press: str | None = None) -> Page:
    """One script run (pressing the button of widget id `press`), as the page draws it."""
    request_run(ws, widgets=[] if press is None else [(press, "trigger_value", True)])
    texts, buttons, redirect = list[str](), dict[str, str](), ""
    while True:
        message = ForwardMsg()
        message.ParseFromString(ws.recv(timeout=60))
        kind = message.WhichOneof("type")
        if kind == "auth_redirect":
            redirect = message.auth_redirect.url
        elif kind == "script_finished":
            return Page(texts, buttons, redirect)
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            name = element.WhichOneof("type")
            if name in ("text", "markdown", "alert", "heading"):
                texts.append(getattr(element, name).body)
            elif name == "button":
                buttons[element.button.label] = element.button.id


def _sign_in(site: Site, hint: str, *, sign_out: bool = False) -> Page:
    """A new browser signs in at the provider as `hint`: the button, then every redirect
    (Streamlit's /auth/login, the provider's /authorize, Streamlit's /oauth2callback, which
    exchanges the code for the ID token), then the page with the cookies it set.
    `sign_out`: then press "Sign out of the provider" and follow it (the sign-in form)."""
    with httpx.Client(base_url=site.origin, timeout=30) as client:
        client.get("/_stcore/health")  # the XSRF cookie, as the page's first request gets it
        with _tab(site, client) as ws:
            form = _run(ws)
            assert form.signed_in is None and SIGN_IN_BUTTON in form.buttons
            login = _run(ws, press=form.buttons[SIGN_IN_BUTTON]).redirect
        assert login.startswith("/auth/login?provider=")
        to_provider = client.get(login)
        assert to_provider.status_code == 302
        authorize = to_provider.headers["location"]
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))
        assert authorize.startswith(f"{site.idp.issuer}/authorize?")
        assert query["code_challenge_method"] == "S256" and query["nonce"]
        back = client.get(f"{authorize}&{urllib.parse.urlencode({'login_hint': hint})}")
        assert back.status_code == 302
        callback = back.headers["location"]
        assert callback.startswith(f"{site.origin}/oauth2callback?code=")
        landed = client.get(callback)
        assert landed.status_code == 302 and landed.headers["location"] == "/"
        assert any(c.name.startswith("_streamlit_user") for c in client.cookies.jar)
        with _tab(site, client) as ws:
            page = _run(ws)
            if not sign_out:
                return page
            logout = _run(ws, press=page.buttons[SIGN_OUT_BUTTON]).redirect
        assert logout == "/auth/logout"
        out = client.get(logout)
        assert out.status_code == 302 and out.headers["location"] == "/"
        assert not any(c.name.startswith("_streamlit_user") for c in client.cookies.jar)
        with _tab(site, client) as ws:
            after = _run(ws)
        assert after.signed_in is None and SIGN_IN_BUTTON in after.buttons
        return page


def _store_after(site: Site, action: str) -> tuple[int, list[Any]]:
    """How many sessions the store holds, and its audit rows of `action`."""
    with ReviewStore(site.db) as store, sqlite3.connect(site.db) as conn:
        rows = [e for e in store.audit_log() if e.action == action]
        return conn.execute("SELECT count(*) FROM sessions").fetchone()[0], rows


@pytest.mark.processes
@pytest.mark.slow
def test_an_account_without_a_password_binds_at_the_first_sign_in_and_stays_bound(
    site: Site,
) -> None:
    first = _sign_in(site, "lena")
    assert first.signed_in == "lena@example.org"
    sessions, bound = _store_after(site, "bind-external")
    assert [(e.detail["issuer"], e.detail["subject"]) for e in bound] == [
        (site.idp.issuer, "lena-1")
    ]
    again = _sign_in(site, "lena")  # another browser, the same identity: no new binding
    assert again.signed_in == "lena@example.org"
    assert _store_after(site, "bind-external")[1] == bound
    assert _store_after(site, "sign-in-external")[0] == sessions + 1
    # another identity with lena's verified e-mail: refused, audited, no session
    _refused_on_the_page(site, "impostor", "bound-elsewhere")


def _refused_on_the_page(site: Site, hint: str, reason: str, *, sign_out: bool = False) -> None:
    """The page shows the reason's fixed words and the way out; one audit row, no session."""
    sessions, refusals = _store_after(site, "sign-in-external-refused")
    page = _sign_in(site, hint, sign_out=sign_out)
    assert page.signed_in is None and SIGN_OUT_BUTTON in page.buttons
    words = md_escape(f"You cannot sign in here with this identity: {REFUSALS[reason]}.")
    assert words in page.texts
    now_sessions, now_refusals = _store_after(site, "sign-in-external-refused")
    assert now_sessions == sessions and len(now_refusals) == len(refusals) + 1
    sub = IDENTITIES[hint][0]
    assert (now_refusals[-1].detail["reason"], now_refusals[-1].detail["subject"]) == (reason, sub)


@pytest.mark.processes
@pytest.mark.slow
def test_unverified_e_mail_and_a_chosen_user_name_are_refused(site: Site) -> None:
    _refused_on_the_page(site, "unverified", "unverified")
    # not the admin's password account; and the way out: sign out of the provider
    _refused_on_the_page(site, "named-admin", "no-claim", sign_out=True)
    with ReviewStore(site.db) as store:
        assert store.external_link("bob@example.org") is None
        assert store.external_link("admin") is None


@pytest.mark.processes
@pytest.mark.slow
def test_a_password_account_an_admin_linked_is_entered(site: Site) -> None:
    assert _sign_in(site, "anne").signed_in == "anne@example.org"
    with ReviewStore(site.db) as store:
        link = store.external_link("anne@example.org")
    assert link is not None and (link.subject, link.linked_by) == ("anne-1", "admin")
