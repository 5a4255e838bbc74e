"""Who is on the wards: names, admissions, and the pack state and fate planned for each.

The mix of pack states (none, draft, complete, overdue), discharges, open
episodes and legal stories is fixed here, before any history is written, so that
it holds exactly.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from grabpack.demo.chance import pick
from grabpack.demo.context import Demo
from grabpack.demo.data.clinical import KINDS
from grabpack.demo.data.london import AREAS, WARDS, WardSpec
from grabpack.demo.data.people import (
    FAMILY_NAME_FIRST,
    FORCED_NAMES,
    HERITAGES,
    HERITAGES_BY_KEY,
    Heritage,
    name_part,
)
from grabpack.demo.legal import legal_timeline
from grabpack.demo.plans import Plan
from grabpack.demo.profiles import profile
from grabpack.demo.stories import assign_stories, story_timeline
from grabpack.models import Patient

STATE_SHARES = {"none": 0.10, "draft": 0.20, "overdue": 0.15}  # the rest are complete
DISCHARGED_SHARE = 0.15


def plan_patients(demo: Demo) -> list[Plan]:
    """Every patient, spread over the wards, with their state, legal story and pack content."""
    plans: list[Plan] = []
    every = max(1, demo.patient_count // (len(FORCED_NAMES) + 1))
    for spec, count in _ward_counts(demo.patient_count):
        for position in range(count):
            index = len(plans)
            forced = None
            if index % every == 0 and index // every < len(FORCED_NAMES):
                forced = FORCED_NAMES[index // every]
            spike = spec.busy and position < 3 and count >= 6
            plans.append(_plan_patient(demo, spec, forced, spike))
    _assign_states(demo, plans)
    _assign_discharges(demo, plans)
    _assign_open_episodes(demo, plans)
    assign_stories(demo, plans)
    for plan in plans:
        _fill_in(demo, plan)
    return plans


def _ward_counts(patient_count: int) -> list[tuple[WardSpec, int]]:
    """Patients per ward in proportion to its size, at least one each, summing exactly."""
    weights = [KINDS[w.kind].size + (4 if w.busy else 0) for w in WARDS]
    raw = [patient_count * w / sum(weights) for w in weights]
    counts = [max(1, int(r)) for r in raw]
    by_remainder = sorted(range(len(WARDS)), key=lambda i: int(raw[i]) - raw[i])
    for step in range(patient_count - sum(counts)):
        counts[by_remainder[step % len(WARDS)]] += 1
    while sum(counts) > patient_count:
        counts[counts.index(max(counts))] -= 1
    return list(zip(WARDS, counts, strict=True))


def _plan_patient(demo: Demo, spec: WardSpec, forced: tuple | None, spike: bool) -> Plan:
    """A name (a forced one shows a script every run should have) and an admission."""
    rng = demo.rng
    heritage, gender, given, family, native = (
        _forced_name(forced) if forced is not None else _random_name(demo)
    )
    given_written, given_latin = name_part(given, gender)
    family_written, family_latin = name_part(family, gender)
    latin = f"{given_latin} {family_latin}"
    written = f"{given_written} {family_written}"
    if heritage.key in FAMILY_NAME_FIRST:
        written = f"{family_written}{given_written}"
    full_name, alias = (written, latin) if native else (latin, "")
    if not native and written != latin:
        alias = written
    admitted = demo.now - timedelta(days=_days_on_ward(demo, spec, spike))
    admitted -= timedelta(seconds=rng.randint(0, 86_399))
    patient = Patient(
        id=uuid.UUID(int=rng.getrandbits(128), version=4), full_name=full_name,
        ward=demo.wards[spec.code], admitted_at=admitted, created_at=admitted,
    )  # fmt: skip
    return Plan(patient, spec, heritage, gender, latin, alias, admitted, spike)


def _forced_name(forced: tuple) -> tuple[Heritage, str, str, str, bool]:
    heritage, gender = HERITAGES_BY_KEY[forced[0]], forced[1]
    pool = heritage.men if gender == "Male" else heritage.women
    given = next(entry for entry in pool if name_part(entry, gender)[1] == forced[2])
    family = next(e for e in heritage.surnames if name_part(e, gender)[1] == forced[3])
    return heritage, gender, given, family, forced[4] == "yes"


def _random_name(demo: Demo) -> tuple[Heritage, str, str, str, bool]:
    rng = demo.rng
    heritage = rng.choices(HERITAGES, weights=[h.weight for h in HERITAGES])[0]
    gender = pick(rng, {"Male": 55, "Female": 43, "Non-binary": 2})
    pool = {"Male": heritage.men, "Female": heritage.women}.get(gender)
    given = rng.choice(pool or heritage.men + heritage.women)
    family = rng.choice(heritage.surnames)
    return heritage, gender, given, family, rng.random() < heritage.native_share


def _days_on_ward(demo: Demo, spec: WardSpec, spike: bool) -> int:
    """A busy ward's repeat patients have been there long enough for their month of episodes."""
    if spike:
        return demo.rng.randint(300, 700)
    stays = KINDS[spec.kind].stays
    _, low, high = demo.rng.choices(stays, weights=[stay[0] for stay in stays])[0]
    return demo.rng.randint(low, high)


