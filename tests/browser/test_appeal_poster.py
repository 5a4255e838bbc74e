"""An officer makes a public appeal poster through the pages, for a patient with a
Bengali name missing in an Arabic-described coat, and the PDF's text gives both back
exactly (pdftotext, as poppler readers copy it). The ward's copy button copies the
share link."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from grabpack.extensions import db
from grabpack.services.grab_packs import save_version
from grabpack.services.photos import store_photo
from tests import factories
from tests.browser.test_sign_in import sign_in
from tests.pdf import samples
from tests.pdf.conftest import extract, logical_lines

BENGALI_NAME = "সুমাইয়া রহমান"
ARABIC_CLOTHING = "معطف أسود طويل وحذاء رياضي أبيض"
REFERENCE = "CAD 5150/02DEC"


def test_an_officer_makes_a_poster_that_prints_every_script_exactly(page, app, world):
    with app.app_context():
        patient = factories.patient_on(world.ward_a, BENGALI_NAME)
        data = samples.typical_data()
        data["identity"]["full_name"] = BENGALI_NAME
        data["identity"]["nhs_number"] = ""
        data.update(factories.FULL_LEGAL)
        photo = store_photo(samples.photo_jpeg())
        save_version(patient, data, factories.staff(world.nurse_a), based_on=0, photo=photo)
        db.session.commit()
        factories.open_for(
            patient, world.nurse_a, police_reference=REFERENCE, clothing=ARABIC_CLOTHING
        )
        db.session.commit()
        patient_id = patient.id

    sign_in(page, world.police_a)
    page.goto(f"/police/patients/{patient_id}")
    page.get_by_role("link", name="Make a public appeal poster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a public appeal poster")
    preview = page.locator("#poster-preview")
    expect(preview.locator("#poster-name")).to_have_text(BENGALI_NAME)
    expect(preview.locator("#poster-clothing")).to_have_text(ARABIC_CLOTHING)

    # A feature is shown only when ticked; the preview follows the choice.
    expect(preview).not_to_contain_text("anchor")
    page.get_by_label("Scars, tattoos and marks").check()
    page.get_by_role("button", name="Update the preview").click()
    expect(page.locator("#poster-preview")).to_contain_text("anchor")

    # Making it without the authorisation is refused, with the design system's summary.
    page.get_by_role("button", name="Make the poster").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Confirm that a public appeal has been authorised")
    expect(page).to_have_title(re.compile("^Error: "))

    page.get_by_label("A public appeal for this person has been authorised").check()
    page.get_by_label("Authorising officer's name or reference").fill("Supt 42 Okafor")
    page.get_by_role("button", name="Make the poster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Public appeal poster made")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"Download the poster \(PDF")).click()
    name = download.value.suggested_filename
    assert re.fullmatch(r"appeal-poster-[0-9a-f]{8}-[0-9a-f]{8}\.pdf", name)
    pdf = download.value.path().read_bytes()
    lines = logical_lines(extract(pdf).text)
    assert BENGALI_NAME in lines
    assert ARABIC_CLOTHING in lines
    assert "OFFICIAL-SENSITIVE" not in "\n".join(lines)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("square image")).click()
    assert download.value.path().read_bytes().startswith(b"\x89PNG")


def test_the_ward_copies_a_new_share_link_with_one_press(page, app, world):
    with app.app_context():
        patient = factories.patient_on(
            world.ward_a, "Aoife Byrne", factories.FULL_LEGAL, world.nurse_a
        )
        episode = factories.open_for(patient, world.nurse_a)
        db.session.commit()
        episode_id = episode.id
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, world.nurse_a)
    page.goto(f"/episodes/{episode_id}")
    page.get_by_role("button", name="Create a share link").click()
    link = page.locator("#share-url").inner_text()
    page.get_by_role("button", name="Copy the link").click()
    expect(page.locator("#share-url-copied")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == link
    page.get_by_text("How to read the link out").click()
    expect(page.locator("#share-url-spoken li").first).to_contain_text("Group 1:")
