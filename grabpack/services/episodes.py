"""Missing episodes: open, update, close. Part 2 never writes to the grab pack.

Every call takes the episode's values as a mapping keyed by the fields declared in
``grabpack.domain.episode_schema`` for that stage, checks them against the
declaration, and sets them on the episode by the same keys: no field is named
here except where a rule needs it (times in order, the legal facts).

Opening records the pack version current then, the legal position as the ward
states it (which wins over an out-of-date pack, and makes the pack due for
review), the power to retake worked out from it, and the reporting facts as they
stood. The caller commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grabpack.domain.clock import london_today
from grabpack.domain.episode_merge import clash_message, plan_update
from grabpack.domain.episode_schema import (
    FIELDS_BY_KEY,
    LEGAL_FIELDS,
    SECTION_FACTS,
    EpisodeField,
    EpisodeKind,
    PoliceRiskGrade,
    Stage,
    absence_began_of,
    expected_kinds,
    fields_for,
    has_no_section,
    known_times,
    legal_facts_of,
    suggested_kind,
    time_problems,
    without_unused_legal_facts,
)
from grabpack.domain.episode_schema import EpisodeFieldType as T
from grabpack.domain.mental_health_act import legal_label, legal_status
from grabpack.domain.reporting import ReportingFacts, minutes_between
from grabpack.domain.retake import (
    Answer,
    LegalFacts,
    RetakePower,
    legal_facts_from_pack,
    power_to_retake,
)
from grabpack.domain.review import is_photo_stale, is_review_overdue
from grabpack.extensions import db
from grabpack.models import (
    AuditEvent,
    MissingEpisode,
    Patient,
    RiskGradeChange,
    ShareLink,
    User,
)
from grabpack.models.base import utcnow
from grabpack.policies import review_policy
from grabpack.services import audit, notifications
from grabpack.services.grab_packs import current_version, pack_for, request_review

LEGAL_KEYS = tuple(field.key for field in LEGAL_FIELDS)


class EpisodeError(ValueError):
    """The episode cannot be recorded as given; the message says why."""


class KindNeedsConfirming(Exception):
    """The kind of absence contradicts the legal position: saved only once confirmed.
    A warning for the kind field, not a refusal of the report."""


# --- values, checked against the declaration ---------------------------------------------


def _check_value(field: EpisodeField, value: Any) -> Any:
    """The value as stored, or ``EpisodeError`` naming the field."""
    if value is None or value == "":
        if field.required:
            raise EpisodeError(field.required)
        return False if field.type is T.CHECK else (None if _nullable(field) else "")
    match field.type:
        case T.CHECK:
            return bool(value)
        case T.MOMENT if not (isinstance(value, datetime) and value.tzinfo is not None):
            raise EpisodeError(f"{field.label} must be a date and time")
        case T.DATE if not isinstance(value, date) or isinstance(value, datetime):
            raise EpisodeError(f"{field.label} must be a date")
        case T.TIME if not isinstance(value, time):
            raise EpisodeError(f"{field.label} must be a time")
        case T.CHOICE if str(value) not in dict(field.choices):
            raise EpisodeError(f"Choose a {field.label.lower()} from the list")
        case T.TEXT | T.LONG_TEXT:
            value = str(value).strip()
            if field.max_length and len(value) > field.max_length:
                raise EpisodeError(
                    f"{field.label} must be {field.max_length:,} characters or fewer"
                )
    return value


def _nullable(field: EpisodeField) -> bool:
    return field.type in (T.MOMENT, T.DATE, T.TIME) or field.key == "police_risk_grade"


def checked_values(
    stage: Stage, values: Mapping[str, Any], partial: bool = False
) -> dict[str, Any]:
    """Every field of ``stage``, checked; refuses keys the stage does not declare.
    ``partial``: only the fields given (an update writes what it sends, and a field
    already recorded, such as the kind, is not required again)."""
    declared = fields_for(stage)
    unknown = set(values) - {field.key for field in declared}
    if unknown:
        raise EpisodeError(f"Not part of this form: {', '.join(sorted(unknown))}")
    return {
        field.key: _check_value(field, values.get(field.key))
        for field in declared
        if not partial or field.key in values
    }


def _check_times(values: Mapping[str, Any], now: datetime) -> None:
    """The rules on times (in the past, in order), for the values given with the
    episode's recorded times: the domain's, which the form also shows field by field."""
    if problems := time_problems(values, now):
        raise EpisodeError(problems[0][1])


# --- opening -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """An opening worked out before it is saved: for the form (shown live as the ward
    types), for the kind check, and for the episode itself."""

    version_number: int | None
    pack_legal: LegalFacts  # as the grab pack records it
    legal: LegalFacts  # as the ward states it now: what police are told
    power: RetakePower
    facts: ReportingFacts

    @property
    def legal_label(self) -> str:
        return legal_label(self.legal.legal_status)

    @property
    def restricted(self) -> bool:
        status = legal_status(self.legal.legal_status)
        return bool(status and status.restricted)

    @property
    def legal_differs_from_pack(self) -> bool:
        return self.version_number is not None and self.legal != self.pack_legal

    def kind_warning(self, kind: str | None) -> str:
        """Why ``kind`` contradicts the legal position, or "" when it agrees."""
        return kind_warning(kind, self.legal, self.power)


def kind_warning(kind: str | None, legal: LegalFacts, power: RetakePower) -> str:
    """Why ``kind`` contradicts the legal position ``legal`` (with its ``power`` to
    retake), or "" when it agrees: one rule and one wording for the report form and
    the update form."""
    expected = expected_kinds(power)
    if not kind or EpisodeKind(kind) in expected:
        return ""
    position = (
        "there is no power to take the patient back"
        if power.answer is Answer.NO_POWER
        else "the patient can be taken back"
    )
    wanted = " or ".join(k.label for k in expected)
    return (
        f"You chose {EpisodeKind(kind).label}, but with the legal status "
        f"{legal_label(legal.legal_status)} {position}, so the absence is {wanted}. Change "
        "the kind or the legal status, or confirm the kind as it is."
    )


def opening_defaults(patient: Patient, now: datetime | None = None) -> dict[str, Any]:
    """What the report form starts with: the time now, the legal position the pack
    records (the ward corrects it if it has changed), and the kind that position
    suggests (AWOL for a detained patient)."""
    now = (now or utcnow()).replace(second=0, microsecond=0)
    version = current_version(pack_for(patient))
    legal = legal_facts_from_pack(version.data if version else {})
    kind = suggested_kind(legal)
    return {
        "noticed_at": now,
        **({"kind": kind.value} if kind else {}),
        **{key: getattr(legal, key) for key in LEGAL_KEYS},
    }


def prepare_opening(patient: Patient, values: Mapping[str, Any]) -> Opening:
    """The opening as it would be recorded with ``values`` (which need not be complete)."""
    pack = pack_for(patient)
    version = current_version(pack)
    pack_legal = legal_facts_from_pack(version.data if version else {})
    legal = legal_facts_of(without_unused_legal_facts(values))
    power = power_to_retake(legal, absence_began_of(values))
    noticed_at = values.get("noticed_at") or utcnow()
    reported_at = values.get("reported_at")
    first_day = london_today(absence_began_of(values) or noticed_at)
    policy = review_policy()
    status = legal_status(legal.legal_status)
    facts = ReportingFacts(
        had_no_pack=version is None,
        pack_incomplete=version is not None and not version.is_complete,
        # judged as on the day the absence began
        review_overdue=bool(
            pack and pack.review_due_on and is_review_overdue(pack.review_due_on, first_day)
        ),
        photo_stale=version is not None
        and is_photo_stale(version.photo_id is not None, version.photo_taken_on, first_day, policy),
        s18_expiry_stated=bool(values.get("s18_expiry_stated")),
        s18_limit_to_state=power.limit_to_state,
        minutes_to_report=minutes_between(noticed_at, reported_at),
        restricted=bool(status and status.restricted),
        moj_told=values.get("moj_notified_at") is not None,
    )
    return Opening(version.number if version else None, pack_legal, legal, power, facts)


def open_episode(
    patient: Patient,
    author: User,
    values: Mapping[str, Any],
    now: datetime | None = None,
    kind_confirmed: bool = False,
) -> MissingEpisode:
    """Record a missing episode; the caller commits.

    Raises ``KindNeedsConfirming`` when the kind contradicts the legal position and
    the ward has not confirmed it, and ``EpisodeError`` for anything else refused.
    """
    now = now or utcnow()
    if patient.is_discharged:
        raise EpisodeError("A discharged patient cannot be reported missing from the ward")
    if open_episode_for(patient) is not None:
        raise EpisodeError("This patient already has an open missing episode")
    values = without_unused_legal_facts(checked_values(Stage.OPEN, values))
    _check_times(values, now)
    opening = prepare_opening(patient, values)
    if (warning := opening.kind_warning(values["kind"])) and not kind_confirmed:
        raise KindNeedsConfirming(warning)
    facts = opening.facts
    episode = MissingEpisode(
        patient_id=patient.id,
        ward_id=patient.ward_id,
        grab_pack_version_number=opening.version_number,
        had_no_pack=facts.had_no_pack,
        pack_incomplete=facts.pack_incomplete,
        review_overdue=facts.review_overdue,
        photo_stale=facts.photo_stale,
        opened_by_id=author.id,
        **values,
    )
    episode.set_retake_power(opening.power)
    db.session.add(episode)
    db.session.flush()
    if episode.police_risk_grade:
        _grade(episode, episode.police_risk_grade, author, now)
    if opening.legal_differs_from_pack:
        request_review(patient, "legal status stated when reported missing", london_today(now))
    audit.record(
        "episode.open",
        user=author,
        patient_id=patient.id,
        episode_id=episode.id,
        grab_pack_version_number=opening.version_number,
        kind=episode.kind,
        retake=opening.power.answer.value,
    )
    notifications.enqueue(episode, "opened", now)
    return episode


def open_episode_for(patient: Patient) -> MissingEpisode | None:
    return db.session.scalar(
        select(MissingEpisode).where(
            MissingEpisode.patient_id == patient.id, MissingEpisode.returned_at.is_(None)
        )
    )


def facts_of(episode: MissingEpisode, now: datetime | None = None) -> ReportingFacts:
    """The episode's reporting facts: pack facts as recorded at opening, times as now."""
    status = legal_status(episode.legal_status)
    moj_until = episode.moj_notified_at or episode.returned_at or now or utcnow()
    return ReportingFacts(
        had_no_pack=episode.had_no_pack,
        pack_incomplete=episode.pack_incomplete,
        review_overdue=episode.review_overdue,
        photo_stale=episode.photo_stale,
        s18_expiry_stated=episode.s18_expiry_stated,
        s18_limit_to_state=episode.retake_power.limit_to_state,
        minutes_to_report=minutes_between(episode.noticed_at, episode.reported_at),
        restricted=bool(status and status.restricted),
        minutes_to_moj=minutes_between(episode.noticed_at, moj_until),
        moj_told=episode.moj_notified_at is not None,
    )


