"""The grab-pack transactions: save, review, restore. Each writes one immutable
version, moves the pack's current-version pointer and records the audit event,
all in the caller's transaction.

``save`` is the edit form's one call: it takes what the form sent and answers
with what happened (``Saved``, ``Unchanged``, ``Conflict``, ``DoubleClick`` or
``Invalid``),
leaving in the session exactly what should be committed for that answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from grabpack.domain.clock import london_today
from grabpack.domain.completeness import is_complete
from grabpack.domain.diff import SectionDiff, diff_versions
from grabpack.domain.grab_pack_schema import pack_problems, value_of
from grabpack.domain.merge import merge
from grabpack.domain.pack_data import in_one_shape
from grabpack.domain.review import review_due_on
from grabpack.extensions import db
from grabpack.models import AuditEvent, GrabPack, GrabPackVersion, Patient, Photo, User
from grabpack.models.base import utcnow
from grabpack.policies import review_policy
from grabpack.services import audit
from grabpack.services.photos import PhotoError, store_photo


class Keep(Enum):
    """The photo of the version a save is based on, carried into the new one."""

    PHOTO = "photo"


KEEP_PHOTO: Final = Keep.PHOTO

DUPLICATE_NHS_NUMBER = "Another patient already has this NHS number"
STALE_FORM = "This form is out of date: open the grab pack again and make your changes there"


class VersionConflict(Exception):
    """Someone saved a newer version since the form was opened."""

    def __init__(self, current_number: int):
        super().__init__(f"grab pack is now at version {current_number}")
        self.current_number = current_number


class DuplicateNHSNumber(Exception):
    """Another patient already has the NHS number this version gives."""


class PackReadOnly(Exception):
    """The patient has been discharged: their pack is kept but no longer changed.
    ``discharge`` says when and by whom, for the page that says so."""

    def __init__(self, discharge: Discharge | None = None):
        super().__init__("the patient has been discharged: the grab pack is read-only")
        self.discharge = discharge


class PackNeedsEditing(Exception):
    """A one-click change (review, restore) would write a version that breaks a rule
    every save obeys (``pack_problems``): a person must edit the pack instead.
    ``problems`` are (section key, field key, message), as ``pack_problems`` gives."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        super().__init__("; ".join(message for _, _, message in problems))
        self.problems = problems


@dataclass(frozen=True)
class Discharge:
    """When a patient was discharged, and by whom when the audit trail says: why
    their pack is read-only, said to the nurse whose change it stopped."""

    at: datetime
    by: User | None


# --- what the edit form sends, and what saving it gives back ----------------------------


@dataclass(frozen=True)
class NewPhoto:
    """An upload, still to be checked and stored."""

    content: bytes


@dataclass(frozen=True)
class CarriedPhoto:
    """A photo uploaded with a save that met a conflict, carried to the next save
    (the form checked the signature that ties it to this patient)."""

    photo_id: int


PhotoChoice = NewPhoto | CarriedPhoto | Keep | None  # None: remove the photo


@dataclass(frozen=True)
class Submission:
    """One post of the edit form: the pack's data and what to do with the photo."""

    data: dict
    based_on: int
    submission_id: str = ""
    note: str = ""
    photo: PhotoChoice = KEEP_PHOTO


@dataclass(frozen=True)
class Saved:
    version: GrabPackVersion


@dataclass(frozen=True)
class Unchanged:
    """The form sent back exactly what ``version`` holds (data and photo; a change
    note alone is not a change): no new version, so that history shows only real
    changes and a review stays a deliberate "Reviewed, no changes"."""

    version: GrabPackVersion


@dataclass(frozen=True)
class DoubleClick:
    """The same submission, with the same content, was already saved as ``version``."""

    version: GrabPackVersion


@dataclass(frozen=True)
class Conflict:
    """The pack moved on since the form was opened: the nurse's entries on top of it.

    ``theirs`` is the version now current; ``their_changes`` and ``my_changes`` are
    each side's changes from the version both started from; ``both_changed`` names
    the fields both changed differently (the nurse's entry is kept in ``merged``).
    ``photo`` is the nurse's photo choice, to carry into the next save.
    ``own_earlier_save`` is set when the form itself was saved before (Back, then
    Save again with other content): that save is part of ``theirs``.
    """

    merged: dict
    theirs: GrabPackVersion
    their_changes: list[SectionDiff]
    my_changes: list[SectionDiff]
    both_changed: tuple[tuple[str, str], ...]
    photo: Photo | Keep | None
    own_earlier_save: bool = False


