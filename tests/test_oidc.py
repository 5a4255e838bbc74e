"""Signing in with an identity provider (issue 13), through a real OpenID Connect
provider served over HTTP (tests/oidc_provider.py): who gets in, who does not, and
that every refusal says why, starts no session and leaks no token."""

from __future__ import annotations

import dataclasses
import html
import json
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import AuditEvent, User
from grabpack.models.user import OidcIdentity
from grabpack.services.passwords import verify_password
from grabpack.services.users import set_active, user_by_email
from tests.conftest import PASSWORD, csrf_token
from tests.oidc_provider import IdentityProvider, grabpack_settings, serving, through_provider


@pytest.fixture
def app_config(request, nhs, met):
    return {**grabpack_settings(nhs, met), **getattr(request, "param", {})}


def signed_in(client) -> bool:
    """Whether the client has a session: a ward page is served, not the sign-in page."""
    return client.get("/wards/WA1").status_code != 302


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_nurse_signs_in_and_lands_on_her_ward(app, client, world, nhs):
    subject = nhs.sign_in_as(world.nurse_a)
    response = through_provider(client, nhs, "/login/oidc/nhs")
    assert response.headers["Location"] == "/"
    assert client.get("/", follow_redirects=True).request.path == "/wards/WA1"
    page = client.get("/wards/WA1")
    assert page.status_code == 200 and "Nurse · Ward A" in page.text
    assert client.get("/wards/WB1").status_code == 403  # her usual scope, no more
    asked = nhs.authorizations[-1]
    assert asked["code_challenge_method"] == "S256" and asked["code_challenge"]
    assert asked["nonce"] and asked["state"] and asked["scope"] == "openid email profile"
    assert nhs.token_requests[-1]["code_verifier"]
    (login,) = events(app, "login")
    assert login.detail == {"method": "oidc", "provider": "nhs", "subject": subject}
    with app.app_context():
        user = user_by_email(world.nurse_a)
        assert user.last_login_at is not None
        link = db.session.scalar(select(OidcIdentity).where(OidcIdentity.user_id == user.id))
        assert (link.provider, link.subject) == ("nhs", subject)


def test_an_officer_signs_in_with_the_force_and_sees_the_police_list(client, world, met):
    met.sign_in_as(world.police_a)
    through_provider(client, met, "/login/oidc/met")
    page = client.get("/", follow_redirects=True)
    assert "Open missing episodes" in page.text


def test_later_sign_ins_match_the_subject_even_when_the_email_changed(client, world, nhs):
    subject = nhs.sign_in_as(world.nurse_a)
    through_provider(client, nhs, "/login/oidc/nhs")
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/wards/WA1").text)})
    assert not signed_in(client)
    nhs.sign_in_as("nurse.a.married.name@example.nhs.uk", sub=subject)
    through_provider(client, nhs, "/login/oidc/nhs")
    assert "Nurse · Ward A" in client.get("/wards/WA1").text


def test_next_is_kept_across_the_provider_and_only_within_the_site(client, world, nhs):
    nhs.sign_in_as(world.manager_a)
    response = through_provider(client, nhs, "/login/oidc/nhs?next=/wards/WA1/audit")
    assert response.headers["Location"] == "/wards/WA1/audit"
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/wards/WA1").text)})
    response = through_provider(client, nhs, "/login/oidc/nhs?next=//evil.example/x")
    assert response.headers["Location"] == "/"


# Each bad answer, the reason audited, and words the person sees on /login.
BAD_ANSWERS = [
    ("tampered", {"tamper": True}, "bad_token", "could not trust"),
    ("wrong nonce", {"nonce": "not-the-nonce-grabpack-sent"}, "bad_nonce", "could not trust"),
    ("expired", {"expires_in": -3600}, "expired_token", "could not trust"),
    ("other audience", {"audience": "someone-else"}, "bad_aud", "could not trust"),
    ("other issuer", {"token_issuer": "http://127.0.0.1:1"}, "bad_iss", "could not trust"),
    ("unpublished key", {"unpublished_key": True}, "bad_token", "could not trust"),
    ("provider says no", {"error": "access_denied"}, "provider_denied", "did not sign you in"),
]


