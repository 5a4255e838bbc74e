"""A nurse keeps a grab pack in a real browser: create with a photo, edit, read the
diff, and resolve a colleague's simultaneous edit."""

from __future__ import annotations

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import expect

from grabpack.extensions import db
from tests.browser.test_sign_in import sign_in
from tests.factories import patient_on


@pytest.fixture
def patient_id(app, world) -> str:
    with app.app_context():
        patient = patient_on(world.ward_a, "Łukasz Wójcik")
        db.session.commit()
        return str(patient.id)


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "photo.png"
    image = Image.new("RGB", (240, 300), "#8899aa")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def fill_date(page, legend_id: str, day: str, month: str, year: str) -> None:
    page.locator(f"#{legend_id}-day").fill(day)
    page.locator(f"#{legend_id}-month").fill(month)
    page.locator(f"#{legend_id}-year").fill(year)


def test_nurse_creates_edits_and_compares_a_pack(page, world, patient_id, photo_file):
    sign_in(page, world.nurse_a)
    page.get_by_role("link", name="Łukasz Wójcik").click()
    page.get_by_role("link", name="Create grab pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create grab pack")
    expect(page.get_by_label("Full name", exact=True)).to_have_value("Łukasz Wójcik")
    fill_date(page, "identity-date_of_birth", "14", "2", "1988")
    page.get_by_label("Gender", exact=True).fill("Male")
    page.get_by_role("radio", name="High").check()
    page.get_by_role("button", name="Add a contact").click()
    page.locator("#contacts-contacts-0-name").fill("Anna Wójcik")
    page.locator("#contacts-contacts-0-phone").fill("07700 900321")
    page.locator("#photo").set_input_files(str(photo_file))
    fill_date(page, "description-photo_taken_on", "1", "11", "2026")
    page.get_by_label("What changed (optional)").fill("First pack on admission")
    page.get_by_role("button", name="Save grab pack").click()

    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Version 1 saved")
    photo = page.locator("img.app-pack-photo")
    expect(photo).to_be_visible()
    # Laid out is not loaded: wait until the browser has finished with the image (a
    # busy machine showed 0 here); a broken image is complete too, with width 0.
    page.wait_for_function("() => document.querySelector('img.app-pack-photo').complete")
    assert photo.evaluate("img => img.naturalWidth") == 240
    expect(page.get_by_text("Anna Wójcik")).to_be_visible()
    expect(page.get_by_text("Not yet complete")).to_be_visible()

    page.get_by_role("link", name="Edit grab pack").click()
    page.get_by_label("Gender", exact=True).fill("Man")
    page.get_by_role("button", name="Save grab pack").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Version 2 saved")
    page.get_by_role("link", name="What changed in this version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from version 1 to 2")
    expect(page.locator("del", has_text="Male")).to_be_visible()
    expect(page.locator("ins", has_text="Man")).to_be_visible()


def test_colleagues_simultaneous_edit_is_merged_not_lost(
    browser, live_server, page, world, patient_id
):
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{patient_id}/grab-pack/edit")
    page.get_by_label("Gender", exact=True).fill("Male")
    page.get_by_role("button", name="Save grab pack").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Version 1 saved")

    page.goto(f"/patients/{patient_id}/grab-pack/edit")  # the nurse starts editing
    page.get_by_label("Eye colour").fill("Blue")

    colleague = browser.new_context(base_url=live_server).new_page()
    sign_in(colleague, world.manager_a)
    colleague.goto(f"/patients/{patient_id}/grab-pack/edit")
    colleague.get_by_label("Build", exact=True).fill("Tall, slim")
    colleague.get_by_role("button", name="Save grab pack").click()
    expect(colleague.locator(".nhsuk-notification-banner")).to_contain_text("Version 2 saved")
    colleague.context.close()

    page.get_by_role("button", name="Save grab pack").click()
    callout = page.locator("#conflict")
    expect(callout).to_contain_text("A colleague saved this pack while you were editing")
    expect(callout.locator("ins", has_text="Tall, slim")).to_be_visible()
    expect(page.get_by_label("Eye colour")).to_have_value("Blue")
    expect(page.get_by_label("Build", exact=True)).to_have_value("Tall, slim")
    page.get_by_role("button", name="Save grab pack").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Version 3 saved")
    expect(page.get_by_text("Tall, slim")).to_be_visible()
    expect(page.get_by_text("Blue", exact=True)).to_be_visible()


