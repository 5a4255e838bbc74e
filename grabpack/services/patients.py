"""Admission, transfer, discharge and retention: the patient's path through the wards."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from grabpack.config import retention_problem
from grabpack.domain.clock import london_today, long_date
from grabpack.extensions import db
from grabpack.models import (
    AppealPoster,
    GrabPack,
    GrabPackVersion,
    MissingEpisode,
    OutboxMessage,
    Patient,
    Photo,
    RiskGradeChange,
    Setting,
    ShareLink,
    User,
    Ward,
)
from grabpack.models.base import utcnow
from grabpack.services import audit
from grabpack.services.episodes import open_episode_for
from grabpack.services.grab_packs import patient_with_nhs_number, request_review

log = logging.getLogger(__name__)


class PatientError(ValueError):
    """The request cannot be carried out as asked; the message says why."""


def admit(
    ward: Ward,
    author: User,
    *,
    full_name: str,
    date_of_birth: date | None = None,
    nhs_number: str | None = None,
) -> Patient:
    """Register a patient on a ward; the caller commits."""
    if (existing := patient_with_nhs_number(nhs_number)) is not None:
        raise PatientError(_registered_already(existing))
    patient = Patient(
        full_name=full_name,
        date_of_birth=date_of_birth,
        nhs_number=nhs_number or None,
        ward_id=ward.id,
    )
    db.session.add(patient)
    db.session.flush()
    audit.record("patient.admit", user=author, patient_id=patient.id, ward=ward.code)
    return patient


def _registered_already(existing: Patient) -> str:
    """Where the record with this NHS number is, and how to bring it here. The number
    is one person's, with one grab-pack history: a second record would split it (and
    police would see half), so the record moves with its history instead."""
    ward = existing.ward.name
    if existing.discharged_at is not None:
        left = long_date(london_today(existing.discharged_at))
        return (
            f"A patient with this NHS number was discharged from {ward} on {left}: ask a ward "
            f"manager of {ward} to re-admit them and transfer them to this ward, so that their "
            "grab pack and its history come with them"
        )
    return (
        f"A patient with this NHS number is on {ward} now: ask {ward} to transfer them to this "
        "ward, so that their grab pack and its history come with them"
    )


def transfer_destinations(patient: Patient) -> list[Ward]:
    """Every other ward, by setting then name, with its setting loaded."""
    return list(
        db.session.scalars(
            select(Ward)
            .join(Setting)
            .options(joinedload(Ward.setting))
            .where(Ward.id != patient.ward_id)
            .order_by(Setting.name, Ward.name)
        )
    )


def transfer(patient: Patient, to_ward_code: str, author: User) -> Ward:
    """Move a patient and their whole pack history to another ward; returns it.

    The new ward's staff see them at once and the old ward's no longer do (access
    follows ``Patient.ward_id``); the pack becomes due for review.
    """
    to_ward = db.session.scalar(select(Ward).where(Ward.code == to_ward_code))
    if to_ward is None:
        raise PatientError("Choose the ward to transfer to")
    if to_ward.id == patient.ward_id:
        raise PatientError("The patient is already on this ward")
    if reason := transfer_refusal(patient):
        raise PatientError(reason)
    from_code = patient.ward.code
    patient.ward_id = to_ward.id
    request_review(patient, "transferred")
    audit.record(
        "patient.transfer",
        user=author,
        patient_id=patient.id,
        from_ward=from_code,
        to_ward=to_ward.code,
    )
    return to_ward


MISSING_NOW = (
    "This patient is missing now. Close the missing episode (record their return or "
    "where they were found) before discharging them: police are using their grab pack."
)


MISSING_NOW_TRANSFER = (
    "This patient is missing now. Close the missing episode (record their return or "
    "where they were found) before transferring them: police ring this ward about it, "
    "and another ward's staff could not open it."
)


def transfer_refusal(patient: Patient) -> str | None:
    """Why this patient cannot be transferred now, or None if they can.

    Access follows the ward: moved while missing, the episode would leave the staff
    police are ringing, and police would be given another ward's phone.
    """
    if patient.is_discharged:
        return "A discharged patient cannot be transferred"
    if open_episode_for(patient) is not None:
        return MISSING_NOW_TRANSFER
    return None


def discharge_refusal(patient: Patient) -> str | None:
    """Why this patient cannot be discharged now, or None if they can.

    A patient who is missing must stay on the ward: discharging would make the pack
    read-only and take them off the list while police are still searching.
    """
    if patient.is_discharged:
        return "The patient is already discharged"
    if open_episode_for(patient) is not None:
        return MISSING_NOW
    return None


def discharge(patient: Patient, author: User, now: datetime | None = None) -> None:
    """The pack is kept, read-only, for the retention period; it leaves the ward list.
    Refused (``PatientError``, nothing changed) while the patient is missing."""
    if reason := discharge_refusal(patient):
        raise PatientError(reason)
    patient.discharged_at = now or utcnow()
    audit.record("patient.discharge", user=author, patient_id=patient.id, ward=patient.ward.code)


def readmit(patient: Patient, author: User) -> None:
    """Undo a discharge: back on the same ward with the pack and all its history.

    The pack becomes writable again and is due for review at once, since nobody
    has looked at it while the patient was away. The discharge stays in the audit
    trail; the re-admission is a new row beside it.
    """
    if not patient.is_discharged:
        raise PatientError("The patient is not discharged")
    discharged_at = patient.discharged_at
    patient.discharged_at = None
    request_review(patient, "re-admitted")
    audit.record(
        "patient.readmit",
        user=author,
        patient_id=patient.id,
        ward=patient.ward.code,
        discharged_at=discharged_at.isoformat(),
    )


@dataclass(frozen=True)
class PurgeResult:
    patients: int
    versions: int
    episodes: int
    photos: int
    # (opaque patient id, discharged at) for each patient purged, or that would be.
    discharged: tuple[tuple[uuid.UUID, datetime], ...] = ()
    unsaved_photos: int = 0  # stored for a form shown again, never saved with a version


# A photo chosen on an edit form that came back (a conflict, an Add or Remove, a
# mistake to correct) is stored to carry into the next save. One never saved with a
# version is a patient's photo kept for nothing: deleted once older than this, long
# after any form that could still carry it was abandoned.
UNSAVED_PHOTO_DAYS = 7


def _unsaved_photos(now: datetime):
    """Photos no version uses, stored more than ``UNSAVED_PHOTO_DAYS`` ago."""
    used = select(GrabPackVersion.photo_id).where(GrabPackVersion.photo_id.is_not(None))
    return select(Photo.id).where(
        Photo.created_at < now - timedelta(days=UNSAVED_PHOTO_DAYS), Photo.id.not_in(used)
    )


# Everything recorded against an episode, deleted with it (a test checks that every
# table referring to an episode is here).
EPISODE_RECORDS = (RiskGradeChange, ShareLink, OutboxMessage, AppealPoster)


def purge_expired(
    retention_years: int,
    *,
    dry_run: bool,
    below_legal_minimum: bool = False,
    now: datetime | None = None,
) -> PurgeResult:
    """Delete patients discharged more than ``retention_years`` ago, with their packs,
    versions, episodes and photos no other version uses. The audit trail stays.

    Mental health records are kept 20 years after treatment ends (Records
    Management Code of Practice 2021). A shorter period is refused here, whoever
    asks, unless ``below_legal_minimum`` (GRABPACK_RETENTION_BELOW_LEGAL_MINIMUM)
    says the trust's own policy allows it; nothing shorter than a year ever is.
    """
    if problem := retention_problem(retention_years, below_legal_minimum):
        raise PatientError(f"Nothing was purged: {problem}")
    cutoff = (now or utcnow()) - timedelta(days=round(365.25 * retention_years))
    expired = select(Patient.id).where(Patient.discharged_at < cutoff)
    packs = select(GrabPack.id).where(GrabPack.patient_id.in_(expired))
    expired_versions = select(GrabPackVersion.id).where(GrabPackVersion.grab_pack_id.in_(packs))
    kept_photo_ids = select(GrabPackVersion.photo_id).where(
        GrabPackVersion.photo_id.is_not(None), GrabPackVersion.grab_pack_id.not_in(packs)
    )
    orphan_photos = select(GrabPackVersion.photo_id).where(
        GrabPackVersion.id.in_(expired_versions),
        GrabPackVersion.photo_id.is_not(None),
        GrabPackVersion.photo_id.not_in(kept_photo_ids),
    )

    def count(statement) -> int:
        return db.session.scalar(select(func.count()).select_from(statement.subquery()))

    discharged = tuple(
        (row.id, row.discharged_at)
        for row in db.session.execute(
            select(Patient.id, Patient.discharged_at)
            .where(Patient.discharged_at < cutoff)
            .order_by(Patient.discharged_at)
        )
    )
    unsaved = _unsaved_photos(now or utcnow())
    result = PurgeResult(
        len(discharged),
        count(expired_versions),
        count(select(MissingEpisode.id).where(MissingEpisode.patient_id.in_(expired))),
        count(orphan_photos.distinct()),
        discharged,
        count(unsaved),
    )
    if dry_run:
        return result
    db.session.execute(delete(Photo).where(Photo.id.in_(unsaved)))
    patient_ids = [patient_id for patient_id, _ in discharged]
    photo_ids = list(db.session.scalars(orphan_photos.distinct()))
    episode_ids = select(MissingEpisode.id).where(MissingEpisode.patient_id.in_(patient_ids))
    for hanging_off in EPISODE_RECORDS:
        db.session.execute(delete(hanging_off).where(hanging_off.episode_id.in_(episode_ids)))
    db.session.execute(delete(MissingEpisode).where(MissingEpisode.patient_id.in_(patient_ids)))
    db.session.execute(delete(GrabPackVersion).where(GrabPackVersion.id.in_(expired_versions)))
    db.session.execute(delete(Photo).where(Photo.id.in_(photo_ids)))
    db.session.execute(delete(GrabPack).where(GrabPack.patient_id.in_(patient_ids)))
    db.session.execute(delete(Patient).where(Patient.id.in_(patient_ids)))
    for patient_id in patient_ids:
        audit.record("patient.purged", patient_id=patient_id, retention_years=retention_years)
        log.info("retention purge removed patient %s", patient_id)
    return result
