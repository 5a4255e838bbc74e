"""Logs never carry a secret: no session cookie (its flash messages can name a
patient), no authorisation header, no share-link token.

Access logs print request paths (share-link tokens) and can be told to print
headers (session cookies, authorisation). Every record is redacted where it is
made, by the log-record factory: that one place sees werkzeug's dev-server
lines, gunicorn's access and error logs, Flask's "Exception on <path>" and our
own, whatever handler prints them. Filters on loggers or handlers would not
do: gunicorn replaces its handlers on reload, an operator's log config adds
others, and a logger's filter never sees records from its children.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Mapping
from typing import Any

REDACTED = "[redacted]"
SHARE_TOKEN = re.compile(r"((?:/|%2F)share(?:/|%2F))[A-Za-z0-9_-]+", re.IGNORECASE)
# An identity provider's answer on /login/oidc/<name>/callback: the one-time code and
# the state (useless without the session's PKCE verifier, but still credentials).
OIDC_ANSWER = re.compile(r"([?&](?:code|state)=)[^&\s\"]+", re.IGNORECASE)
# gunicorn names header atoms "{cookie}i" / "{set-cookie}o" and environ ones
# "{http_cookie}e"; whatever an operator puts in the format, these print redacted.
SECRET_FIELD = re.compile(r"cookie|authori[sz]ation|token|csrf|session|secret|password", re.I)
# gunicorn's %(u)s is the user name from an HTTP Basic Authorization header.
AUTH_USER_FIELDS = frozenset({"u"})
# The fields a %-style format names: "%(h)s", "%({set-cookie}o)s".
FORMAT_FIELD = re.compile(r"%\(([^)]*)\)")


def redact(text: str) -> str:
    """``text`` with every share-link token (plain or URL-encoded paths) and every
    sign-in code or state from an identity provider replaced."""
    return OIDC_ANSWER.sub(rf"\1{REDACTED}", SHARE_TOKEN.sub(rf"\1{REDACTED}", text))


def redact_record(record: logging.LogRecord) -> None:
    """Make ``record`` safe to print, in place.

    The message is rendered here and redacted as a whole, so a token is caught
    whether it came in the format, an argument or an object's ``str()``. The
    arguments are then dropped: logging prints them raw when a format fails, and
    that is how gunicorn's fields (cookies and all) reached the console.
    """
    try:
        message = _rendered(record)
    except Exception:  # noqa: BLE001 - a format that fails prints as written, no values
        message = str(record.msg)
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _rendered(record: logging.LogRecord) -> str:
    if not isinstance(record.args, Mapping):
        return record.getMessage()
    # gunicorn's access fields: only those the format names, secret headers blanked.
    # Looked up through gunicorn's mapping, which reads header names in any case
    # and answers "-" for a header the request did not send.
    fields = record.args
    named = FORMAT_FIELD.findall(str(record.msg))
    return str(record.msg) % {key: _redacted_field(key, fields[key]) for key in named}


def _redacted_field(key: str, value: Any) -> Any:
    if key in AUTH_USER_FIELDS:
        return "-"
    if SECRET_FIELD.search(key):
        return REDACTED
    return value


class RedactSecrets(logging.Filter):
    """The same redaction as a filter, for a handler set up outside the app."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install_redaction() -> None:
    """Redact every log record this process makes from now on (once per process)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacts", False):
        return
    logging.setLogRecordFactory(_redacting(factory))


def _redacting(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        redact_record(record)
        return record

    make_record.redacts = True  # type: ignore[attr-defined]
    return make_record
