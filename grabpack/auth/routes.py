from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from grabpack.auth import bp, kept_forms
from grabpack.auth.forms import LoginForm, LogoutForm
from grabpack.auth.sessions import seconds_left, touch
from grabpack.auth.sessions import start as start_session
from grabpack.domain.throttle import wait_in_words
from grabpack.extensions import db, limiter
from grabpack.services.users import LoginOutcome, authenticate, sign_out

UNSAFE_IN_NEXT = re.compile(r"[\x00-\x1f\x7f\\]")


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = authenticate(
            form.email.data, form.password.data, remote_addr=request.remote_addr or ""
        )
        db.session.commit()
        if result.outcome is LoginOutcome.OK:
            kept = session.get(kept_forms.SESSION_KEY)  # a form sent after sign-out
            session.clear()
            session.permanent = True
            login_user(result.user)
            start_session()
            kept_forms.carry_over_sign_in(kept, result.user)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        if result.outcome is LoginOutcome.THROTTLED:
            # The same words whether the account exists, is disabled, or not.
            form.form_errors.append(
                "Too many failed sign-ins for this email address from here. "
                f"Wait {wait_in_words(result.wait)}, then try again."
            )
            return render_template("auth/login.html", form=form), 429
        form.form_errors.append("Enter a correct email address and password")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        return redirect(url_for("main.home"))
    sign_out(current_user, request.remote_addr or "")  # every old cookie stops working
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never let ?next= send someone to another host, and
    nothing that cannot go in a Location header (control characters, backslashes)."""
    if not target or len(target) > 2000 or UNSAFE_IN_NEXT.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/session/remaining")
@login_required
def session_remaining():
    """Seconds before the idle sign-out, for the time-out warning. Asking does not
    count as activity (see ``sessions.BACKGROUND_ENDPOINTS``)."""
    return jsonify(seconds=seconds_left())


@bp.route("/session/keepalive", methods=["POST"])
@login_required
def keepalive():
    """ "Stay signed in" on the time-out warning: this counts as activity."""
    touch()
    return jsonify(seconds=seconds_left())