@dataclass(frozen=True)
class Invalid:
    """Refused as sent: messages by form field name ("" for the form as a whole).

    ``photo`` is an upload stored before the refusal was found, to carry into the
    next save as a conflict's is (``None``: no upload was stored)."""

    errors: dict[str, str]
    photo: Photo | None = None


SaveResult = Saved | Unchanged | Conflict | DoubleClick | Invalid


# --- reading ------------------------------------------------------------------------------


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
    return list(
        db.session.scalars(
            select(GrabPackVersion)
            .where(GrabPackVersion.grab_pack_id == pack.id)
            .options(joinedload(GrabPackVersion.created_by))
            .order_by(GrabPackVersion.number.desc())
        )
    )


def discharge_of(patient: Patient) -> Discharge | None:
    """The patient's discharge (``None`` while on the ward), with who discharged them
    from the latest discharge in the audit trail (a re-admission keeps the old one)."""
    if patient.discharged_at is None:
        return None
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.patient_id == patient.id, AuditEvent.action == "patient.discharge")
        .options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return Discharge(at=patient.discharged_at, by=event.user if event is not None else None)


def find_submission(submission_id: str | None) -> GrabPackVersion | None:
    """The version a form's one-time id made, whichever pack it belongs to."""
    if not submission_id:
        return None
    return db.session.scalar(
        select(GrabPackVersion).where(GrabPackVersion.submission_id == submission_id)
    )


def patient_with_nhs_number(
    nhs_number: str | None, other_than: Patient | None = None
) -> Patient | None:
    """The patient (other than ``other_than``) who already has this NHS number, if any."""
    if not nhs_number:
        return None
    query = select(Patient).where(Patient.nhs_number == nhs_number)
    if other_than is not None:
        query = query.where(Patient.id != other_than.id)
    return db.session.scalar(query)


def nhs_number_taken(nhs_number: str | None, other_than: Patient | None = None) -> bool:
    """Whether a patient (other than ``other_than``) already has this NHS number."""
    return patient_with_nhs_number(nhs_number, other_than) is not None


# --- the edit form's save -----------------------------------------------------------------


def save(
    patient: Patient, author: User, submission: Submission, *, now: datetime | None = None
) -> SaveResult:
    """Save what the edit form sent, or say why not; the caller commits.

    - ``Saved``: a new version, its photo and its audit row are in the session.
    - ``Unchanged``: the data (blanks aside) and the photo are those of the version
      the form was based on; nothing new, whatever the change note says.
    - ``DoubleClick``: this submission was saved before with exactly this content
      (data, photo and note); nothing new.
    - ``Conflict``: the pack is no longer at ``based_on``, or this submission was
      saved before with other content (Back, a correction, Save again). Nothing is
      saved but an uploaded photo, so that the next save can carry it.
    - ``Invalid``: refused as sent (a photo we cannot read, a duplicate NHS
      number, a rule of ``pack_problems``: no full name, a period ending before
      its section started); nothing new but an uploaded photo stored before the
      refusal was found, which ``Invalid.photo`` carries to the next save.

    Raises ``PackReadOnly`` for a discharged patient. A database locked too long
    raises SQLAlchemy's ``OperationalError``, which ``transactions.saving`` turns
    into the form shown again with everything kept.
    """
    _refuse_if_discharged(patient)
    return _save(patient, author, submission, now or utcnow())


