"""Police see a patient only while they have a reason to: an episode open in one of
their policing areas, or closed within the grace window (for the prevention
interview). Every look names the episode that allowed it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from grabpack.extensions import db
from grabpack.models import MissingEpisode, Setting, User, Ward, user_policing_areas
from grabpack.models.base import utcnow


def _grace() -> timedelta:
    return timedelta(hours=current_app.config["POLICE_GRACE_HOURS"])


def _in_users_areas(user: User):
    areas = select(user_policing_areas.c.policing_area_id).where(
        user_policing_areas.c.user_id == user.id
    )
    return Setting.policing_area_id.in_(areas)


def officer_ward_query(user: User) -> Select:
    """Every ward of every setting in the officer's policing areas, as a SELECT of ids."""
    return select(Ward.id).join(Setting, Ward.setting_id == Setting.id).where(_in_users_areas(user))


def _reasons(user: User, now: datetime):
    """Episodes that give this officer a reason to look now: in one of their areas,
    and open or closed within the grace window. The one rule both the list and
    every patient page use."""
    return (
        select(MissingEpisode)
        .join(Ward, MissingEpisode.ward_id == Ward.id)
        .join(Setting, Ward.setting_id == Setting.id)
        .where(
            _in_users_areas(user),
            or_(MissingEpisode.returned_at.is_(None), MissingEpisode.returned_at > now - _grace()),
        )
    )


def episode_allowing(
    user: User, patient_id: uuid.UUID, now: datetime | None = None
) -> MissingEpisode | None:
    """The episode that lets this officer see this patient now, or ``None`` (then: 404)."""
    now = now or utcnow()
    return db.session.scalar(
        _reasons(user, now)
        .where(MissingEpisode.patient_id == patient_id)
        .order_by(MissingEpisode.returned_at.is_not(None), MissingEpisode.noticed_at.desc())
        .limit(1)
    )


def episode_for_officer(
    user: User, episode_id: uuid.UUID, now: datetime | None = None
) -> MissingEpisode | None:
    """This episode, if it gives the officer a reason to look now (the list's rule)."""
    return db.session.scalar(_reasons(user, now or utcnow()).where(MissingEpisode.id == episode_id))


def patients_with_reason(user: User, now: datetime | None = None):
    """The ids of the patients this officer may see now, as a subquery (the same rule)."""
    return _reasons(user, now or utcnow()).with_only_columns(MissingEpisode.patient_id)


def episodes_for_officer(user: User, now: datetime | None = None) -> tuple[list, list]:
    """Open episodes in the officer's areas (newest first), then those closed within
    the grace window. One query, whatever the numbers."""
    now = now or utcnow()
    episodes = db.session.scalars(
        _reasons(user, now)
        .options(
            joinedload(MissingEpisode.ward).joinedload(Ward.setting),
            joinedload(MissingEpisode.patient),
        )
        .order_by(MissingEpisode.noticed_at.desc())
    ).all()
    open_now = [e for e in episodes if e.is_open]
    recently_closed = [e for e in episodes if not e.is_open]
    return open_now, recently_closed


def recent_episode_counts(patient_ids: list[uuid.UUID], since: datetime) -> dict[uuid.UUID, int]:
    """Episodes noticed since ``since`` for each listed patient: one grouped query."""
    if not patient_ids:
        return {}
    rows = db.session.execute(
        select(MissingEpisode.patient_id, func.count(MissingEpisode.id))
        .where(MissingEpisode.patient_id.in_(patient_ids), MissingEpisode.noticed_at >= since)
        .group_by(MissingEpisode.patient_id)
    )
    return {patient_id: count for patient_id, count in rows}