# --- later facts ---------------------------------------------------------------------------


def update_episode(
    episode: MissingEpisode,
    author: User,
    values: Mapping[str, Any],
    now: datetime | None = None,
    base: Mapping[str, str] | None = None,
    kind_confirmed: bool = False,
) -> None:
    """Later facts of an open episode: the police report, a new risk grade, the legal
    position or the kind corrected (the power to retake is worked out again).

    ``base`` is what the form showed when it was loaded (``canonical_values``): only
    what the user changed from it is written, so a colleague's save since stands
    (``plan_update``). Where both changed a field differently, nothing is written and
    ``EpisodeClash`` says which. Without a base, every value sent that differs from
    the episode is written (the last save wins, as for a script).

    An update that changes the kind or the legal position and leaves the kind
    contradicting the power to retake raises ``KindNeedsConfirming`` (the reporting
    rule, judged on what the episode would then hold) unless ``kind_confirmed``:
    nothing is written. An update that changes neither does not ask again about a
    kind confirmed before."""
    now = now or utcnow()
    if not episode.is_open:
        raise EpisodeError("This episode is closed")
    given = {key: value for key, value in values.items() if key != "police_risk_grade"}
    checked = checked_values(Stage.UPDATE, given, partial=True)
    if grade := values.get("police_risk_grade") or None:  # a grade is given, never taken away
        checked["police_risk_grade"] = PoliceRiskGrade(grade).value
    _lock(episode)  # what is there now, held until the commit
    current = {field.key: getattr(episode, field.key) for field in fields_for(Stage.UPDATE)}
    plan = plan_update(base, current, checked)
    if plan.clashes:
        raise EpisodeClash(
            tuple(_clash(episode, key, now) for key in plan.clashes),
            current=current,
            mine={key: checked[key] for key in (*plan.write, *plan.clashes)},
        )
    changes = _with_legal_facts_that_apply(episode, {key: checked[key] for key in plan.write})
    _check_times({**known_times(episode), **changes}, now)
    written = sorted(changes)
    grade = changes.pop("police_risk_grade", None)
    before = legal_facts_of(episode)
    after = legal_facts_of({**{key: getattr(episode, key) for key in LEGAL_KEYS}, **changes})
    power = (
        power_to_retake(after, absence_began_of(episode))
        if after != before
        else episode.retake_power
    )
    if "kind" in changes or after != before:
        warning = kind_warning(changes.get("kind", episode.kind), after, power)
        if warning and not kind_confirmed:
            raise KindNeedsConfirming(warning)
    told = (episode.kind, episode.retake_power.headline)
    for key, value in changes.items():
        setattr(episode, key, value)
    if after != before:
        episode.set_retake_power(power)
        request_review(
            episode.patient, "legal status corrected during a missing episode", london_today(now)
        )
    if (episode.kind, episode.retake_power.headline) != told:
        # What police act on changed (AWOL or missing; until when they may take the
        # patient back): told at once, as a new grade is.
        notifications.enqueue(episode, "corrected", now)
    if grade and grade != episode.police_risk_grade:
        episode.police_risk_grade = grade
        _grade(episode, grade, author, now)
        notifications.enqueue(episode, "grade_changed", now)
    audit.record(
        "episode.update",
        user=author,
        patient_id=episode.patient_id,
        episode_id=episode.id,
        changed=written,  # the field keys, for who changed what when saves cross
    )


