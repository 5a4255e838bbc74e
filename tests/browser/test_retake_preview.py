"""The report form's live power-to-retake statement stops when the form is sent.

Seen in CI: a nurse's last keystroke scheduled a preview 300 ms ahead; the form was
sent, the answer was slow (a loaded machine), and the old page's timer fired
anyway: a request nobody would read, which after a sign-out came back 400 and
showed as an error. Sending the form cancels the preview waiting to go."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from grabpack.extensions import db
from tests.browser.test_kept_forms import start_awol_report
from tests.factories import FULL_LEGAL, patient_on


@pytest.fixture
def patient_id(app, world) -> str:
    with app.app_context():
        patient = patient_on("WA1", "Nadia Rahman", FULL_LEGAL, world.nurse_a)
        db.session.commit()
        return str(patient.id)


def test_sending_the_form_cancels_the_preview_waiting_to_go(page, world, patient_id):
    start_awol_report(page, world.nurse_a, patient_id)
    page.wait_for_load_state("networkidle")  # every preview so far has been answered

    sent_at: list[float] = []
    previews: list[float] = []

    def slow_send(route):
        if route.request.method == "POST" and route.request.url.endswith("/episodes/new"):
            sent_at.append(time.monotonic())
            time.sleep(1)  # the answer takes longer than the preview's 300 ms wait
        route.continue_()

    page.route("**/episodes/new", slow_send)
    page.on(
        "request",
        lambda request: (
            previews.append(time.monotonic()) if request.url.endswith("/retake-power") else None
        ),
    )
    page.get_by_label("Clothing when last seen").fill("Grey hoodie")  # schedules a preview
    page.get_by_role("button", name="Record missing episode").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Missing episode recorded")
    assert sent_at, "the form was not sent"
    assert [at for at in previews if at >= sent_at[0]] == []
