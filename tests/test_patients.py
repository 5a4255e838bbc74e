"""Admission, transfer, discharge, the ward list and retention."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from grabpack.extensions import db
from grabpack.models import AuditEvent, GrabPack, GrabPackVersion, Patient, Photo, User
from grabpack.models.base import utcnow
from grabpack.services import patients
from grabpack.services.grab_packs import save_version
from grabpack.services.photos import store_photo
from tests.conftest import csrf_token
from tests.factories import patient_on
from tests.test_photos import encoded


def csrf_of(page: str, form_id: str) -> str:
    return re.search(rf'id="{form_id}"[^>]*value="([^"]+)"', page).group(1)


def make_patient(app, world, name="Aisha Rahman", pack=True) -> uuid.UUID:
    """A patient on ward A, with a first pack version saved by nurse A unless ``pack`` is off."""
    with app.app_context():
        patient = patient_on(world.ward_a, name, {} if pack else None, world.nurse_a)
        db.session.commit()
        return patient.id


def admit(client, full_name: str, born: tuple[str, str, str], nhs_number: str):
    """Fill in and send the ward's admission form."""
    page = client.get("/wards/WA1/patients/new").text
    day, month, year = born
    return client.post(
        "/wards/WA1/patients/new",
        data={
            "csrf_token": csrf_token(page),
            "full_name": full_name,
            "date_of_birth-day": day,
            "date_of_birth-month": month,
            "date_of_birth-year": year,
            "nhs_number": nhs_number,
        },
    )


def test_admit_a_patient_with_checked_nhs_number(app, client, auth, world):
    auth.login(world.nurse_a)
    response = admit(client, "Björn Ångström", ("2", "10", "1980"), "943 476 5919")
    assert response.status_code == 302
    patient_page = client.get(response.headers["Location"]).text
    assert "Björn Ångström" in patient_page and "943 476 5919" in patient_page
    assert "No grab pack yet" in patient_page


def test_admit_refuses_bad_nhs_number_and_future_birth(app, client, auth, world):
    auth.login(world.nurse_a)
    response = admit(client, "Test", ("1", "1", "2999"), "1234567890")
    assert "check digit does not match" in response.text
    assert "Date of birth must be today or in the past" in response.text
    assert 'href="#date_of_birth-day"' in response.text


def test_transfer_moves_pack_and_access_to_the_new_ward(app, client, auth, world):
    patient_id = make_patient(app, world)
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{patient_id}").text
    response = client.post(
        f"/patients/{patient_id}/transfer",
        data={"csrf_token": csrf_of(page, "transfer-csrf"), "ward": "WB1"},
    )
    assert response.status_code == 302
    assert client.get(f"/patients/{patient_id}").status_code == 404  # old ward lost access
    auth.logout()
    auth.login(world.nurse_b)
    view = client.get(f"/patients/{patient_id}/grab-pack")
    assert view.status_code == 200 and "Version 1" in view.text
    assert "transferred" in view.text  # due for review at once
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "patient.transfer"))
        assert event.detail == {"from_ward": "WA1", "to_ward": "WB1"}
        assert db.session.scalar(select(GrabPack.review_due_reason)) == "transferred"


def test_ward_list_shows_states_and_filters(app, client, auth, world):
    make_patient(app, world, "No Pack Person", pack=False)
    make_patient(app, world, "Draft Person")
    auth.login(world.nurse_a)
    page = client.get("/wards/WA1").text
    assert "No grab pack" in page and "Draft" in page
    only_none = client.get("/wards/WA1?state=none").text
    assert "No Pack Person" in only_none and "Draft Person" not in only_none
    by_state = client.get("/wards/WA1?sort=state").text
    assert by_state.index("No Pack Person") < by_state.index("Draft Person")


def test_ward_list_query_count_does_not_grow_with_patients(app, client, auth, world):
    from sqlalchemy import event

    def queries_for_ward_page() -> int:
        statements = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/wards/WA1").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    auth.login(world.nurse_a)
    make_patient(app, world, "One")
    few = queries_for_ward_page()
    for n in range(15):
        make_patient(app, world, f"Patient {n}")
    assert queries_for_ward_page() == few


def test_discharge_then_purge_after_retention_keeps_audit(app, runner, world):
    patient_id = make_patient(app, world)
    keeper_id = make_patient(app, world, "Still Here")
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        nurse = db.session.scalar(select(User).where(User.email == world.nurse_a))
        photo = store_photo(encoded(__import__("PIL.Image").Image.new("RGB", (20, 20)), "PNG"))
        save_version(patient, {"identity": {"full_name": "x"}}, nurse, based_on=1, photo=photo)
        patients.discharge(patient, nurse, now=utcnow() - timedelta(days=365 * 21))
        db.session.commit()
    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0
    assert (
        "Would delete 1 patient discharged over 20 years ago: 2 grab-pack versions, "
        "1 photo, 0 missing episodes." in dry.output
    )
    with app.app_context():
        assert db.session.get(Patient, patient_id) is not None
    result = runner.invoke(args=["retention", "purge"])
    assert "Deleted 1 patient discharged" in result.output
    with app.app_context():
        assert db.session.get(Patient, patient_id) is None
        assert db.session.get(Patient, keeper_id) is not None
        assert db.session.scalar(select(func.count(GrabPackVersion.id))) == 1
        assert db.session.scalar(select(func.count(Photo.id))) == 0
        actions = set(
            db.session.scalars(select(AuditEvent.action).where(AuditEvent.patient_id == patient_id))
        )
        assert {"grab_pack.edit", "patient.discharge", "patient.purged"} <= actions


def test_recently_discharged_are_kept(app, runner, world):
    patient_id = make_patient(app, world)
    with app.app_context():
        patients.discharge(
            db.session.get(Patient, patient_id),
            db.session.scalar(select(User).where(User.email == world.nurse_a)),
        )
        db.session.commit()
    result = runner.invoke(args=["retention", "purge"])
    assert "Deleted 0 patients" in result.output


@pytest.mark.parametrize("years", ["0", "-1", "soon"])
def test_purge_refuses_nonsense_years(runner, years):
    result = runner.invoke(args=["retention", "purge", "--years", years])
    assert result.exit_code == 2


@pytest.mark.parametrize("discharged", [True, False], ids=["discharged", "on-another-ward"])
def test_an_nhs_number_already_registered_says_how_to_bring_the_record_here(
    app, client, auth, world, discharged
):
    """The number is one person's, with one grab-pack history: a new record would
    split it. The refusal says where the record is and how to move it here."""
    from datetime import UTC, datetime

    from grabpack.models import Patient, Ward

    with app.app_context():
        ward_b = db.session.scalar(select(Ward).where(Ward.code == "WB1"))
        patient = Patient(full_name="Earlier Stay", nhs_number="9434765919", ward_id=ward_b.id)
        if discharged:
            patient.discharged_at = datetime(2026, 10, 5, 12, tzinfo=UTC)
        db.session.add(patient)
        db.session.commit()
    auth.login(world.nurse_a)
    response = admit(client, "Earlier Stay", ("2", "10", "1980"), "943 476 5919")
    assert response.status_code == 200
    text = " ".join(response.text.split())
    if discharged:
        assert "discharged from Ward B on 5 October 2026" in text
        assert "re-admit them and transfer them to this ward" in text
    else:
        assert "on Ward B now: ask Ward B to transfer them to this ward" in text
    assert "their grab pack and its history" in text
