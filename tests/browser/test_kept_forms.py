"""A report and a pack edit sent after the idle sign-out come back, filled in, after
signing in again, and save. The server's record of the last activity is moved back
(re-signing the cookie as the app does) rather than waiting out the limit.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from grabpack.domain.clock import LONDON
from grabpack.extensions import db
from grabpack.models import GrabPackVersion, MissingEpisode
from grabpack.models.base import utcnow
from tests.browser.test_session_timeout import age_session
from tests.browser.test_sign_in import sign_in
from tests.conftest import PASSWORD
from tests.factories import FULL_LEGAL, patient_on


@pytest.fixture
def patient_id(app, world) -> str:
    with app.app_context():
        patient = patient_on("WA1", "Searched Grounds", FULL_LEGAL, world.nurse_a)
        db.session.commit()
        return str(patient.id)


def sign_in_again(page, email: str) -> None:
    expect(page.get_by_role("heading", name="Sign in to grabpack")).to_be_visible()
    expect(page.locator("body")).to_contain_text("nothing has been saved yet")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def test_a_pack_edit_sent_after_the_sign_out_comes_back_and_saves(page, app, world, patient_id):
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{patient_id}/grab-pack/edit")
    page.get_by_label("Risk to self").fill("Spoke of the canal towpath")
    before = count(app, GrabPackVersion)
    age_session(page, app, 60 * app.config["SESSION_IDLE_MINUTES"] + 5)
    page.get_by_role("button", name="Save").first.click()

    sign_in_again(page, world.nurse_a)
    expect(page).to_have_url(
        f"{page.url.split('/patients/')[0]}/patients/{patient_id}/grab-pack/edit"
    )
    expect(page.locator("body")).to_contain_text("Everything you entered is back on the form")
    expect(page.get_by_label("Risk to self")).to_have_value("Spoke of the canal towpath")
    assert count(app, GrabPackVersion) == before

    page.get_by_role("button", name="Save").first.click()
    expect(page.locator("body")).to_contain_text("saved")
    assert count(app, GrabPackVersion) == before + 1


def start_awol_report(page, email: str, patient_id: str):
    """Sign in and begin reporting the patient AWOL, last seen 45 minutes ago (London
    time, returned): the form as a nurse has it half-typed."""
    sign_in(page, email)
    page.goto(f"/patients/{patient_id}/episodes/new")
    page.get_by_role("radio", name="AWOL").check()
    went = utcnow().astimezone(LONDON) - timedelta(minutes=45)
    for part, value in (("day", went.day), ("month", went.month), ("year", went.year)):
        page.locator(f"#last_seen_at-{part}").fill(str(value))
    page.locator("#last_seen_at-time").fill(f"{went:%H%M}")
    return went


def test_a_report_sent_after_the_sign_out_comes_back_and_saves(page, app, world, patient_id):
    went = start_awol_report(page, world.nurse_a, patient_id)
    page.get_by_label("Where last seen").fill("Hospital car park")
    page.get_by_label("Clothing when last seen").fill("Grey hoodie, white trainers")
    age_session(page, app, 60 * app.config["SESSION_IDLE_MINUTES"] + 5)
    page.get_by_role("button", name="Record missing episode").click()

    sign_in_again(page, world.nurse_a)
    expect(page.locator("body")).to_contain_text("Everything you entered is back on the form")
    expect(page.get_by_label("Clothing when last seen")).to_have_value(
        "Grey hoodie, white trainers"
    )
    expect(page.locator("#last_seen_at-time")).to_have_value(f"{went:%H%M}")
    assert count(app, MissingEpisode) == 0

    page.get_by_role("button", name="Record missing episode").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Missing episode recorded")
    assert count(app, MissingEpisode) == 1


@pytest.mark.parametrize("app_config", [{"SESSION_IDLE_MINUTES": 1}], indirect=True)
def test_typing_into_a_form_keeps_the_session_alive_without_a_warning(page, app, world, patient_id):
    from datetime import datetime

    page.clock.install()
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{patient_id}/grab-pack/edit")
    page.clock.pause_at(datetime.now() + timedelta(seconds=2))
    page.wait_for_load_state("networkidle")
    page.get_by_label("Risk to self").fill("Still typing")

    age_session(page, app, 50)  # about 10 seconds left
    with page.expect_response("**/session/keepalive") as kept_alive:
        page.clock.fast_forward(46_000)  # past the page's next check
    assert kept_alive.value.json()["seconds"] > 50
    expect(page.locator("#session-timeout")).to_be_hidden()
    seconds = page.evaluate(
        "fetch('/session/remaining', {credentials: 'same-origin'}).then(r => r.json())"
    )["seconds"]
    assert seconds > 50  # the page counted as activity by itself