def test_a_correction_after_going_back_to_a_saved_form_is_kept(page, world, patient_id):
    """Save, Back, correct, Save. Chromium fetches the edit page afresh on Back (every
    page is no-store), but a browser that restores the form as it was (bfcache,
    Firefox's form restoration) sends the same form again: one-time id and version
    alike. The correction must come back on the conflict page, not be dropped."""
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{patient_id}/grab-pack/edit")
    sent = {name: page.locator(f"#{name}").input_value() for name in ("based_on", "submission_id")}
    page.get_by_label("Gender", exact=True).fill("Female")
    page.get_by_role("button", name="Save grab pack").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Version 1 saved")

    page.go_back()
    for name, value in sent.items():  # the form as a restoring browser brings it back
        page.locator(f"#{name}").evaluate("(input, value) => { input.value = value }", value)
    page.get_by_label("Gender", exact=True).fill("Female")
    page.get_by_label("Eye colour").fill("Brown")
    page.get_by_role("button", name="Save grab pack").click()
    callout = page.locator("#conflict")
    expect(callout).to_contain_text("This form was already saved")
    expect(page.get_by_label("Eye colour")).to_have_value("Brown")
    page.get_by_role("button", name="Save grab pack").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Version 2 saved")
    expect(page.get_by_text("Brown", exact=True)).to_be_visible()


def _in_view(page, locator) -> bool:
    """Whether the element is wholly inside the window, and on top where it stands."""
    return locator.evaluate(
        """element => {
            const box = element.getBoundingClientRect();
            if (box.top < 0 || box.bottom > window.innerHeight || box.height === 0) return false;
            const x = box.left + box.width / 2, y = box.top + box.height / 2;
            const hit = document.elementFromPoint(x, y);
            return element === hit || element.contains(hit);
        }"""
    )


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_save_and_the_change_note_stay_in_view_down_the_whole_form(page, world, patient_id, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{patient_id}/grab-pack/edit")
    save = page.get_by_role("button", name="Save grab pack")
    note = page.get_by_label("What changed (optional)")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 5 * size[1]  # a long form: the bar has work to do
    page.locator("#section-identity").scroll_into_view_if_needed()
    for where in ("#section-identity h2", "#section-health h2", "#section-record h2"):
        page.locator(where).evaluate("element => element.scrollIntoView({block: 'center'})")
        assert _in_view(page, save), where
        assert _in_view(page, note), where
    # At the very bottom the bar sits after the last field instead of over it.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last_field = page.locator("#section-record .nhsuk-form-group").last
    bar = page.locator("#save-bar")
    field_box = last_field.bounding_box()
    assert field_box["y"] + field_box["height"] <= bar.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    note.fill("Checked the risks")
    save.click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Version 1 saved")


def test_leaving_with_unsaved_changes_asks_first(page, world, patient_id):
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{patient_id}/grab-pack/edit")
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # "Stay on page"

    page.on("dialog", stay)
    page.get_by_label("Eye colour").fill("Green")
    page.get_by_role("link", name="Łukasz Wójcik").first.click()
    page.wait_for_timeout(300)  # the click either leaves or is held by the question
    assert dialogs == ["beforeunload"]
    expect(page.get_by_label("Eye colour")).to_have_value("Green")  # still here, as typed

    page.get_by_role("button", name="Add a contact").click()  # a form button is no leaving
    expect(page.locator("#contacts-contacts-0-name")).to_be_visible()
    assert dialogs == ["beforeunload"]
    page.get_by_role("button", name="Save grab pack").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Version 1 saved")
    assert dialogs == ["beforeunload"]


def test_leaving_an_untouched_form_does_not_ask(page, world, patient_id):
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{patient_id}/grab-pack/edit")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.get_by_label("Eye colour").focus()  # looked at, not changed
    page.get_by_role("link", name="Łukasz Wójcik").first.click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Create grab pack")
    assert dialogs == []


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_axe_finds_nothing_critical_or_serious_on_the_edit_form(page, world, patient_id, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{patient_id}/grab-pack/edit")
    problems = _serious_violations(page)
    # Refused as sent: the error summary, red boxes and messages, the save bar's note.
    page.locator("#description-height_cm").fill("tall")
    fill_date(page, "identity-date_of_birth", "31", "2", "1990")
    page.get_by_role("button", name="Save grab pack").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    problems += _serious_violations(page)
    assert not problems, problems


def _serious_violations(page) -> list[str]:
    """axe-core's critical and serious findings on the page, as readable lines."""
    results = Axe().run(page)
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("critical", "serious")
    ]
