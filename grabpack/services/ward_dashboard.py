"""The ward's list of patients with their pack state, in one query whatever the ward size."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from grabpack.domain.recurrence import RepeatRule
from grabpack.domain.review import (
    DEFAULT_POLICY,
    ReviewPolicy,
    is_photo_stale,
    is_review_overdue,
)
from grabpack.extensions import db
from grabpack.models import GrabPack, GrabPackVersion, MissingEpisode, Patient, Ward


@dataclass(frozen=True)
class WardRow:
    patient_id: uuid.UUID
    full_name: str
    date_of_birth: date | None
    nhs_number: str | None
    version_number: int
    is_complete: bool
    review_due_on: date | None
    photo_taken_on: date | None
    has_photo: bool
    open_episodes: int
    last_missing_at: datetime | None
    recent_episodes: int  # noticed within the repeat rule's window

    def pack_state(self, today: date) -> str:
        """none, draft, complete or overdue: the ward's four words for a pack."""
        if self.version_number == 0:
            return "none"
        if self.review_due_on is not None and is_review_overdue(self.review_due_on, today):
            return "overdue"
        return "complete" if self.is_complete else "draft"

    def photo_stale(self, today: date, policy: ReviewPolicy) -> bool:
        return is_photo_stale(self.has_photo, self.photo_taken_on, today, policy)


def _ward_statement(ward: Ward, repeat_since: datetime) -> Select:
    """One row per current patient on the ward with pack and episode facts; the one
    statement behind both the list and the counts, so they cannot disagree."""
    ward_patients = select(Patient.id).where(Patient.ward_id == ward.id)
    episodes = (
        select(
            MissingEpisode.patient_id.label("patient_id"),
            func.count(MissingEpisode.id)
            .filter(MissingEpisode.returned_at.is_(None))
            .label("open"),
            func.max(MissingEpisode.noticed_at).label("last"),
            func.count(MissingEpisode.id)
            .filter(MissingEpisode.noticed_at >= repeat_since)
            .label("recent"),
        )
        .where(MissingEpisode.patient_id.in_(ward_patients))
        .group_by(MissingEpisode.patient_id)
        .subquery()
    )
    return (
        select(
            Patient.id.label("patient_id"),
            Patient.full_name.label("full_name"),
            Patient.date_of_birth.label("date_of_birth"),
            Patient.nhs_number.label("nhs_number"),
            func.coalesce(GrabPack.current_version_number, 0).label("version_number"),
            func.coalesce(GrabPackVersion.is_complete, False).label("is_complete"),
            GrabPack.review_due_on.label("review_due_on"),
            GrabPackVersion.photo_taken_on.label("photo_taken_on"),
            GrabPackVersion.photo_id.is_not(None).label("has_photo"),
            func.coalesce(episodes.c.open, 0).label("open_episodes"),
            episodes.c.last.label("last_missing_at"),
            func.coalesce(episodes.c.recent, 0).label("recent_episodes"),
        )
        .outerjoin(GrabPack, GrabPack.patient_id == Patient.id)
        .outerjoin(
            GrabPackVersion,
            and_(
                GrabPackVersion.grab_pack_id == GrabPack.id,
                GrabPackVersion.number == GrabPack.current_version_number,
            ),
        )
        .outerjoin(episodes, episodes.c.patient_id == Patient.id)
        .where(Patient.ward_id == ward.id, Patient.discharged_at.is_(None))
    )


def ward_rows(ward: Ward, repeat_since: datetime) -> list[WardRow]:
    """Every current patient on the ward, with pack and episode facts, in one query.
    ``recent_episodes`` counts those noticed since ``repeat_since``."""
    statement = _ward_statement(ward, repeat_since).order_by(Patient.full_name)
    return [WardRow(*row[:8], bool(row[8]), *row[9:]) for row in db.session.execute(statement)]


@dataclass(frozen=True)
class WardCounts:
    """What a ward manager needs at a glance; each number is one of FILTERS."""

    overdue: int
    stale_photo: int
    repeat: int
    missing: int


