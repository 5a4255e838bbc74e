"""Error pages in the design system, one per status a user can meet."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException

from grabpack.auth import kept_forms
from grabpack.auth.sessions import sign_in_again
from grabpack.extensions import db
from grabpack.security import UnreadableText

log = logging.getLogger(__name__)

TITLES = {
    400: "There is a problem with your request",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "This page cannot be opened that way",
    413: "The file is too large",
    429: "Too many requests",
    503: "The service is busy",
    500: "Sorry, there is a problem with the service",
}
# SQLSTATE numeric_value_out_of_range: PostgreSQL's answer to an ``integer``
# beyond 32 bits (or a ``bigint`` beyond 64) bound from the request.
NUMBER_OUT_OF_RANGE = "22003"


def init_app(app: Flask) -> None:
    for status in TITLES:
        if status != 500:
            app.register_error_handler(status, http_error)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(UnreadableText, unreadable_text)
    app.register_error_handler(OverflowError, number_out_of_range)
    app.register_error_handler(DataError, data_error)
    app.register_error_handler(OperationalError, database_busy)
    app.register_error_handler(500, server_error)


TEXT_TOO_LONG = "What you entered is too long to send"


def http_error(error: HTTPException):
    status = error.code or 500
    title, reason = TITLES.get(status, error.name), None
    if status == 413 and not _over_the_upload_limit():
        title, reason = TEXT_TOO_LONG, "text"
    page = render_template(
        "errors/error.html",
        status=status,
        title=title,
        reason=reason,
        max_upload_mb=_max_upload_mb(),
    )
    # Werkzeug's own headers for the error: a 405 must say which methods it takes
    # (``Allow``), and the page's own type replaces its plain-text one.
    headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]
    return page, status, headers


def _over_the_upload_limit() -> bool:
    """Whether a 413 is for a file: a form that may carry one (multipart), larger
    than the upload limit. Otherwise the typed text itself was over what a form may
    hold (Flask's ``MAX_FORM_MEMORY_SIZE``), and a message about photos would
    mislead."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    length = request.content_length
    return (
        request.mimetype == "multipart/form-data"
        and limit is not None
        and (length is None or length > limit)
    )


# Forms sent by people who are not signed in (sign-in itself, a share link's police
# reference): a missing token there is a bad request, not a sign-out.
PUBLIC_FORMS = frozenset({"auth", "share"})
SIGNED_OUT_NOTHING_DONE = (
    "You were signed out (in another tab, or after a time without use), so nothing was "
    "done. Sign in, then go back to the page and try again."
)


def csrf_error(error: CSRFError):
    """A form whose session token is gone or changed. Never the end of what was typed:
    a form worth keeping is kept and put back (after sign-in, if the session ended);
    anything else gets a page that says what happened and what to do."""
    if request.headers.get("Sec-Fetch-Dest") == "empty":
        # A page's script asking in the background (the power-to-retake preview): no
        # page for it, so no new form token either. Rendering one would put a fresh
        # token in this browser's session and spoil the sign-in page it may be
        # showing now (seen in a browser test when a preview raced the sign-out).
        return Response("This form could not be sent", status=400, mimetype="text/plain")
    if kept_forms.is_keepable():
        if current_user.is_authenticated:  # sent from a page older than this session
            if show_at := kept_forms.keep(current_user.id, reason="old_form"):
                return redirect(show_at)
        else:
            return sign_in_again("", None)
    elif (
        not current_user.is_authenticated
        and request.blueprint not in PUBLIC_FORMS
        and kept_forms.sent_from_our_own_page()  # not a post from another site
    ):
        # A button (transfer, share, revoke...) pressed after signing out: never "you
        # signed in again since" to someone who is signed out.
        flash(SIGNED_OUT_NOTHING_DONE, "info")
        return redirect(url_for("auth.login"))
    return render_template(
        "errors/error.html",
        status=400,
        title="This form could not be sent",
        reason="csrf",
    ), 400


def unreadable_text(error: UnreadableText):
    """Bytes that are not UTF-8 in a form or address: refused, saying so."""
    return render_template(
        "errors/error.html",
        status=400,
        title="Some of what was sent could not be read",
        reason="unreadable",
    ), 400


def number_out_of_range(error: Exception):
    """A number in a query or form too big for the database is the request's fault:
    a 400, never a 500. SQLite raises ``OverflowError`` binding one beyond 64 bits.

    Views read such numbers in many places (``?page=``, ``?from=``, ``based_on``);
    this is the one place that answers for all of them, on both databases.
    """
    db.session.rollback()
    # The type only: a database error's text carries the statement and its values.
    current_app.logger.info("number out of range on %s: %s", request.endpoint, type(error).__name__)
    return http_error(BadRequest())


def data_error(error: DataError):
    """PostgreSQL's number out of range is the request's fault; any other refused
    value is a bug and stays a 500 with its traceback."""
    if getattr(error.orig, "sqlstate", None) != NUMBER_OUT_OF_RANGE:
        raise error
    return number_out_of_range(error)


def database_busy(error: OperationalError):
    """The database stayed locked or out of reach past its time-out (a backup holding
    SQLite, a PostgreSQL fail-over): for anyone, including an officer mid-search, a
    page that says so and to try again, not "a problem with the service". Forms
    that save say it on the form instead (``transactions.saving``)."""
    db.session.rollback()
    log.warning("database busy or unreachable: %s", _first_line(error.orig))
    page = render_template("errors/error.html", status=503, title=TITLES[503], reason="busy")
    return page, 503, {"Retry-After": "5"}


def _first_line(error: BaseException | None) -> str:
    """The driver's reason without SQL or parameters: ``database is locked``."""
    text = str(error or "").strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def server_error(error):
    # Whatever half-done work the request held must not leak into the next one.
    db.session.rollback()
    return render_template("errors/error.html", status=500, title=TITLES[500]), 500


def _max_upload_mb() -> int:
    from flask import current_app

    return current_app.config["MAX_UPLOAD_MB"]
