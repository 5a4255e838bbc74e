"""What happened in an episode: how the patient went, its kind, circumstances, reporting,
police grades, where found.

Plain decisions from the demo's random source and what the ward knew, as values
keyed by the episode's declaration (``grabpack.domain.episode_schema``); the
service calls that record them are in ``grabpack.demo.episodes``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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
from grabpack.demo.legal import may_have_leave
from grabpack.demo.plans import Plan, PlannedEpisode
from grabpack.demo.profiles import outfit
from grabpack.domain.clock import LONDON
from grabpack.domain.episode_schema import (
    CHECKS,
    LEGAL_FIELDS,
    EpisodeKind,
    PoliceRiskGrade,
    expected_kinds,
)
from grabpack.domain.mental_health_act import RetakeRule, legal_status
from grabpack.domain.retake import LegalFacts, RetakePower, absence_began, power_to_retake

GRADES = list(PoliceRiskGrade)  # the APP continuum, lowest first
NOT_DETAINED = (RetakeRule.NOT_DETAINED, RetakeRule.NOT_RECALLED)


@dataclass(frozen=True)
class Going:
    """How the patient went: the kind of absence, the scenario its texts come from, the
    times the absence is counted from, and the power to retake they give."""

    kind: EpisodeKind
    scenario: str  # leave, absconded, escapee or missing
    last_seen_at: datetime
    leave_due_back_at: datetime | None
    power: RetakePower


def going(rng: random.Random, noticed: datetime, legal: LegalFacts) -> Going:
    """How the patient went, and a kind that agrees with the legal position the ward gives:
    AWOL (now and then an escape) where there is a power to take them back, missing where
    there is none, and for a position not known, as the status suggests."""
    status = legal_status(legal.legal_status)
    if status is None or status.rule in NOT_DETAINED:
        shape = "missing"
    elif status.part_iii and not status.restricted and rng.random() < 0.25:
        shape = "escapee"
    elif may_have_leave(status):
        shape = pick(rng, {"leave": 60, "absconded": 40})
    else:
        shape = "absconded"
    due_back = None
    if shape == "leave":  # left on leave, and the absence began when it ended
        due_back = noticed - minutes(rng, 10, 45)
        last_seen = due_back - minutes(rng, 45, 120)
    elif shape == "escapee":
        last_seen = noticed - minutes(rng, 5, 30)
    else:
        last_seen = noticed - minutes(rng, 10, 180)
    power = power_to_retake(legal, absence_began(last_seen, due_back))
    expected = expected_kinds(power)
    if shape == "escapee" and EpisodeKind.ESCAPEE in expected:
        kind = EpisodeKind.ESCAPEE
    elif shape != "missing" and EpisodeKind.AWOL in expected:
        kind = EpisodeKind.AWOL
    else:
        kind, shape = EpisodeKind.MISSING, "missing"
    return Going(kind, shape, last_seen, due_back, power)


def opening(
    rng: random.Random,
    noticed: datetime,
    went: Going,
    legal: LegalFacts,
    moj_notified_at: datetime | None,
) -> dict[str, Any]:
    """What the ward records when it reports the absence, before any police report."""
    told_when = went.leave_due_back_at or noticed - minutes(rng, 10, 45)
    return {
        "kind": went.kind.value,
        "noticed_at": noticed,
        "last_seen_at": went.last_seen_at,
        "last_seen_place": rng.choice(LAST_SEEN[went.scenario]),
        "leave_due_back_at": went.leave_due_back_at,
        "clothing": outfit(rng),
        "circumstances": rng.choice(CIRCUMSTANCES[went.scenario]).format(
            time=f"{told_when.astimezone(LONDON):%H:%M}"
        ),
        **{field.key: rng.random() < CHECK_RATES[field.key] for field in CHECKS},
        **legal_values(legal),
        "s18_expiry_stated": went.power.limit_to_state and rng.random() < 0.85,
        "moj_notified_at": moj_notified_at,
    }


def legal_values(legal: LegalFacts) -> dict[str, Any]:
    """The legal facts as the episode's values, by the declared keys."""
    return {field.key: getattr(legal, field.key) for field in LEGAL_FIELDS}


def moj_told(
    rng: random.Random, noticed: datetime, opened: datetime, end: datetime
) -> tuple[datetime | None, datetime | None]:
    """(told by the time the absence is reported, told later): a restricted patient's absence
    is mostly told to the Ministry of Justice at once, sometimes late, now and then never."""
    chance = rng.random()
    if chance < 0.75:
        return between(rng, noticed, opened).replace(microsecond=0), None
    later = (noticed + minutes(rng, 61, 240)).replace(microsecond=0)
    if chance < 0.9 and later < end - timedelta(minutes=1):
        return None, later
    return None, None


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


def police_report(rng: random.Random, reported: datetime, grade: str | None) -> dict[str, Any]:
    """The police report as the episode's values: when, the reference, the first grade."""
    return {
        "reported_at": reported,
        "police_reference": police_reference(rng, reported),
        "police_risk_grade": grade,
    }


def first_grade(
    rng: random.Random, episode: PlannedEpisode, reported: datetime | None, risk: str
) -> str | None:
    """Police grade most reports at once; some open ones are still being assessed."""
    if reported is None or (episode.returned_at is None and rng.random() >= 0.8):
        return None
    return pick(rng, POLICE_GRADES[risk]).value


def next_grade(rng: random.Random, grade: str) -> str:
    """One step along the continuum, up more often than down; the ends can only turn back."""
    index = GRADES.index(PoliceRiskGrade(grade))
    step = 1 if rng.random() < 0.6 else -1
    if not 0 <= index + step < len(GRADES):
        step = -step
    return GRADES[index + step].value


def closing(
    rng: random.Random, plan: Plan, returned: datetime, interview: datetime | None
) -> dict[str, Any]:
    """Where and by whom the patient was found, as the episode's values."""
    found_by = pick(rng, FOUND_BY)
    _, category, place = rng.choice([row for row in FOUND if row[0] == found_by])
    area = plan.ward.area
    found_place = place.format(
        park=rng.choice(PARKS[area]), station=rng.choice(STATIONS[area]),
        home=plan.profile["identity"]["home_address"],
    )[:500]  # fmt: skip
    return {
        "returned_at": returned,
        "found_category": category.value,
        "found_place": found_place,
        "found_by": found_by.value,
        "harm_while_missing": rng.choice(HARM) if rng.random() < 0.12 else "",
        "prevention_interview_at": interview,
    }
