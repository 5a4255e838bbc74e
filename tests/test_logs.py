"""Logs never carry a secret or a name: no cookie, no authorisation header, no
share-link token, whichever logger, format or handler prints the line.

A real gunicorn with an access log: tests/test_gunicorn.py.
"""

from __future__ import annotations

import io
import logging
import threading
import urllib.error
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger as GunicornLogger
from werkzeug.serving import make_server

from grabpack.logs import install_redaction, redact

TOKEN = "AbC-123_secretTokenValue"
COOKIE = "__Host-grabpack=.eJyrVkrOz8lPzSvRSy4tSs0rSdVRyixWsqpWKkktLlGyUoquVkrLzElVslIqLU4tUqoF"


@pytest.fixture(autouse=True)
def redaction() -> None:
    install_redaction()


@pytest.fixture
def printed(monkeypatch) -> io.StringIO:
    """What gunicorn's access and error loggers print, through a handler of their own
    as in gunicorn (which also stops them propagating)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    for name in ("gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "handlers", [handler])
        monkeypatch.setattr(logger, "propagate", False)
        monkeypatch.setattr(logger, "level", logging.INFO)
    return stream


class HandlerlessGunicornLogger(GunicornLogger):
    """gunicorn's own access logging, printing through the test's handler only."""

    def setup(self, cfg: Config) -> None:
        self.cfg = cfg


def gunicorn_access(stream: io.StringIO, log_format: str | None = None) -> str:
    """A share-link request through gunicorn's own access logging: a share-page
    referer, a session cookie, Basic credentials, and a new cookie set."""
    config = Config()
    config.set("accesslog", "-")
    if log_format:
        config.set("access_log_format", log_format)
    logger = HandlerlessGunicornLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/share/{TOKEN}?next=%2Fshare%2F{TOKEN}",
        "PATH_INFO": f"/share/{TOKEN}",
        "QUERY_STRING": f"next=%2Fshare%2F{TOKEN}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": f"https://grabpack.example/share/{TOKEN}",
        "HTTP_COOKIE": COOKIE,
        "HTTP_AUTHORIZATION": "Basic bnVyc2U6cGFzc3dvcmQ=",
    }
    request = SimpleNamespace(
        headers=[("COOKIE", COOKIE), ("AUTHORIZATION", "Basic bnVyc2U6cGFzc3dvcmQ=")]
    )
    response = SimpleNamespace(
        status="200 OK", sent=1234, headers=[("Set-Cookie", f"{COOKIE}; Secure; HttpOnly")]
    )
    logger.access(response, request, environ, timedelta(milliseconds=12))
    return stream.getvalue()


def test_gunicorn_default_access_format_prints_an_ordinary_line(printed):
    """Issue 15: the redaction turned gunicorn's fields into a tuple, the format
    failed and logging printed every raw field (cookies included) instead."""
    line = gunicorn_access(printed)
    assert "10.0.0.7 - - [" in line
    assert '"GET /share/[redacted]?next=%2Fshare%2F[redacted] HTTP/1.1" 200 1234' in line
    assert '"https://grabpack.example/share/[redacted]"' in line
    assert "Logging error" not in line and TOKEN not in line and COOKIE not in line


def test_an_identity_providers_code_and_state_print_redacted():
    """The callback from an identity provider carries a one-time code and the state:
    neither reaches a log line, whatever logger prints the path."""
    line = redact(
        '"GET /login/oidc/nhs/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj '
        'HTTP/1.1" 302 "https://idp.example/authorize?state=xyz&code_challenge=abc"'
    )
    assert "SplxlOBeZQQYbYS6WxSbIA" not in line and "af0ifjsldkj" not in line
    assert "?code=[redacted]&state=[redacted] HTTP/1.1" in line
    assert "?state=[redacted]&code_challenge=abc" in line


def test_header_atoms_in_an_operators_format_print_redacted(printed):
    line = gunicorn_access(
        printed,
        "%(u)s cookie=%({cookie}i)s auth=%({Authorization}i)s set=%({set-cookie}o)s "
        "env=%({http_cookie}e)s %({HTTP_AUTHORIZATION}e)s missing=%({x-nothing}i)s %(U)s",
    )
    assert line.strip() == (
        "- cookie=[redacted] auth=[redacted] set=[redacted] "
        "env=[redacted] [redacted] missing=- /share/[redacted]"
    )


def test_gunicorn_error_log_redacts_the_message_and_the_traceback(printed):
    try:
        raise RuntimeError(f"could not open /share/{TOKEN}")
    except RuntimeError:
        logging.getLogger("gunicorn.error").exception(
            "Error handling request %s", f"/share/{TOKEN}"
        )
    text = printed.getvalue()
    assert "Error handling request /share/[redacted]" in text
    assert "RuntimeError: could not open /share/[redacted]" in text
    assert TOKEN not in text


def test_a_format_that_fails_prints_as_written_without_values(monkeypatch, capsys):
    """When a format fails, logging prints the record's raw arguments to stderr:
    that is how the session cookies reached the console. (A logger made here, in
    the test's body, so that pytest's own handler, which raises instead, is not on it.)"""
    stream = io.StringIO()
    logger = logging.getLogger("tests.logs.unformattable")
    monkeypatch.setattr(logger, "handlers", [logging.StreamHandler(stream)])
    monkeypatch.setattr(logger, "propagate", False)
    logger.warning("%(r)s %(no_such_field)s", {"r": f"GET /share/{TOKEN}", "{cookie}i": COOKIE})
    printed = stream.getvalue() + capsys.readouterr().err
    assert printed == "%(r)s %(no_such_field)s\n"


def test_flasks_own_crash_log_does_not_name_the_share_path(app, caplog):
    @app.route("/share/<token>/crash")
    def crash(token: str):
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR):
        assert app.test_client().get(f"/share/{TOKEN}/crash").status_code == 500
    assert "Exception on /share/[redacted]/crash [GET]" in caplog.text
    assert TOKEN not in caplog.text


def test_werkzeug_dev_server_access_line_is_redacted(app, caplog):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/share/{TOKEN}", headers={"Cookie": COOKIE}
    )
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except urllib.error.HTTPError as error:
            error.close()
        thread.join(timeout=10)
    server.server_close()
    assert '"GET /share/[redacted] HTTP/1.1" 404' in caplog.text
    assert TOKEN not in caplog.text and COOKIE not in caplog.text


def test_redaction_is_installed_once_however_many_apps_are_built(app_factory):
    app_factory()
    factory = logging.getLogRecordFactory()
    install_redaction()
    assert logging.getLogRecordFactory() is factory
