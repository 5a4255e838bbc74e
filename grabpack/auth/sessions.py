"""Flask-Login wiring and the idle timeout."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import select

from grabpack.extensions import db, login_manager
from grabpack.models import User

LAST_SEEN_KEY = "last_seen"
# Requests a page makes by itself (the police list's refresh): they never count as
# someone using the page, so an unattended screen of names still times out.
BACKGROUND_ENDPOINTS = frozenset({"police.open_episodes_fragment", "auth.session_remaining"})


def init_login_manager(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue"
    login_manager.login_message_category = "info"
    # "basic", not "strong": strong ends a session when the client's address
    # changes (on permanent sessions like ours it already acts as basic), and an
    # officer's phone changes address moving between 4G and wifi mid-search.
    # Stolen-cookie risk is held by Secure/HttpOnly/SameSite cookies, the idle
    # timeout, and the session token that rotates on sign-out, password change or
    # disable.
    login_manager.session_protection = "basic"
    app.before_request(enforce_idle_timeout)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """Sessions carry the user's rotating token: a password change or lockout ends them."""
    return db.session.scalar(
        select(User).where(User.session_token == session_token, User.active.is_(True))
    )


def _now() -> float:
    return datetime.now(UTC).timestamp()


def _idle_limit() -> int:
    return 60 * current_app.config["SESSION_IDLE_MINUTES"]


def touch() -> None:
    """Count this request as activity now (the time-out warning's "Stay signed in")."""
    session[LAST_SEEN_KEY] = _now()


def seconds_left() -> int:
    """How long before this session is signed out for inactivity."""
    last_seen = session.get(LAST_SEEN_KEY) or _now()
    return max(0, int(last_seen + _idle_limit() - _now()))


def enforce_idle_timeout():
    """Sign out a user whose last request is older than the idle limit.

    The time is kept in the signed session cookie and refreshed at most once a
    minute, so an idle session dies even if its cookie is replayed later.
    """
    if request.endpoint in (None, "static", "main.assets", "main.healthz"):
        return None
    if not current_user.is_authenticated:
        return None
    now = _now()
    idle_limit = _idle_limit()
    last_seen = session.get(LAST_SEEN_KEY)
    background = request.endpoint in BACKGROUND_ENDPOINTS
    if last_seen is not None and now - last_seen > idle_limit:
        logout_user()
        session.clear()
        flash("You were signed out after a period of inactivity", "info")
        if background:  # the page's script reloads, and the reload goes to sign-in
            return "", 401
        next_url = request.full_path if request.method == "GET" else None
        return redirect(url_for("auth.login", next=next_url))
    if not background and (last_seen is None or now - last_seen > 60):
        session[LAST_SEEN_KEY] = now
    return None
