"""Production shape: gunicorn serving grabpack.wsgi:app with production settings."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, csrf_token

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
# gunicorn 27's control socket lives at one path per user: two test runs at once
# (SQLite and PostgreSQL side by side) would fight over it.
NO_CONTROL = ("--no-control-socket",)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running gunicorn; ``output`` holds all it printed once it has stopped."""

    base: str
    process: subprocess.Popen
    output: str = ""


@contextmanager
def running_gunicorn(database_url: str, *options: str) -> Iterator[Server]:
    """gunicorn with production settings and two workers, stopped on the way out."""
    port = free_port()
    env = {
        **os.environ,
        "GRABPACK_ENV": "production",
        "GRABPACK_SECRET_KEY": "0123456789abcdef" * 4,
        "GRABPACK_DATABASE_URL": database_url,
        "GRABPACK_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            GUNICORN,
            *NO_CONTROL,
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            *options,
            "grabpack.wsgi:app",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        process.terminate()
        server.output = process.communicate(timeout=20)[0].decode()


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{server.base}/healthz", timeout=2)
            return
        except OSError:
            if server.process.poll() is not None:
                pytest.fail(server.process.communicate()[0].decode())
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer /healthz within 30 seconds")


@pytest.fixture
def gunicorn(database_url, world) -> Iterator[str]:
    with running_gunicorn(database_url) as server:
        yield server.base


def test_gunicorn_serves_health_and_secure_sign_in(gunicorn):
    with urllib.request.urlopen(f"{gunicorn}/healthz", timeout=5) as response:
        assert json.load(response) == {"status": "ok"}
    with urllib.request.urlopen(f"{gunicorn}/login", timeout=5) as response:
        assert response.status == 200
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("__Host-grabpack=")
        assert "Secure" in cookie and "HttpOnly" in cookie
        assert response.headers["Cache-Control"] == "no-store"


def test_production_refuses_to_start_without_secret(database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRABPACK_")}
    env.update(GRABPACK_ENV="production", GRABPACK_DATABASE_URL=database_url)
    result = subprocess.run(
        [GUNICORN, *NO_CONTROL, "--bind", f"127.0.0.1:{free_port()}", "grabpack.wsgi:app"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "GRABPACK_SECRET_KEY is not set" in result.stdout + result.stderr


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Browser:
    """Just enough of a browser: keeps the one session cookie, remembers every value
    it was sent, and never follows redirects (each response is looked at)."""

    base: str
    cookie: str = ""
    seen_cookies: list[str] = field(default_factory=list)

    def request(self, path: str, data: dict | None = None, **headers: str):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(f"{self.base}{path}", data=body, headers=headers)
        if self.cookie:
            request.add_header("Cookie", self.cookie)
        try:
            response = urllib.request.build_opener(NoRedirects).open(request, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        for set_cookie in response.headers.get_all("Set-Cookie") or []:
            self.cookie = set_cookie.split(";", 1)[0]
            self.seen_cookies.append(self.cookie.split("=", 1)[1])
        return response.status, response.read().decode()


def _share_link_token(database_url: str, world) -> str:
    from grabpack.extensions import db
    from grabpack.services.share_links import create_link
    from tests.conftest import make_app
    from tests.factories import FULL_LEGAL, open_for, patient_on, staff

    app = make_app(database_url)
    with app.app_context():
        patient = patient_on(world.ward_a, "Secret Patientname", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a)
        _link, token = create_link(episode, staff(world.nurse_a), hours=24)
        db.session.commit()
        db.engine.dispose()
    return token


OPERATOR_FORMAT = (
    '%(h)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" %(M)s '
    "cookie=%({cookie}i)s auth=%({Authorization}i)s set=%({set-cookie}o)s "
    "env=%({http_cookie}e)s %({http_authorization}e)s"
)


@pytest.mark.parametrize(
    "log_format", [None, OPERATOR_FORMAT], ids=["default format", "headers in format"]
)
def test_access_log_has_ordinary_lines_and_no_secrets(database_url, world, log_format):
    """Issue 15: the access log printed the session cookie, every Set-Cookie and
    share tokens, and no access line. An operator's format naming the cookie or
    authorisation headers gets ``[redacted]``, never the value."""
    token = _share_link_token(database_url, world)
    options = ["--access-logfile", "-", "--error-logfile", "-", "--log-level", "info"]
    if log_format:
        options += ["--access-logformat", log_format]
    with running_gunicorn(database_url, *options) as server:
        browser = Browser(server.base)
        _status, page = browser.request("/login")
        status, _ = browser.request(
            "/login",
            {"email": world.nurse_a, "password": PASSWORD, "csrf_token": csrf_token(page)},
        )
        assert status == 302
        assert browser.request(f"/wards/{world.ward_a}")[0] == 200
        assert browser.request(f"/share/{token}")[0] == 200
        referred = browser.request(
            "/static/js/body-classes.js",
            Referer=f"{server.base}/share/{token}",
            Authorization="Basic bnVyc2UuYTpjb3JyZWN0IGhvcnNl",
        )
        assert referred[0] == 200
    log = server.output
    assert re.search(r'"POST /login HTTP/1\.1" 302 \d+', log), log
    assert re.search(rf'"GET /wards/{world.ward_a} HTTP/1\.1" 200 \d+', log), log
    assert '"GET /share/[redacted] HTTP/1.1" 200' in log, log
    assert "Logging error" not in log and "Traceback" not in log, log
    assert token not in log
    assert not [value for value in browser.seen_cookies if value in log]
    assert "Set-Cookie" not in log and "__Host-grabpack" not in log
    assert "bnVyc2UuYTpjb3JyZWN0IGhvcnNl" not in log and "nurse.a" not in log
