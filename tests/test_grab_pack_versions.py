"""Versions are numbered, immutable, and a stale save is refused rather than lost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grabpack.extensions import db
from grabpack.models import AuditEvent, GrabPackVersion, Patient, User
from grabpack.services.grab_packs import VersionConflict, save_version
from tests.factories import patient_on, staff


@pytest.fixture
def patient_and_nurse(app, world):
    with app.app_context():
        patient = patient_on(world.ward_a, "Zuzanna Dąbrowska")
        db.session.commit()
        return patient.id, staff(world.nurse_a).id


def test_each_save_is_a_new_numbered_version_with_audit(app, patient_and_nurse):
    patient_id, nurse_id = patient_and_nurse
    with app.app_context():
        patient, nurse = db.session.get(Patient, patient_id), db.session.get(User, nurse_id)
        first = save_version(
            patient, {"identity": {"full_name": "Zuzanna Dąbrowska"}}, nurse, based_on=0
        )
        db.session.commit()
        second = save_version(
            patient,
            {"identity": {"full_name": "Zuzanna Dąbrowska-Nowak"}},
            nurse,
            based_on=1,
            note="Married name",
        )
        db.session.commit()
        assert (first.number, second.number) == (1, 2)
        assert db.session.get(Patient, patient_id).full_name == "Zuzanna Dąbrowska-Nowak"
        versions = db.session.scalars(select(GrabPackVersion).order_by(GrabPackVersion.number))
        assert [v.data["identity"]["full_name"] for v in versions] == [
            "Zuzanna Dąbrowska",
            "Zuzanna Dąbrowska-Nowak",
        ]
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.patient_id == patient_id)
        ).all()
        assert actions == ["grab_pack.edit", "grab_pack.edit"]


def test_save_based_on_an_old_version_is_refused(app, patient_and_nurse):
    patient_id, nurse_id = patient_and_nurse
    with app.app_context():
        patient, nurse = db.session.get(Patient, patient_id), db.session.get(User, nurse_id)
        save_version(patient, {"identity": {"full_name": "A"}}, nurse, based_on=0)
        save_version(patient, {"identity": {"full_name": "B"}}, nurse, based_on=1)
        db.session.commit()
        with pytest.raises(VersionConflict) as conflict:
            save_version(patient, {"identity": {"full_name": "C"}}, nurse, based_on=1)
        db.session.rollback()
        assert conflict.value.current_number == 2
        count = db.session.scalar(select(func.count(GrabPackVersion.id)))
        assert count == 2


def test_two_first_saves_make_one_pack(app, patient_and_nurse):
    patient_id, nurse_id = patient_and_nurse
    with app.app_context():
        patient, nurse = db.session.get(Patient, patient_id), db.session.get(User, nurse_id)
        save_version(patient, {}, nurse, based_on=0)
        db.session.commit()
        with pytest.raises(VersionConflict):
            save_version(patient, {}, nurse, based_on=0)
        db.session.rollback()
