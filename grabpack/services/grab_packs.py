"""Saving grab-pack versions: one transaction writes the version, moves the
pack's current-version pointer and records the audit event."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from grabpack.domain.completeness import is_complete
from grabpack.domain.grab_pack_schema import value_of
from grabpack.domain.review import ReviewPolicy, review_due_on
from grabpack.extensions import db
from grabpack.models import GrabPack, GrabPackVersion, Patient, Photo, User
from grabpack.models.base import utcnow
from grabpack.services import audit

KEEP_PHOTO = object()


class VersionConflict(Exception):
    """Someone saved a newer version since the form was opened."""

    def __init__(self, current_number: int):
        super().__init__(f"grab pack is now at version {current_number}")
        self.current_number = current_number


def current_version(pack: GrabPack | None) -> GrabPackVersion | None:
    if pack is None or pack.current_version_number == 0:
        return None
    return db.session.scalar(
        select(GrabPackVersion).where(
            GrabPackVersion.grab_pack_id == pack.id,
            GrabPackVersion.number == pack.current_version_number,
        )
    )


def pack_for(patient: Patient) -> GrabPack | None:
    return db.session.scalar(select(GrabPack).where(GrabPack.patient_id == patient.id))


def save_version(
    patient: Patient,
    data: dict,
    author: User,
    *,
    based_on: int,
    note: str = "",
    kind: str = "edit",
    photo: Photo | None | object = KEEP_PHOTO,
    now: datetime | None = None,
    policy: ReviewPolicy | None = None,
) -> GrabPackVersion:
    """Write version ``based_on + 1`` of the patient's pack; the caller commits.

    Raises ``VersionConflict`` when the pack is no longer at ``based_on``: the
    conditional UPDATE of the pointer (and the unique version number) make the
    check hold under concurrent saves on SQLite and PostgreSQL alike.
    """
    now = now or utcnow()
    today = now.date()
    policy = policy or ReviewPolicy()
    pack = pack_for(patient)
    if pack is None:
        if based_on != 0:
            raise VersionConflict(0)
        pack = GrabPack(patient_id=patient.id, current_version_number=0)
        db.session.add(pack)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError as exc:  # a colleague created the pack first
            raise VersionConflict(1) from exc
    previous = current_version(pack)
    number = based_on + 1
    moved = db.session.execute(
        update(GrabPack)
        .where(GrabPack.id == pack.id, GrabPack.current_version_number == based_on)
        .values(current_version_number=number)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.expire(pack)
        raise VersionConflict(pack.current_version_number)
    pack.current_version_number = number

    if photo is KEEP_PHOTO:
        photo = previous.photo if previous is not None else None
    taken_on = value_of(data, "description", "photo_taken_on")
    version = GrabPackVersion(
        grab_pack_id=pack.id,
        number=number,
        data=data,
        photo=photo,
        photo_taken_on=date.fromisoformat(taken_on) if taken_on else None,
        kind=kind,
        change_note=note[:500],
        is_complete=is_complete(data, has_photo=photo is not None),
        missing_risk=value_of(data, "risk", "missing_risk") or None,
        reviewed_on=today,
        review_due_on=review_due_on(
            data, today, previous.data if previous is not None else None, policy
        ),
        created_by_id=author.id,
        created_at=now,
    )
    db.session.add(version)
    _sync_registration(patient, data)
    audit.record(
        f"grab_pack.{kind}",
        user=author,
        patient_id=patient.id,
        grab_pack_version_number=number,
    )
    return version


def _sync_registration(patient: Patient, data: dict) -> None:
    """Keep the patient's list fields in step with the pack's identity section."""
    if full_name := value_of(data, "identity", "full_name"):
        patient.full_name = full_name
    if dob := value_of(data, "identity", "date_of_birth"):
        patient.date_of_birth = date.fromisoformat(dob)
    if nhs_number := value_of(data, "identity", "nhs_number"):
        patient.nhs_number = nhs_number
