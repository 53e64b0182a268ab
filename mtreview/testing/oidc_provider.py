"""An OpenID Connect provider on a loopback port, for tests without the internet.

It serves what a relying party (Streamlit's `st.login`, through Authlib) uses: discovery
(`/.well-known/openid-configuration`), `/authorize` (the authorization code flow with PKCE:
no login page, the identity is the one the `login_hint` names among those the test
registered, as if that person had signed in there), `/token` (the code for an RS256 ID
token: `iss`, `sub`, `aud`, `exp`, `iat`, `nonce` and the identity's claims, after checking
the client's secret, the redirect URI and the PKCE verifier) and `/jwks` (the public key).
Keys and tokens are joserfc's (Authlib's own JOSE library).

    with oidc_provider("mtreview", "its secret") as idp:
        idp.add("lena", sub="0001", email="lena@example.org", email_verified=True)
        # [auth] server_metadata_url = idp.metadata_url; follow /authorize?…&login_hint=lena
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

TOKEN_SECONDS = 300
KEY_ID = "mtreview-test-key"


class OIDCProvider:
    """The provider's state: its key, the client it knows, the identities a test chose
    (login hint -> claims, `sub` among them) and the codes handed out, each used once."""

    def __init__(self, issuer: str, client_id: str, client_secret: str) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = RSAKey.generate_key(
            2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"}, private=True
        )
        self.identities: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens_issued = 0
        self._lock = threading.Lock()

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def add(self, hint: str, *, sub: str, **claims: Any) -> None:
        """An identity the `login_hint` `hint` signs in as: its subject and claims
        (`email`, `email_verified`, `preferred_username`, `name`…)."""
        self.identities[hint] = {"sub": sub, **claims}

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "preferred_username", "name"],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """The redirect back to the client with a code (ValueError: a bad request)."""
        if query.get("response_type") != "code" or query.get("client_id") != self.client_id:
            raise ValueError("unsupported_response_type or unknown client")
        if "openid" not in query.get("scope", "").split():
            raise ValueError("invalid_scope")
        identity = self.identities.get(query.get("login_hint", ""))
        redirect = query.get("redirect_uri", "")
        if identity is None or not redirect:
            raise ValueError("login_required: give a login_hint the test registered")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = {
                "identity": identity,
                "redirect_uri": redirect,
                "nonce": query.get("nonce"),
                "challenge": query.get("code_challenge"),
            }
        answer = {"code": code, "state": query.get("state", "")}
        return f"{redirect}{'&' if '?' in redirect else '?'}{urllib.parse.urlencode(answer)}"

    def token(self, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
        """The tokens for a code (ValueError: the OAuth error code)."""
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            decoded = base64.b64decode(authorization[6:]).decode("utf-8")
            client_id, _, secret = (urllib.parse.unquote(p) for p in decoded.partition(":"))
        if client_id != self.client_id or secret != self.client_secret:
            raise ValueError("invalid_client")
        if form.get("grant_type") != "authorization_code":
            raise ValueError("unsupported_grant_type")
        with self._lock:
            grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            raise ValueError("invalid_grant")
        if grant["challenge"] is not None:
            verifier = form.get("code_verifier", "").encode("ascii")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
            if digest.rstrip(b"=").decode("ascii") != grant["challenge"]:
                raise ValueError("invalid_grant")
        moment = int(time.time())
        claims = {
            **grant["identity"],
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": moment,
            "exp": moment + TOKEN_SECONDS,
        }
        if grant["nonce"] is not None:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, self.key)
        self.tokens_issued += 1
        return {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "scope": "openid email profile",
            "id_token": id_token,
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}


def _handler(provider: OIDCProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
            return

        def _json(self, body: dict[str, Any], status: HTTPStatus = HTTPStatus.OK) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path == "/.well-known/openid-configuration":
                self._json(provider.metadata())
            elif path == "/jwks":
                self._json(provider.jwks())
            elif path == "/authorize":
                try:
                    target = provider.authorize(dict(urllib.parse.parse_qsl(query)))
                except ValueError as exc:
                    self._json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)
                    return
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json({"error": "not found"}, HTTPStatus.NOT_FOUND)

        def do_POST(self) -> None:
            if self.path != "/token":
                self._json({"error": "not found"}, HTTPStatus.NOT_FOUND)
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            form = dict(urllib.parse.parse_qsl(body))
            try:
                answer = provider.token(form, self.headers.get("Authorization"))
            except ValueError as exc:
                self._json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)
                return
            self._json(answer)

    return Handler


@contextlib.contextmanager
def oidc_provider(client_id: str, client_secret: str) -> Iterator[OIDCProvider]:
    """A provider serving on a free 127.0.0.1 port (its issuer: http://127.0.0.1:PORT)
    until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    provider = OIDCProvider(f"http://127.0.0.1:{server.server_port}", client_id, client_secret)
    server.RequestHandlerClass = _handler(provider)
    thread = threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