@dataclass(frozen=True)
class Clash:
    """A field the user and a colleague both changed differently since the form loaded."""

    key: str
    message: str  # who changed it to what, and when: shown beside the field


class EpisodeClash(Exception):
    """Both the form and a colleague's save changed fields differently: nothing was
    saved. Carries the episode's update values as they are now (``current``, for a
    fresh base) and the user's changed values (``mine``, to show them again)."""

    def __init__(
        self, clashes: tuple[Clash, ...], current: Mapping[str, Any], mine: Mapping[str, Any]
    ):
        super().__init__("; ".join(clash.message for clash in clashes))
        self.clashes, self.current, self.mine = clashes, dict(current), dict(mine)


def _lock(episode: MissingEpisode) -> None:
    """Read the episode again, locked until the commit (PostgreSQL; SQLite has one
    writer at a time), so that no save lands between the three-way check and the write."""
    db.session.refresh(episode, with_for_update=True)


def _with_legal_facts_that_apply(
    episode: MissingEpisode, changes: dict[str, Any]
) -> dict[str, Any]:
    """``changes`` with the section's facts cleared when the status they leave is
    informal (whether the user or a colleague made it so): no date prints beside
    "Informal" as if it applied."""
    if "legal_status" not in changes and not set(changes) & set(SECTION_FACTS):
        return changes
    status = changes.get("legal_status", episode.legal_status)
    if not has_no_section(status):
        return changes
    return {**changes, **dict.fromkeys(SECTION_FACTS)}


