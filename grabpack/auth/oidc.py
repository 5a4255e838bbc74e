"""Sign-in with OpenID Connect: the relying party, on Authlib's Flask client.

Authlib does the protocol: the authorization code flow with PKCE (S256), ``state``
and ``nonce`` kept in the session, the code exchanged at the token endpoint, and
the ID token's signature checked against the provider's JWKS (fetched again when
a token names a key it does not know, so a rotated key is picked up). Here we add
only what Authlib leaves to the caller: the issuer and audience we expect (pinned
to the configured issuer and client id), and turning every failure into a reason
that is logged and audited without a token in it.

Each app has its own ``OAuth`` registry (``init_app``), built from
``app.config["OIDC_PROVIDERS"]`` (checked at start-up by ``grabpack.config``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError

from grabpack.config import OidcProvider

EXTENSION = "grabpack.oidc"
# Seconds to wait for a provider (discovery, JWKS, token endpoint) before giving up.
PROVIDER_TIMEOUT = 10
# Seconds of clock difference allowed between grabpack and the provider.
LEEWAY = 60


def init_app(app: Flask) -> None:
    """Register one Authlib client per configured provider (none: nothing to do)."""
    providers: dict[str, OidcProvider] = app.config.get("OIDC_PROVIDERS") or {}
    # Authlib logs the PKCE verifier at DEBUG: never, whatever GRABPACK_LOG_LEVEL says.
    logging.getLogger("authlib").setLevel(max(logging.INFO, logging.getLogger().level))
    oauth = OAuth(app)
    for provider in providers.values():
        oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs={
                "scope": " ".join(provider.scopes),
                "code_challenge_method": "S256",
                "default_timeout": PROVIDER_TIMEOUT,
            },
        )
    app.extensions[EXTENSION] = oauth


def providers() -> dict[str, OidcProvider]:
    return current_app.config.get("OIDC_PROVIDERS") or {}


def provider(name: str) -> OidcProvider | None:
    return providers().get(name)


def provider_for_email(email: str | None) -> OidcProvider | None:
    """The provider that serves this email's domain: its people sign in there, never
    with a grabpack password."""
    if not email or "@" not in email:
        return None
    return next((p for p in providers().values() if p.serves(email)), None)


def client(name: str):
    return current_app.extensions[EXTENSION].create_client(name)


class SignInFailed(Exception):
    """The provider's answer was refused; ``reason`` is a code for the log and the
    audit trail (never a token), and picks the message shown on /login."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def authorize_redirect(provider: OidcProvider, redirect_uri: str, login_hint: str | None):
    """The redirect to the provider's authorization endpoint; Authlib keeps the state,
    nonce and PKCE verifier in the session."""
    extra: dict[str, Any] = {"login_hint": login_hint} if login_hint else {}
    try:
        return client(provider.name).authorize_redirect(redirect_uri, **extra)
    except (requests.RequestException, ValueError, KeyError, RuntimeError):
        raise SignInFailed("provider_unreachable") from None


@dataclass(frozen=True)
class VerifiedIdentity:
    """What the provider proved, from a verified ID token: nothing else is kept."""

    subject: str
    email: str | None
    email_verified: bool | None
    name: str
    groups: tuple[str, ...]


def verified_identity(provider: OidcProvider) -> VerifiedIdentity:
    """Finish the flow on the callback request: check state, exchange the code (with
    the PKCE verifier), verify the ID token, and return what it proves; else
    ``SignInFailed`` with the reason."""
    try:
        token = client(provider.name).authorize_access_token(
            claims_options={
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
            },
            leeway=LEEWAY,
        )
    except MismatchingStateError:
        raise SignInFailed("bad_state") from None
    except ExpiredTokenError:
        raise SignInFailed("expired_token") from None
    except InvalidClaimError as exc:
        raise SignInFailed(f"bad_{exc.claim}" if exc.claim in CLAIMS else "bad_token") from None
    except (MissingClaimError, JoseError, ValueError, TypeError):
        raise SignInFailed("bad_token") from None
    except OAuthError as exc:
        raise SignInFailed(_provider_error(exc)) from None
    except AuthlibBaseError:
        raise SignInFailed("provider_error") from None
    except requests.RequestException:
        raise SignInFailed("provider_unreachable") from None
    claims = token.get("userinfo")
    if not claims:  # no ID token at all: nothing proves who this is
        raise SignInFailed("bad_token")
    groups = claims.get(provider.groups_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    email = claims.get("email")
    verified = claims.get("email_verified")
    return VerifiedIdentity(
        subject=str(claims["sub"]),
        email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
        email_verified=verified if isinstance(verified, bool) else _word(verified),
        name=str(claims.get("name") or "")[:200],
        groups=tuple(str(group) for group in groups if isinstance(group, str | int)),
    )


CLAIMS = frozenset({"nonce", "iss", "aud", "azp", "at_hash", "iat", "nbf", "sub"})


def _provider_error(exc: OAuthError) -> str:
    """The provider said no (``error=access_denied`` on the callback) or the token
    endpoint refused the code: only the error code, never its description."""
    error = getattr(exc, "error", "") or ""
    return "provider_denied" if error in ("access_denied", "login_required") else "provider_error"


def _word(value: Any) -> bool | None:
    """Some providers send ``email_verified`` as the string "true"."""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None if value is None else False


def end_session_url(provider: OidcProvider, after: str) -> str | None:
    """The provider's end-session (RP-initiated logout) address, or ``None`` when it
    offers none or cannot be reached. Sent without ``id_token_hint``: grabpack keeps no
    ID token, so it names the client instead."""
    try:
        metadata = client(provider.name).load_server_metadata()
    except (requests.RequestException, ValueError):
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    from authlib.common.urls import add_params_to_uri

    return add_params_to_uri(
        endpoint, {"client_id": provider.client_id, "post_logout_redirect_uri": after}
    )


def form_action_origins() -> list[str]:
    """Where the sign-in form may lead (CSP ``form-action``): its post is redirected to
    a provider for an email the provider serves. The issuer's origin, and the
    authorization endpoint's once discovery has been read."""
    origins: list[str] = []
    for name, configured in providers().items():
        urls = [configured.issuer]
        metadata = client(name).server_metadata
        if metadata.get("authorization_endpoint"):
            urls.append(metadata["authorization_endpoint"])
        for url in urls:
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins
