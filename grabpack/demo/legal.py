"""Legal status: how a patient's section moves over the stay, what the MHA office knows
of it at any moment, the pack's legal section, and what the ward tells police.

The episode service works out the power to retake from the facts the ward gives,
so the facts here are counted as the Act counts them (``grabpack.domain.retake``):
a period *beginning with* a day includes that day, and the pack's "Current period
ends" is its last day, renewals applied. A section moves on before its period
runs out (an s2 within its 28 days, a remand within its term), so no pack
records a section that has already ended.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, time, timedelta

from grabpack.demo.chance import minutes, pick
from grabpack.demo.context import Demo
from grabpack.demo.plans import Plan, PlannedEpisode
from grabpack.domain.clock import LONDON, time_text
from grabpack.domain.mental_health_act import LegalStatus, RetakeRule, legal_status
from grabpack.domain.retake import (
    SIX_MONTHS,
    LegalFacts,
    end_of_london_day,
    last_day_of_days,
    last_day_of_months,
)

HOLDING_POWERS = ("s5_4", "s5_2", "s4")
# A remand or interim order's term in days, beginning with the day of the order; the
# court renews or decides before it runs out.
REMAND_DAYS = {"s35": 28, "s36": 28, "s38": 84}
# A treatment order (s3, s37) or a CTO: six months, renewed for six, then a year at a
# time (s20(2), s20A(3)).
RENEWAL_MONTHS = (SIX_MONTHS, SIX_MONTHS, 12)
HOLDING_SHARE = 0.25  # informal stays in which the patient is once held to stop them leaving
DATE_FACTS = tuple(f.name for f in dataclasses.fields(LegalFacts) if f.name != "legal_status")
S17_CONDITIONS = {
    "none": "",
    "escorted": "Escorted by two staff in the grounds, up to 1 hour.",
    "unescorted": "Unescorted to local shops, 1 hour twice daily; back by 8pm; no alcohol.",
}


# --- how the legal status moves --------------------------------------------------------


def legal_timeline(
    demo: Demo,
    plan: Plan,
    begun: list[tuple[datetime, str]] | None = None,
    unchanged_until: datetime | None = None,
) -> list[tuple[datetime, str]]:
    """How the patient's legal status moved since admission: s2 to s3, remand to order,
    an informal patient held under s5(2)... ``begun``: how it began, if already decided
    (a story's), to carry on from; nothing changes before ``unchanged_until``."""
    if begun is None:
        weights = dict(plan.kind.legal)
        if demo.now - plan.admitted > timedelta(days=3):  # holding powers last hours, not days
            for key in HOLDING_POWERS:
                weights.pop(key, None)
        begun = [(plan.admitted, pick(demo.rng, weights))]
        if begun[0][1] == "cto_17e":
            plan.cto_began = cto_began(demo.rng, plan.admitted)
    timeline = list(begun)
    key = timeline[-1][1]
    held = any(status in HOLDING_POWERS for _, status in timeline)
    while (step := _next_status(demo, key, _since(timeline, unchanged_until), held)) is not None:
        at, key = step[0].replace(microsecond=0), step[1]
        if at >= min(demo.now, plan.end):
            break
        held = held or key in HOLDING_POWERS
        timeline.append((at, key))
    return timeline


def _next_status(demo: Demo, key: str, since: datetime, held: bool) -> tuple[datetime, str] | None:
    """When ``key`` gives way and to what; None when it is where the stay settles.

    Every section moves on within its own period: a holding power within its hours,
    an s2 on or before the last of its 28 days, a remand within its term.
    """
    rng = demo.rng
    if key == "s5_4":  # the doctor arrives within the nurse's 6 hours
        return since + minutes(rng, 90, 300), "s5_2"
    if key in ("s5_2", "s4"):
        after = pick(rng, {"s2": 75, "s3": 15, "informal": 10})
        return since + minutes(rng, 20 * 60, 70 * 60), after
    if key == "s2":
        after = pick(rng, {"s3": 82, "informal": 18})
        return _within(rng, since, 28, rng.randint(14, 27)), after
    if key == "cto_17e":  # recall lasts 72 hours, then the CTO is revoked
        return since + minutes(rng, 24 * 60, 70 * 60), "s3"
    if key in REMAND_DAYS:
        days = rng.randint(14, 27) if key != "s38" else rng.randint(28, 83)
        return _within(rng, since, REMAND_DAYS[key], days), pick(rng, {"s37": 55, "s37_41": 45})
    if key == "s3" and rng.random() < 0.05:
        return since + timedelta(days=rng.randint(60, 200)), "informal"
    if key == "informal" and not held and rng.random() < HOLDING_SHARE:
        later = since + timedelta(days=rng.randint(2, 120), minutes=rng.randint(0, 1439))
        return later, pick(rng, {"s5_2": 80, "s5_4": 20})
    return None


def _counted_from(timeline: list[tuple[datetime, str]]) -> datetime:
    """When the status the timeline has reached is counted from: when it began, but an s4
    made an s2 by the second medical recommendation counts from the s4 admission (s4(4))."""
    since, key = timeline[-1]
    if key == "s2" and len(timeline) > 1 and timeline[-2][1] == "s4":
        return timeline[-2][0]
    return since


def _since(timeline: list[tuple[datetime, str]], unchanged_until: datetime | None) -> datetime:
    """What the next change is counted from: the last status's start, or a later moment
    before which nothing may change."""
    since = _counted_from(timeline)
    return max(since, unchanged_until) if unchanged_until else since


def _within(rng: random.Random, since: datetime, days: int, after_days: int) -> datetime:
    """``after_days`` into a period of ``days`` beginning with ``since``'s day, and before
    its last day ends."""
    latest = end_of_london_day(last_day_of_days(_day(since), days)) - minutes(rng, 60, 600)
    return min(since + timedelta(days=after_days, hours=rng.randint(0, 8)), latest)


def cto_began(rng: random.Random, recalled: datetime) -> date:
    """When the CTO a recalled patient is on was made: months or years before the recall."""
    return _day(recalled) - timedelta(days=rng.randint(90, 900))


# --- what is known of it ----------------------------------------------------------------


def period_end(first_day: date, on: date) -> date:
    """The last day of the period in force on ``on`` of an order (s3, s37, a CTO) that
    began on ``first_day``, renewed as often as it has needed to be."""
    end = last_day_of_months(first_day, RENEWAL_MONTHS[0])
    renewals = 1
    while end < on:
        months = RENEWAL_MONTHS[min(renewals, len(RENEWAL_MONTHS) - 1)]
        end = last_day_of_months(end + timedelta(days=1), months)
        renewals += 1
    return end


def legal_facts_at(plan: Plan, at: datetime) -> LegalFacts:
    """The legal position at ``at`` as the MHA office knows it: the status, when it
    began (to the minute for an hour power), the last day of its current period, and
    for a recalled CTO the recall and the CTO's own dates."""
    so_far = [entry for entry in plan.legal if entry[0] <= at] or plan.legal[:1]
    key = so_far[-1][1]
    status = legal_status(key)
    if status is None or not _has_dates(status):
        return LegalFacts(key)
    began = _counted_from(so_far).astimezone(LONDON)
    start, on = began.date(), _day(at)
    recalled = ends = None
    if status.rule is RetakeRule.DAYS_FROM_START:
        ends = last_day_of_days(start, status.days)
    elif key in REMAND_DAYS:
        ends = last_day_of_days(start, REMAND_DAYS[key])
    elif key == "cto_17e":  # the CTO's period goes on while the patient is recalled
        assert plan.cto_began is not None, "a recalled CTO patient's plan says when the CTO began"
        recalled, start = start, plan.cto_began
        ends = period_end(start, on)
    elif status.rule is RetakeRule.SIX_MONTHS_OR_PERIOD_END:
        ends = period_end(start, on)
    clock = time(began.hour, began.minute) if status.needs_start_time else None
    return LegalFacts(key, start, clock, ends, recalled)


def _has_dates(status: LegalStatus) -> bool:
    return status.rule not in (RetakeRule.NOT_DETAINED, RetakeRule.NOT_RECALLED)


def _day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def may_have_leave(status: LegalStatus | None) -> bool:
    """Section 17 leave: not under a holding power, a remand or a 72-hour recall."""
    leave_rules = (
        RetakeRule.DAYS_FROM_START,
        RetakeRule.SIX_MONTHS_OR_PERIOD_END,
        RetakeRule.RESTRICTED,
    )
    return status is not None and status.rule in leave_rules and status.key != "cto_17e"


def legal_section(plan: Plan, at: datetime) -> dict:
    """The pack's legal section as it should read at ``at``."""
    facts = legal_facts_at(plan, at)
    status = legal_status(facts.legal_status)
    if status is None or not _has_dates(status):
        return {"legal_status": facts.legal_status}
    leave = "escorted" if status.restricted else plan.s17_leave
    leave = leave if may_have_leave(status) else "none"
    moj = f"MOJ/SYN/{plan.patient.id.int % 90_000 + 10_000}" if status.restricted else ""
    return {
        "legal_status": facts.legal_status,
        "section_start_on": _iso(facts.section_start_on),
        "section_start_time": time_text(facts.section_start_time),
        "section_expires_on": _iso(facts.period_ends_on),
        "cto_recalled_on": _iso(facts.cto_recalled_on),
        "moj_reference": moj,
        "s17_leave": leave,
        "s17_conditions": S17_CONDITIONS[leave],
    }


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


# --- what the ward tells police ---------------------------------------------------------


def out_of_date(pack: LegalFacts, now_known: LegalFacts) -> bool:
    """Whether what the pack says has been overtaken: another status, another section,
    a period renewed since. A fact the pack leaves blank is not out of date."""
    return pack.legal_status != now_known.legal_status or any(
        getattr(pack, key) not in (None, getattr(now_known, key)) for key in DATE_FACTS
    )


def ward_statement(
    rng: random.Random,
    plan: Plan,
    episode: PlannedEpisode,
    pack: LegalFacts | None,
    at: datetime,
) -> LegalFacts:
    """The legal position the ward gives when it reports the absence at ``at``.

    The form starts from the pack (``pack``; None without one). The ward keeps it
    unless it is out of date, and then gives the position as the MHA office knows it
    now (the pack becomes due for review). What the pack leaves blank the ward does
    not know either. Without a pack the ward mostly knows the status and its dates,
    but not always the end of a renewed section, and now and then nothing at all.
    """
    known = legal_facts_at(plan, at)
    if pack is not None:
        return known if out_of_date(pack, known) else pack
    if episode.story == "not_known":
        return dataclasses.replace(known, period_ends_on=None)
    if episode.story:
        return known
    chance = rng.random()
    if chance < 0.05:
        return LegalFacts()
    if chance < 0.25:
        return dataclasses.replace(known, period_ends_on=None)
    return known
