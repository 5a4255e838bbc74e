"""Keyboard only, as a person who cannot use a mouse: a nurse signs in and reports a
patient missing, an officer signs in, opens the patient and downloads the PDF, all with
Tab, Shift+Tab, Enter, Space and typing; no click anywhere. A refused form's error
summary takes focus and each of its links puts focus in its field."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from grabpack.domain.clock import LONDON
from grabpack.extensions import db
from grabpack.models.base import utcnow
from tests import factories
from tests.conftest import PASSWORD

LIMIT = 250  # presses before a control counts as out of the keyboard's reach


def active(page, predicate: str) -> bool:
    """``predicate`` is a JavaScript function of the focused element."""
    return page.evaluate(f"({predicate})(document.activeElement)")


def tab_to(page, predicate: str, *, back: bool = False) -> None:
    """Press Tab (Shift+Tab with ``back``) until the focused element satisfies ``predicate``."""
    for _ in range(LIMIT):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if active(page, predicate):
            return
    raise AssertionError(f"not reachable by keyboard: {predicate}")


def labelled(text: str) -> str:
    return (
        "el => !!el.labels && [...el.labels].some("
        f"label => label.textContent.trim().startsWith({json.dumps(text)}))"
    )


def named(tag: str, text: str) -> str:
    return (
        f"el => el.tagName === {json.dumps(tag.upper())} && "
        f"el.textContent.trim().startsWith({json.dumps(text)})"
    )


def with_id(element_id: str) -> str:
    return f"el => el.id === {json.dumps(element_id)}"


def type_into(page, predicate: str, text: str) -> None:
    tab_to(page, predicate)
    page.keyboard.type(text)


def sign_in_by_keyboard(page, email: str) -> None:
    page.goto("/login")
    type_into(page, labelled("Email address"), email)
    type_into(page, labelled("Password"), PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator(".nhsuk-header__account")).to_be_visible()


@pytest.fixture
def detained(app, world) -> str:
    """A detained patient on ward A, with a pack, not missing."""
    with app.app_context():
        patient = factories.patient_on(
            world.ward_a, "Oisín Ó Briain", factories.FULL_LEGAL, world.nurse_a
        )
        db.session.commit()
        return str(patient.id)


def fill_last_seen(page, went, time: str) -> None:
    for part, value in (("day", went.day), ("month", went.month), ("year", went.year)):
        tab_to(page, with_id(f"last_seen_at-{part}"))
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))
    tab_to(page, with_id("last_seen_at-time"))
    page.keyboard.press("Control+A")
    page.keyboard.type(time)


def test_a_nurse_reports_a_patient_missing_by_keyboard_alone(page, world, detained):
    sign_in_by_keyboard(page, world.nurse_a)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward A")
    tab_to(page, named("a", "Oisín Ó Briain"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oisín Ó Briain")
    tab_to(page, named("a", "Report missing"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Record missing episode")).to_be_visible()
    expect(page.get_by_role("radio", name="AWOL")).to_be_checked()  # detained: chosen

    went = utcnow().astimezone(LONDON) - timedelta(minutes=45)
    fill_last_seen(page, went, f"{went:%H:%M}")
    type_into(page, labelled("Where last seen"), "Hospital car park")
    type_into(page, labelled("Clothing when last seen"), "Green parka, white trainers")
    tab_to(page, labelled("CCTV checked"))
    page.keyboard.press("Space")
    expect(page.get_by_label("CCTV checked")).to_be_checked()
    type_into(page, labelled("Police reference number"), "CAD 7788/23NOV")
    tab_to(page, named("button", "Record missing episode"))
    page.keyboard.press("Enter")

    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Missing episode recorded")
    expect(page.get_by_text("Hospital car park")).to_be_visible()
    expect(page.get_by_text("CAD 7788/23NOV").first).to_be_visible()


def test_the_error_summary_takes_focus_and_each_link_reaches_its_field(page, world, detained):
    sign_in_by_keyboard(page, world.nurse_a)
    page.goto(f"/patients/{detained}/episodes/new")
    yesterday = utcnow().astimezone(LONDON) - timedelta(days=1)
    fill_last_seen(page, yesterday, "half eleven")
    tab_to(page, with_id("reported_at-time"))
    page.keyboard.press("Control+A")
    page.keyboard.type("2561")
    tab_to(page, named("button", "Record missing episode"))
    page.keyboard.press("Enter")

    assert_error_summary_leads_to_each_field(page)


def test_the_sign_in_error_summary_takes_focus_and_leads_to_each_field(page, world):
    page.goto("/login")
    tab_to(page, named("button", "Sign in"))
    page.keyboard.press("Enter")
    assert_error_summary_leads_to_each_field(page)


def test_the_pack_form_error_summary_takes_focus_and_leads_to_each_field(page, world, detained):
    sign_in_by_keyboard(page, world.nurse_a)
    page.goto(f"/patients/{detained}/grab-pack/edit")
    for box, value in (("day", "31"), ("month", "2"), ("year", "1990")):
        type_into(page, with_id(f"identity-date_of_birth-{box}"), value)
    type_into(page, labelled("Height"), "tall")
    tab_to(page, named("button", "Save grab pack"))
    page.keyboard.press("Enter")
    assert_error_summary_leads_to_each_field(page)


def assert_error_summary_leads_to_each_field(page) -> None:
    """The summary has focus; Shift+Tab back to each of its links and Enter puts focus
    in the field it names."""
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # a screen reader reads the problems first
    links = summary.locator("a")
    targets = [href.lstrip("#") for href in links.evaluate_all("as => as.map(a => a.hash)")]
    assert len(targets) >= 2, targets
    # From the last link back to the first: Shift+Tab from each field reaches the
    # summary again, as a keyboard user goes back to the list.
    for index in reversed(range(len(targets))):
        href = json.dumps(f"#{targets[index]}")
        tab_to(
            page,
            f"el => el.tagName === 'A' && el.getAttribute('href') === {href} && "
            "!!el.closest('.nhsuk-error-summary')",
            back=True,
        )
        page.keyboard.press("Enter")
        assert active(page, with_id(targets[index])), (
            targets[index],
            page.evaluate("document.activeElement.id"),
        )
        assert active(page, "el => ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)")


@pytest.fixture
def missing(app, world) -> str:
    with app.app_context():
        patient = factories.patient_on(
            world.ward_a, "Grace Mensah", factories.FULL_LEGAL, world.nurse_a
        )
        factories.open_for(patient, world.nurse_a)
        db.session.commit()
        return str(patient.id)


def test_an_officer_downloads_the_pdf_by_keyboard_alone(page, world, missing):
    sign_in_by_keyboard(page, world.police_a)
    expect(page.get_by_role("heading", level=1)).to_have_text("Open missing episodes")
    tab_to(page, named("a", "Grace Mensah"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Mensah")
    tab_to(page, named("a", "Download grab pack PDF"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename.endswith(".pdf")
