"""The ward's pages on a 390 x 844 phone: the patient list and the audit page fit
without sideways scrolling, the counts at a glance are links, and discharging a
patient who is missing now is refused; axe-core finds nothing critical or serious."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from grabpack.extensions import db
from tests import factories
from tests.browser.test_sign_in import sign_in

PHONE = {"width": 390, "height": 844}
NAMES = ("Łukasz Wójcik-Kowalczyk", "Aoife Byrne", "محمد الحسن", "Grace Mensah")


@pytest.fixture
def ward(app, world) -> dict[str, str]:
    """Ward A with four patients with a pack each, the first missing now."""
    with app.app_context():
        patients = [
            factories.patient_on(world.ward_a, name, factories.FULL_LEGAL, world.nurse_a)
            for name in NAMES
        ]
        factories.open_for(patients[0], world.nurse_a, hours_ago=2)
        db.session.commit()
        return {patient.full_name: str(patient.id) for patient in patients}


def horizontal_overflow(page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("critical", "serious")
    ]


def test_ward_list_fits_a_phone_and_its_counts_are_links(page, world, ward):
    page.set_viewport_size(PHONE)
    sign_in(page, world.manager_a)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward A")
    assert horizontal_overflow(page) <= 0
    # On a phone each cell is labelled with its column, the header row is hidden.
    first_row = page.locator(".nhsuk-table__body .nhsuk-table__row").first
    expect(first_row.locator(".nhsuk-table__heading").first).to_be_visible()
    problems = serious_violations(page)
    page.get_by_role("link", name="1 patient missing now").click()
    expect(page.locator(".nhsuk-table__caption")).to_have_text("1 patient: missing now")
    expect(page.locator(".nhsuk-table__body .nhsuk-table__row")).to_have_count(1)
    assert horizontal_overflow(page) <= 0
    page.goto("/wards/WA1/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has seen the grab packs")
    assert horizontal_overflow(page) <= 0
    problems += serious_violations(page)
    assert not problems, problems


def test_discharging_a_missing_patient_is_refused(page, world, ward):
    page.set_viewport_size(PHONE)
    sign_in(page, world.nurse_a)
    page.get_by_role("link", name=NAMES[0]).click()
    page.get_by_role("link", name="Discharge patient").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("cannot be discharged now")
    expect(page.get_by_text("This patient is missing now")).to_be_visible()
    expect(page.get_by_role("button", name="Discharge")).to_have_count(0)
    assert horizontal_overflow(page) <= 0
    assert not serious_violations(page)
    page.goto("/wards/WA1")
    expect(page.get_by_role("link", name=NAMES[0])).to_be_visible()  # still on the ward


def test_discharge_asks_first_and_a_manager_can_undo_it(page, world, ward):
    page.set_viewport_size(PHONE)
    sign_in(page, world.manager_a)
    page.get_by_role("link", name="Aoife Byrne").click()
    page.get_by_role("link", name="Discharge patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discharge Aoife Byrne?")
    assert not serious_violations(page)
    page.get_by_role("button", name="Discharge", exact=True).click()
    expect(page.get_by_text("Patient discharged")).to_be_visible()
    page.get_by_role("button", name="Re-admit to Ward A").click()
    expect(page.get_by_text("Patient re-admitted to Ward A")).to_be_visible()
    expect(page.get_by_role("link", name="Discharge patient")).to_be_visible()
