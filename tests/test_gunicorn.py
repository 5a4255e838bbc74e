"""Production shape: gunicorn serving grabpack.wsgi:app with production settings."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(database_url, world):
    port = free_port()
    env = {
        **os.environ,
        "GRABPACK_ENV": "production",
        "GRABPACK_SECRET_KEY": "p" * 64,
        "GRABPACK_DATABASE_URL": database_url,
        "GRABPACK_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "grabpack.wsgi:app",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(server.stdout.read().decode())
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=10)
    server.stdout.close()


def test_gunicorn_serves_health_and_secure_sign_in(gunicorn):
    with urllib.request.urlopen(f"{gunicorn}/healthz", timeout=5) as response:
        assert json.load(response)["status"] == "ok"
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
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--bind",
            f"127.0.0.1:{free_port()}",
            "grabpack.wsgi:app",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "GRABPACK_SECRET_KEY is not set" in result.stdout + result.stderr
