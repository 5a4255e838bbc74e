"""Signing in and out, lockout, CSRF, session cookies and the idle timeout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import AuditEvent, User
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


def test_account_locks_after_repeated_failures_even_for_right_password(app, client, auth, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login(world.nurse_a, "wrong password")
    response = auth.login(world.nurse_a, PASSWORD)
    assert response.status_code == 200
    assert "This account is locked" in response.text
    actions = audit_actions(app)
    assert "login.locked" in actions and "login.refused_locked" in actions


def test_lock_expires_after_lockout_period(app, client, auth, world):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == world.nurse_a))
        user.locked_until = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    assert auth.login(world.nurse_a).status_code == 302


def test_lockout_ends_existing_sessions(app, client, auth, world):
    auth.login(world.nurse_a)
    assert client.get("/wards/WA1").status_code == 200
    other = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        page = other.get("/login")
        other.post(
            "/login",
            data={
                "email": world.nurse_a,
                "password": "wrong password",
                "csrf_token": csrf_token(page.text),
            },
        )
    assert client.get("/wards/WA1").status_code == 302


def test_post_without_csrf_token_is_rejected(client, world):
    response = client.post("/login", data={"email": world.nurse_a, "password": PASSWORD})
    assert response.status_code == 400
    assert "Your form has expired" in response.text
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
