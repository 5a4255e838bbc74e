"""The tester's steps on the edit page: a colleague changes contact 2's phone; on an
older form the nurse removes contact 1 and saves. The conflict page flags nothing
(the edits did not overlap) and saving it keeps the colleague's phone number."""

from __future__ import annotations

import pytest

from grabpack.extensions import db
from tests.factories import patient_on
from tests.test_packs import form_fields, open_edit, save, versions

ANN = {"contacts-contacts-0-name": "Ann Price", "contacts-contacts-0-phone": "07700 900111"}
BOB = {"contacts-contacts-1-name": "Bob Okafor", "contacts-contacts-1-phone": "07700 900222"}


@pytest.fixture
def patient_id(app, world) -> str:
    with app.app_context():
        patient = patient_on(world.ward_a, "Siobhán Ní Bhriain")
        db.session.commit()
        return str(patient.id)


@pytest.fixture
def nurse(auth, world):
    auth.login(world.nurse_a)


def test_removing_a_contact_on_an_old_form_keeps_a_colleagues_new_phone(
    app, client, nurse, patient_id
):
    assert save(client, patient_id, open_edit(client, patient_id), **ANN, **BOB).status_code == 302
    mine = open_edit(client, patient_id)
    theirs = {**mine, "submission_id": "colleague-save"}
    assert (
        save(
            client, patient_id, theirs, **{"contacts-contacts-1-phone": "07700 900999"}
        ).status_code
        == 302
    )
    page = save(client, patient_id, mine, remove="contacts-contacts-0")
    assert page.status_code == 200 and "Ann Price" not in page.text
    page = save(client, patient_id, form_fields(page.text))
    assert page.status_code == 409
    assert "your entry is kept" not in page.text
    merged = form_fields(page.text)
    assert merged["contacts-contacts-0-name"] == "Bob Okafor"
    assert "contacts-contacts-1-name" not in merged
    assert save(client, patient_id, merged).status_code == 302
    colleagues, last = versions(app)[-2:]
    assert last.number == 3
    assert last.data["contacts"]["contacts"] == [colleagues.data["contacts"]["contacts"][1]]
    assert "900999" in last.data["contacts"]["contacts"][0]["phone"].replace(" ", "")