def _clash(episode: MissingEpisode, key: str, now: datetime) -> Clash:
    """What the colleague did to ``key``: who and when from the grade's history, or
    from the last update that changed it (as the audit trail records it)."""
    who, when = None, None
    if key == "police_risk_grade":
        change = db.session.scalar(
            select(RiskGradeChange)
            .where(RiskGradeChange.episode_id == episode.id)
            .order_by(RiskGradeChange.recorded_at.desc(), RiskGradeChange.id.desc())
            .limit(1)
        )
        if change is not None:
            who, when = db.session.get(User, change.recorded_by_id), change.recorded_at
    else:
        updates = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "episode.update", AuditEvent.episode_id == episode.id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(100)
        )
        for event in updates:
            if key in ((event.detail or {}).get("changed") or ()):
                who, when = event.user, event.at
                break
    name = (who.full_name or who.email) if who is not None else ""
    field = FIELDS_BY_KEY[key]
    return Clash(key, clash_message(field, getattr(episode, key), name, when, now))


def _grade(episode: MissingEpisode, grade: str, author: User, now: datetime) -> None:
    db.session.add(
        RiskGradeChange(
            episode_id=episode.id, grade=grade, recorded_by_id=author.id, recorded_at=now
        )
    )


def close_episode(
    episode: MissingEpisode,
    author: User,
    values: Mapping[str, Any],
    now: datetime | None = None,
) -> None:
    """Close an episode; the pack becomes due for review (the review cycle)."""
    now = now or utcnow()
    if not episode.is_open:
        raise EpisodeError("This episode is already closed")
    values = checked_values(Stage.CLOSE, values)
    _check_times({**known_times(episode), **values}, now)
    for key, value in values.items():
        setattr(episode, key, value)
    episode.closed_by_id = author.id
    request_review(episode.patient, "missing episode closed", today=london_today(now))
    audit.record("episode.close", user=author, patient_id=episode.patient_id, episode_id=episode.id)
    notifications.enqueue(episode, "closed", now)


