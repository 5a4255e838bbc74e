"""What happened in an episode: kind, circumstances, reporting, police grades, where found.

Plain decisions from the demo's random source and what the ward knew; the
service calls that record them are in ``grabpack.demo.episodes``.
"""

from __future__ import annotations

import random
from datetime import datetime

from grabpack.demo.chance import between, minutes, pick
from grabpack.demo.data.episode_texts import (
    CHECK_RATES,
    CIRCUMSTANCES,
    FOUND,
    FOUND_BY,
    HARM,
    LAST_SEEN,
    MONTHS,
    POLICE_GRADES,
)
from grabpack.demo.data.london import PARKS, STATIONS
from grabpack.demo.plans import Plan, PlannedEpisode
from grabpack.demo.profiles import outfit
from grabpack.domain.clock import LONDON
from grabpack.domain.mental_health_act import LegalStatus
from grabpack.models import EpisodeKind, PoliceRiskGrade
from grabpack.services.episodes import CHECKS, EpisodeClosing, EpisodeOpening

GRADES = list(PoliceRiskGrade)  # the APP continuum, lowest first


def kind_of(rng: random.Random, status: LegalStatus | None) -> tuple[EpisodeKind, str]:
    """(kind, scenario): missing if informal, AWOL if detained, now and then an escape."""
    if status is None or not status.detained:
        return EpisodeKind.MISSING, "missing"
    if status.part_iii and not status.restricted and rng.random() < 0.25:
        return EpisodeKind.ESCAPEE, "escapee"
    return EpisodeKind.AWOL, pick(rng, {"leave": 60, "absconded": 40})


def opening(
    rng: random.Random,
    episode: PlannedEpisode,
    kind: EpisodeKind,
    scenario: str,
    status: LegalStatus | None,
    opened: datetime,
) -> EpisodeOpening:
    """What the ward knows when it records the absence, before any police report."""
    noticed = episode.noticed_at
    due_back = (noticed - minutes(rng, 10, 45)).astimezone(LONDON)
    last_seen = noticed - minutes(rng, 10, 180)
    restricted = status is not None and status.restricted
    return EpisodeOpening(
        kind=kind.value,
        noticed_at=noticed,
        last_seen_at=last_seen if rng.random() < 0.97 else None,
        last_seen_place=rng.choice(LAST_SEEN[scenario]),
        clothing=outfit(rng),
        circumstances=rng.choice(CIRCUMSTANCES[scenario]).format(time=f"{due_back:%H:%M}"),
        checks={key: rng.random() < CHECK_RATES[key] for key in CHECKS},
        s18_expiry_stated=status is not None and status.detained and rng.random() < 0.85,
        # A restricted patient's absence is told to the Ministry of Justice at once.
        moj_notified_at=between(rng, noticed, opened) if restricted else None,
    )


def reported_at(
    rng: random.Random, episode: PlannedEpisode, kind: EpisodeKind, risk: str, now: datetime
) -> datetime | None:
    """Mostly within the hour; some hours late; a few low-risk ones never reported."""
    noticed, returned = episode.noticed_at, episode.returned_at
    if returned is None:  # open now: reported, and not in the future
        age = int((now - noticed).total_seconds() // 60)
        return noticed + minutes(rng, 3, max(4, min(50, age - 2)))
    never = kind is EpisodeKind.MISSING and risk == "low" and rng.random() < 0.35
    if never or rng.random() < 0.03:
        return None
    band = rng.random()
    low, high = (3, 59) if band < 0.82 else (60, 119) if band < 0.9 else (120, 360)
    reported = min(noticed + minutes(rng, low, high), returned)
    if reported >= returned:
        reported = noticed + (returned - noticed) / 2
    return reported.replace(microsecond=0)


def police_reference(rng: random.Random, reported: datetime) -> str:
    """Like a Met CAD reference: number, then the day it was raised (London time)."""
    local = reported.astimezone(LONDON)
    month = MONTHS[local.month - 1]
    return f"CAD {rng.randint(1000, 9999)}/{local.day:02d}{month}{local.year % 100:02d}"


def first_grade(
    rng: random.Random, episode: PlannedEpisode, reported: datetime | None, risk: str
) -> str | None:
    """Police grade most reports at once; some open ones are still being assessed."""
    if reported is None or (episode.returned_at is None and rng.random() >= 0.8):
        return None
    return PoliceRiskGrade(pick(rng, POLICE_GRADES[risk])).value


def next_grade(rng: random.Random, grade: str) -> str:
    """One step along the continuum, up more often than down; the ends can only turn back."""
    index = GRADES.index(PoliceRiskGrade(grade))
    step = 1 if rng.random() < 0.6 else -1
    if not 0 <= index + step < len(GRADES):
        step = -step
    return GRADES[index + step].value


def closing(
    rng: random.Random, plan: Plan, returned: datetime, interview: datetime | None
) -> EpisodeClosing:
    """Where and by whom the patient was found, with the service's own keys."""
    found_by = pick(rng, FOUND_BY)
    _, category, place = rng.choice([row for row in FOUND if row[0] == found_by])
    area = plan.ward.area
    found_place = place.format(
        park=rng.choice(PARKS[area]), station=rng.choice(STATIONS[area]),
        home=plan.profile["identity"]["home_address"],
    )[:500]  # fmt: skip
    return EpisodeClosing(
        returned_at=returned,
        found_category=category,
        found_place=found_place,
        found_by=found_by,
        harm_while_missing=rng.choice(HARM) if rng.random() < 0.12 else "",
        prevention_interview_at=interview,
    )