@pytest.mark.parametrize(
    ("knobs", "reason", "words"),
    [case[1:] for case in BAD_ANSWERS],
    ids=[case[0] for case in BAD_ANSWERS],
)
def test_a_bad_answer_is_refused_with_a_clear_message_and_no_session(
    app, client, world, nhs, caplog, knobs, reason, words
):
    nhs.sign_in_as(world.nurse_a)
    for knob, value in knobs.items():
        setattr(nhs, knob, value)
    with caplog.at_level(logging.WARNING):
        response = through_provider(client, nhs, "/login/oidc/nhs")
    assert response.headers["Location"] == "/login"
    page = client.get("/login")
    assert "There is a problem" in page.text and words in page.text
    assert "NHS identity" in page.text
    assert not signed_in(client)
    (failed,) = events(app, "login.failed")
    assert failed.detail == {"reason": reason, "method": "oidc", "provider": "nhs"}
    assert events(app, "login") == []
    assert f"nhs refused: {reason}" in caplog.text
    for token in nhs.issued_tokens:
        assert token not in caplog.text and token.split(".")[1] not in caplog.text


def test_a_callback_whose_state_is_not_this_browsers_is_refused(app, client, world, nhs):
    nhs.sign_in_as(world.nurse_a)
    start = client.get("/login/oidc/nhs")
    authorize = urlsplit(start.headers["Location"])
    answer = nhs.app.test_client().get(f"{authorize.path}?{authorize.query}")
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    response = client.get(f"/login/oidc/nhs/callback?code={code}&state=forged")
    assert response.headers["Location"] == "/login"
    assert "started in another window" in client.get("/login").text
    assert not signed_in(client)
    assert events(app, "login.failed")[0].detail["reason"] == "bad_state"
    # A second browser (no state at all) gets the same answer.
    other = app.test_client()
    other.get(f"/login/oidc/nhs/callback?code={code}&state={parse_qs(authorize.query)['state'][0]}")
    assert not signed_in(other)


def test_a_rotated_signing_key_is_picked_up(client, world, nhs):
    nhs.sign_in_as(world.nurse_a)
    through_provider(client, nhs, "/login/oidc/nhs")
    assert nhs.jwks_fetches == 1
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/wards/WA1").text)})
    nhs.rotate_key()
    through_provider(client, nhs, "/login/oidc/nhs")
    assert signed_in(client)
    assert nhs.jwks_fetches == 2  # the new kid sent grabpack back for the new JWKS


def test_an_unknown_email_is_refused_and_told_to_ask_for_an_account(app, client, world, nhs):
    subject = nhs.sign_in_as("new.starter@example.nhs.uk")
    through_provider(client, nhs, "/login/oidc/nhs")
    assert "there is no grabpack account for you" in client.get("/login").text
    assert not signed_in(client)
    failed = events(app, "login.failed")[0].detail
    assert failed == {
        "reason": "unknown_account",
        "method": "oidc",
        "provider": "nhs",
        "subject": subject,
    }
    with app.app_context():
        assert user_by_email("new.starter@example.nhs.uk") is None


def test_a_disabled_account_stays_disabled_whatever_the_provider_says(app, client, world, nhs):
    with app.app_context():
        set_active(user_by_email(world.nurse_a), False)
        db.session.commit()
    nhs.sign_in_as(world.nurse_a)
    through_provider(client, nhs, "/login/oidc/nhs")
    assert "Your grabpack account is disabled" in client.get("/login").text
    assert not signed_in(client)
    assert events(app, "login.failed")[0].detail["reason"] == "account_disabled"


def test_an_unverified_email_is_not_matched(app, client, world, nhs):
    nhs.sign_in_as(world.nurse_a, email_verified=False)
    through_provider(client, nhs, "/login/oidc/nhs")
    assert "has not verified your email address" in client.get("/login").text
    assert not signed_in(client)


def test_a_provider_cannot_sign_in_an_account_of_a_domain_it_does_not_serve(
    app, client, world, nhs
):
    nhs.sign_in_as(world.police_a)  # the trust's directory vouching for an officer
    through_provider(client, nhs, "/login/oidc/nhs")
    assert not signed_in(client)
    assert events(app, "login.failed")[0].detail["reason"] == "email_domain_not_served"