def _save(patient: Patient, author: User, sent: Submission, now: datetime) -> SaveResult:
    sent = replace(sent, data=in_one_shape(sent.data))
    if nhs_number_taken(value_of(sent.data, "identity", "nhs_number"), other_than=patient):
        return Invalid({"identity-nhs_number": DUPLICATE_NHS_NUMBER})
    pack = pack_for(patient)
    if pack is None and sent.based_on != 0:
        return Invalid({"": STALE_FORM})
    earlier = find_submission(sent.submission_id)
    if earlier is None and (same := _unchanged(pack, sent)) is not None:
        return same
    try:
        photo = _chosen_photo(sent.photo)
    except PhotoError as error:
        return Invalid({"photo": str(error)})
    if problems := pack_problems(sent.data):
        errors = {f"{section}-{field}": message for section, field, message in problems}
        return Invalid(errors, photo=_stored(photo))
    if earlier is not None:
        return _sent_again(pack, earlier, sent, photo)
    draft = _Draft(
        data=sent.data,
        based_on=sent.based_on,
        note=sent.note,
        photo=photo,
        submission_id=sent.submission_id or None,
    )
    try:
        return Saved(_write(patient, author, draft, now))
    except DuplicateNHSNumber:  # taken by a colleague's save since the check above
        return Invalid({"identity-nhs_number": DUPLICATE_NHS_NUMBER}, photo=_stored(photo))
    except VersionConflict:
        pack = pack_for(patient)
        if pack is None:
            return Invalid({"": STALE_FORM})
        if (earlier := find_submission(sent.submission_id)) is not None:
            return _sent_again(pack, earlier, sent, photo)  # the first click won the race
        base = version(pack, sent.based_on)
        return _conflict(pack, base.data if base else {}, sent, photo)


def _unchanged(pack: GrabPack | None, sent: Submission) -> Unchanged | None:
    """``Unchanged`` when the form sends back the version it was based on: the same
    data once blanks are in one shape, and the same photo (kept, or still none)."""
    base = version(pack, sent.based_on)
    if base is None:
        return None
    same_photo = sent.photo is KEEP_PHOTO or (sent.photo is None and base.photo_id is None)
    if same_photo and in_one_shape(base.data) == sent.data:
        return Unchanged(base)
    return None


def _stored(photo: Photo | Keep | None) -> Photo | None:
    """The photo a refused save stored, so that the form can carry it, or ``None``."""
    return photo if isinstance(photo, Photo) else None


def _chosen_photo(choice: PhotoChoice) -> Photo | Keep | None:
    """The photo for the new version, stored in this transaction if it is new."""
    match choice:
        case NewPhoto(content):
            return store_photo(content)
        case CarriedPhoto(photo_id):
            return db.session.get(Photo, photo_id) or KEEP_PHOTO
        case _:
            return choice


def _sent_again(
    pack: GrabPack | None, earlier: GrabPackVersion, sent: Submission, photo: Photo | Keep | None
) -> SaveResult:
    """A form posted again: a double click when its content is what the first post
    saved; otherwise the nurse's new entries go on top of the pack as it is now."""
    if pack is None or earlier.grab_pack_id != pack.id:
        return Invalid({"": STALE_FORM})  # another pack's form id: never a shortcut
    if photo is KEEP_PHOTO:
        base = version(pack, sent.based_on)
        photo_id = base.photo_id if base is not None else None
    else:
        photo_id = photo.id if photo is not None else None
    if (
        earlier.data == sent.data
        and earlier.photo_id == photo_id
        and earlier.change_note == sent.note[:500]
    ):
        return DoubleClick(earlier)
    return _conflict(pack, earlier.data, sent, photo, own_earlier_save=True)


def _conflict(
    pack: GrabPack,
    base: dict,
    sent: Submission,
    photo: Photo | Keep | None,
    own_earlier_save: bool = False,
) -> Conflict | Invalid:
    db.session.refresh(pack)
    theirs = current_version(pack)
    if theirs is None:
        return Invalid({"": STALE_FORM})
    merged = merge(base, theirs.data, sent.data)
    return Conflict(
        merged=merged.data,
        theirs=theirs,
        their_changes=diff_versions(base, theirs.data),
        my_changes=diff_versions(base, sent.data),
        both_changed=merged.conflicts,
        photo=photo,
        own_earlier_save=own_earlier_save,
    )


# --- writing a version --------------------------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    data: dict
    based_on: int
    note: str = ""
    kind: str = "edit"
    photo: Photo | Keep | None = KEEP_PHOTO
    submission_id: str | None = None
    restored_from: int | None = None


