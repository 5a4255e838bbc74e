"""Live setting flags for the daily work: the monthly review's high-volume rule
applied to the London month so far, where wards and police look every day.

The ward dashboard and the officer's list show, beside the patient flags they
already carry, whether a ward or a setting has *already* reached the high-volume
threshold this month (counts only grow, so a flag raised on the 10th stands at the
month's end), and for each open episode its place in its ward's month: "5th
episode from this ward this month".

Two queries whatever the number of episodes, both aggregated in SQL (``GROUP BY``
and the ``row_number`` window, which SQLite and PostgreSQL both have); no episode
row is loaded. The rule and its sentence are the domain's (``VolumeRule``), the
months London's (``domain.monthly_review``), so the live flag and the monthly
review cannot disagree about a month that has ended.

Whose wards count: the reader's (``access.staff_ward_query``, ``police_access.
officer_ward_query``), as in the monthly review (``monthly_report.
scope_for``): staff their wards, police every ward in their policing areas. A
setting's figure is the whole setting's, every ward of it, as in the monthly
review: the same for a nurse of one ward as for the area's officers (a count,
never another ward's own figures or episodes).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, case, func, literal, select

from grabpack.domain.monthly_review import (
    Flag,
    Month,
    VolumeRule,
    month_bounds,
    month_of,
    trailing_months,
)
from grabpack.domain.wording import ordinal
from grabpack.extensions import db
from grabpack.models import MissingEpisode, Setting, Ward

E = MissingEpisode

# The ward ids in scope: ids already known, or a SELECT of them (one query fewer).
WardIds = Collection[int] | Select


@dataclass(frozen=True)
class Volume:
    """A ward's or a setting's episodes so far this month, against the months before."""

    kind: str  # "ward" or "setting", as the flag names it
    subject: str  # "Ward A (Site One)" or "Site One", as the monthly review writes it
    count: int
    trailing: tuple[int, ...]  # the months before, oldest first
    reason: str  # the rule's sentence, flagged or not
    flag: Flag | None
    ward_ids: frozenset[int]  # the wards counted (one for a ward)


@dataclass(frozen=True)
class OpenEpisode:
    """An open episode noticed this month, and its place in its ward's month."""

    episode_id: uuid.UUID
    patient_id: uuid.UUID
    ward_id: int
    ordinal: int

    @property
    def line(self) -> str:
        """``5th episode from this ward this month``."""
        return f"{ordinal(self.ordinal)} episode from this ward this month"


@dataclass(frozen=True)
class LiveFlags:
    """The live flags of every ward in a reader's scope, for one moment."""

    month: Month
    wards: Mapping[int, Volume] = field(default_factory=dict)
    settings: Mapping[int, Volume] = field(default_factory=dict)
    setting_of: Mapping[int, int] = field(default_factory=dict)  # ward id -> setting id
    open_episodes: Mapping[uuid.UUID, OpenEpisode] = field(default_factory=dict)  # by id
    by_patient: Mapping[uuid.UUID, OpenEpisode] = field(default_factory=dict)

    def volumes_for(self, ward_id: int) -> tuple[Volume, ...]:
        """The ward's figures, then its setting's. The setting is left out when the
        only ward of it in scope is this one: the same figures twice would read as
        two problems."""
        ward = self.wards.get(ward_id)
        setting = self.settings.get(self.setting_of.get(ward_id, -1))
        volumes = [ward] if ward else []
        if setting is not None and setting.ward_ids != {ward_id}:
            volumes.append(setting)
        return tuple(volumes)

    def flags_for(self, ward_id: int) -> tuple[Flag, ...]:
        """The ward's and its setting's high-volume flags, ward first (see ``volumes_for``)."""
        return tuple(v.flag for v in self.volumes_for(ward_id) if v.flag is not None)

    def ordinal_line(self, episode_id: uuid.UUID) -> str | None:
        """``5th episode from this ward this month``; ``None`` for an episode that is
        not open, or was noticed before this month."""
        episode = self.open_episodes.get(episode_id)
        return episode.line if episode else None

    def ordinal_line_for_patient(self, patient_id: uuid.UUID) -> str | None:
        """The same for a patient's open episode (a patient has at most one)."""
        episode = self.by_patient.get(patient_id)
        return episode.line if episode else None


