"""The officer's pages on a 390 x 844 phone: the list fits and its first PDF button
is under the thumb; a new episode is announced and waits, so nothing moves under a
finger; every phone number can be tapped; axe-core finds nothing critical or
serious on the list or the patient page, on a phone or a desktop."""

from __future__ import annotations

import re
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from grabpack.domain.appeal_poster import PosterChoices
from grabpack.extensions import db
from grabpack.models import MissingEpisode, Patient
from grabpack.services import appeal_posters, share_links
from grabpack.services.grab_packs import save_version
from grabpack.services.photos import store_photo
from tests import factories
from tests.browser.test_sign_in import sign_in
from tests.pdf import samples

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NAMES = ("Łukasz Wójcik", "Aoife Byrne", "محمد الحسن", "Grace Mensah")


@pytest.fixture
def app_config() -> dict:
    """The police list checks every second here, not every 15."""
    return {"POLICE_REFRESH_SECONDS": 1}


def missing_with_pack(world, name: str, hours_ago: float) -> str:
    """A patient on ward A with a typical pack and a photo, reported missing."""
    patient = factories.patient_on(world.ward_a, name)
    data = samples.typical_data()
    data["identity"]["full_name"] = name
    data["identity"]["nhs_number"] = ""  # one patient per NHS number
    data.update(factories.FULL_LEGAL)  # detained now: AWOL, with a power to retake
    photo = store_photo(samples.photo_jpeg())
    save_version(patient, data, factories.staff(world.nurse_a), based_on=0, photo=photo)
    db.session.commit()
    factories.open_for(patient, world.nurse_a, hours_ago=hours_ago)
    db.session.commit()
    return str(patient.id)


@pytest.fixture
def missing(app, world) -> list[str]:
    """Four patients missing from ward A, the first named the newest."""
    with app.app_context():
        return [missing_with_pack(world, name, 1 + n) for n, name in enumerate(NAMES)]


def on_a_phone(page) -> None:
    page.set_viewport_size(PHONE)


def horizontal_overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_the_list_fits_a_phone_and_the_first_pdf_button_is_on_screen(page, world, missing):
    on_a_phone(page)
    sign_in(page, world.police_a)
    expect(page.get_by_role("heading", level=1)).to_have_text("Open missing episodes")
    assert horizontal_overflow(page) <= 0
    first = page.locator(".app-episode-card").first
    expect(first).to_contain_text("Łukasz Wójcik")
    button = first.get_by_role("link", name=re.compile("Download PDF"))
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    # The button comes before the name on the card, as a thumb reaches it.
    name = first.get_by_role("link", name="Łukasz Wójcik", exact=True)
    assert box["y"] < name.bounding_box()["y"]
    expect(first.locator("img.app-episode-card__photo")).to_be_visible()
    expect(first).to_contain_text("Known as Luke")
    expect(first).to_contain_text("Trust: High")
    expect(first.locator(".app-retake-line")).to_be_visible()


def test_a_new_episode_waits_for_the_officer_and_moves_nothing(page, app, world, missing):
    on_a_phone(page)
    sign_in(page, world.police_a)
    second = page.locator(".app-episode-card").nth(1)
    expect(second).to_contain_text("Aoife Byrne")
    second.scroll_into_view_if_needed()
    pdf = second.get_by_role("link", name=re.compile("Download PDF"))
    pdf.focus()
    before_box = second.bounding_box()
    before_scroll = page.evaluate("window.scrollY")

    with app.app_context():
        patient = factories.patient_on(
            world.ward_a, "Newest Arrival", factories.FULL_LEGAL, world.nurse_a
        )
        db.session.commit()
        factories.open_for(patient, world.nurse_a, hours_ago=0.5)
        db.session.commit()

    announcer = page.locator("#episodes-announcer")
    expect(announcer).to_have_text("1 new episode", timeout=10_000)
    expect(announcer).to_have_attribute("aria-live", "polite")
    show = page.get_by_role("button", name="Show 1 new episode")
    expect(show).to_be_visible()
    page.wait_for_timeout(2_500)  # two more refreshes: still nothing moves
    assert page.get_by_text("Newest Arrival").count() == 0
    assert pdf.evaluate("element => element === document.activeElement")
    assert second.bounding_box() == before_box
    assert page.evaluate("window.scrollY") == before_scroll

    show.click()
    newest = page.locator(".app-episode-card").first
    expect(newest).to_contain_text("Newest Arrival")
    expect(newest).to_be_focused()
    expect(show).to_be_hidden()
    expect(page.locator(".app-episode-card")).to_have_count(len(NAMES) + 1)


def test_a_closed_episode_stays_on_screen_until_the_officer_asks(page, app, world, missing):
    on_a_phone(page)
    sign_in(page, world.police_a)
    first = page.locator(".app-episode-card").first
    expect(first).to_contain_text(NAMES[0])
    before = first.bounding_box()
    with app.app_context():
        episode = db.session.scalar(
            db.select(MissingEpisode).join(Patient).where(Patient.full_name == NAMES[0])
        )
        factories.close(episode, world.nurse_a, hours_ago=0)
        db.session.commit()
    expect(page.locator("#episodes-announcer")).to_have_text("1 episode closed", timeout=10_000)
    expect(first).to_contain_text(NAMES[0])
    assert first.bounding_box() == before
    page.get_by_role("button", name="Show the updated list").click()
    expect(page.locator(".app-episode-card")).to_have_count(len(NAMES) - 1)
    expect(page.locator(".app-episode-card").first).to_contain_text(NAMES[1])
    expect(page.get_by_role("heading", name="Closed in the last few days")).to_be_visible()


