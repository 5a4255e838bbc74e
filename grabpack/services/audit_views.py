"""Reading the audit trail: who looked at a ward's packs, narrowed as a manager asks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grabpack.domain.clock import LONDON
from grabpack.extensions import db
from grabpack.models import AppealPoster, AuditEvent, MissingEpisode, Patient, User, Ward

# What each kind of look is called on the page, in the order the filter offers them:
# every time a patient's details were seen, printed, or handed on beyond the ward
# (a share link, a public appeal poster).
ACTION_LABELS = {
    "grab_pack.view": "Viewed",
    "grab_pack.pdf": "Downloaded PDF",
    "share_link.create": "Made a share link",
    "share_link.use": "Opened share link",
    "share_link.refused": "Share link refused (wrong reference)",
    "share_link.disabled": "Share link disabled (wrong references)",
    "share_link.revoke": "Revoked a share link",
    "appeal_poster.make": "Made a public appeal poster",
    "appeal_poster.pdf": "Downloaded appeal poster (PDF)",
    "appeal_poster.png": "Downloaded appeal poster (image)",
}
PACK_ACCESS_ACTIONS = tuple(ACTION_LABELS)
# The other actions recorded against a patient: changes to the record, not looks at
# it, so this page (who has seen the packs) leaves them out; they stay in the full
# audit trail. A test holds every action the code records against a patient to
# exactly one of these two, so a new way of seeing a pack cannot go unlisted.
RECORD_CHANGES = frozenset(
    {
        "grab_pack.edit",
        "grab_pack.review",
        "grab_pack.restore",
        "patient.admit",
        "patient.transfer",
        "patient.discharge",
        "patient.readmit",
        "patient.purged",
        "episode.open",
        "episode.update",
        "episode.close",
        "episode.prevention_interview",
    }
)
PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditFilter:
    """What the manager narrowed the list to; None means any."""

    patient_id: uuid.UUID | None = None
    user_id: int | None = None
    action: str | None = None
    from_day: date | None = None  # London days, both ends included
    to_day: date | None = None


@dataclass(frozen=True)
class AccessRow:
    event: AuditEvent
    patient_name: str
    # When the episode the look was made under was noticed; None for ward staff's
    # own looks, or an episode the retention purge has since removed.
    episode_noticed_at: datetime | None
    # Who authorised a public appeal, for the row that made its poster; else None.
    authorised_by: str | None = None


def _london_midnight(day: date) -> datetime:
    """The UTC moment a London day begins (23:00 the day before in summer)."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def pack_access_events(
    ward: Ward, page: int = 1, only: AuditFilter = AuditFilter()
) -> tuple[list[AccessRow], bool]:
    """Views and downloads of packs and posters of patients now on the ward, and the
    share links made for them, newest first, a page at a time (one query, and one
    more for who authorised any poster on it), with whether there is a further page."""
    statement = (
        select(AuditEvent, Patient.full_name, MissingEpisode.noticed_at)
        .join(Patient, AuditEvent.patient_id == Patient.id)
        .outerjoin(MissingEpisode, AuditEvent.episode_id == MissingEpisode.id)
        .where(Patient.ward_id == ward.id, AuditEvent.action.in_(PACK_ACCESS_ACTIONS))
    )
    if only.patient_id is not None:
        statement = statement.where(AuditEvent.patient_id == only.patient_id)
    if only.user_id is not None:
        statement = statement.where(AuditEvent.user_id == only.user_id)
    if only.action is not None:
        statement = statement.where(AuditEvent.action == only.action)
    if only.from_day is not None:
        statement = statement.where(AuditEvent.at >= _london_midnight(only.from_day))
    if only.to_day is not None:
        statement = statement.where(
            AuditEvent.at < _london_midnight(only.to_day + timedelta(days=1))
        )
    rows = db.session.execute(
        statement.options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    shown = rows[:PAGE_SIZE]
    authorities = _poster_authorities([event for event, _name, _noticed in shown])
    return [
        AccessRow(*row, authorised_by=authorities.get(_poster_id(row[0]))) for row in shown
    ], len(rows) > PAGE_SIZE


def _poster_id(event: AuditEvent) -> uuid.UUID | None:
    """The poster an ``appeal_poster.make`` row made (its detail holds the id only)."""
    if event.action != "appeal_poster.make":
        return None
    try:
        return uuid.UUID((event.detail or {}).get("appeal_poster_id", ""))
    except ValueError:
        return None


def _poster_authorities(events: list[AuditEvent]) -> dict[uuid.UUID, str]:
    """Who authorised each poster made on this page, in one query: the audit row
    keeps only the poster's id, since the authoriser is free text."""
    ids = {poster_id for event in events if (poster_id := _poster_id(event)) is not None}
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(AppealPoster.public_id, AppealPoster.authorised_by).where(
                AppealPoster.public_id.in_(ids)
            )
        ).all()
    )


def ward_patients(ward: Ward) -> list[tuple[uuid.UUID, str]]:
    """Everyone on the ward's list, discharged too (their packs stay readable), by name."""
    return [
        (row.id, row.full_name)
        for row in db.session.execute(
            select(Patient.id, Patient.full_name)
            .where(Patient.ward_id == ward.id)
            .order_by(Patient.full_name)
        )
    ]


def ward_viewers(ward: Ward) -> list[User]:
    """Everyone with an account who has looked at a pack of a patient on the ward."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.id.in_(
                    select(AuditEvent.user_id)
                    .join(Patient, AuditEvent.patient_id == Patient.id)
                    .where(
                        Patient.ward_id == ward.id,
                        AuditEvent.action.in_(PACK_ACCESS_ACTIONS),
                    )
                )
            )
            .order_by(User.full_name, User.email)
        )
    )
