"""Headers, caching and error pages (the health check: test_healthz.py)."""

from __future__ import annotations

import io

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
        "/login",
        data={"email": "a@example.nhs.uk", "photo": (io.BytesIO(b"x" * 4096), "big.jpg")},
        headers={"Referer": page.request.url},
    )
    assert response.status_code == 413
    assert "The file is too large" in response.text
    assert "Choose a smaller photo" in response.text


def test_a_form_with_too_much_text_is_not_told_about_photos(app, client, auth, world):
    """Found: a pack form whose text was over what a form may hold (Flask's 500 KB)
    got "The file is too large ... Choose a smaller photo": no photo was chosen."""
    from werkzeug.test import encode_multipart

    from tests.factories import FULL_LEGAL, patient_on
    from tests.test_packs import open_edit

    with app.app_context():
        patient_id = str(patient_on("WA1", "Long Text", FULL_LEGAL, world.nurse_a).id)
        db.session.commit()
    auth.login(world.nurse_a)
    fields = open_edit(client, patient_id)
    # As a browser sends the pack form (multipart), built here so that the test
    # client keeps it in memory rather than in a temporary file.
    boundary, body = encode_multipart({**fields, "risk-risk_to_self": "Pasted. " * 70_000})
    response = client.post(
        f"/patients/{patient_id}/grab-pack/edit",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert "What you entered is too long to send" in response.text
    assert "Shorten the longest entries" in response.text
    assert "photo" not in response.text.lower()


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
