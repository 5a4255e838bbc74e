"""A nurse creating, editing, reviewing and restoring a grab pack through the pages."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from grabpack.domain.grab_pack_schema import FieldType, iter_fields
from grabpack.extensions import db
from grabpack.models import AuditEvent, GrabPackVersion, Patient, Photo
from tests.conftest import csrf_token
from tests.factories import patient_on


@pytest.fixture
def patient_id(app, world) -> str:
    with app.app_context():
        patient = patient_on(world.ward_a, "Siobhán Ní Bhriain")
        db.session.commit()
        return str(patient.id)


def form_fields(html: str) -> dict[str, str]:
    """The values the edit page would post back as it stands (text inputs and hidden)."""
    fields = {}
    for match in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*>', html):
        tag = match.group(0)
        if 'type="file"' in tag or 'type="radio"' in tag or 'type="checkbox"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[match.group(1)] = value.group(1) if value else ""
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', html):
        fields[match.group(1)] = match.group(2)
    for match in re.finditer(r'<input[^>]*type="radio"[^>]*>', html):
        tag = match.group(0)
        if "checked" in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            fields[name] = re.search(r'value="([^"]*)"', tag).group(1)
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"\s*selected', match.group(2))
        fields[match.group(1)] = selected.group(1) if selected else ""
    fields.pop("save", None)
    return fields


def open_edit(client, patient_id) -> dict[str, str]:
    page = client.get(f"/patients/{patient_id}/grab-pack/edit")
    assert page.status_code == 200
    return form_fields(page.text)


def save(client, patient_id, fields, **changes):
    data = {**fields, **changes}
    return client.post(f"/patients/{patient_id}/grab-pack/edit", data=data)


def versions(app) -> list[GrabPackVersion]:
    with app.app_context():
        return list(db.session.scalars(select(GrabPackVersion).order_by(GrabPackVersion.number)))


def jpeg_bytes(colour="navy", size=(60, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def nurse(auth, world):
    auth.login(world.nurse_a)


def test_create_a_draft_pack_then_see_what_is_missing(app, client, nurse, patient_id):
    fields = open_edit(client, patient_id)
    assert fields["identity-full_name"] == "Siobhán Ní Bhriain"
    response = save(
        client,
        patient_id,
        fields,
        **{
            "identity-date_of_birth-day": "7",
            "identity-date_of_birth-month": "3",
            "identity-date_of_birth-year": "1991",
            "risk-missing_risk": "high",
            "change_note": "First pack",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Version 1 saved" in page
    assert "7 March 1991" in page
    assert "Not yet complete" in page and "Identity: Gender" in page
    [version] = versions(app)
    assert version.data["identity"]["date_of_birth"] == "1991-03-07"
    assert version.data["risk"]["missing_risk"] == "high"
    assert version.change_note == "First pack"
    assert not version.is_complete


def test_every_save_is_a_new_version_and_the_diff_shows_the_change(app, client, nurse, patient_id):
    save(client, patient_id, open_edit(client, patient_id), **{"identity-gender": "Female"})
    fields = open_edit(client, patient_id)
    assert fields["based_on"] == "1"
    save(
        client,
        patient_id,
        fields,
        **{"identity-gender": "Woman", "identity-preferred_name": "Shiv"},
    )
    assert [v.number for v in versions(app)] == [1, 2]
    diff = client.get(f"/patients/{patient_id}/grab-pack/diff?from=1&to=2").text
    assert "Changes from version 1 to 2" in diff
    assert "<del>Female</del>" in diff and "<ins>Woman</ins>" in diff
    assert "<ins>Shiv</ins>" in diff


def test_repeatable_contacts_add_remove_and_diff_inside_group(app, client, nurse, patient_id):
    fields = open_edit(client, patient_id)
    page = save(client, patient_id, fields, add="contacts-contacts")
    assert page.status_code == 200
    fields = form_fields(page.text)
    assert "contacts-contacts-0-name" in fields
    fields.update(
        {"contacts-contacts-0-name": "Áine Ní Bhriain", "contacts-contacts-0-phone": "07700 900123"}
    )
    fields = form_fields(save(client, patient_id, fields, add="contacts-contacts").text)
    fields.update(
        {"contacts-contacts-1-name": "Marek Kowalski", "contacts-contacts-1-phone": "07700 900456"}
    )
    assert save(client, patient_id, fields).status_code == 302
    fields = open_edit(client, patient_id)
    page = save(client, patient_id, fields, remove="contacts-contacts-0")
    fields = form_fields(page.text)
    assert "Áine" not in page.text and "Marek Kowalski" in page.text
    assert save(client, patient_id, fields).status_code == 302
    last = versions(app)[-1]
    assert [c["name"] for c in last.data["contacts"]["contacts"]] == ["Marek Kowalski"]
    diff = client.get(f"/patients/{patient_id}/grab-pack/diff?from=1&to=2").text
    assert "Contact 1: removed" in diff
    assert "Contact 2" not in diff  # Marek is unchanged, not shown as a cascade


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"identity-nhs_number": "943 476 5918"}, "check digit does not match"),
        ({"identity-home_postcode": "ZZ9 9ZZ"}, "Enter a real UK postcode"),
        ({"description-height_cm": "400"}, "Height in centimetres must be between 50 and 250"),
        ({"description-height_cm": "tall"}, "Enter height in centimetres, like 170"),
        (
            {
                "identity-date_of_birth-day": "31",
                "identity-date_of_birth-month": "2",
                "identity-date_of_birth-year": "1990",
            },
            "Date of birth must be a real date",
        ),
        (
            {
                "identity-date_of_birth-day": "1",
                "identity-date_of_birth-month": "1",
                "identity-date_of_birth-year": "2999",
            },
            "Date of birth must be today or in the past",
        ),
        (
            {"identity-date_of_birth-day": "1", "identity-date_of_birth-year": "1990"},
            "Date of birth must include a month",
        ),
        ({"risk-risk_to_self": "x" * 100_000}, "Risk to self must be 5,000 characters or fewer"),
        ({"phone-email": "not-an-email"}, "Email address must be like name@example.com"),
        ({"phone-mobile_number": "call me"}, "Mobile number must be a phone number"),
    ],
)
def test_bad_input_gets_a_specific_error_and_keeps_entries(
    app, client, nurse, patient_id, changes, message
):
    fields = open_edit(client, patient_id)
    page = save(client, patient_id, fields, **{"identity-preferred_name": "Kept", **changes})
    assert page.status_code == 200
    assert "There is a problem" in page.text
    assert message in page.text
    assert "<title>Error: Create grab pack" in page.text
    assert 'value="Kept"' in page.text
    assert versions(app) == []


def test_markup_in_every_text_field_is_shown_as_text(app, client, nurse, patient_id):
    hostile = "<script>alert(1)</script><b>bold</b> & <img src=x onerror=alert(2)>"
    text_fields = [
        f"{section.key}-{field.key}"
        for section, field in iter_fields()
        if field.type in (FieldType.TEXT, FieldType.LONG_TEXT)
    ]
    assert len(text_fields) > 30
    fields = open_edit(client, patient_id)
    response = save(client, patient_id, fields, **{k: hostile for k in text_fields})
    assert response.status_code == 302
    page = client.get(f"/patients/{patient_id}/grab-pack").text
    assert "<script>alert(1)</script>" not in page
    shown = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img"
    assert page.count(shown) >= len(text_fields)  # every field (the name shows twice more)
    assert "&amp;amp;" not in page and "&amp;lt;" not in page  # escaped once, not twice


@pytest.mark.parametrize(
    "name", ["Łukasz Wójcik", "محمد الحسن", "王伟", "রহিম উদ্দিন", "Siobhán Ó Briain"]
)
def test_names_in_any_script_round_trip(app, client, nurse, patient_id, name):
    fields = open_edit(client, patient_id)
    save(client, patient_id, fields, **{"identity-full_name": name})
    assert name in client.get(f"/patients/{patient_id}").text
    with app.app_context():
        assert db.session.get(Patient, __import__("uuid").UUID(patient_id)).full_name == name


def test_stale_form_gives_conflict_page_with_entries_kept(app, client, nurse, patient_id, world):
    save(client, patient_id, open_edit(client, patient_id), **{"identity-gender": "Female"})
    mine = open_edit(client, patient_id)
    theirs = dict(mine)
    theirs["submission_id"] = "colleague-save"
    save(client, patient_id, theirs, **{"description-build": "Slim", "identity-gender": "Woman"})
    page = save(
        client, patient_id, mine, **{"description-eye_colour": "Brown", "identity-gender": "F"}
    )
    assert page.status_code == 409
    assert "A colleague saved this pack while you were editing" in page.text
    assert "Identity: Gender (your entry is kept)" in page.text
    merged = form_fields(page.text)
    assert merged["description-eye_colour"] == "Brown"  # mine
    assert merged["description-build"] == "Slim"  # theirs
    assert merged["identity-gender"] == "F"  # both changed: mine kept, flagged
    assert merged["based_on"] == "2"
    assert save(client, patient_id, merged).status_code == 302
    last = versions(app)[-1]
    assert last.number == 3
    assert last.data["description"] == {"build": "Slim", "eye_colour": "Brown"}


def test_double_submit_creates_one_version(app, client, nurse, patient_id):
    fields = open_edit(client, patient_id)
    first = save(client, patient_id, fields, **{"identity-gender": "Female"})
    second = save(client, patient_id, fields, **{"identity-gender": "Female"})
    assert first.status_code == second.status_code == 302
    assert "Version 1 saved" in client.get(second.headers["Location"]).text
    assert len(versions(app)) == 1


def test_double_submit_with_a_photo_creates_one_version(app, client, nurse, patient_id):
    fields = open_edit(client, patient_id)

    def post():
        data = {**fields, "identity-gender": "Female", "photo": (io.BytesIO(jpeg_bytes()), "a.jpg")}
        return client.post(
            f"/patients/{patient_id}/grab-pack/edit", data=data, content_type="multipart/form-data"
        )

    assert post().status_code == post().status_code == 302
    [version] = versions(app)
    assert version.photo_id is not None


def test_going_back_and_saving_the_same_form_again_keeps_the_correction(
    app, client, nurse, patient_id
):
    """Save, Back, correct a field, Save again: the same form (same one-time id, same
    version it was based on) with other content. It used to answer "Version 1 saved"
    and drop the correction; it is not a double click but a conflict with the nurse's
    own earlier save, shown with every entry of the second edit kept."""
    fields = open_edit(client, patient_id)
    assert save(client, patient_id, fields, **{"identity-gender": "Female"}).status_code == 302
    corrected = {"identity-gender": "Female", "risk-risk_to_self": "Talked of the river"}
    page = save(client, patient_id, fields, **corrected)  # the page Back showed, corrected
    assert page.status_code == 409
    assert "This form was already saved, so your changes are not saved yet" in page.text
    kept = form_fields(page.text)
    assert kept["risk-risk_to_self"] == "Talked of the river"
    assert kept["identity-gender"] == "Female"
    assert kept["based_on"] == "1"
    assert kept["submission_id"] != fields["submission_id"]  # the next Save is a new one
    assert len(versions(app)) == 1
    assert save(client, patient_id, kept).status_code == 302
    last = versions(app)[-1]
    assert last.number == 2
    assert last.data["risk"]["risk_to_self"] == "Talked of the river"


def test_going_back_after_a_colleague_saved_merges_all_three(app, client, nurse, patient_id, world):
    fields = open_edit(client, patient_id)
    save(client, patient_id, fields, **{"identity-gender": "Female"})
    colleague = open_edit(client, patient_id)
    save(client, patient_id, colleague, **{"description-build": "Slim"})
    page = save(
        client, patient_id, fields, **{"identity-gender": "Female", "description-hair": "Grey"}
    )
    assert page.status_code == 409
    merged = form_fields(page.text)
    assert merged["description-build"] == "Slim"  # the colleague's, kept
    assert merged["description-hair"] == "Grey"  # the correction
    assert merged["based_on"] == "2"
    assert save(client, patient_id, merged).status_code == 302
    assert versions(app)[-1].data["description"] == {"build": "Slim", "hair": "Grey"}


def test_reviewed_no_changes_is_one_click_and_recorded(app, client, nurse, patient_id):
    save(client, patient_id, open_edit(client, patient_id), **{"risk-missing_risk": "high"})
    view = client.get(f"/patients/{patient_id}/grab-pack").text
    response = client.post(
        f"/patients/{patient_id}/grab-pack/review",
        data={"csrf_token": csrf_token(view), "based_on": "1"},
    )
    assert response.status_code == 302
    assert "Review recorded as version 2" in client.get(response.headers["Location"]).text
    first, second = versions(app)
    assert second.kind == "review" and second.data == first.data
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(AuditEvent.action == "grab_pack.review"))
            == 1
        )


def test_restore_old_version_as_new_version(app, client, nurse, patient_id):
    save(client, patient_id, open_edit(client, patient_id), **{"identity-gender": "Female"})
    save(client, patient_id, open_edit(client, patient_id), **{"identity-gender": "Male"})
    history = client.get(f"/patients/{patient_id}/grab-pack/versions").text
    response = client.post(
        f"/patients/{patient_id}/grab-pack/versions/1/restore",
        data={"csrf_token": csrf_token(history), "based_on": "2"},
    )
    assert response.status_code == 302
    restored = versions(app)[-1]
    assert (restored.number, restored.kind, restored.restored_from) == (3, "restore", 1)
    assert restored.data["identity"]["gender"] == "Female"


def test_photo_upload_is_stored_stripped_and_reused(app, client, nurse, patient_id):
    fields = open_edit(client, patient_id)
    data = {
        **fields,
        "photo": (io.BytesIO(jpeg_bytes()), "face.jpg"),
        "description-photo_taken_on-day": "1",
        "description-photo_taken_on-month": "11",
        "description-photo_taken_on-year": "2026",
    }
    response = client.post(
        f"/patients/{patient_id}/grab-pack/edit", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    image = client.get(f"/patients/{patient_id}/grab-pack/versions/1/photo")
    assert image.headers["Content-Type"] == "image/jpeg"
    assert image.headers["Cache-Control"] == "no-store"
    save(client, patient_id, open_edit(client, patient_id), **{"identity-gender": "Female"})
    first, second = versions(app)
    assert second.photo_id == first.photo_id  # kept, not stored twice


def test_an_upload_is_carried_across_a_conflict(app, client, nurse, patient_id):
    save(client, patient_id, open_edit(client, patient_id), **{"identity-gender": "Female"})
    mine = open_edit(client, patient_id)
    save(
        client, patient_id, {**mine, "submission_id": "colleague"}, **{"description-build": "Slim"}
    )
    data = {**mine, "photo": (io.BytesIO(jpeg_bytes("teal")), "face.jpg")}
    page = client.post(
        f"/patients/{patient_id}/grab-pack/edit", data=data, content_type="multipart/form-data"
    )
    assert page.status_code == 409
    assert "The photo you uploaded is kept" in page.text
    carried = form_fields(page.text)
    assert carried["pending_photo"]
    assert save(client, patient_id, carried).status_code == 302
    last = versions(app)[-1]
    assert last.number == 3 and last.photo_id is not None


def test_removing_the_photo_is_kept_across_a_conflict(app, client, nurse, patient_id):
    data = {**open_edit(client, patient_id), "photo": (io.BytesIO(jpeg_bytes()), "face.jpg")}
    client.post(
        f"/patients/{patient_id}/grab-pack/edit", data=data, content_type="multipart/form-data"
    )
    mine = open_edit(client, patient_id)
    save(
        client, patient_id, {**mine, "submission_id": "colleague"}, **{"description-build": "Slim"}
    )
    page = save(client, patient_id, mine, remove_photo="yes")
    assert page.status_code == 409
    assert re.search(r'id="remove_photo"[^>]*checked', page.text)
    assert save(client, patient_id, form_fields(page.text), remove_photo="yes").status_code == 302
    assert versions(app)[-1].photo_id is None


def test_duplicate_nhs_number_is_refused_on_the_field_and_stores_nothing(
    app, client, nurse, patient_id, world
):
    with app.app_context():
        patient_on(
            world.ward_a, "Someone Else", {"identity": {"nhs_number": "9434765919"}}, world.nurse_a
        )
        db.session.commit()
    data = {
        **open_edit(client, patient_id),
        "identity-nhs_number": "943 476 5919",
        "photo": (io.BytesIO(jpeg_bytes("olive")), "face.jpg"),
    }
    page = client.post(
        f"/patients/{patient_id}/grab-pack/edit", data=data, content_type="multipart/form-data"
    )
    assert page.status_code == 200
    assert "Another patient already has this NHS number" in page.text
    assert 'href="#identity-nhs_number"' in page.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Photo.id))) == 0
    assert len(versions(app)) == 1  # the other patient's


def test_upload_that_is_not_an_image_is_refused(app, client, nurse, patient_id):
    fields = open_edit(client, patient_id)
    data = {**fields, "photo": (io.BytesIO(b"<html><script>x</script></html>"), "face.jpg")}
    page = client.post(
        f"/patients/{patient_id}/grab-pack/edit", data=data, content_type="multipart/form-data"
    )
    assert page.status_code == 200
    assert "is not a photo we can read" in page.text
    assert versions(app) == []


def test_discharged_patients_pack_is_read_only(app, client, nurse, patient_id):
    save(client, patient_id, open_edit(client, patient_id), **{"identity-gender": "Female"})
    confirm = client.get(f"/patients/{patient_id}/discharge").text  # discharge asks first
    discharged = client.post(
        f"/patients/{patient_id}/discharge", data={"csrf_token": csrf_token(confirm)}
    )
    assert discharged.status_code == 302
    assert client.get(f"/patients/{patient_id}/grab-pack/edit").status_code == 403
    view = client.get(f"/patients/{patient_id}/grab-pack").text
    assert "read-only" in view and "Edit grab pack" not in view
    assert "Siobhán" not in client.get("/wards/WA1").text


def test_review_cycle_is_configurable(app_factory, world, patient_id):
    from datetime import timedelta

    from grabpack.domain.clock import london_today
    from grabpack.models import User
    from grabpack.services.grab_packs import save_version

    configured = app_factory(REVIEW_DAYS_HIGH_RISK=3, REVIEW_DAYS=10)
    with configured.app_context():
        patient = db.session.get(Patient, __import__("uuid").UUID(patient_id))
        nurse = db.session.scalar(select(User).where(User.email == world.nurse_a))
        first = save_version(patient, {"risk": {"missing_risk": "low"}}, nurse, based_on=0)
        assert first.review_due_on == london_today() + timedelta(days=10)
        second = save_version(
            patient, {"risk": {"missing_risk": "low"}, "x": {}}, nurse, based_on=1
        )
        assert second.review_due_on == london_today() + timedelta(days=10)
        db.session.rollback()


NOTHING_CHANGED = "Nothing has changed, so no new version was saved."


def test_saving_with_nothing_changed_makes_no_version_and_says_so(app, client, nurse, patient_id):
    save(client, patient_id, open_edit(client, patient_id), **{"risk-missing_risk": "high"})
    response = save(client, patient_id, open_edit(client, patient_id), change_note="Checked it")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/patients/{patient_id}/grab-pack")
    page = client.get(response.headers["Location"]).text
    assert NOTHING_CHANGED in page and "use Reviewed, no changes" in page
    assert [v.number for v in versions(app)] == [1]


def test_a_pack_with_blanks_in_the_old_shape_saved_as_it_is_is_unchanged(
    app, client, nurse, patient_id
):
    save(client, patient_id, open_edit(client, patient_id), **{"risk-missing_risk": "high"})
    with app.app_context():  # as the demo wrote packs before: blanks as "" and None
        version = db.session.scalar(select(GrabPackVersion))
        version.data = {
            **version.data,
            "identity": {**version.data["identity"], "gender": "", "aliases": None},
            "contacts": {"contacts": [{"name": "", "phone": ""}]},
        }
        db.session.commit()
    page = client.post(
        f"/patients/{patient_id}/grab-pack/edit", data=open_edit(client, patient_id)
    ).headers["Location"]
    assert NOTHING_CHANGED in client.get(page).text
    assert len(versions(app)) == 1


def test_a_new_photo_alone_is_a_change(app, client, nurse, patient_id):
    save(client, patient_id, open_edit(client, patient_id), **{"risk-missing_risk": "high"})
    data = {**open_edit(client, patient_id), "photo": (io.BytesIO(jpeg_bytes()), "face.jpg")}
    response = client.post(
        f"/patients/{patient_id}/grab-pack/edit", data=data, content_type="multipart/form-data"
    )
    assert "Version 2 saved" in client.get(response.headers["Location"]).text
    first, second = versions(app)
    assert second.data == first.data and second.photo_id is not None
