"""A chosen photo is never silently dropped: whenever the pack form comes back instead
of saving (an Add or Remove button, a mistake to correct), the upload is kept and the
page says a new photo is chosen and will be saved; where it cannot be kept, the page
says plainly to choose it again."""

from __future__ import annotations

import io

import pytest
from sqlalchemy.exc import OperationalError

from grabpack.extensions import db
from tests.factories import patient_on
from tests.test_packs import form_fields, jpeg_bytes, open_edit, save, versions

KEPT = "The photo you uploaded is kept and will be saved with the pack"
CHOOSE_AGAIN = "choose it again"


@pytest.fixture
def patient_id(app, world) -> str:
    with app.app_context():
        patient = patient_on(world.ward_a, "Kwame Boateng")
        db.session.commit()
        return str(patient.id)


@pytest.fixture
def nurse(auth, world):
    auth.login(world.nurse_a)


def post_with_photo(client, patient_id, fields, colour="teal", **changes):
    data = {**fields, **changes, "photo": (io.BytesIO(jpeg_bytes(colour)), "face.jpg")}
    return client.post(
        f"/patients/{patient_id}/grab-pack/edit", data=data, content_type="multipart/form-data"
    )


@pytest.mark.parametrize(
    "button",
    [{"add": "health-medications"}, {"add": "contacts-contacts"}],
    ids=["add-a-medicine", "add-a-contact"],
)
def test_a_photo_chosen_before_an_add_button_is_saved_with_the_next_save(
    app, client, nurse, patient_id, button
):
    page = post_with_photo(client, patient_id, open_edit(client, patient_id), **button)
    assert page.status_code == 200
    assert KEPT in page.text
    carried = form_fields(page.text)
    assert carried["pending_photo"]
    assert save(client, patient_id, carried).status_code == 302
    [version] = versions(app)
    assert version.photo_id is not None


def test_a_photo_chosen_before_a_remove_button_is_saved_with_the_next_save(
    app, client, nurse, patient_id
):
    fields = open_edit(client, patient_id)
    added = form_fields(save(client, patient_id, fields, add="health-medications").text)
    page = post_with_photo(
        client,
        patient_id,
        added,
        **{"health-medications-0-name": "", "remove": "health-medications-0"},
    )
    assert KEPT in page.text
    assert save(client, patient_id, form_fields(page.text)).status_code == 302
    assert versions(app)[0].photo_id is not None


def test_a_photo_chosen_with_a_mistake_is_kept_while_the_mistake_is_corrected(
    app, client, nurse, patient_id
):
    page = post_with_photo(
        client, patient_id, open_edit(client, patient_id), **{"identity-home_postcode": "ZZ"}
    )
    assert page.status_code == 200 and "There is a problem" in page.text
    assert versions(app) == []
    assert KEPT in page.text
    corrected = {**form_fields(page.text), "identity-home_postcode": "E1 6AN"}
    assert save(client, patient_id, corrected).status_code == 302
    [version] = versions(app)
    assert version.photo_id is not None and version.data["identity"]["home_postcode"] == "E1 6AN"


def test_a_new_photo_kept_over_a_mistake_replaces_the_current_one(app, client, nurse, patient_id):
    first = post_with_photo(client, patient_id, open_edit(client, patient_id), colour="navy")
    assert first.status_code == 302
    page = post_with_photo(
        client,
        patient_id,
        open_edit(client, patient_id),
        colour="olive",
        **{"identity-home_postcode": "ZZ"},
    )
    assert "Current photo" in page.text and KEPT in page.text  # not mistaken for the new one
    corrected = {**form_fields(page.text), "identity-home_postcode": "E1 6AN"}
    assert save(client, patient_id, corrected).status_code == 302
    old, new = versions(app)
    assert new.photo_id is not None and new.photo_id != old.photo_id


def test_a_file_that_is_not_a_photo_says_so_when_the_form_comes_back(
    app, client, nurse, patient_id
):
    data = {
        **open_edit(client, patient_id),
        "add": "health-medications",
        "photo": (io.BytesIO(b"not a photo at all"), "face.jpg"),
    }
    page = client.post(
        f"/patients/{patient_id}/grab-pack/edit", data=data, content_type="multipart/form-data"
    )
    assert "is not a photo we can read" in page.text
    assert not form_fields(page.text)["pending_photo"]


def test_a_busy_database_says_to_choose_the_photo_again(
    app, client, nurse, patient_id, monkeypatch
):
    from grabpack.services import grab_packs

    def locked(*args, **kwargs):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(grab_packs, "save", locked)
    page = post_with_photo(client, patient_id, open_edit(client, patient_id))
    assert page.status_code == 503
    assert "The database was busy" in page.text
    assert CHOOSE_AGAIN in page.text and KEPT not in page.text


def test_a_kept_photo_can_still_be_left_out(app, client, nurse, patient_id):
    """The page that says a new photo is chosen offers not to save it, and means it."""
    page = post_with_photo(
        client, patient_id, open_edit(client, patient_id), add="health-medications"
    )
    assert "Do not save the new photo" in page.text
    assert save(client, patient_id, form_fields(page.text), remove_photo="yes").status_code == 302
    [version] = versions(app)
    assert version.photo_id is None


def test_a_save_refused_after_its_photo_was_stored_carries_the_photo(app, world, patient_id):
    import uuid

    from grabpack.models import Patient
    from grabpack.services import grab_packs as packs
    from tests.factories import staff

    with app.app_context():
        patient = db.session.get(Patient, uuid.UUID(patient_id))
        sent = packs.Submission(
            data={"identity": {"full_name": " "}}, based_on=0, photo=packs.NewPhoto(jpeg_bytes())
        )
        result = packs.save(patient, staff(world.nurse_a), sent)
        assert isinstance(result, packs.Invalid) and result.photo is not None
        db.session.rollback()
