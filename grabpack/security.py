"""Security headers on every response; no caching of anything but static assets."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, Response, request
from werkzeug.exceptions import BadRequest

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

STATIC_ENDPOINTS = {"static", "main.assets"}
# Browsers send a UTF-8 page's forms and links as UTF-8, so bytes that are not come
# only from a tool or an attack. The parser would keep them as "%FF" text (query and
# urlencoded body) or as U+FFFD (multipart): either way mangled, then stored.
MULTIPART_UNREADABLE = "\ufffd"


class UnreadableText(BadRequest):
    """A query or form value that is not UTF-8: refused whole, never stored mangled."""


def init_app(app: Flask) -> None:
    # First of all, before anything (the CSRF check) parses the body and consumes it.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unreadable_text)
    app.after_request(set_security_headers)


def _is_utf8(encoded: bytes) -> bool:
    """Whether every name and value of a query string or urlencoded body is UTF-8."""
    try:
        for pair in encoded.split(b"&"):
            for part in pair.split(b"=", 1):
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def refuse_unreadable_text() -> None:
    readable = _is_utf8(request.query_string)
    if readable and request.method == "POST":
        if request.mimetype == "application/x-www-form-urlencoded":
            readable = _is_utf8(request.get_data(cache=True))
        elif request.mimetype == "multipart/form-data":
            # Every value of every field (a list field sends many under one name).
            values = (v for field in request.form.listvalues() for v in field)
            readable = not any(MULTIPART_UNREADABLE in v for v in values)
    if not readable:
        raise UnreadableText()


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), geolocation=(), microphone=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint not in STATIC_ENDPOINTS:
        # Pages and files may carry patient data: never keep them in any cache.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response
