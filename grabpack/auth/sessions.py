"""Flask-Login wiring and the idle timeout."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from grabpack.auth import kept_forms
from grabpack.extensions import db, login_manager
from grabpack.models import User

LAST_SEEN_KEY = "last_seen"
SIGNED_IN_KEY = "signed_in"
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
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(enforce_idle_timeout)


def _unauthorized():
    """Not signed in (or the session's token was rotated by a sign-out elsewhere):
    to sign-in, keeping a form that was on its way. A page's own background request
    gets a bare 401: its script reloads the page, and a redirect would render the
    sign-in page inside the request and use up the message saying why."""
    if request.endpoint in BACKGROUND_ENDPOINTS:
        return "", 401
    return sign_in_again("", None) if kept_forms.is_keepable() else _to_sign_in()


def _to_sign_in():
    flash(login_manager.login_message, login_manager.login_message_category)
    next_url = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=next_url))


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


def _max_age() -> int:
    """Seconds a session may last from sign-in, however active."""
    return 3600 * current_app.config["SESSION_MAX_HOURS"]


def touch() -> None:
    """Count this request as activity now (the time-out warning's "Stay signed in")."""
    session[LAST_SEEN_KEY] = _now()


def seconds_left() -> int:
    """How long before this session is signed out: for inactivity, or at its hard
    maximum, whichever comes first."""
    now = _now()
    last_seen = session.get(LAST_SEEN_KEY) or now
    signed_in = session.get(SIGNED_IN_KEY) or now
    ends = min(last_seen + _idle_limit(), signed_in + _max_age())
    return max(0, int(ends - now))


def start() -> None:
    """Mark the start of a freshly signed-in session (its hard maximum counts from here)."""
    session[SIGNED_IN_KEY] = _now()
    session[LAST_SEEN_KEY] = _now()


def begin(user: User, **remember: str) -> None:
    """Sign ``user`` in on a fresh session, whichever way they proved who they are
    (a password or an identity provider): nothing of the old session survives but a
    form kept across the sign-out, which goes to its owner. ``remember`` is put in
    the new session (e.g. the provider signed in with, for signing out there)."""
    kept = session.get(kept_forms.SESSION_KEY)
    session.clear()
    session.permanent = True
    login_user(user)
    start()
    kept_forms.carry_over_sign_in(kept, user)
    session.update(remember)


def _over(now: float) -> str | None:
    """Why this session must end now: idle too long, or open too long; else ``None``."""
    last_seen = session.get(LAST_SEEN_KEY)
    if last_seen is not None and now - last_seen > _idle_limit():
        return "after a period of inactivity"
    signed_in = session.setdefault(SIGNED_IN_KEY, now)
    if now - signed_in > _max_age():
        hours = current_app.config["SESSION_MAX_HOURS"]
        return f"{hours} hour{'' if hours == 1 else 's'} after signing in"
    return None


def enforce_idle_timeout():
    """Sign out a user whose last request is older than the idle limit, or whose
    session is older than its hard maximum.

    The times are kept in the signed session cookie and refreshed at most once a
    minute, so an idle session dies even if its cookie is replayed later. A form
    that arrives just too late is kept and put back after sign-in (``kept_forms``).
    """
    if request.endpoint in (None, "static", "main.assets", "main.healthz"):
        return None
    if not current_user.is_authenticated:
        return None
    now = _now()
    background = request.endpoint in BACKGROUND_ENDPOINTS
    if (why := _over(now)) is not None:
        user_id = current_user.id
        logout_user()
        session.clear()
        if background:  # the page's script reloads, and the reload goes to sign-in
            flash(f"You were signed out {why}", "info")
            return "", 401
        return sign_in_again(why, user_id)
    last_seen = session.get(LAST_SEEN_KEY)
    if not background and (last_seen is None or now - last_seen > 60):
        session[LAST_SEEN_KEY] = now
    return None


def sign_in_again(why: str, user_id: int | None):
    """To sign-in, keeping a form that arrived too late (for ``user_id``, or for
    whoever signs in next in this browser when the server no longer knows who sent
    it), and back to the page it came from afterwards."""
    if kept_forms.is_keepable() and (show_at := kept_forms.keep(user_id)) is not None:
        flash(kept_forms.NOT_SENT, "info")
        return redirect(url_for("auth.login", next=show_at))
    flash(f"You were signed out {why}", "info")
    next_url = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=next_url))