def ward_counts(
    ward: Ward, today: date, *, repeat: RepeatRule, policy: ReviewPolicy, now: datetime
) -> WardCounts:
    """The four counts in one SQL query over the same rows the list shows.

    The conditions are the SQL form of ``WardRow.pack_state``, ``is_photo_stale`` and
    ``RepeatRule.is_repeat`` (a photo is stale when older than the policy's days, so
    taken before ``today - photo_stale_days``); tests hold them equal to the lists.
    """
    rows = _ward_statement(ward, repeat.window_start(now)).subquery()
    has_pack = rows.c.version_number > 0
    stale_before = today - timedelta(days=policy.photo_stale_days)

    def counted(condition) -> Any:
        return func.count().filter(condition)

    result = db.session.execute(
        select(
            counted(and_(has_pack, rows.c.review_due_on < today)),
            counted(
                and_(
                    has_pack,
                    or_(
                        rows.c.has_photo.is_(False),
                        rows.c.photo_taken_on.is_(None),
                        rows.c.photo_taken_on < stale_before,
                    ),
                )
            ),
            counted(rows.c.recent_episodes >= repeat.episodes),
            counted(rows.c.open_episodes > 0),
        )
    ).one()
    return WardCounts(*(int(n or 0) for n in result))


FILTERS = {
    "": "All patients",
    "none": "No grab pack",
    "draft": "Draft",
    "complete": "Complete",
    "overdue": "Review overdue",
    "missing": "Missing now",
    "repeat": "Repeat missing",
    "stale_photo": "Photo out of date",
}

SORTS = {
    "name": "Name",
    "state": "Grab pack state",
    "review": "Review due",
    "last_missing": "Last missing",
}

# Most urgent first when sorting by state.
_STATE_ORDER = {"none": 0, "overdue": 1, "draft": 2, "complete": 3}


def filtered_rows(
    rows: list[WardRow],
    today: date,
    *,
    state: str = "",
    sort: str = "name",
    repeat: RepeatRule,
    policy: ReviewPolicy = DEFAULT_POLICY,
) -> list[WardRow]:
    """Filter and sort one ward's rows. A ward holds tens of patients: this is
    presentation of one query's result, not a second query."""
    if state == "missing":
        rows = [r for r in rows if r.open_episodes]
    elif state == "repeat":
        rows = [r for r in rows if repeat.is_repeat(r.recent_episodes)]
    elif state == "stale_photo":
        # Only patients with a grab pack: one with none is counted as "No grab pack".
        rows = [r for r in rows if r.version_number and r.photo_stale(today, policy)]
    elif state in _STATE_ORDER:
        rows = [r for r in rows if r.pack_state(today) == state]
    keys = {
        "name": lambda r: r.full_name.casefold(),
        "state": lambda r: (_STATE_ORDER[r.pack_state(today)], r.full_name.casefold()),
        "review": lambda r: (r.review_due_on is None, r.review_due_on or today),
        "last_missing": lambda r: (
            r.last_missing_at is None,
            -(r.last_missing_at.timestamp()) if r.last_missing_at else 0,
        ),
    }
    return sorted(rows, key=keys.get(sort, keys["name"]))


@dataclass(frozen=True)
class DischargedRow:
    patient_id: uuid.UUID
    full_name: str
    discharged_at: datetime


def recently_discharged(ward: Ward, limit: int = 20) -> list[DischargedRow]:
    """The ward's latest discharges, newest first, so that a discharge made by
    mistake can be found and undone (one query, at most ``limit`` rows)."""
    return [
        DischargedRow(*row)
        for row in db.session.execute(
            select(Patient.id, Patient.full_name, Patient.discharged_at)
            .where(Patient.ward_id == ward.id, Patient.discharged_at.is_not(None))
            .order_by(Patient.discharged_at.desc())
            .limit(limit)
        )
    ]
