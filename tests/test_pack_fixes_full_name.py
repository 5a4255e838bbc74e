"""A grab pack always names its patient: a blank full name is refused, not saved as a
draft that tells police "Name not recorded" while their list shows the registered name."""

from __future__ import annotations

import re
import uuid

import pytest

from grabpack.extensions import db
from grabpack.models import Patient, User
from grabpack.services import grab_packs as packs
from tests.factories import patient_on, staff
from tests.test_packs import form_fields, open_edit, save, versions

ENTER_NAME = "Enter the patient&#39;s full name"


@pytest.fixture
def patient_id(app, world) -> str:
    with app.app_context():
        patient = patient_on(world.ward_a, "Amara Okonkwo")
        db.session.commit()
        return str(patient.id)


@pytest.fixture
def nurse(auth, world):
    auth.login(world.nurse_a)


@pytest.mark.parametrize("typed", ["", "    "], ids=["cleared", "only-spaces"])
def test_a_new_pack_without_a_full_name_is_refused_and_everything_typed_is_kept(
    app, client, nurse, patient_id, typed
):
    fields = open_edit(client, patient_id)
    page = save(
        client,
        patient_id,
        fields,
        **{"identity-full_name": typed, "identity-gender": "Female", "description-hair": "Braids"},
    )
    assert page.status_code == 200
    assert "There is a problem" in page.text
    summary = page.text.split('nhsuk-error-summary__list">')[1].split("</ul>")[0]
    assert 'href="#identity-full_name"' in summary and ENTER_NAME in summary
    assert re.search(r'id="identity-full_name-error".*?' + re.escape(ENTER_NAME), page.text, re.S)
    assert versions(app) == []
    kept = form_fields(page.text)
    assert kept["identity-gender"] == "Female" and kept["description-hair"] == "Braids"


def test_clearing_the_name_of_a_saved_pack_is_refused_and_the_name_stays(
    app, client, nurse, patient_id
):
    assert save(client, patient_id, open_edit(client, patient_id)).status_code == 302
    page = save(client, patient_id, open_edit(client, patient_id), **{"identity-full_name": " "})
    assert page.status_code == 200 and ENTER_NAME in page.text
    assert [v.data["identity"]["full_name"] for v in versions(app)] == ["Amara Okonkwo"]
    with app.app_context():
        assert db.session.get(Patient, uuid.UUID(patient_id)).full_name == ("Amara Okonkwo")


def test_an_old_version_saved_without_a_name_opens_with_the_registered_name(
    app, client, nurse, patient_id, world
):
    """Packs saved blank before this rule: the next edit offers the registered name
    rather than carrying the blank forward."""
    with app.app_context():
        patient = db.session.get(Patient, uuid.UUID(patient_id))
        packs.save_version(
            patient, {"identity": {"gender": "Female"}}, staff(world.nurse_a), based_on=0
        )
        db.session.commit()
    fields = open_edit(client, patient_id)
    assert fields["identity-full_name"] == "Amara Okonkwo"
    assert save(client, patient_id, fields).status_code == 302
    assert versions(app)[-1].data["identity"]["full_name"] == "Amara Okonkwo"


def test_the_save_service_refuses_a_blank_name_on_the_field(app, world, patient_id):
    with app.app_context():
        patient = db.session.get(Patient, uuid.UUID(patient_id))
        nurse = db.session.get(User, staff(world.nurse_a).id)
        result = packs.save(
            patient, nurse, packs.Submission(data={"identity": {"full_name": ""}}, based_on=0)
        )
        assert isinstance(result, packs.Invalid)
        assert result.errors == {"identity-full_name": "Enter the patient's full name"}
        db.session.rollback()


@pytest.mark.parametrize("name", [None, "", "   "])
def test_the_rule_asks_for_a_name_whenever_there_is_none(name):
    from grabpack.domain.grab_pack_schema import pack_problems

    data = {"identity": {"full_name": name}} if name is not None else {}
    assert ("identity", "full_name", "Enter the patient's full name") in pack_problems(data)


def test_the_rule_is_content_with_any_name():
    from grabpack.domain.grab_pack_schema import pack_problems

    assert pack_problems({"identity": {"full_name": "Amara Okonkwo"}}) == []
