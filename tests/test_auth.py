"""Signing in and out, throttling, CSRF, session cookies and the idle timeout."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import AuditEvent, SignInThrottle
from tests.conftest import PASSWORD, csrf_token


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_nurse_signs_in_and_lands_on_their_ward(client, auth, world):
    response = auth.login(world.nurse_a, follow_redirects=True)
    assert response.status_code == 200
    assert "<h1>Ward A</h1>" in response.text
    assert "Nurse A · Nurse · Ward A" in response.text


def test_police_sign_in_lands_on_open_episodes(client, auth, world):
    response = auth.login(world.police_a, follow_redirects=True)
    assert "Open missing episodes" in response.text
    assert "Area One" in response.text


def test_wrong_password_shows_error_summary_and_is_audited(app, client, auth, world):
    response = auth.login(world.nurse_a, "not the password")
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Enter a correct email address and password" in response.text
    assert "<title>Error: Sign in" in response.text
    assert "login.failed" in audit_actions(app)


def test_empty_form_names_each_missing_field(client, world):
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_token(page.text)})
    assert 'href="#email"' in response.text
    assert "Enter your email address" in response.text
    assert "Enter your password" in response.text


def test_email_is_case_insensitive(client, auth, world):
    response = auth.login(world.nurse_a.upper())
    assert response.status_code == 302


def test_logout_ends_the_session(app, client, auth, world):
    auth.login(world.nurse_a)
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/wards").status_code == 302  # back to sign-in
    assert "logout" in audit_actions(app)


def test_logout_by_get_is_not_allowed(client, auth, world):
    auth.login(world.nurse_a)
    assert client.get("/logout").status_code == 405


def _age_throttles(app, failures: int | None = None, seconds: float = 0) -> None:
    """Move every recorded failure back in time (and set its count), as time passing would."""
    with app.app_context():
        for row in db.session.scalars(select(SignInThrottle)):
            row.last_failure_at -= timedelta(seconds=seconds)
            if failures is not None:
                row.failures = failures
        db.session.commit()


def sign_in_from(app, address: str, email: str, password: str):
    """A sign-in from another device, at ``address``."""
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = address
    page = other.get("/login")
    data = {"email": email, "password": password, "csrf_token": csrf_token(page.text)}
    return other, other.post("/login", data=data)


def test_failed_sign_ins_slow_down_then_refuse_that_address_for_that_account(
    app, client, auth, world
):
    """Throttling, not lockout (NCSC): the pair waits longer and longer, then is refused;
    the person's own session and other addresses are untouched."""
    auth.login(world.nurse_a)
    assert client.get("/wards/WA1").status_code == 200
    attacker = "203.0.113.9"
    for _ in range(3):
        _, response = sign_in_from(app, attacker, world.nurse_a, "wrong password")
        assert "Enter a correct email address and password" in response.text
    _, response = sign_in_from(app, attacker, world.nurse_a, "wrong password")
    assert response.status_code == 429 and "Wait 2 seconds" in response.text
    _age_throttles(app, failures=app.config["LOGIN_MAX_FAILURES"])
    _, response = sign_in_from(app, attacker, world.nurse_a, PASSWORD)  # right, but refused
    assert response.status_code == 429 and "Wait 15 minutes" in response.text
    assert client.get("/wards/WA1").status_code == 200  # her session goes on
    _, from_her_pc = sign_in_from(app, "10.0.0.7", world.nurse_a, PASSWORD)
    assert from_her_pc.status_code == 302
    actions = audit_actions(app)
    assert "login.throttled" in actions and "login.locked" not in actions
    _age_throttles(app, seconds=15 * 60)  # the refusal runs out
    assert sign_in_from(app, attacker, world.nurse_a, PASSWORD)[1].status_code == 302


def test_the_answer_is_the_same_whether_or_not_the_account_exists(app, world):
    def answers(email: str) -> list[tuple[int, str]]:
        seen = []
        for _ in range(4):
            _, response = sign_in_from(app, "198.51.100.4", email, "wrong password")
            text = response.text.replace(email, "EMAIL")
            seen.append((response.status_code, re.sub(r'value="[^"]{40,}"', "", text)))
        return seen

    assert answers(world.nurse_a) == answers("nobody.here@example.nhs.uk")


def test_throttle_counts_hold_across_workers(app, app_factory, world):
    """Two app processes on one database count the same failures (not per worker)."""
    second = app_factory(GRABPACK_ENV="testing", SECRET_KEY="test-secret-key")
    for worker in (app, second, app):
        sign_in_from(worker, "192.0.2.1", world.nurse_a, "wrong password")
    _, response = sign_in_from(second, "192.0.2.1", world.nurse_a, "wrong password")
    assert response.status_code == 429


def test_an_administrator_lifts_the_throttle(app, world):
    from grabpack.services.users import find_user, unlock

    for _ in range(3):
        sign_in_from(app, "192.0.2.2", world.nurse_a, "wrong password")
    _age_throttles(app, failures=app.config["LOGIN_MAX_FAILURES"])
    with app.app_context():
        unlock(find_user(world.nurse_a))
        db.session.commit()
    assert sign_in_from(app, "192.0.2.2", world.nurse_a, PASSWORD)[1].status_code == 302


def test_post_without_csrf_token_is_rejected(client, world):
    response = client.post("/login", data={"email": world.nurse_a, "password": PASSWORD})
    assert response.status_code == 400
    assert "This form could not be sent" in response.text
    assert client.get("/wards").status_code == 302  # not signed in


def test_csrf_token_from_another_session_is_rejected(app, client, world):
    stranger = app.test_client()
    token = csrf_token(stranger.get("/login").text)
    client.get("/login")
    response = client.post(
        "/login", data={"email": world.nurse_a, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400


def test_session_cookie_is_httponly_and_samesite_lax(client, auth, world):
    response = auth.login(world.nurse_a)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_idle_session_is_signed_out(app, client, auth, world):
    auth.login(world.nurse_a)
    assert client.get("/wards/WA1").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 1
    response = client.get("/wards/WA1")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "inactivity" in client.get(response.headers["Location"]).text


def test_next_parameter_only_redirects_within_the_site(client, world):
    page = client.get("/login?next=https://evil.example/")
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": world.nurse_a, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert response.headers["Location"] == "/"


def test_next_parameter_returns_to_the_page_asked_for(client, world):
    first = client.get("/wards/WA1")
    assert first.status_code == 302
    login_url = first.headers["Location"]
    page = client.get(login_url)
    response = client.post(
        login_url,
        data={"email": world.nurse_a, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert response.headers["Location"] == "/wards/WA1"


def test_sign_in_attempts_are_rate_limited(app_factory, world):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    statuses = [
        client.post(
            "/login", data={"email": world.nurse_a, "password": "x" * 12, "csrf_token": token}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    last = client.post(
        "/login", data={"email": world.nurse_a, "password": "x", "csrf_token": token}
    )
    assert "Too many requests" in last.text


def test_session_survives_a_change_of_network(client, auth, world):
    auth.login(world.police_a)
    moved = client.get("/police/", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert moved.status_code == 200  # a phone moving from 4G to wifi keeps its session
