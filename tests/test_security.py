"""Headers, caching and error pages (the health check: test_healthz.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import Trust


def test_every_page_has_strict_security_headers(client, auth, world):
    auth.login(world.nurse_a)
    response = client.get("/wards/WA1")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_carry_no_inline_script(client, auth, world):
    auth.login(world.nurse_a)
    page = client.get("/wards/WA1").text
    assert "<script>" not in page
    assert "<script " in page and "src=" in page


def test_static_assets_may_be_cached(client):
    with client.get("/static/js/body-classes.js") as response:
        assert response.status_code == 200
        assert response.headers.get("Cache-Control") != "no-store"


def test_unknown_page_is_a_designed_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "nhsuk-header" in response.text


def test_oversized_upload_is_a_designed_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    page = client.get("/login")
    response = client.post(
        "/login", data={"email": "a" * 4096}, headers={"Referer": page.request.url}
    )
    assert response.status_code == 413
    assert "The file is too large" in response.text


def test_server_error_rolls_back_and_shows_designed_page(app, client, world):
    @app.route("/boom")
    def boom():
        db.session.add(Trust(code="HALF", name="Half-written"))
        db.session.flush()
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    with app.app_context():
        assert db.session.scalar(select(Trust).where(Trust.code == "HALF")) is None


@pytest.mark.parametrize("status", [400, 403, 404, 413, 429, 500])
def test_each_error_page_has_title_and_way_back(app, client, status):
    from flask import abort

    app.add_url_rule(f"/fail/{status}", f"fail_{status}", lambda: abort(status))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get(f"/fail/{status}")
    assert response.status_code == status
    assert "Go to the start page" in response.text
