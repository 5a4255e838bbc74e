"""The order the demo is built in: organisations and staff, then plans, then each
patient's year written through the real services in time order."""

from __future__ import annotations

from functools import partial

from grabpack.demo.context import Demo
from grabpack.demo.episodes import EpisodeHistory, seeded_episode_ids
from grabpack.demo.organisations import DemoLogin, add_organisations, add_users
from grabpack.demo.packs import PackHistory
from grabpack.demo.patients import plan_patients
from grabpack.demo.plans import Plan
from grabpack.demo.timeline import Timeline
from grabpack.demo.timing import plan_closes, plan_episodes
from grabpack.extensions import db


def build(demo: Demo) -> list[DemoLogin]:
    """Write the whole dataset into the session (flushed, not committed); return the logins."""
    add_organisations(demo)
    logins = add_users(demo)
    plans = plan_patients(demo)
    for plan in plans:
        plan_episodes(demo, plan)
    for plan in plans:  # a second pass keeps every patient's absences as the seed gave them
        plan_closes(demo, plan)
    db.session.add_all([plan.patient for plan in plans])
    db.session.flush()
    with seeded_episode_ids(demo):
        for plan in plans:
            write_history(demo, plan)
            plan.patient.discharged_at = plan.discharged  # last: a discharged pack is read-only
    db.session.flush()
    return logins


def write_history(demo: Demo, plan: Plan) -> None:
    """The patient's pack versions and episodes, each written when its time comes."""
    timeline = Timeline()
    pack = PackHistory(demo, plan) if plan.state != "none" else None
    if pack is not None:
        for index, (at, _) in enumerate(pack.events):
            timeline.add(at, partial(_save, pack, timeline, index), save=True)
    EpisodeHistory(demo, plan, timeline, pack).schedule()
    timeline.run()


def _save(pack: PackHistory, timeline: Timeline, index: int) -> None:
    """One planned save, and the review it calls for when it made the pack due at once."""
    review_at = pack.save(index)
    if review_at is not None:
        timeline.add(review_at, partial(pack.review, review_at), save=True)
