"""A real OpenID Connect provider for the tests, served over HTTP on loopback.

Hand-assembled from joserfc's signing (as the brief allows): a discovery document,
a JWKS, an authorization endpoint that signs in whoever the test chose (there is
no login screen: the test is the person), a token endpoint that checks the client's
secret and the PKCE verifier and returns a signed ID token, and an end-session
endpoint. Knobs make the bad answers a provider (or someone in the middle) could
give: a tampered token, a wrong nonce, an expired token, another audience or
issuer, a key it never published, an error instead of a code. ``rotate_key``
replaces the signing key and the JWKS, as a provider does on its schedule.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

CLIENT_SECRET = "test-client-secret-not-a-real-one"


def _new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


class IdentityProvider:
    """One provider (say the trust's NHS identity, or a force's directory)."""

    def __init__(self, name: str, label: str, domains: str, client_id: str = "grabpack") -> None:
        self.name, self.label, self.domains = name, label, domains
        self.client_id, self.client_secret = client_id, CLIENT_SECRET
        self.issuer = ""  # known once serving
        self.key = _new_key("key-1")
        self.published: list[RSAKey] = [self.key]
        self.identity: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorizations: list[dict[str, str]] = []  # what grabpack asked for
        self.token_requests: list[dict[str, str]] = []
        self.ended_sessions: list[dict[str, str]] = []
        self.jwks_fetches = 0
        self.issued_tokens: list[str] = []
        self.reset()
        self.app = self._build_app()

    # -- what the test chooses ---------------------------------------------------

    def reset(self) -> None:
        """Every knob back to an honest provider."""
        self.tamper = False
        self.nonce: str | None = None
        self.expires_in = 300
        self.audience: str | None = None
        self.token_issuer: str | None = None
        self.unpublished_key = False
        self.error: str | None = None

    def sign_in_as(
        self,
        email: str | None,
        sub: str | None = None,
        *,
        email_verified: bool | None = True,
        name: str = "",
        groups: list[str] | None = None,
    ) -> str:
        """The person the next authorization signs in; returns their subject id."""
        sub = sub or "sub-" + hashlib.sha256((email or "").encode()).hexdigest()[:16]
        claims: dict[str, Any] = {"sub": sub, "name": name}
        if email is not None:
            claims["email"] = email
        if email_verified is not None:
            claims["email_verified"] = email_verified
        if groups is not None:
            claims["groups"] = groups
        self.identity = claims
        return sub

    def rotate_key(self) -> None:
        """A new signing key with a new kid; the old one leaves the JWKS."""
        self.key = _new_key(f"key-{len(self.published) + 1}-{secrets.token_hex(4)}")
        self.published = [self.key]

    def settings(self, **extra: str) -> dict[str, str]:
        """grabpack's settings for this provider (the names list is the caller's)."""
        prefix = f"OIDC_{self.name.upper()}_"
        values = {
            "ISSUER": self.issuer,
            "CLIENT_ID": self.client_id,
            "CLIENT_SECRET": self.client_secret,
            "DOMAINS": self.domains,
            "LABEL": self.label,
        }
        values.update(extra)
        return {prefix + key: value for key, value in values.items()}

    # -- the provider ------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask(f"test-idp-{self.name}")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                issuer=self.issuer,
                authorization_endpoint=f"{self.issuer}/authorize",
                token_endpoint=f"{self.issuer}/token",
                jwks_uri=f"{self.issuer}/jwks",
                end_session_endpoint=f"{self.issuer}/logout",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
                token_endpoint_auth_methods_supported=["client_secret_basic"],
            )

        @app.get("/jwks")
        def jwks():
            self.jwks_fetches += 1
            return jsonify(KeySet(self.published).as_dict(private=False))

        @app.get("/authorize")
        def authorize():
            args = request.args.to_dict()
            self.authorizations.append(args)
            back = args.get("redirect_uri", "")
            if (
                urlsplit(back).hostname not in ("127.0.0.1", "localhost")
                or args.get("client_id") != self.client_id
            ):
                return "unknown client or redirect", 400
            answer: dict[str, str] = {"state": args.get("state", "")}
            if self.error:
                answer["error"] = self.error
            elif (
                args.get("response_type") != "code"
                or args.get("code_challenge_method") != "S256"
                or not args.get("code_challenge")
            ):
                answer["error"] = "invalid_request"
            else:
                code = secrets.token_urlsafe(24)
                self.codes[code] = {
                    "challenge": args["code_challenge"],
                    "redirect_uri": back,
                    "nonce": args.get("nonce"),
                    "identity": dict(self.identity),
                }
                answer["code"] = code
            return redirect(f"{back}?{urlencode(answer)}")

        @app.post("/token")
        def token():
            form = request.form.to_dict()
            self.token_requests.append(form)
            if not self._client_authenticated():
                return jsonify(error="invalid_client"), 401
            grant = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if (
                grant is None
                or form.get("grant_type") != "authorization_code"
                or form.get("redirect_uri") != grant["redirect_uri"]
                or challenge != grant["challenge"]
            ):
                return jsonify(error="invalid_grant"), 400
            id_token = self._id_token(grant)
            self.issued_tokens.append(id_token)
            return jsonify(
                access_token=secrets.token_urlsafe(24),
                token_type="Bearer",
                expires_in=300,
                id_token=id_token,
            )

        @app.get("/logout")
        def end_session():
            self.ended_sessions.append(request.args.to_dict())
            return (
                "<!doctype html><html lang='en'><head><title>Signed out</title></head>"
                "<body><h1>You have signed out of the test identity provider</h1></body></html>"
            )

        return app

    def _client_authenticated(self) -> bool:
        auth = request.authorization
        if auth is not None:
            return (auth.username, auth.password) == (self.client_id, self.client_secret)
        form = request.form
        return (form.get("client_id"), form.get("client_secret")) == (
            self.client_id,
            self.client_secret,
        )

    def _id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            **grant["identity"],
            "iss": self.token_issuer or self.issuer,
            "aud": self.audience or self.client_id,
            "iat": now,
            "exp": now + self.expires_in,
            "nonce": self.nonce if self.nonce is not None else grant["nonce"],
        }
        key = self.key
        if self.unpublished_key:  # the same kid, a key the JWKS never had
            key = _new_key(self.key.kid)
        token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
        if self.tamper:  # change who it names, keep the signature
            header, payload, signature = token.split(".")
            changed = dict(claims, email="admin@example.nhs.uk", sub="someone-else")
            payload = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
            token = ".".join((header, payload, signature))
        return token


@contextmanager
def serving(provider: IdentityProvider) -> Iterator[IdentityProvider]:
    """Serve ``provider`` on a free loopback port for the length of the block."""
    server = make_server("127.0.0.1", 0, provider.app, threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def grabpack_settings(*providers: IdentityProvider, **extra: str) -> dict[str, str]:
    """grabpack's settings for these providers, in order."""
    settings = {"OIDC_PROVIDER_NAMES": ",".join(p.name for p in providers)}
    for provider in providers:
        settings.update(provider.settings())
    settings.update(extra)
    return settings


def through_provider(client, provider: IdentityProvider, start: str):
    """Follow a sign-in with Flask's test client: ``start`` (a grabpack address that
    sends to the provider), the provider's authorization endpoint (answered by the
    provider itself), then grabpack's callback; returns the callback's response.
    grabpack's own calls to the provider (discovery, token, JWKS) go over HTTP."""
    response = client.get(start)
    while response.status_code in (301, 302, 303) and not response.headers["Location"].startswith(
        provider.issuer
    ):
        response = client.get(response.headers["Location"])
    assert response.status_code == 302, response.status_code
    authorize = urlsplit(response.headers["Location"])
    answer = provider.app.test_client().get(f"{authorize.path}?{authorize.query}")
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


@pytest.fixture
def nhs():
    """The trust's identity provider, serving the test world's NHS domain."""
    with serving(IdentityProvider("nhs", "NHS identity", "example.nhs.uk")) as provider:
        yield provider


@pytest.fixture
def met():
    """The force's identity provider, serving the test world's police domain."""
    with serving(IdentityProvider("met", "Met Police", "example.police.uk")) as provider:
        yield provider