def save_version(
    patient: Patient,
    data: dict,
    author: User,
    *,
    based_on: int,
    note: str = "",
    photo: Photo | Keep | None = KEEP_PHOTO,
    now: datetime | None = None,
) -> GrabPackVersion:
    """Write version ``based_on + 1`` of the patient's pack; the caller commits.

    For imports, the demo and tests; the edit form calls ``save``. Raises
    ``VersionConflict`` when the pack is no longer at ``based_on``,
    ``DuplicateNHSNumber`` and ``PackReadOnly``.
    """
    draft = _Draft(data=data, based_on=based_on, note=note, photo=photo)
    return _write(patient, author, draft, now or utcnow())


def _write(patient: Patient, author: User, draft: _Draft, now: datetime) -> GrabPackVersion:
    """The one write of a version. ``VersionConflict`` when the pack is no longer at
    ``draft.based_on``: the conditional UPDATE of the pointer makes the check hold
    under concurrent saves on SQLite and PostgreSQL alike, and it comes before any
    other write, so a conflict leaves the caller's transaction as it was. The unique
    version number and submission id are the database's backstop behind it."""
    _refuse_if_discharged(patient)
    draft = replace(draft, data=in_one_shape(draft.data))  # blanks in one shape, always
    if nhs_number_taken(value_of(draft.data, "identity", "nhs_number"), other_than=patient):
        raise DuplicateNHSNumber()
    today = london_today(now)
    pack = pack_for(patient) or _new_pack(patient, draft.based_on)
    previous = current_version(pack)
    number = draft.based_on + 1
    moved = db.session.execute(
        update(GrabPack)
        .where(GrabPack.id == pack.id, GrabPack.current_version_number == draft.based_on)
        .values(current_version_number=number)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.expire(pack)
        raise VersionConflict(pack.current_version_number)
    pack.current_version_number = number

    photo = draft.photo
    if photo is KEEP_PHOTO:
        photo = previous.photo if previous is not None else None
    taken_on = value_of(draft.data, "description", "photo_taken_on")
    due = review_due_on(
        draft.data, today, previous.data if previous is not None else None, review_policy()
    )
    new = GrabPackVersion(
        grab_pack_id=pack.id,
        number=number,
        data=draft.data,
        photo=photo,
        photo_taken_on=date.fromisoformat(taken_on) if taken_on else None,
        kind=draft.kind,
        change_note=draft.note[:500],
        restored_from=draft.restored_from,
        submission_id=draft.submission_id,
        is_complete=is_complete(draft.data, has_photo=photo is not None),
        missing_risk=value_of(draft.data, "risk", "missing_risk") or None,
        reviewed_on=today,
        review_due_on=due,
        created_by_id=author.id,
        created_at=now,
    )
    db.session.add(new)
    pack.review_due_on = due
    pack.review_due_reason = "" if due > today else "legal status or risk changed"
    _sync_registration(patient, draft.data)
    audit.record(
        f"grab_pack.{draft.kind}",
        user=author,
        patient_id=patient.id,
        grab_pack_version_number=number,
    )
    db.session.flush()
    return new


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


def _refuse_if_discharged(patient: Patient) -> None:
    if patient.is_discharged:
        raise PackReadOnly(discharge_of(patient))


def mark_reviewed(
    patient: Patient,
    author: User,
    *,
    based_on: int,
    now: datetime | None = None,
    submission_id: str = "",
) -> GrabPackVersion:
    """ "Reviewed, no changes": a new version with the same content and a fresh due date.

    Raises ``PackNeedsEditing`` when the content breaks a rule every save obeys (a
    review would stamp a nameless pack as checked), ``VersionConflict``, and
    ``PackReadOnly``. The same button sent twice (``submission_id``) is one review.
    """
    _refuse_if_discharged(patient)
    current = current_version(pack_for(patient))
    if current is None:
        raise VersionConflict(0)
    draft = _Draft(
        data=current.data,
        based_on=based_on,
        kind="review",
        note="Reviewed, no changes",
        photo=current.photo,
        submission_id=submission_id or None,
    )
    return _write_once(patient, author, draft, now or utcnow())


def restore(
    patient: Patient, author: User, number: int, *, based_on: int, submission_id: str = ""
) -> GrabPackVersion:
    """Bring an old version back as the newest one; history keeps both.

    Raises ``PackNeedsEditing`` when the old version breaks a rule every save now
    obeys (one saved without a name would give police a blank name again),
    ``VersionConflict``, ``PackReadOnly`` and ``LookupError``. The same button sent
    twice (``submission_id``) is one restore."""
    _refuse_if_discharged(patient)
    old = version(pack_for(patient), number)
    if old is None:
        raise LookupError(number)
    draft = _Draft(
        data=old.data,
        based_on=based_on,
        kind="restore",
        note=f"Restored version {number}",
        photo=old.photo,
        submission_id=submission_id or None,
        restored_from=number,
    )
    return _write_once(patient, author, draft, utcnow())


def _write_once(patient: Patient, author: User, draft: _Draft, now: datetime) -> GrabPackVersion:
    """Write a one-click change, or give back the version this same request wrote
    before (a double click: the button's one-time id, with the same change by the
    same person on the same version). Anything else that moved the pack on is the
    ``VersionConflict`` it always was."""
    if problems := pack_problems(in_one_shape(draft.data)):
        raise PackNeedsEditing(problems)
    if (earlier := _sent_before(patient, author, draft)) is not None:
        return earlier
    try:
        return _write(patient, author, draft, now)
    except VersionConflict:
        if (earlier := _sent_before(patient, author, draft)) is not None:
            return earlier  # the first click won the race
        raise


def _sent_before(patient: Patient, author: User, draft: _Draft) -> GrabPackVersion | None:
    """The version ``draft``'s one-time id already wrote, if it is this same change.
    An id that wrote something else is never a shortcut: the pack has moved on."""
    earlier = find_submission(draft.submission_id)
    if earlier is None:
        return None
    pack = pack_for(patient)
    same = (
        pack is not None
        and earlier.grab_pack_id == pack.id
        and earlier.created_by_id == author.id
        and earlier.kind == draft.kind
        and earlier.restored_from == draft.restored_from
        and earlier.number == draft.based_on + 1
    )
    if not same:
        raise VersionConflict(pack.current_version_number if pack is not None else 0)
    return earlier


def request_review(patient: Patient, reason: str, today: date | None = None) -> None:
    """Make the pack due for review now (after a transfer or a missing episode)."""
    pack = pack_for(patient)
    if pack is None:
        return
    today = today or london_today()
    if pack.review_due_on is None or pack.review_due_on > today:
        pack.review_due_on = today
        pack.review_due_reason = reason[:100]


def starting_data(patient: Patient, current: GrabPackVersion | None) -> dict:
    """What the edit form starts from: the current version, or for a new pack what
    admission registered (name, date of birth, NHS number), so that the pack never
    asks again for what the ward already recorded, nor tells police "Not recorded"
    beside the registered facts on their list. A version saved without a name
    (before a name was required) gets the registered one."""
    if current is None:
        return {"identity": _registration(patient)}
    identity = current.data.get("identity") or {}
    if str(identity.get("full_name") or "").strip():
        return current.data
    return {**current.data, "identity": {**identity, "full_name": patient.full_name}}


def _registration(patient: Patient) -> dict:
    """The patient record's facts, keyed as section A of the pack stores them (the
    reverse of ``_sync_registration``)."""
    facts = {
        "full_name": patient.full_name,
        "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
        "nhs_number": patient.nhs_number,
    }
    return {key: value for key, value in facts.items() if value}


def _sync_registration(patient: Patient, data: dict) -> None:
    """Keep the patient's list fields in step with the pack's identity section."""
    if full_name := value_of(data, "identity", "full_name"):
        patient.full_name = full_name
    if dob := value_of(data, "identity", "date_of_birth"):
        patient.date_of_birth = date.fromisoformat(dob)
    if nhs_number := value_of(data, "identity", "nhs_number"):
        patient.nhs_number = nhs_number


def new_submission_id() -> str:
    """A one-time id for a freshly shown edit form."""
    return uuid.uuid4().hex
