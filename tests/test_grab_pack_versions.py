"""Versions are numbered, immutable, and a stale save is refused rather than lost;
the edit form's save answers saved, conflict, double click or invalid."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grabpack.extensions import db
from grabpack.models import AuditEvent, GrabPackVersion, Patient, Photo, User
from grabpack.services import grab_packs as packs
from grabpack.services.grab_packs import PackReadOnly, VersionConflict, save_version
from tests.factories import patient_on, staff
from tests.test_packs import jpeg_bytes


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


# The edit form's one call: ``save`` answers with what happened and commits nothing.


def _save(patient_id, nurse_id, data: dict, based_on: int, **sent):
    patient, nurse = db.session.get(Patient, patient_id), db.session.get(User, nurse_id)
    return packs.save(patient, nurse, packs.Submission(data=data, based_on=based_on, **sent))


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_save_answers_saved_then_double_click_for_the_same_content(app, patient_and_nurse):
    with app.app_context():
        data = {"identity": {"full_name": "Zuzanna Dąbrowska", "gender": "Female"}}
        first = _save(*patient_and_nurse, data, 0, submission_id="form-1", note="First")
        db.session.commit()
        again = _save(*patient_and_nurse, data, 0, submission_id="form-1", note="First")
        assert isinstance(first, packs.Saved) and first.version.number == 1
        assert isinstance(again, packs.DoubleClick) and again.version.id == first.version.id
        assert _count(GrabPackVersion) == 1


def test_the_same_form_with_other_content_is_a_conflict_with_its_own_save(app, patient_and_nurse):
    with app.app_context():
        first = {"identity": {"full_name": "Zuzanna Dąbrowska", "gender": "Female"}}
        _save(*patient_and_nurse, first, 0, submission_id="form-1")
        db.session.commit()
        corrected = {"identity": {**first["identity"], "first_language": "Polish"}}
        result = _save(*patient_and_nurse, corrected, 0, submission_id="form-1")
        assert isinstance(result, packs.Conflict)
        assert result.own_earlier_save and result.theirs.number == 1
        assert result.merged == corrected  # nothing of the correction lost
        assert result.both_changed == () and result.their_changes == []
        assert [d.section.key for d in result.my_changes] == ["identity"]
        assert not db.session.new and not db.session.dirty  # nothing to commit
        db.session.rollback()
        assert _count(GrabPackVersion) == 1


def test_a_different_note_or_photo_is_not_a_double_click(app, patient_and_nurse):
    with app.app_context():
        data = {"identity": {"full_name": "Zuzanna Dąbrowska"}}
        _save(*patient_and_nurse, data, 0, submission_id="form-1", note="First")
        db.session.commit()
        note = _save(*patient_and_nurse, data, 0, submission_id="form-1", note="Second")
        removed = _save(
            *patient_and_nurse, data, 0, submission_id="form-1", note="First", photo=None
        )
        assert isinstance(note, packs.Conflict) and isinstance(removed, packs.DoubleClick)
        photo = packs.NewPhoto(jpeg_bytes())
        added = _save(
            *patient_and_nurse, data, 0, submission_id="form-1", note="First", photo=photo
        )
        assert isinstance(added, packs.Conflict) and added.photo is not None
        db.session.rollback()


def test_a_conflict_keeps_only_the_uploaded_photo_for_the_next_save(app, patient_and_nurse):
    with app.app_context():
        _save(*patient_and_nurse, {"identity": {"full_name": "A"}}, 0)
        _save(*patient_and_nurse, {"identity": {"full_name": "B"}}, 1)
        db.session.commit()
        stale = _save(
            *patient_and_nurse,
            {"identity": {"full_name": "A"}, "description": {"hair": "Grey"}},
            1,
            photo=packs.NewPhoto(jpeg_bytes()),
        )
        assert isinstance(stale, packs.Conflict) and not stale.own_earlier_save
        assert stale.merged == {"identity": {"full_name": "B"}, "description": {"hair": "Grey"}}
        db.session.commit()
        assert _count(GrabPackVersion) == 2 and _count(Photo) == 1
        carried = _save(
            *patient_and_nurse, stale.merged, 2, photo=packs.CarriedPhoto(stale.photo.id)
        )
        assert isinstance(carried, packs.Saved) and carried.version.photo_id == stale.photo.id
        db.session.rollback()


def test_save_commits_nothing_itself(app, patient_and_nurse):
    with app.app_context():
        result = _save(
            *patient_and_nurse,
            {"identity": {"full_name": "Zuzanna Dąbrowska"}},
            0,
            photo=packs.NewPhoto(jpeg_bytes()),
        )
        assert isinstance(result, packs.Saved)
        db.session.rollback()
        assert _count(GrabPackVersion) == _count(Photo) == 0
        assert (
            db.session.scalar(select(func.count()).where(AuditEvent.action.like("grab_pack.%")))
            == 0
        )


def test_a_file_that_is_not_a_photo_is_invalid_on_the_photo_field(app, patient_and_nurse):
    with app.app_context():
        result = _save(*patient_and_nurse, {}, 0, photo=packs.NewPhoto(b"GIF89a not really"))
        assert isinstance(result, packs.Invalid) and list(result.errors) == ["photo"]
        assert not db.session.new


def test_a_discharged_patients_pack_refuses_every_change(app, patient_and_nurse):
    from grabpack.services.patients import discharge

    patient_id, nurse_id = patient_and_nurse
    with app.app_context():
        save_version(
            db.session.get(Patient, patient_id), {}, db.session.get(User, nurse_id), based_on=0
        )
        discharge(db.session.get(Patient, patient_id), db.session.get(User, nurse_id))
        db.session.commit()
        patient, nurse = db.session.get(Patient, patient_id), db.session.get(User, nurse_id)
        with pytest.raises(PackReadOnly):
            packs.save(patient, nurse, packs.Submission(data={}, based_on=1))
        with pytest.raises(PackReadOnly):
            packs.mark_reviewed(patient, nurse, based_on=1)
        with pytest.raises(PackReadOnly):
            packs.restore(patient, nurse, 1, based_on=1)