def record_prevention_interview(
    episode: MissingEpisode,
    author: User,
    values: Mapping[str, Any],
    now: datetime | None = None,
) -> None:
    """The police "safe and well" check, often done after the episode was closed."""
    now = now or utcnow()
    if episode.is_open:
        raise EpisodeError("Record the return first: close the episode")
    values = checked_values(Stage.INTERVIEW, values)
    at = values["prevention_interview_at"]
    if at is None:
        raise EpisodeError("Enter when the prevention interview was done")
    _check_times({**known_times(episode), "prevention_interview_at": at}, now)
    episode.prevention_interview_at = at
    audit.record(
        "episode.prevention_interview",
        user=author,
        patient_id=episode.patient_id,
        episode_id=episode.id,
    )


# --- finding episodes ---------------------------------------------------------------------


def episode_for_staff(user_ward_ids: set[int], episode_id: uuid.UUID) -> MissingEpisode | None:
    """An episode of a patient now on one of the user's wards."""
    episode = db.session.get(MissingEpisode, episode_id)
    if episode is None or episode.patient.ward_id not in user_ward_ids:
        return None
    return episode


def episodes_of(patient: Patient, limit: int = 50) -> list[MissingEpisode]:
    """A patient's missing history, newest first: the pack's section J is derived from it.
    Each episode's appeal posters come in one more query, not one per episode (the
    ward's patient page lists them)."""
    return list(
        db.session.scalars(
            select(MissingEpisode)
            .where(MissingEpisode.patient_id == patient.id)
            .order_by(MissingEpisode.noticed_at.desc())
            .limit(limit)
            .options(selectinload(MissingEpisode.appeal_posters))
        )
    )


def share_links_of(episode: MissingEpisode) -> list[ShareLink]:
    """The episode's share links, newest first (for the ward's table)."""
    return list(
        db.session.scalars(
            select(ShareLink)
            .where(ShareLink.episode_id == episode.id)
            .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
        )
    )


def share_link_of(episode: MissingEpisode, link_id: int) -> ShareLink | None:
    """One of this episode's links; ``None`` for any other (no hint that it exists)."""
    link = db.session.get(ShareLink, link_id)
    return link if link is not None and link.episode_id == episode.id else None
