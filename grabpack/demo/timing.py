"""When each patient went missing, came back, and the ward closed the episode.

Skewed as real episodes are: most patients never or once, a
minority in repeat clusters, and each busy ward a month of ten or more.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from grabpack.demo.chance import at_hour, between, minutes, pick
from grabpack.demo.context import Demo
from grabpack.demo.data.london import SPIKE_MONTHS_BACK
from grabpack.demo.plans import Plan, PlannedEpisode

YEAR = timedelta(days=365)
GAP = timedelta(hours=1)  # the least time back on the ward between two absences
INTERVIEW_SHARE = 0.6  # episodes whose close waits for the police prevention interview
SPACE = timedelta(hours=36)  # no other absence this close after a busy month's or a story's
STORY_CLEAR = timedelta(days=8)  # nor this close before a story's (the longest absence, and more)


class Candidate(NamedTuple):
    """An absence that may be kept: when noticed, whether short, the story it shows."""

    noticed: datetime
    short: bool  # a busy month's and a story's absences last hours, not days
    story: str = ""


def plan_episodes(demo: Demo, plan: Plan) -> None:
    """The patient's episodes in the year: none, one, two, or a repeat cluster."""
    last = min(demo.now, plan.end)
    start = max(plan.admitted + timedelta(hours=6), demo.now - YEAR)
    end = last - timedelta(days=3)
    plan.episode_mode = _episode_mode(demo, plan, start, end)
    candidates = [
        Candidate(min(max(at, start), end), False) for at in _times(demo, plan, start, end)
    ]
    if plan.spike:
        spikes = _spike_times(demo, plan)
        candidates = [c for c in candidates if all(abs(c.noticed - s) > SPACE for s in spikes)]
        candidates += [Candidate(at, True) for at in spikes]
    if plan.story_at is not None:  # the story's absence, kept clear of the others
        story_at = plan.story_at
        candidates = [
            c for c in candidates if not story_at - STORY_CLEAR < c.noticed < story_at + SPACE
        ]
        candidates.append(Candidate(story_at, True, plan.story))
    candidates.sort()
    limit = last - timedelta(hours=2)
    if plan.open_episode:
        limit = min(limit, demo.now - timedelta(days=1))
    _add_closed(demo, plan, candidates, limit)
    if plan.open_episode:
        noticed = demo.now - minutes(demo.rng, 20, 300)
        plan.episodes.append(PlannedEpisode(noticed.replace(microsecond=0), None))


def _episode_mode(demo: Demo, plan: Plan, start: datetime, end: datetime) -> str:
    """The mix is for a whole year on the ward: a shorter stay has fewer chances."""
    exposure = max(0.0, (end - start).days / 365)
    scale = min(1.0, 0.2 + 1.6 * exposure)
    weights = {mode: w * (1 if mode == "none" else scale) for mode, w in plan.kind.episodes.items()}
    if plan.spike:  # their month of many episodes is their repeat cluster
        weights.pop("repeat")
    return pick(demo.rng, weights)


def _times(demo: Demo, plan: Plan, start: datetime, end: datetime) -> list[datetime]:
    """When the absences were noticed, before spacing them out."""
    rng = demo.rng
    if end <= start or plan.episode_mode == "none":
        return []
    if plan.episode_mode in ("one", "two"):
        return [_time_in(demo, start, end) for _ in range(1 + (plan.episode_mode == "two"))]
    cluster = min((end - start).days, rng.randint(20, 80))
    count = min(1 + cluster // 4, rng.randint(3, 7))
    begin = between(rng, start, end - timedelta(days=cluster))
    times = [
        at_hour(rng, begin + timedelta(days=offset))
        for offset in sorted(rng.sample(range(cluster + 1), count))
    ]
    return times + [_time_in(demo, start, end) for _ in range(rng.choice((0, 0, 1, 2)))]


def _add_closed(demo: Demo, plan: Plan, candidates: list[Candidate], limit: datetime) -> None:
    """Keep the candidates that fit: an hour back on the ward between absences, none too short."""
    for index, (noticed, short, story) in enumerate(candidates):
        previous = plan.episodes[-1].returned_at if plan.episodes else None
        if noticed >= limit or (previous and noticed < previous + GAP):
            continue
        following = candidates[index + 1].noticed if index + 1 < len(candidates) else limit
        returned = min(noticed + _duration(demo, short), min(following, limit) - GAP)
        if returned - noticed >= timedelta(minutes=20):
            returned = returned.replace(microsecond=0)
            plan.episodes.append(PlannedEpisode(noticed, returned, story=story))


def _spike_times(demo: Demo, plan: Plan) -> list[datetime]:
    """Four or five episodes in one month: with two other patients, a high-volume month."""
    year, month = demo.now.year, demo.now.month - SPIKE_MONTHS_BACK[plan.ward.code]
    while month < 1:
        year, month = year - 1, month + 12
    first = datetime(year, month, 1, tzinfo=UTC)
    days = sorted(demo.rng.sample(range(1, 26, 3), demo.rng.randint(4, 5)))
    return [at_hour(demo.rng, first + timedelta(days=day)) for day in days]


def _time_in(demo: Demo, start: datetime, end: datetime) -> datetime:
    return min(end, max(start, at_hour(demo.rng, between(demo.rng, start, end))))


def _duration(demo: Demo, short: bool) -> timedelta:
    """Mostly hours, sometimes days; a busy month's absences and a story's are short."""
    band = demo.rng.random()
    low, high = (0.5, 6) if band < 0.4 else (6, 24) if band < 0.75 else (24, 72)
    if band >= 0.95:
        low, high = 72, 160
    hours = demo.rng.uniform(low, high)
    return timedelta(hours=min(hours, 20) if short else hours)


def plan_closes(demo: Demo, plan: Plan) -> None:
    """Close minutes after the return, or after the prevention interview when that fits.

    The service records the interview only when it closes the episode, and refuses a
    second open episode, so a close that waits must still come before the next absence.
    """
    rng = demo.rng
    for index, episode in enumerate(plan.episodes):
        if episode.returned_at is None:
            continue
        following = plan.episodes[index + 1] if index + 1 < len(plan.episodes) else None
        latest = min(demo.now, plan.end) - GAP
        if following is not None:
            latest = following.noticed_at - timedelta(minutes=30)
        episode.closed_at = episode.returned_at + minutes(rng, 2, 20)
        if rng.random() < INTERVIEW_SHARE:
            interview = between(rng, episode.returned_at + GAP, episode.returned_at + 48 * GAP)
            closing = interview + minutes(rng, 5, 30)
            if closing <= latest:
                episode.closed_at, episode.interview_at = closing, interview
