from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from grabpack.auth import bp
from grabpack.auth.forms import LoginForm, LogoutForm
from grabpack.extensions import db, limiter
from grabpack.services import audit
from grabpack.services.users import LoginOutcome, authenticate


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
            form.email.data,
            form.password.data,
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            lockout=timedelta(minutes=current_app.config["LOCKOUT_MINUTES"]),
            remote_addr=request.remote_addr or "",
        )
        db.session.commit()
        if result.outcome is LoginOutcome.OK:
            session.clear()
            session.permanent = True
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        if result.outcome is LoginOutcome.LOCKED:
            form.form_errors.append(
                "This account is locked after too many failed sign-ins. "
                f"Try again in {current_app.config['LOCKOUT_MINUTES']} minutes "
                "or ask an administrator."
            )
        else:
            form.form_errors.append("Enter a correct email address and password")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        return redirect(url_for("main.home"))
    audit.record("logout", user=current_user, remote_addr=request.remote_addr or "")
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never let ?next= send someone to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
