"""Reading the audit trail: who looked at a ward's packs, narrowed as a manager asks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grabpack.domain.clock import LONDON
from grabpack.extensions import db
from grabpack.models import AuditEvent, MissingEpisode, Patient, User, Ward

# What each kind of look is called on the page, in the order the filter offers them.
ACTION_LABELS = {
    "grab_pack.view": "Viewed",
    "grab_pack.pdf": "Downloaded PDF",
    "share_link.use": "Opened share link",
    "share_link.refused": "Share link refused (wrong reference)",
}
PACK_ACCESS_ACTIONS = tuple(ACTION_LABELS)
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


def _london_midnight(day: date) -> datetime:
    """The UTC moment a London day begins (23:00 the day before in summer)."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def pack_access_events(
    ward: Ward, page: int = 1, only: AuditFilter = AuditFilter()
) -> tuple[list[AccessRow], bool]:
    """Views and downloads of packs of patients now on the ward, newest first, a page
    at a time (one query), with whether there is a further page."""
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
    return [AccessRow(*row) for row in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


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
