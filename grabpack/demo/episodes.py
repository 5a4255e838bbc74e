"""Missing episodes (Part 2), recorded through the real episode service as a ward would:
opened minutes after the absence is noticed with the legal position the ward gives,
reported and graded, regraded by police, the Ministry of Justice told, closed on return.

The service pins the pack's current version and judges reporting quality from it,
so each call is made when the patient's timeline reaches it (``Timeline``), with
``now=`` set to that moment.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from grabpack.demo import episode_details as details
from grabpack.demo.chance import between, minutes, pick
from grabpack.demo.context import Demo
from grabpack.demo.legal import ward_statement
from grabpack.demo.packs import PackHistory
from grabpack.demo.plans import Plan, PlannedEpisode
from grabpack.demo.timeline import Timeline
from grabpack.domain.episode_schema import legal_facts_of
from grabpack.domain.mental_health_act import legal_status
from grabpack.extensions import db
from grabpack.models import MissingEpisode
from grabpack.services.episodes import (
    close_episode,
    open_episode,
    opening_defaults,
    update_episode,
)

REGRADES = {"0": 70, "1": 22, "2": 8}  # how many times police change a grade they gave


class EpisodeHistory:
    """One patient's episodes; each step adds the next ones to the timeline."""

    def __init__(self, demo: Demo, plan: Plan, timeline: Timeline, pack: PackHistory | None):
        self.demo, self.plan, self.timeline, self.pack = demo, plan, timeline, pack

    def schedule(self) -> None:
        for index, episode in enumerate(self.plan.episodes):
            self.timeline.add(episode.noticed_at, partial(self.open, index))

    def open(self, index: int) -> None:
        """Open the episode as the pack stands now; plan its report, regrades and close.

        The ward starts from the report form's values (the pack's legal position) and
        gives the legal position as it knows it; the kind it chooses agrees with it.
        """
        demo, plan, rng = self.demo, self.plan, self.demo.rng
        episode = plan.episodes[index]
        noticed = episode.noticed_at
        end = episode.returned_at or demo.now  # the last moment anything is about the absence
        opened = min(noticed + minutes(rng, 3, 20), _midway(episode, end))
        values = opening_defaults(plan.patient, opened)
        pack = legal_facts_of(values) if plan.current is not None else None
        legal = ward_statement(rng, plan, episode, pack, noticed)
        went = details.going(rng, noticed, legal)
        risk = plan.current.missing_risk if plan.current else plan.risk_at(noticed)
        reported = details.reported_at(rng, episode, went.kind, risk, demo.now)
        grade = details.first_grade(rng, episode, reported, risk)
        status = legal_status(legal.legal_status)
        restricted = status is not None and status.restricted
        moj_now, moj_later = (
            details.moj_told(rng, noticed, opened, end) if restricted else (None, None)
        )
        values.update(details.opening(rng, noticed, went, legal, moj_now))
        if reported is not None and reported <= opened:
            values.update(details.police_report(rng, reported, grade))
        row = open_episode(plan.patient, demo.author(plan.ward.code), values, now=opened)
        graded_at = opened
        if reported is not None and reported > opened:
            graded_at = min(reported + minutes(rng, 1, 5), end)
            report = details.police_report(rng, reported, grade)
            self.timeline.add(graded_at, partial(self._update, row, report, graded_at))
        if moj_later is not None:
            told = {"moj_notified_at": moj_later}
            self.timeline.add(moj_later, partial(self._update, row, told, moj_later))
        if grade is not None:
            self._plan_regrades(row, grade, graded_at, end)
        if episode.closed_at is not None:
            self.timeline.add(episode.closed_at, partial(self.close, index, row, reported))

    def close(self, index: int, row: MissingEpisode, reported: datetime | None) -> None:
        """Close on return; then, if the patient goes missing again, review the pack first."""
        rng, plan = self.demo.rng, self.plan
        episode = plan.episodes[index]
        assert episode.returned_at is not None and episode.closed_at is not None
        interview = episode.interview_at if reported is not None else None
        closing = details.closing(rng, plan, episode.returned_at, interview)
        close_episode(row, self.demo.author(self.plan.ward.code), closing, now=episode.closed_at)
        following = plan.episodes[index + 1] if index + 1 < len(plan.episodes) else None
        if self.pack is not None and following is not None:
            review_at = min(
                episode.closed_at + timedelta(hours=rng.randint(1, 20)),
                following.noticed_at - minutes(rng, 5, 15),
            )
            self.timeline.add(review_at, partial(self.pack.review_if_due, review_at), save=True)

    def _plan_regrades(
        self, row: MissingEpisode, grade: str, graded_at: datetime, end: datetime
    ) -> None:
        """Police regrade a step at a time as they learn more, while the person is missing."""
        rng = self.demo.rng
        count = int(pick(rng, REGRADES))
        start, stop = graded_at + timedelta(minutes=30), end - timedelta(minutes=5)
        if stop - start < timedelta(hours=1):
            return
        for at in sorted(between(rng, start, stop) for _ in range(count)):
            grade = details.next_grade(rng, grade)
            regrade = {"police_risk_grade": grade}
            self.timeline.add(at, partial(self._update, row, regrade, at))

    def _update(self, row: MissingEpisode, values: dict[str, Any], at: datetime) -> None:
        update_episode(row, self.demo.author(self.plan.ward.code), values, now=at)


def _midway(episode: PlannedEpisode, end: datetime) -> datetime:
    """Halfway through the absence: a short one is recorded before the patient is back."""
    return (episode.noticed_at + (end - episode.noticed_at) / 2).replace(microsecond=0)


@contextmanager
def seeded_episode_ids(demo: Demo) -> Iterator[None]:
    """Give each new episode an id from the demo's random source while the block runs.

    The service leaves ids to the column's ``uuid4`` default, which would make every
    run's episode ids (and so their URLs) different for the same seed and ``now``.
    """
    session = db.session()

    def assign(flushing: Session, _context: object, _instances: object) -> None:
        for obj in flushing.new:
            if isinstance(obj, MissingEpisode) and obj.id is None:
                obj.id = uuid.UUID(int=demo.rng.getrandbits(128), version=4)

    event.listen(session, "before_flush", assign)
    try:
        yield
    finally:
        event.remove(session, "before_flush", assign)
