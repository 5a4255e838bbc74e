from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from grabpack.auth import bp, oidc, oidc_accounts
from grabpack.auth.forms import LoginForm, LogoutForm
from grabpack.auth.sessions import begin, seconds_left, touch
from grabpack.config import OidcProvider
from grabpack.domain.throttle import wait_in_words
from grabpack.extensions import db, limiter
from grabpack.links import external_url_for
from grabpack.security import CONTENT_SECURITY_POLICY
from grabpack.services import audit
from grabpack.services.users import LoginOutcome, authenticate, sign_out

UNSAFE_IN_NEXT = re.compile(r"[\x00-\x1f\x7f\\]")

# Session keys for sign-in with an identity provider. The provider's name only:
# never a token, and the email typed is kept out of URLs (and so access logs).
OIDC_PROVIDER_KEY = "oidc_provider"  # signed in through it: offer its sign-out
OIDC_NEXT_KEY = "oidc_next"
OIDC_HINT_KEY = "oidc_login_hint"
OIDC_ERROR_KEY = "oidc_error"
OIDC_SIGNED_OUT_KEY = "oidc_signed_out"

# What /login says when a provider's sign-in is refused, by the reason's kind.
TRY_AGAIN = "Try again; if it happens again, tell your IT service desk."
OIDC_MESSAGES = {
    "bad_state": "Signing in with {label} could not be finished: it was started in "
    "another window, or took too long. Start again.",
    "untrusted": "{label} sent a sign-in that grabpack could not trust, so you have not "
    "been signed in. " + TRY_AGAIN,
    "unreachable": "{label} could not be reached, so you have not been signed in. "
    "Try again in a few minutes.",
    "denied": "{label} did not sign you in. " + TRY_AGAIN,
    "no_account": "{label} confirmed who you are, but there is no grabpack account for "
    "you. Ask your ward manager or grabpack administrator to add you.",
    "not_verified": "{label} has not verified your email address, so grabpack cannot "
    "match it to an account. Ask your IT service desk.",
    "disabled": "Your grabpack account is disabled. Ask your grabpack administrator.",
}
OIDC_REASON_KINDS = {
    "bad_state": "bad_state",
    "provider_unreachable": "unreachable",
    "provider_denied": "denied",
    "provider_error": "denied",
    "email_not_verified": "not_verified",
    "account_disabled": "disabled",
    "unknown_account": "no_account",
    "no_email": "no_account",
    "email_domain_not_served": "no_account",
    "linked_to_another_identity": "no_account",
    "groups_disagree": "no_account",
    "provisioning_refused": "no_account",
}


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _not_signed_in(response) -> bool:
    """Whether an attempt counts towards the per-address limit: only one that did not
    sign anyone in. A sign-in that works answers with a redirect (home, ``next``, or on
    to the identity provider); a refusal shows the sign-in page again (or a 429, a
    400). A ward behind one address (a trust's NAT) signing in at a shift change is
    never refused for its own successes, while guessing still meets the limit."""
    return not (300 <= response.status_code < 400)


def _not_signed_in_by_provider(response) -> bool:
    """The same for a sign-in with an identity provider, where a refusal is a redirect
    too: back to /login, saying why. On to the provider, or into grabpack, is not
    counted."""
    if not _not_signed_in(response):
        return urlsplit(response.location or "").path == url_for("auth.login")
    return True


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"], deduct_when=_not_signed_in)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.is_submitted():
        valid = form.validate()
        served = None if form.email.errors else oidc.provider_for_email(form.email.data)
        if served is not None:
            # Its people sign in with their organisation's identity, never a password
            # here: off to the provider, with the email as a hint.
            session[OIDC_HINT_KEY] = form.email.data.strip()
            return redirect(
                url_for("auth.oidc_start", name=served.name, next=request.args.get("next"))
            )
        if valid:
            return _password_sign_in(form)
    return _login_page(form)


def _password_sign_in(form: LoginForm):
    result = authenticate(
        form.email.data, form.password.data, remote_addr=request.remote_addr or ""
    )
    db.session.commit()
    if result.outcome is LoginOutcome.OK:
        begin(result.user)
        return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    if result.outcome is LoginOutcome.THROTTLED:
        # The same words whether the account exists, is disabled, or not.
        form.form_errors.append(
            "Too many failed sign-ins for this email address from here. "
            f"Wait {wait_in_words(result.wait)}, then try again."
        )
        return _login_page(form, 429)
    form.form_errors.append("Enter a correct email address and password")
    return _login_page(form)