def test_a_risk_grade_given_is_shown_in_place_without_moving_anything(page, app, world, missing):
    on_a_phone(page)
    sign_in(page, world.police_a)
    first = page.locator(".app-episode-card").first
    expect(first).to_contain_text("Trust: High")
    first.get_by_role("link", name=re.compile("Download PDF")).focus()
    before = [card.bounding_box() for card in page.locator(".app-episode-card").all()]
    with app.app_context():
        patient = db.session.scalar(db.select(Patient).where(Patient.full_name == NAMES[0]))
        episode = db.session.scalar(
            db.select(MissingEpisode).where(MissingEpisode.patient_id == patient.id)
        )
        episode.police_risk_grade = "medium"
        db.session.commit()
    expect(first).to_contain_text("Police: Medium", timeout=10_000)
    expect(first.get_by_role("link", name=re.compile("Download PDF"))).to_be_focused()
    assert [card.bounding_box() for card in page.locator(".app-episode-card").all()] == before
    expect(page.get_by_role("button", name=re.compile("^Show"))).to_be_hidden()


def test_phone_numbers_can_be_tapped_on_the_list_and_the_patient_page(page, world, missing):
    on_a_phone(page)
    sign_in(page, world.police_a)
    ward_phone = page.locator('.app-episode-card a[href="tel:02079460001"]')
    expect(ward_phone.first).to_have_text("020 7946 0001")
    page.get_by_role("link", name="Łukasz Wójcik", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Łukasz Wójcik")
    expect(page.locator('a[href="tel:02079460001"]').first).to_have_text("020 7946 0001")
    expect(page.locator('a[href="tel:07700900123"]').first).to_have_text("07700 900123")
    contacts = page.locator("#who-to-call ~ .app-brief a[href^='tel:']")
    assert contacts.count() >= 2


def test_on_a_phone_the_photo_and_risks_come_within_two_screens(page, world, missing):
    on_a_phone(page)
    sign_in(page, world.police_a)
    page.goto(f"/police/patients/{missing[0]}")
    photo = page.get_by_role("img", name="Photo of Łukasz Wójcik")
    expect(photo).to_be_visible()
    top = page.evaluate("element => element.getBoundingClientRect().top", photo.element_handle())
    assert top < PHONE["height"]
    risks = page.locator("#risks")
    risks_top = risks.evaluate("element => element.getBoundingClientRect().top")
    assert risks_top < 2 * PHONE["height"]
    assert horizontal_overflow(page) <= 0


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_nothing_critical_or_serious_on_the_police_pages(page, world, missing, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, world.police_a)
    expect(page.locator(".app-episode-card")).to_have_count(len(NAMES))
    problems = serious_violations(page)
    page.goto(f"/police/patients/{missing[0]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Łukasz Wójcik")
    problems += serious_violations(page)
    assert not problems, problems


def serious_violations(page) -> list[str]:
    """axe-core's critical and serious findings on the page, as readable lines."""
    results = Axe().run(page)
    assert results.response["testEngine"]["name"] == "axe-core"  # it ran, offline
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("critical", "serious")
    ]


def test_every_police_page_fits_a_phone_and_the_pdf_is_in_the_first_screen(
    page, app, world, missing
):
    """No sideways scrolling on any page an officer meets, with or without an account,
    and the grab pack PDF reachable on the first screen without zooming or scrolling."""
    with app.app_context():
        episode = db.session.scalar(
            db.select(MissingEpisode).where(MissingEpisode.patient_id == uuid.UUID(missing[0]))
        )
        _link, token = share_links.create_link(episode, factories.staff(world.nurse_a), hours=24)
        poster = appeal_posters.make(
            factories.staff(world.police_a),
            episode.patient_id,
            PosterChoices(),
            authorised=True,
            authorised_by="Supt 42 Okafor",
            previewed_version=1,
        )
        db.session.commit()
        poster_id = poster.record.public_id
    on_a_phone(page)
    sign_in(page, world.police_a)
    overflowing = []

    def fits(path: str | None = None) -> None:
        if path:
            page.goto(path)
        if (wider := horizontal_overflow(page)) > 0:
            overflowing.append(f"{path or page.url}: {wider}px too wide")

    def pdf_on_first_screen(name: str) -> None:
        page.evaluate("window.scrollTo(0, 0)")
        box = page.get_by_role("link", name=name).or_(page.get_by_role("button", name=name))
        box = box.first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (name, box)

    fits("/police/")
    fits(f"/police/patients/{missing[0]}")
    pdf_on_first_screen("Download grab pack PDF")
    fits(f"/police/patients/{missing[0]}/appeal-poster")
    page.get_by_role("button", name="Make the poster").click()  # refused: the summary
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    fits()
    fits(f"/police/appeal-posters/{poster_id}")
    fits("/reports/monthly")
    fits(f"/police/patients/{uuid.uuid4()}")  # the 404 page
    page.console_errors.forget("404")
    page.get_by_role("button", name="Sign out").click()

    fits(f"/share/{token}")  # an officer without an account
    page.get_by_role("button", name="Download grab pack").click()  # no reference yet
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    fits()
    page.get_by_label("Police reference number").fill("CAD 1234/23NOV")
    page.get_by_role("button", name="Download grab pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grab pack for a missing patient")
    fits()
    pdf_on_first_screen("Download grab pack PDF")
    assert not overflowing, overflowing