def test_an_email_a_provider_serves_cannot_use_a_password(app, client, world):
    page = client.get("/login")
    response = client.post(
        "/login?next=/wards/WA1",
        data={"email": world.nurse_a, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert response.headers["Location"] == "/login/oidc/nhs?next=/wards/WA1"
    assert not signed_in(client)
    assert events(app, "login") == [] and events(app, "login.failed") == []
    to_provider = client.get(response.headers["Location"])
    assert to_provider.headers["Location"].startswith(app.config["OIDC_PROVIDERS"]["nhs"].issuer)
    assert "login_hint=nurse.a%40example.nhs.uk" in to_provider.headers["Location"]


def test_a_post_without_its_csrf_token_is_not_sent_to_the_provider(client, world):
    """A forged sign-in form from another site starts nothing at the provider (the
    app-wide CSRF check refuses it before the sign-in page's code runs)."""
    response = client.post("/login", data={"email": world.nurse_a, "password": PASSWORD})
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert not signed_in(client)


def test_an_email_no_provider_serves_keeps_its_password(app, auth, client, world):
    from grabpack.services.users import create_user

    with app.app_context():
        create_user("lead@example.org", "admin", PASSWORD)
        db.session.commit()
    assert auth.login("lead@example.org").headers["Location"] == "/"
    assert client.get("/", follow_redirects=True).request.path != "/login"
    assert events(app, "login")[0].detail == {}  # the password sign-in, as before


def test_the_sign_in_page_offers_each_provider(client, nhs, met):
    page = client.get("/login?next=/police/")
    assert "Sign in with NHS identity" in page.text
    assert "Sign in with Met Police" in page.text
    assert 'href="/login/oidc/met?next=/police/"' in page.text
    policy = page.headers["Content-Security-Policy"]
    assert f"form-action 'self' {nhs.issuer} {met.issuer}" in policy


def test_sign_out_ends_the_session_and_offers_the_providers_sign_out(app, client, world, nhs):
    nhs.sign_in_as(world.nurse_a)
    through_provider(client, nhs, "/login/oidc/nhs")
    with app.app_context():
        token_before = user_by_email(world.nurse_a).session_token
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/wards/WA1").text)})
    page = client.get("/login")
    assert "You have signed out" in page.text
    assert "Sign out of NHS identity too" in page.text
    assert not signed_in(client)
    with app.app_context():
        assert user_by_email(world.nurse_a).session_token != token_before
    onward = client.get("/logout/oidc/nhs")
    url = urlsplit(onward.headers["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{nhs.issuer}/logout"
    query = parse_qs(url.query)
    assert query["client_id"] == ["grabpack"]
    assert query["post_logout_redirect_uri"] == ["http://localhost/login"]
    assert "id_token_hint" not in query  # grabpack keeps no ID token
    assert "Sign out of NHS identity too" not in client.get("/login").text  # offered once


def test_a_provider_that_cannot_be_reached_is_said_so(app, client, world):
    from grabpack.auth import oidc

    with serving(IdentityProvider("nhs", "NHS identity", "example.nhs.uk")) as gone:
        pass  # its port is closed now
    providers = app.config["OIDC_PROVIDERS"]
    providers["nhs"] = dataclasses.replace(providers["nhs"], issuer=gone.issuer)
    oidc.init_app(app)
    response = client.get("/login/oidc/nhs")
    assert response.headers["Location"] == "/login"
    assert "NHS identity could not be reached" in client.get("/login").text
    assert events(app, "login.failed")[0].detail["reason"] == "provider_unreachable"


@pytest.mark.parametrize(
    "app_config", [{"OIDC_NHS_CLIENT_SECRET": "not-the-secret-the-provider-gave"}], indirect=True
)
def test_a_token_endpoint_that_refuses_the_client_is_said_so(app, client, world, nhs, caplog):
    nhs.sign_in_as(world.nurse_a)
    through_provider(client, nhs, "/login/oidc/nhs")
    assert "NHS identity did not sign you in" in client.get("/login").text
    assert not signed_in(client)
    assert events(app, "login.failed")[0].detail["reason"] == "provider_error"
    assert "not-the-secret" not in caplog.text


def test_an_unknown_provider_is_not_found(client):
    assert client.get("/login/oidc/google").status_code == 404
    assert client.get("/login/oidc/google/callback?code=x&state=y").status_code == 404


GROUPS = json.dumps(
    {
        "ward-a-nurses": {"role": "nurse", "wards": ["WA1"]},
        "area-one": {"role": "police", "areas": ["AREA1"]},
    }
)


@pytest.mark.parametrize(
    "app_config", [{"OIDC_NHS_PROVISION": "yes", "OIDC_NHS_GROUPS": GROUPS}], indirect=True
)
def test_provisioning_makes_an_account_from_a_mapped_group(app, client, world, nhs):
    nhs.sign_in_as("bank.nurse@example.nhs.uk", name="Bank Nurse", groups=["ward-a-nurses"])
    through_provider(client, nhs, "/login/oidc/nhs")
    assert "Bank Nurse · Nurse · Ward A" in client.get("/wards/WA1").text
    with app.app_context():
        user = user_by_email("bank.nurse@example.nhs.uk")
        assert [w.code for w in user.wards] == ["WA1"] and user.role == "nurse"
    (created,) = events(app, "user.create")[-1:]
    assert created.detail["provider"] == "nhs"


@pytest.mark.parametrize(
    "app_config", [{"OIDC_NHS_PROVISION": "yes", "OIDC_NHS_GROUPS": GROUPS}], indirect=True
)
def test_provisioning_refuses_someone_in_no_mapped_group(app, client, world, nhs):
    nhs.sign_in_as("visitor@example.nhs.uk", groups=["canteen"])
    through_provider(client, nhs, "/login/oidc/nhs")
    assert not signed_in(client)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "visitor@example.nhs.uk")) is None


def test_without_provisioning_a_group_makes_no_account(app, client, world, nhs):
    nhs.sign_in_as("bank.nurse@example.nhs.uk", groups=["ward-a-nurses"])
    through_provider(client, nhs, "/login/oidc/nhs")
    assert not signed_in(client)


def test_a_form_sent_after_the_idle_sign_out_comes_back_after_signing_in_with_the_provider(
    app, client, world, nhs
):
    from tests.factories import FULL_LEGAL, patient_on
    from tests.test_kept_forms import idle_out
    from tests.test_packs import open_edit, save

    with app.app_context():
        patient_id = str(patient_on("WA1", "Kept Entries", FULL_LEGAL, world.nurse_a).id)
        db.session.commit()
    nhs.sign_in_as(world.nurse_a)
    through_provider(client, nhs, "/login/oidc/nhs")
    fields = open_edit(client, patient_id)
    idle_out(app, client)
    sent = save(client, patient_id, fields, **{"risk-risk_to_self": "Talked of the bridge"})
    assert sent.location.startswith("/login?next=")
    login_page = client.get(sent.location).text
    button = re.search(r'href="(/login/oidc/nhs\?next=[^"]+)"', login_page)
    back = through_provider(client, nhs, html.unescape(button.group(1)))
    assert back.location == f"/patients/{patient_id}/grab-pack/edit"
    page = client.get(back.location)
    assert "Everything you entered is back on the form" in page.text
    assert "Talked of the bridge" in page.text


def test_users_create_asks_no_password_for_an_email_a_provider_serves(
    app, client, runner, world, nhs, monkeypatch
):
    """Found: ``grabpack users create`` asked for a password for an NHS email, which
    could never be used (``/login`` sends that email to its provider)."""

    def never():
        pytest.fail("asked for a password no one could ever use")

    monkeypatch.setattr("grabpack.cli._read_password", never)
    result = runner.invoke(
        args=["users", "create", "new.nurse@example.nhs.uk", "--role", "nurse", "--ward", "WA1"]
    )
    assert result.exit_code == 0, result.output
    assert "sign in with NHS identity, not a grabpack password" in result.output
    with app.app_context():
        made = user_by_email("new.nurse@example.nhs.uk")
        assert not verify_password(made.password_hash, "")
        assert not verify_password(made.password_hash, made.password_hash)
    nhs.sign_in_as("new.nurse@example.nhs.uk")
    response = through_provider(client, nhs, "/login/oidc/nhs?next=/wards/WA1")
    assert response.headers["Location"] == "/wards/WA1"
    assert signed_in(client)


def test_users_set_password_is_refused_for_an_email_a_provider_serves(app, runner, world):
    with app.app_context():
        before = user_by_email(world.nurse_a).password_hash
    result = runner.invoke(args=["users", "set-password", world.nurse_a], input="a new one\n")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {world.nurse_a} signs in with NHS identity: grabpack keeps no password for it"
    ]
    with app.app_context():
        assert user_by_email(world.nurse_a).password_hash == before