def _login_page(form: LoginForm, status: int = 200):
    """The sign-in page: a button per identity provider, then the password form."""
    providers = list(oidc.providers().values())
    refused = session.pop(OIDC_ERROR_KEY, None)
    if refused and (configured := oidc.provider(refused[0])) is not None:
        kind = OIDC_REASON_KINDS.get(refused[1], "untrusted")
        form.form_errors.append(OIDC_MESSAGES[kind].format(label=configured.label))
    signed_out_of = oidc.provider(session.pop(OIDC_SIGNED_OUT_KEY, ""))
    response = make_response(
        render_template(
            "auth/login.html", form=form, providers=providers, signed_out_of=signed_out_of
        ),
        status,
    )
    if providers:
        # The form's post is redirected to a provider for an email it serves: the
        # browser must be allowed to follow (CSP form-action covers redirects).
        allowed = " ".join(["'self'", *oidc.form_action_origins()])
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", f"form-action {allowed}"
        )
    return response


@bp.route("/login/oidc/<name>")
@limiter.limit(_login_rate_limit, deduct_when=_not_signed_in_by_provider)
def oidc_start(name: str):
    """Off to the provider: Authlib keeps state, nonce and the PKCE verifier in the
    session; where to go afterwards (``next``) waits there too."""
    configured = oidc.provider(name) or abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    hint = session.pop(OIDC_HINT_KEY, None)
    session[OIDC_NEXT_KEY] = _safe_next(request.args.get("next")) or ""
    try:
        return oidc.authorize_redirect(
            configured, external_url_for("auth.oidc_callback", name=name), hint
        )
    except oidc.SignInFailed as failed:
        return _oidc_refused(configured, failed.reason)


@bp.route("/login/oidc/<name>/callback")
@limiter.limit(_login_rate_limit, deduct_when=_not_signed_in_by_provider)
def oidc_callback(name: str):
    """Back from the provider: verify what it sent, find the account, sign in through
    the same session machinery as a password; anything else back to /login, saying why."""
    configured = oidc.provider(name) or abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    next_url = _safe_next(session.pop(OIDC_NEXT_KEY, None))
    try:
        identity = oidc.verified_identity(configured)
    except oidc.SignInFailed as failed:
        return _oidc_refused(configured, failed.reason)
    match = oidc_accounts.sign_in(configured, identity, remote_addr=request.remote_addr or "")
    db.session.commit()
    if match.user is None:
        return _oidc_refused(configured, match.reason, audited=True)
    begin(match.user, **{OIDC_PROVIDER_KEY: name})
    return redirect(next_url or url_for("main.home"))


def _oidc_refused(configured: OidcProvider, reason: str, audited: bool = False):
    """Log and audit a refused sign-in (a reason code, never a token or the provider's
    own words), and say why on /login. No session is started."""
    if not audited:
        audit.record(
            "login.failed",
            remote_addr=request.remote_addr or "",
            reason=reason,
            method="oidc",
            provider=configured.name,
        )
        db.session.commit()
    current_app.logger.warning(
        "sign-in with identity provider %s refused: %s", configured.name, reason
    )
    session[OIDC_ERROR_KEY] = (configured.name, reason)
    return redirect(url_for("auth.login"))


@bp.route("/logout/oidc/<name>")
def oidc_logout(name: str):
    """After signing out of grabpack: on to the provider's own sign-out page."""
    configured = oidc.provider(name) or abort(404)
    url = oidc.end_session_url(configured, external_url_for("auth.login"))
    if url is None:
        flash(
            f"{configured.label} has no sign-out page grabpack can send you to: close the "
            "browser to end your session there.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return redirect(url)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        return redirect(url_for("main.home"))
    provider_name = session.get(OIDC_PROVIDER_KEY)
    sign_out(current_user, request.remote_addr or "")  # every old cookie stops working
    db.session.commit()
    logout_user()
    session.clear()
    if oidc.provider(provider_name or "") is not None:
        session[OIDC_SIGNED_OUT_KEY] = provider_name  # offer the provider's sign-out
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