def _assign_states(demo: Demo, plans: list[Plan]) -> None:
    """Exactly the mix we want: 10% no pack, 20% draft, 15% overdue, the rest complete."""
    rng, now = demo.rng, demo.now
    quota = {state: round(len(plans) * share) for state, share in STATE_SHARES.items()}
    pool = list(plans)
    rng.shuffle(pool)
    # Drafts are mostly packs started on a recent admission.
    recent = [p for p in pool if now - p.admitted <= timedelta(days=25) and not p.spike]
    for plan in (recent + [p for p in pool if p not in recent])[: quota["draft"]]:
        plan.state = "draft"
    settled = [p for p in pool if p.state == "complete" and now - p.admitted > timedelta(40)]
    for plan in settled[: quota["overdue"]]:
        plan.state = "overdue"
    for plan in [p for p in pool if p.state == "complete"][: quota["none"]]:
        plan.state = "none"


def _assign_discharges(demo: Demo, plans: list[Plan]) -> None:
    """About one in seven went home during the year; their episodes fill the earlier months."""
    rng, now = demo.rng, demo.now
    eligible = [p for p in plans if not p.spike and p.state != "draft"]
    rng.shuffle(eligible)
    for plan in eligible[: max(1, round(len(plans) * DISCHARGED_SHARE))]:
        plan.discharged = now - timedelta(days=rng.randint(20, 330), seconds=rng.randint(0, 86_399))
        plan.admitted = plan.discharged - timedelta(days=rng.randint(25, 160))
        plan.patient.admitted_at = plan.patient.created_at = plan.admitted


def _assign_open_episodes(demo: Demo, plans: list[Plan]) -> None:
    """At least one episode open now in every policing area, and a few more."""
    rng = demo.rng
    chosen: list[Plan] = []
    for area in AREAS:
        here = [p for p in plans if p.ward.area == area and p.discharged is None]
        likely = [p for p in here if p.ward.kind in ("acute", "picu") and p.state != "none"]
        chosen.append(rng.choice(likely or here))
    others = [p for p in plans if p.discharged is None and p not in chosen]
    chosen += rng.sample(others, min(len(others), rng.randint(1, 3)))
    for plan in chosen:
        plan.open_episode = True


def _fill_in(demo: Demo, plan: Plan) -> None:
    """Legal timeline, risk category, leave and the full pack content."""
    rng = demo.rng
    plan.legal = story_timeline(demo, plan) if plan.story else legal_timeline(demo, plan)
    plan.risk = pick(rng, plan.kind.risk)
    plan.s17_leave = pick(rng, {"none": 35, "escorted": 35, "unescorted": 30})
    plan.profile = profile(demo, plan)
    identity = plan.profile["identity"]
    plan.patient.date_of_birth = date.fromisoformat(identity["date_of_birth"])
    plan.patient.nhs_number = identity["nhs_number"] or None
