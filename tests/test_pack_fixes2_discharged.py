"""A colleague discharged the patient while a nurse was typing.

Found: Save on the pack form, and Report missing, then answered "You do not have
access to this page ... only the wards you are assigned to" and the typed entries
were gone. Wanted: the page says the patient was discharged (when, by whom), that
the pack is read-only, and shows what was typed; staff of another ward still get
nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from grabpack.extensions import db
from grabpack.models import GrabPackVersion, MissingEpisode, Patient
from grabpack.services.patients import discharge
from tests.factories import FULL_LEGAL, patient_on, staff
from tests.page_checks import form_fields as page_form_fields
from tests.test_packs import open_edit, save

NO_ACCESS = "You do not have access"


@pytest.fixture
def patient_id(app, world) -> str:
    with app.app_context():
        patient = patient_on(world.ward_a, "Aoife Byrne", FULL_LEGAL, world.nurse_a)
        staff(world.manager_a).full_name = "Wendy Okafor"
        db.session.commit()
        return str(patient.id)


def discharged_by_a_colleague(app, world, patient_id: str) -> None:
    with app.app_context():
        discharge(db.session.get(Patient, uuid.UUID(patient_id)), staff(world.manager_a))
        db.session.commit()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def test_saving_after_a_discharge_says_so_and_shows_what_was_typed(
    app, client, auth, world, patient_id
):
    auth.login(world.nurse_a)
    fields = open_edit(client, patient_id)
    discharged_by_a_colleague(app, world, patient_id)

    page = save(
        client,
        patient_id,
        fields,
        **{"risk-risk_to_self": "Talked of the bridge", "change_note": "After the ward round"},
    )

    assert page.status_code == 409
    assert NO_ACCESS not in page.text
    assert "Aoife Byrne was discharged" in page.text and "by Wendy Okafor" in page.text
    assert "read-only" in page.text and "not saved" in page.text
    assert "Talked of the bridge" in page.text  # what was typed, still in front of them
    assert "After the ward round" in page.text
    assert "re-admit" in page.text
    assert count(app, GrabPackVersion) == 1


def test_opening_the_form_of_a_discharged_patient_says_why_it_cannot_be_edited(
    app, client, auth, world, patient_id
):
    auth.login(world.nurse_a)
    discharged_by_a_colleague(app, world, patient_id)
    page = client.get(f"/patients/{patient_id}/grab-pack/edit")
    assert page.status_code == 403  # still not allowed; but no longer a false reason
    assert NO_ACCESS not in page.text
    assert "Aoife Byrne was discharged" in page.text and "read-only" in page.text


def test_report_missing_for_a_discharged_patient_says_they_are_discharged(
    app, client, auth, world, patient_id
):
    auth.login(world.nurse_a)
    address = f"/patients/{patient_id}/episodes/new"
    fields = page_form_fields(client.get(address).text, address)
    discharged_by_a_colleague(app, world, patient_id)

    for page in (client.get(address), client.post(address, data={**fields, "kind": "awol"})):
        assert page.status_code == 409
        assert NO_ACCESS not in page.text
        assert "Aoife Byrne was discharged" in page.text and "by Wendy Okafor" in page.text
        assert "cannot be reported missing from the ward" in page.text
        assert "ward manager can re-admit" in page.text
    assert count(app, MissingEpisode) == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/patients/{p}/grab-pack/edit"),
        ("post", "/patients/{p}/grab-pack/edit"),
        ("get", "/patients/{p}/episodes/new"),
        ("post", "/patients/{p}/episodes/new"),
    ],
)
def test_staff_of_another_ward_still_learn_nothing(
    app, client, auth, world, patient_id, method, path
):
    discharged_by_a_colleague(app, world, patient_id)
    auth.login(world.nurse_b)
    token = page_form_fields(client.get("/", follow_redirects=True).text, "/logout")["csrf_token"]
    response = getattr(client, method)(
        path.format(p=patient_id), **({"data": {"csrf_token": token}} if method == "post" else {})
    )
    assert response.status_code == 404
    assert "discharged" not in response.text