def live_flags(ward_ids: WardIds, now: datetime, rule: VolumeRule) -> LiveFlags:
    """The live flags for these wards as at ``now``: two queries, whatever the numbers."""
    month = month_of(now)
    if not isinstance(ward_ids, Select):
        ward_ids = sorted(set(ward_ids))
        if not ward_ids:
            return LiveFlags(month)
    months = (*trailing_months(month, rule.trailing), month)
    wards: dict[int, Volume] = {}
    settings: dict[int, tuple[str, list[int], list[int]]] = {}
    setting_of: dict[int, int] = {}
    for ward_id, ward_name, setting_id, setting_name, in_scope, counts in _monthly_counts(
        ward_ids, months, now
    ):
        if in_scope:
            subject = f"{ward_name} ({setting_name})"
            wards[ward_id] = _volume(rule, "ward", subject, counts, frozenset({ward_id}))
            setting_of[ward_id] = setting_id
        _, members, totals = settings.setdefault(setting_id, (setting_name, [], [0] * len(months)))
        members.append(ward_id)
        totals[:] = [a + b for a, b in zip(totals, counts, strict=True)]
    open_episodes = _open_episodes(ward_ids, month, now)
    return LiveFlags(
        month=month,
        wards=wards,
        settings={
            setting_id: _volume(rule, "setting", name, totals, frozenset(members))
            for setting_id, (name, members, totals) in settings.items()
        },
        setting_of=setting_of,
        open_episodes={e.episode_id: e for e in open_episodes},
        by_patient={e.patient_id: e for e in open_episodes},
    )


def _volume(
    rule: VolumeRule, kind: str, subject: str, counts: list[int], ward_ids: frozenset[int]
) -> Volume:
    """``counts`` are the trailing months, oldest first, then this month so far."""
    *trailing, count = counts
    return Volume(
        kind=kind,
        subject=subject,
        count=count,
        trailing=tuple(trailing),
        reason=rule.reason(count, trailing),
        flag=rule.flag(kind, subject, count, trailing),
        ward_ids=ward_ids,
    )


def _noticed_by(now: datetime, start: datetime, end: datetime):
    """Noticed in ``[start, end)`` and not after ``now``: the month *so far*."""
    return and_(E.noticed_at >= start, E.noticed_at < end, E.noticed_at <= now)


def _monthly_counts(
    ward_ids: WardIds, months: tuple[Month, ...], now: datetime
) -> list[tuple[int, str, int, str, bool, list[int]]]:
    """Per ward of every setting with a ward in scope (with no episodes too): its
    name, its setting, whether it is in scope, and its episodes in each of
    ``months`` (the last one so far), in one grouped query."""
    starts = [month_bounds(*m)[0] for m in months]
    end = month_bounds(*months[-1])[1]
    last = len(months) - 1
    bucket = (
        case(*((E.noticed_at < starts[i + 1], i) for i in range(last)), else_=last)
        if last
        else literal(0)
    ).label("bucket")
    in_scope = Ward.id.in_(ward_ids)
    settings_in_scope = select(Ward.setting_id).where(in_scope).scalar_subquery()
    scoped = case((in_scope, 1), else_=0).label("in_scope")
    statement = (
        select(Ward.id, Ward.name, Setting.id, Setting.name, scoped, bucket, func.count(E.id))
        .select_from(Ward)
        .join(Setting, Ward.setting_id == Setting.id)
        .outerjoin(E, and_(E.ward_id == Ward.id, _noticed_by(now, starts[0], end)))
        .where(Ward.setting_id.in_(settings_in_scope))
        .group_by(Ward.id, Ward.name, Setting.id, Setting.name, scoped, bucket)
        .order_by(Setting.name, Ward.name)
    )
    by_ward: dict[int, tuple[int, str, int, str, bool, list[int]]] = {}
    for ward_id, ward_name, setting_id, setting_name, scope, index, episodes in db.session.execute(
        statement
    ):
        row = by_ward.setdefault(
            ward_id, (ward_id, ward_name, setting_id, setting_name, bool(scope), [0] * len(months))
        )
        row[5][index] += episodes
    return list(by_ward.values())


def _open_episodes(ward_ids: WardIds, month: Month, now: datetime) -> list[OpenEpisode]:
    """Each open episode noticed this month, numbered in its ward's month by when it
    was noticed (then when it was recorded), in one windowed query."""
    start, end = month_bounds(*month)
    numbered = (
        select(
            E.id,
            E.patient_id,
            E.ward_id,
            E.returned_at,
            func.row_number()
            .over(partition_by=E.ward_id, order_by=(E.noticed_at, E.created_at, E.id))
            .label("ordinal"),
        )
        .where(E.ward_id.in_(ward_ids), _noticed_by(now, start, end))
        .subquery()
    )
    statement = select(
        numbered.c.id, numbered.c.patient_id, numbered.c.ward_id, numbered.c.ordinal
    ).where(numbered.c.returned_at.is_(None))
    return [OpenEpisode(*row) for row in db.session.execute(statement)]
