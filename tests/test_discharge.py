"""Discharge asks first, is refused while the patient is missing, and a ward manager
can undo it."""

from __future__ import annotations

from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import AuditEvent, GrabPack, Patient
from tests.conftest import csrf_token
from tests.factories import FULL_LEGAL, open_for, patient_on


def on_ward_a(app, world, name="Aisha Rahman", missing=False):
    with app.app_context():
        patient = patient_on("WA1", name, FULL_LEGAL, world.nurse_a)
        if missing:
            open_for(patient, world.nurse_a, hours_ago=2)
        db.session.commit()
        return patient.id


def discharge(client, patient_id):
    """Press Discharge on the confirmation page (or send its form, where it has none)."""
    token = csrf_token(client.get(f"/patients/{patient_id}").text)
    return client.post(f"/patients/{patient_id}/discharge", data={"csrf_token": token})


def actions(app, patient_id) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.patient_id == patient_id, AuditEvent.action.like("patient.%"))
                .order_by(AuditEvent.id)
            )
        )


def test_patient_page_links_to_a_confirmation_page_not_a_one_click_discharge(
    app, client, auth, world
):
    patient_id = on_ward_a(app, world)
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{patient_id}").text
    assert f'href="/patients/{patient_id}/discharge"' in page
    assert f'action="/patients/{patient_id}/discharge"' not in page
    confirm = client.get(f"/patients/{patient_id}/discharge")
    assert confirm.status_code == 200
    assert "Discharge Aisha Rahman?" in confirm.text
    assert "kept, read-only" in confirm.text
    assert ">Discharge</button>" in confirm.text
    with app.app_context():
        assert db.session.get(Patient, patient_id).discharged_at is None  # a look changes nothing


def test_confirming_discharges_and_takes_the_patient_off_the_list(app, client, auth, world):
    patient_id = on_ward_a(app, world)
    auth.login(world.nurse_a)
    response = discharge(client, patient_id)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Patient discharged" in page and "Discharged" in page
    assert "Aisha Rahman" not in client.get("/wards/WA1").text
    assert actions(app, patient_id) == ["patient.discharge"]


def test_a_missing_patient_cannot_be_discharged_and_nothing_changes(app, client, auth, world):
    patient_id = on_ward_a(app, world, missing=True)
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{patient_id}/discharge")
    assert page.status_code == 200
    assert "cannot be discharged now" in page.text and "missing now" in page.text
    assert ">Discharge</button>" not in page.text
    refused = discharge(client, patient_id)
    assert refused.status_code == 409
    assert "This patient is missing now" in refused.text
    with app.app_context():
        assert db.session.get(Patient, patient_id).discharged_at is None
    assert actions(app, patient_id) == []
    assert "Aisha Rahman" in client.get("/wards/WA1").text


def test_a_ward_manager_readmits_with_the_pack_and_history(app, client, auth, world):
    patient_id = on_ward_a(app, world)
    auth.login(world.nurse_a)
    discharge(client, patient_id)
    auth.logout()
    auth.login(world.manager_a)
    assert 'href="/wards/WA1/discharged">Recently discharged</a>' in client.get("/wards/WA1").text
    discharged = client.get("/wards/WA1/discharged").text
    assert f'<a href="/patients/{patient_id}">Aisha Rahman</a>, discharged' in discharged
    page = client.get(f"/patients/{patient_id}").text
    assert "Re-admit to Ward A" in page
    response = client.post(
        f"/patients/{patient_id}/readmit",
        data={"csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    page = client.get(f"/patients/{patient_id}").text
    assert "re-admitted to Ward A" in page
    assert "Discharged" not in page and "Version 1" in page
    assert "Aisha Rahman" in client.get("/wards/WA1").text
    assert "Aisha Rahman" not in client.get("/wards/WA1/discharged").text
    assert client.get(f"/patients/{patient_id}/grab-pack/edit").status_code == 200  # writable
    with app.app_context():
        assert db.session.get(Patient, patient_id).discharged_at is None
        assert db.session.scalar(select(GrabPack.review_due_reason)) == "re-admitted"
        readmitted = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "patient.readmit")
        )
        assert readmitted.detail["ward"] == "WA1"
    # The discharge stays in the trail: the undo is a row beside it.
    assert actions(app, patient_id) == ["patient.discharge", "patient.readmit"]


def test_a_nurse_cannot_undo_a_discharge(app, client, auth, world):
    patient_id = on_ward_a(app, world)
    auth.login(world.nurse_a)
    discharge(client, patient_id)
    page = client.get(f"/patients/{patient_id}").text
    assert "Re-admit to Ward A" not in page and "A ward manager can re-admit" in page
    response = client.post(f"/patients/{patient_id}/readmit", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Patient, patient_id).discharged_at is not None
    assert actions(app, patient_id) == ["patient.discharge"]


def test_a_missing_patient_cannot_be_transferred_and_nothing_changes(app, client, auth, world):
    """Police ring the ward on the episode and its staff act on it: moving the patient
    while missing would send police to a ward that can no longer open the record."""
    patient_id = on_ward_a(app, world, missing=True)
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{patient_id}").text
    assert "Transfer patient</button>" not in page
    assert "cannot be transferred while they are missing" in page
    token = csrf_token(client.get(f"/patients/{patient_id}/discharge").text)
    refused = client.post(
        f"/patients/{patient_id}/transfer",
        data={"csrf_token": token, "ward": "WB1"},
        follow_redirects=True,
    )
    assert "This patient is missing now" in refused.text and "before transferring" in refused.text
    with app.app_context():
        assert db.session.get(Patient, patient_id).ward.code == "WA1"
    assert actions(app, patient_id) == []


def test_a_button_pressed_after_signing_out_says_so_and_changes_nothing(app, client, auth, world):
    """Signed out in another tab, then Transfer pressed on the old page: the truth
    (signed out, nothing done, sign in and try again), never "signed in again since"."""
    patient_id = on_ward_a(app, world)
    auth.login(world.nurse_a)
    token = csrf_token(client.get(f"/patients/{patient_id}").text)
    auth.logout()
    response = client.post(
        f"/patients/{patient_id}/transfer", data={"csrf_token": token, "ward": "WB1"}
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).text
    assert "You were signed out" in page and "nothing was done" in page
    assert "signed in again since" not in page
    with app.app_context():
        assert db.session.get(Patient, patient_id).ward.code == "WA1"
