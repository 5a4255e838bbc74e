"""Error pages in the design system, one per status a user can meet."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from grabpack.extensions import db

TITLES = {
    400: "There is a problem with your request",
    403: "You do not have access to this page",
    404: "Page not found",
    413: "The file is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}


def init_app(app: Flask) -> None:
    for status in TITLES:
        if status != 500:
            app.register_error_handler(status, http_error)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(500, server_error)


def http_error(error: HTTPException):
    status = error.code or 500
    return render_template(
        "errors/error.html",
        status=status,
        title=TITLES.get(status, error.name),
        max_upload_mb=_max_upload_mb(),
    ), status


def csrf_error(error: CSRFError):
    return render_template(
        "errors/error.html",
        status=400,
        title="Your form has expired",
        reason="csrf",
    ), 400


def server_error(error):
    # Whatever half-done work the request held must not leak into the next one.
    db.session.rollback()
    return render_template("errors/error.html", status=500, title=TITLES[500]), 500


def _max_upload_mb() -> int:
    from flask import current_app

    return current_app.config["MAX_UPLOAD_MB"]
