"""Missing episodes in a real browser: a nurse reports and shares; an officer sees it
appear without refreshing, downloads the PDF, and loses access after the grace window."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from grabpack.domain.clock import LONDON, long_date
from grabpack.domain.retake import last_day_of_months
from grabpack.extensions import db
from grabpack.models import MissingEpisode
from grabpack.models.base import utcnow
from tests.browser.test_sign_in import sign_in
from tests.factories import FULL_LEGAL, close, open_for, patient_on


@pytest.fixture
def app_config() -> dict:
    """The police list refreshes every second here, not every 15."""
    return {"POLICE_REFRESH_SECONDS": 1}


def test_nurse_reports_missing_and_shares_a_link(page, app, world, browser, live_server):
    with app.app_context():
        patient_id = patient_on("WA1", "Oisín Ó Briain", FULL_LEGAL, world.nurse_a).id
        db.session.commit()
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{patient_id}")
    page.get_by_role("link", name="Report missing").click()
    expect(page.locator("#prompts")).to_contain_text("Photo out of date or missing")
    expect(page.locator("#noticed_at-time")).not_to_have_value("")  # filled with now
    statement = page.locator("#retake-power")
    expect(statement).to_contain_text("Not known: when the patient went")
    page.get_by_role("radio", name="AWOL").check()
    went = utcnow().astimezone(LONDON) - timedelta(minutes=45)
    for part, value in (("day", went.day), ("month", went.month), ("year", went.year)):
        page.locator(f"#last_seen_at-{part}").fill(str(value))
    page.locator("#last_seen_at-time").fill(f"{went:%H:%M}")
    # The power is worked out again as the nurse types, without pressing anything.
    six_months = long_date(last_day_of_months(went.date(), 6))
    expect(statement).to_contain_text(f"Can be taken back until the end of {six_months} (s18(4))")
    page.get_by_label("Where last seen").fill("Hospital car park")
    page.get_by_label("Clothing when last seen").fill("Green parka, white trainers")
    page.get_by_label("CCTV checked").check()
    page.get_by_label("Police reference number").fill("CAD 7788/23NOV")
    page.get_by_role("button", name="Record missing episode").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Missing episode recorded")
    page.get_by_role("button", name="Create a share link").click()
    link = page.locator("#share-url").inner_text()
    assert re.search(r"/share/[A-Za-z0-9_-]{40,}$", link)

    officer = browser.new_context(base_url=live_server).new_page()
    officer.goto(link.replace("http://localhost", live_server))
    officer.get_by_label("Police reference number").fill("CAD 7788/23NOV")
    officer.get_by_role("button", name="Download grab pack").click()
    expect(officer.locator(".app-retake")).to_contain_text(f"until the end of {six_months}")
    with officer.expect_download() as download:
        officer.get_by_role("button", name="Download grab pack PDF").click()
    assert download.value.suggested_filename.endswith("-v1.pdf")
    assert "Oisín" not in download.value.suggested_filename
    officer.context.close()


def test_officer_sees_new_episode_without_refresh_and_loses_it_after_grace(page, app, world):
    with app.app_context():
        patient = patient_on("WA1", "Fatima Al-Sayed", FULL_LEGAL, world.nurse_a)
        db.session.commit()
        patient_id = patient.id
    sign_in(page, world.police_a)
    expect(page.get_by_text("No one is missing from a setting in your areas")).to_be_visible()

    with app.app_context():
        open_for(db.session.get(type(patient), patient_id), world.nurse_a, hours_ago=80)
        db.session.commit()
    row = page.get_by_role("row", name=re.compile("Fatima Al-Sayed"))
    expect(row).to_be_visible(timeout=10_000)  # appeared by itself
    expect(page.locator("#episodes-announcer")).to_have_text("1 new missing episode")

    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile("Download PDF")).click()
    pdf_url = download.value.url
    assert download.value.path().read_bytes().startswith(b"%PDF")

    with app.app_context():
        episode = db.session.query(MissingEpisode).one()
        close(episode, world.nurse_a, hours_ago=73)  # closed beyond the 72-hour grace
        db.session.commit()
    response = page.request.get(pdf_url)
    assert response.status == 404
    page.goto(f"/police/patients/{patient_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.console_errors.forget("status of 404")  # the refusal this test expects
