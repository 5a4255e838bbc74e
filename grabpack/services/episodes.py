"""Missing episodes: open, grade, close. Part 2 never writes to the grab pack; an
episode pins the pack version that was current when it opened, and records the
reporting-quality facts as they stood then."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from grabpack.domain.clock import london_today
from grabpack.domain.grab_pack_schema import value_of
from grabpack.domain.mental_health_act import legal_status
from grabpack.domain.reporting import ReportingFacts, minutes_between
from grabpack.domain.review import is_photo_stale, is_review_overdue
from grabpack.domain.s18 import S18Expiry, s18_expiry
from grabpack.extensions import db
from grabpack.models import MissingEpisode, Patient, PoliceRiskGrade, RiskGradeChange, User
from grabpack.models.base import utcnow
from grabpack.models.episode import EpisodeKind
from grabpack.policies import review_policy
from grabpack.services import audit
from grabpack.services.grab_packs import current_version, pack_for, request_review


class EpisodeError(ValueError):
    """The episode cannot be recorded as given; the message says why."""


@dataclass
class EpisodeOpening:
    kind: str
    noticed_at: datetime
    last_seen_at: datetime | None = None
    last_seen_place: str = ""
    clothing: str = ""
    circumstances: str = ""
    reported_at: datetime | None = None
    police_reference: str = ""
    police_risk_grade: str | None = None
    checks: dict[str, bool] = field(default_factory=dict)
    s18_expiry_stated: bool = False
    moj_notified_at: datetime | None = None
    # What the ward knows when the grab pack records no legal status (or there is no pack).
    legal_status: str = ""


CHECKS = {
    "ward_and_grounds_searched": "Ward and grounds searched",
    "cctv_checked": "CCTV checked",
    "security_told": "Security told",
    "next_of_kin_contacted": "Next of kin contacted",
}


@dataclass(frozen=True)
class PackAtOpening:
    """What the current grab pack says, as an episode opening needs it."""

    version_number: int | None
    legal_status: str
    s18: S18Expiry
    restricted: bool
    facts: ReportingFacts

    @property
    def legal_label(self) -> str:
        status = legal_status(self.legal_status)
        return status.label if status else "Not recorded"


def pack_at_opening(
    patient: Patient,
    first_day_absent: date,
    reported_at: datetime | None = None,
    noticed_at: datetime | None = None,
    s18_stated: bool = False,
    legal_status_if_unknown: str = "",
) -> PackAtOpening:
    """The current pack as police will be given it, and the reporting facts it implies.

    The legal status is the pack's; only when the pack records none does the one
    the ward gives at opening count (it changes nothing in the pack).
    """
    pack = pack_for(patient)
    version = current_version(pack)
    data = version.data if version else {}
    status_key = value_of(data, "legal", "legal_status") or legal_status_if_unknown or ""
    start, end = (
        value_of(data, "legal", key) for key in ("section_start_on", "section_expires_on")
    )
    expiry = s18_expiry(
        status_key,
        date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None,
        first_day_absent,
    )
    status = legal_status(status_key)
    today = first_day_absent  # review and photo judged as on the day the absence began
    facts = ReportingFacts(
        had_no_pack=version is None,
        pack_incomplete=version is not None and not version.is_complete,
        review_overdue=bool(
            pack and pack.review_due_on and is_review_overdue(pack.review_due_on, today)
        ),
        photo_stale=version is not None
        and (
            version.photo_id is None
            or is_photo_stale(version.photo_taken_on, today, review_policy())
        ),
        s18_expiry_stated=s18_stated,
        s18_applies=not (expiry.not_applicable or expiry.no_limit),
        minutes_to_report=minutes_between(noticed_at, reported_at) if noticed_at else None,
    )
    return PackAtOpening(
        version.number if version else None,
        status_key,
        expiry,
        bool(status and status.restricted),
        facts,
    )


CLOCK_SLACK = timedelta(minutes=5)  # clocks on ward PCs drift


def _after(later: datetime | None, earlier: datetime | None, message: str) -> None:
    """Refuse ``later`` when it comes before ``earlier`` (either may be unknown)."""
    if later is not None and earlier is not None and later < earlier:
        raise EpisodeError(message)


def _not_future(moment: datetime | None, now: datetime, what: str) -> None:
    if moment is not None and moment > now + CLOCK_SLACK:
        raise EpisodeError(f"{what} cannot be in the future")


def _check_times(opening: EpisodeOpening, now: datetime) -> None:
    _not_future(opening.noticed_at, now, "The time the absence was noticed")
    _after(
        opening.noticed_at, opening.last_seen_at, "Last seen must be before the absence was noticed"
    )
    _after(
        opening.reported_at,
        opening.noticed_at,
        "Reported to police must be after the absence was noticed",
    )
    _not_future(opening.reported_at, now, "The time reported to police")


def open_episode(
    patient: Patient, author: User, opening: EpisodeOpening, now: datetime | None = None
) -> MissingEpisode:
    """Record a missing episode; the caller commits."""
    now = now or utcnow()
    if patient.is_discharged:
        raise EpisodeError("A discharged patient cannot be reported missing from the ward")
    if open_episode_for(patient) is not None:
        raise EpisodeError("This patient already has an open missing episode")
    EpisodeKind(opening.kind)
    _check_times(opening, now)
    at_opening = pack_at_opening(
        patient,
        london_today(opening.noticed_at),
        opening.reported_at,
        opening.noticed_at,
        opening.s18_expiry_stated,
        opening.legal_status,
    )
    if at_opening.restricted and opening.moj_notified_at is None:
        raise EpisodeError("Restricted patient: record when the Ministry of Justice was told")
    facts = at_opening.facts
    episode = MissingEpisode(
        patient_id=patient.id,
        ward_id=patient.ward_id,
        grab_pack_version_number=at_opening.version_number,
        kind=opening.kind,
        legal_status=at_opening.legal_status,
        last_seen_at=opening.last_seen_at,
        last_seen_place=opening.last_seen_place,
        noticed_at=opening.noticed_at,
        reported_at=opening.reported_at,
        police_reference=opening.police_reference.strip(),
        police_risk_grade=opening.police_risk_grade or None,
        clothing=opening.clothing,
        circumstances=opening.circumstances,
        s18_expires_on=at_opening.s18.on,
        s18_expiry_stated=opening.s18_expiry_stated,
        moj_notified_at=opening.moj_notified_at,
        had_no_pack=facts.had_no_pack,
        pack_incomplete=facts.pack_incomplete,
        review_overdue=facts.review_overdue,
        photo_stale=facts.photo_stale,
        opened_by_id=author.id,
        **{key: bool(opening.checks.get(key)) for key in CHECKS},
    )
    db.session.add(episode)
    db.session.flush()
    if episode.police_risk_grade:
        _grade(episode, episode.police_risk_grade, author, now)
    audit.record(
        "episode.open",
        user=author,
        patient_id=patient.id,
        episode_id=episode.id,
        grab_pack_version_number=at_opening.version_number,
        kind=opening.kind,
    )
    return episode


def open_episode_for(patient: Patient) -> MissingEpisode | None:
    return db.session.scalar(
        select(MissingEpisode).where(
            MissingEpisode.patient_id == patient.id, MissingEpisode.returned_at.is_(None)
        )
    )


def facts_of(episode: MissingEpisode) -> ReportingFacts:
    status = legal_status(episode.legal_status)
    return ReportingFacts(
        had_no_pack=episode.had_no_pack,
        pack_incomplete=episode.pack_incomplete,
        review_overdue=episode.review_overdue,
        photo_stale=episode.photo_stale,
        s18_expiry_stated=episode.s18_expiry_stated,
        s18_applies=bool(status and status.detained and not status.restricted),
        minutes_to_report=minutes_between(episode.noticed_at, episode.reported_at),
    )


def late_report_minutes() -> int:
    return current_app.config["LATE_REPORT_MINUTES"]


@dataclass
class EpisodeUpdate:
    reported_at: datetime | None = None
    police_reference: str | None = None
    police_risk_grade: str | None = None
    s18_expiry_stated: bool | None = None


def update_episode(
    episode: MissingEpisode, author: User, update: EpisodeUpdate, now: datetime | None = None
) -> None:
    """Later facts of an open episode: reporting, reference, a new police risk grade."""
    now = now or utcnow()
    if not episode.is_open:
        raise EpisodeError("This episode is closed")
    if update.reported_at is not None:
        _after(
            update.reported_at,
            episode.noticed_at,
            "Reported to police must be after the absence was noticed",
        )
        _not_future(update.reported_at, now, "The time reported to police")
        episode.reported_at = update.reported_at
    if update.police_reference is not None:
        episode.police_reference = update.police_reference.strip()
    if update.s18_expiry_stated is not None:
        episode.s18_expiry_stated = update.s18_expiry_stated
    if update.police_risk_grade and update.police_risk_grade != episode.police_risk_grade:
        PoliceRiskGrade(update.police_risk_grade)
        episode.police_risk_grade = update.police_risk_grade
        _grade(episode, update.police_risk_grade, author, now)
    audit.record(
        "episode.update", user=author, patient_id=episode.patient_id, episode_id=episode.id
    )


def _grade(episode: MissingEpisode, grade: str, author: User, now: datetime) -> None:
    db.session.add(
        RiskGradeChange(
            episode_id=episode.id, grade=grade, recorded_by_id=author.id, recorded_at=now
        )
    )


FOUND_CATEGORIES = {
    "home": "Home address",
    "family_or_friends": "Family or friends",
    "public_place": "Public place",
    "transport": "Railway or transport",
    "hospital": "Another hospital or A&E",
    "police_custody": "Police custody",
    "returned_to_ward": "Returned to the ward",
    "other": "Other",
}
FOUND_BY = {
    "self_return": "Returned by themselves",
    "staff": "Hospital staff",
    "police": "Police",
    "family": "Family or friends",
    "public": "Member of the public",
    "other": "Other",
}


@dataclass
class EpisodeClosing:
    returned_at: datetime
    found_category: str
    found_place: str = ""
    found_by: str = ""
    harm_while_missing: str = ""
    prevention_interview_at: datetime | None = None


def close_episode(
    episode: MissingEpisode, author: User, closing: EpisodeClosing, now: datetime | None = None
) -> None:
    """Close an episode; the pack becomes due for review (DOMAIN.md)."""
    now = now or utcnow()
    if not episode.is_open:
        raise EpisodeError("This episode is already closed")
    _after(
        closing.returned_at,
        episode.noticed_at,
        "Returned or found must be after the absence was noticed",
    )
    _not_future(closing.returned_at, now, "The return time")
    if closing.found_category not in FOUND_CATEGORIES:
        raise EpisodeError("Choose where the patient was found")
    if closing.found_by and closing.found_by not in FOUND_BY:
        raise EpisodeError("Choose who found the patient")
    _after(
        closing.prevention_interview_at,
        closing.returned_at,
        "The prevention interview must be after the return",
    )
    episode.returned_at = closing.returned_at
    episode.found_category = closing.found_category
    episode.found_place = closing.found_place
    episode.found_by = closing.found_by
    episode.harm_while_missing = closing.harm_while_missing
    episode.prevention_interview_at = closing.prevention_interview_at
    episode.closed_by_id = author.id
    request_review(episode.patient, "missing episode closed", today=london_today(now))
    audit.record("episode.close", user=author, patient_id=episode.patient_id, episode_id=episode.id)


def episode_for_staff(user_ward_ids: set[int], episode_id: uuid.UUID) -> MissingEpisode | None:
    """An episode of a patient now on one of the user's wards."""
    episode = db.session.get(MissingEpisode, episode_id)
    if episode is None or episode.patient.ward_id not in user_ward_ids:
        return None
    return episode


def episodes_of(patient: Patient, limit: int = 50) -> list[MissingEpisode]:
    """A patient's missing history, newest first: the pack's section J is derived from it."""
    return list(
        db.session.scalars(
            select(MissingEpisode)
            .where(MissingEpisode.patient_id == patient.id)
            .order_by(MissingEpisode.noticed_at.desc())
            .limit(limit)
        )
    )


def record_prevention_interview(
    episode: MissingEpisode, author: User, at: datetime, now: datetime | None = None
) -> None:
    """The police "safe and well" check, often done after the episode was closed."""
    now = now or utcnow()
    if episode.is_open:
        raise EpisodeError("Record the return first: close the episode")
    _after(at, episode.returned_at, "The prevention interview must be after the return")
    _not_future(at, now, "The prevention interview")
    episode.prevention_interview_at = at
    audit.record(
        "episode.prevention_interview",
        user=author,
        patient_id=episode.patient_id,
        episode_id=episode.id,
    )
