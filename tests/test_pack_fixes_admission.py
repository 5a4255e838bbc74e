"""What admission recorded reaches the grab pack: a new pack starts from the patient's
registered name, date of birth and NHS number, so the pack, its checklist and its PDF
agree with the police list."""

from __future__ import annotations

from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import Patient
from tests.test_packs import open_edit, save, versions
from tests.test_patients import admit


def test_a_new_pack_starts_from_everything_admission_recorded(app, client, auth, world):
    auth.login(world.nurse_a)
    admitted = admit(client, "Tomasz Wiśniewski", ("14", "6", "2000"), "943 476 5919")
    patient_id = admitted.headers["Location"].rsplit("/", 1)[-1]

    fields = open_edit(client, patient_id)
    assert fields["identity-full_name"] == "Tomasz Wiśniewski"
    assert (
        fields["identity-date_of_birth-day"],
        fields["identity-date_of_birth-month"],
        fields["identity-date_of_birth-year"],
    ) == ("14", "6", "2000")
    assert fields["identity-nhs_number"].replace(" ", "") == "9434765919"

    saved = save(client, patient_id, fields, **{"identity-gender": "Male"})
    assert saved.status_code == 302
    [version] = versions(app)
    assert version.data["identity"]["date_of_birth"] == "2000-06-14"
    assert version.data["identity"]["nhs_number"] == "9434765919"
    page = client.get(f"/patients/{patient_id}/grab-pack").text
    assert "14 June 2000" in page and "943 476 5919" in page
    assert "Identity: Date of birth" not in page  # the checklist does not ask again


def test_a_patient_admitted_with_a_name_alone_starts_with_the_name_alone(app, client, auth, world):
    auth.login(world.nurse_a)
    admitted = admit(client, "Nobody Else", ("", "", ""), "")
    patient_id = admitted.headers["Location"].rsplit("/", 1)[-1]
    fields = open_edit(client, patient_id)
    assert fields["identity-full_name"] == "Nobody Else"
    assert fields["identity-date_of_birth-day"] == "" and fields["identity-nhs_number"] == ""
    with app.app_context():
        assert db.session.scalar(select(Patient.date_of_birth)) is None
