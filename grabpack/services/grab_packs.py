"""The grab-pack transactions: save, review, restore. Each writes one immutable
version, moves the pack's current-version pointer and records the audit event,
all in the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from grabpack.domain.clock import london_today
from grabpack.domain.completeness import is_complete
from grabpack.domain.grab_pack_schema import value_of
from grabpack.domain.review import ReviewPolicy, review_due_on
from grabpack.extensions import db
from grabpack.models import GrabPack, GrabPackVersion, Patient, Photo, User
from grabpack.models.base import utcnow
from grabpack.policies import review_policy
from grabpack.services import audit

KEEP_PHOTO = object()


class VersionConflict(Exception):
    """Someone saved a newer version since the form was opened."""

    def __init__(self, current_number: int):
        super().__init__(f"grab pack is now at version {current_number}")
        self.current_number = current_number


class DuplicateNHSNumber(Exception):
    """Another patient already has the NHS number this version gives."""


class PackReadOnly(Exception):
    """The patient has been discharged: their pack is kept but no longer changed."""


def pack_for(patient: Patient) -> GrabPack | None:
    return db.session.scalar(select(GrabPack).where(GrabPack.patient_id == patient.id))


def version(pack: GrabPack | None, number: int) -> GrabPackVersion | None:
    if pack is None or number < 1:
        return None
    return db.session.scalar(
        select(GrabPackVersion).where(
            GrabPackVersion.grab_pack_id == pack.id, GrabPackVersion.number == number
        )
    )


def current_version(pack: GrabPack | None) -> GrabPackVersion | None:
    return version(pack, pack.current_version_number) if pack is not None else None


def history(pack: GrabPack | None) -> list[GrabPackVersion]:
    """Every version, newest first, with its author loaded in the same query."""
    if pack is None:
        return []
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            select(GrabPackVersion)
            .where(GrabPackVersion.grab_pack_id == pack.id)
            .options(joinedload(GrabPackVersion.created_by))
            .order_by(GrabPackVersion.number.desc())
        )
    )


def find_submission(submission_id: str | None) -> GrabPackVersion | None:
    if not submission_id:
        return None
    return db.session.scalar(
        select(GrabPackVersion).where(GrabPackVersion.submission_id == submission_id)
    )


def save_version(
    patient: Patient,
    data: dict,
    author: User,
    *,
    based_on: int,
    note: str = "",
    kind: str = "edit",
    photo: Photo | None | object = KEEP_PHOTO,
    submission_id: str | None = None,
    restored_from: int | None = None,
    now: datetime | None = None,
    policy: ReviewPolicy | None = None,
) -> GrabPackVersion:
    """Write version ``based_on + 1`` of the patient's pack; the caller commits.

    Raises ``VersionConflict`` when the pack is no longer at ``based_on``: the
    conditional UPDATE of the pointer (and the unique version number) make the
    check hold under concurrent saves on SQLite and PostgreSQL alike. A
    ``submission_id`` already saved returns that version instead of a second one.
    """
    if patient.is_discharged:
        raise PackReadOnly()
    if (earlier := find_submission(submission_id)) is not None:
        return earlier
    if nhs_number_taken(value_of(data, "identity", "nhs_number"), other_than=patient):
        raise DuplicateNHSNumber()
    now = now or utcnow()
    today = london_today(now)
    pack = pack_for(patient) or _new_pack(patient, based_on)
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
    due = review_due_on(
        data, today, previous.data if previous is not None else None, policy or review_policy()
    )
    new = GrabPackVersion(
        grab_pack_id=pack.id,
        number=number,
        data=data,
        photo=photo,
        photo_taken_on=date.fromisoformat(taken_on) if taken_on else None,
        kind=kind,
        change_note=note[:500],
        restored_from=restored_from,
        submission_id=submission_id or None,
        is_complete=is_complete(data, has_photo=photo is not None),
        missing_risk=value_of(data, "risk", "missing_risk") or None,
        reviewed_on=today,
        review_due_on=due,
        created_by_id=author.id,
        created_at=now,
    )
    db.session.add(new)
    pack.review_due_on = due
    pack.review_due_reason = "" if due > today else "legal status or risk changed"
    _sync_registration(patient, data)
    audit.record(
        f"grab_pack.{kind}", user=author, patient_id=patient.id, grab_pack_version_number=number
    )
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same number or submission, saved in a race
        raise VersionConflict(number) from exc
    return new


def nhs_number_taken(nhs_number: str | None, other_than: Patient | None = None) -> bool:
    """Whether a patient (other than ``other_than``) already has this NHS number."""
    if not nhs_number:
        return False
    query = select(Patient.id).where(Patient.nhs_number == nhs_number)
    if other_than is not None:
        query = query.where(Patient.id != other_than.id)
    return db.session.scalar(query) is not None


def _new_pack(patient: Patient, based_on: int) -> GrabPack:
    if based_on != 0:
        raise VersionConflict(0)
    pack = GrabPack(patient_id=patient.id, current_version_number=0)
    db.session.add(pack)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # a colleague created the pack first
        raise VersionConflict(1) from exc
    return pack


def mark_reviewed(
    patient: Patient, author: User, *, based_on: int, now: datetime | None = None
) -> GrabPackVersion:
    """ "Reviewed, no changes": a new version with the same content and a fresh due date."""
    current = current_version(pack_for(patient))
    if current is None:
        raise VersionConflict(0)
    return save_version(
        patient,
        current.data,
        author,
        based_on=based_on,
        kind="review",
        note="Reviewed, no changes",
        photo=current.photo,
        now=now,
    )


def restore(patient: Patient, author: User, number: int, *, based_on: int) -> GrabPackVersion:
    """Bring an old version back as the newest one; history keeps both."""
    old = version(pack_for(patient), number)
    if old is None:
        raise LookupError(number)
    return save_version(
        patient,
        old.data,
        author,
        based_on=based_on,
        kind="restore",
        note=f"Restored version {number}",
        photo=old.photo,
        restored_from=number,
    )


def request_review(patient: Patient, reason: str, today: date | None = None) -> None:
    """Make the pack due for review now (after a transfer or a missing episode)."""
    pack = pack_for(patient)
    if pack is None:
        return
    today = today or london_today()
    if pack.review_due_on is None or pack.review_due_on > today:
        pack.review_due_on = today
        pack.review_due_reason = reason[:100]


def _sync_registration(patient: Patient, data: dict) -> None:
    """Keep the patient's list fields in step with the pack's identity section."""
    if full_name := value_of(data, "identity", "full_name"):
        patient.full_name = full_name
    if dob := value_of(data, "identity", "date_of_birth"):
        patient.date_of_birth = date.fromisoformat(dob)
    if nhs_number := value_of(data, "identity", "nhs_number"):
        patient.nhs_number = nhs_number
