"""Missing episodes in a real browser: a nurse reports and shares; an officer sees it
appear without refreshing, downloads the PDF, and loses access after the grace window."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from grabpack.domain.clock import LONDON, long_date
from grabpack.domain.retake import last_day_of_months
from grabpack.extensions import db
from grabpack.models import MissingEpisode, Patient
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
    # Announced by itself; shown when the officer asks, so nothing moves under a finger.
    expect(page.locator("#episodes-announcer")).to_have_text("1 new episode", timeout=10_000)
    page.get_by_role("button", name="Show 1 new episode").click()
    row = page.locator(".app-episode-card", has_text="Fatima Al-Sayed")
    expect(row).to_be_visible()

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


@pytest.mark.parametrize("width", [390, 1280])
def test_nurse_reports_missing_typing_times_as_on_the_ward_clock(page, app, world, width):
    """At a phone's width and a ward PC's: the kind and the times come first (AWOL
    already chosen for a detained patient), "2330" is a time, the pack's shortfalls
    come after as things to do later, and "Now" records when police were told."""
    with app.app_context():
        patient_id = patient_on("WA1", "Tomás Ruiz", FULL_LEGAL, world.nurse_a).id
        db.session.commit()
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{patient_id}/episodes/new")
    expect(page.get_by_role("radio", name="AWOL")).to_be_checked()
    kind_top = page.locator("#kind").bounding_box()["y"]
    times_top = page.locator("#last_seen_at").bounding_box()["y"]
    prompts = page.locator("#prompts")
    expect(prompts).to_contain_text("Report now: later updates to the grab pack reach police")
    assert kind_top < times_top < prompts.bounding_box()["y"]
    expect(
        prompts.get_by_role("link", name=re.compile(r"\(opens in a new tab\)"))
    ).to_have_attribute("target", "_blank")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    yesterday = utcnow().astimezone(LONDON) - timedelta(days=1)
    for part, value in (
        ("day", yesterday.day),
        ("month", yesterday.month),
        ("year", yesterday.year),
    ):
        page.locator(f"#last_seen_at-{part}").fill(str(value))
    page.locator("#last_seen_at-time").fill("2330")
    page.get_by_label("Where last seen").fill("Garden gate")
    page.get_by_label("Now").check()
    page.get_by_role("button", name="Record missing episode").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Missing episode recorded")
    expect(page.locator("main")).to_contain_text(f"23:30 on {long_date(yesterday.date())}")
    with app.app_context():
        episode = db.session.query(MissingEpisode).one()
        assert episode.reported_at is not None and episode.kind == "awol"


def test_a_wrong_time_marks_only_the_time_and_the_summary_takes_the_nurse_there(page, app, world):
    with app.app_context():
        patient_id = patient_on("WA1", "Ada Okafor", FULL_LEGAL, world.nurse_a).id
        db.session.commit()
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{patient_id}/episodes/new")
    yesterday = utcnow().astimezone(LONDON) - timedelta(days=1)
    for part, value in (
        ("day", yesterday.day),
        ("month", yesterday.month),
        ("year", yesterday.year),
    ):
        page.locator(f"#last_seen_at-{part}").fill(str(value))
    page.locator("#last_seen_at-time").fill("25:00")
    page.locator("#last_seen_at-day").fill("")  # and the day left out
    page.locator("#last_seen_at-time").fill("half eleven")
    page.locator("#last_seen_at-day").fill(str(yesterday.day))
    page.get_by_role("button", name="Record missing episode").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Last seen: enter a time like 23:30, 2330 or 11:30pm")
    expect(page.locator("#last_seen_at-time")).to_have_class(re.compile("nhsuk-input--error"))
    for part in ("day", "month", "year"):
        expect(page.locator(f"#last_seen_at-{part}")).not_to_have_class(
            re.compile("nhsuk-input--error")
        )
    expect(page.locator("#last_seen_at-time")).to_have_value("half eleven")
    summary.get_by_role("link", name=re.compile("enter a time")).click()
    expect(page.locator("#last_seen_at-time")).to_be_focused()


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_nothing_critical_or_serious_on_the_report_form(page, app, world, width):
    """The form as it opens, refused with errors (one red box, the summary), and the
    episode page with its update form and the "Now" tick box."""
    with app.app_context():
        patient_id = patient_on("WA1", "Axe Check", FULL_LEGAL, world.nurse_a).id
        db.session.commit()
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{patient_id}/episodes/new")
    problems = _serious_violations(page)
    page.locator("#last_seen_at-day").fill("1")
    page.locator("#last_seen_at-year").fill("26")
    page.locator("#reported_at-time").fill("2561")
    page.get_by_role("button", name="Record missing episode").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    problems += _serious_violations(page)
    with app.app_context():
        episode_id = open_for(db.session.get(Patient, patient_id), world.nurse_a).id
        db.session.commit()
    page.goto(f"/episodes/{episode_id}")
    problems += _serious_violations(page)
    assert not problems, problems


def _serious_violations(page) -> list[str]:
    """axe-core's critical and serious findings on the page, as readable lines."""
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in ("critical", "serious")
    ]
