"""When each pack was saved and why: first save, legal and risk changes, edits, reviews.

Only times are decided here; ``grabpack.demo.packs`` writes the versions. The
last planned save sets the pack's state: within the review period for complete
and draft packs (and after the last episode closed, which makes a pack due),
long before for overdue ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from grabpack.demo.chance import between, pick
from grabpack.demo.context import Demo
from grabpack.demo.data.pack_texts import EDITS
from grabpack.demo.plans import Plan

HOUR = timedelta(hours=1)
TRIGGERS = ("legal", "risk")  # saves that make a pack due for review at once
MAX_OPTIONAL = 6  # ordinary saves kept beside the triggering ones


def plan_risk_change(demo: Demo, plan: Plan) -> None:
    """Repeat absences raise the category to high; a few others move up or down."""
    rng = demo.rng
    closed = plan.closed_episodes
    if (
        plan.episode_mode == "repeat"
        and plan.risk != "high"
        and len(closed) >= 3
        and rng.random() < 0.6
    ):
        plan.risk_change = (closed[2].returned_at + timedelta(hours=rng.randint(4, 30)), "high")
    elif rng.random() < 0.1:
        to = {"low": "medium", "medium": rng.choice(("low", "high")), "high": "medium"}
        plan.risk_change = (between(rng, plan.admitted, demo.now), to[plan.risk])


def version_events(demo: Demo, plan: Plan) -> list[tuple[datetime, str]]:
    """(time, why) for every planned save, oldest first, no two at the same second."""
    rng = demo.rng
    last = min(demo.now, plan.end) - timedelta(minutes=10)
    final, cap = _final_save(demo, plan, last)
    first = max(
        plan.admitted + timedelta(hours=rng.randint(2, 72)),
        demo.now - timedelta(days=rng.randint(330, 400)),
    )
    if plan.state == "draft" and rng.random() < 0.6:
        first = final
    legal = _legal_events(demo, plan)
    if first < final - HOUR:
        kept = _kept_between(demo, plan, legal, first, final)
        final_kind = "review" if rng.random() < 0.5 else rng.choice(EDITS[:3])
        planned = [(first, "initial"), *kept, (final, final_kind)]
    else:
        planned = [(final, "initial")]
    # The MHA office records a change of section even on a pack nobody else keeps up
    # (on an overdue pack it makes the pack due that day, so it stays overdue).
    tail_cap = last if plan.state != "overdue" else min(last, demo.now - timedelta(days=2))
    planned += sorted((at, what) for at, what in legal if final < at <= tail_cap)
    events: list[tuple[datetime, str]] = []
    for at, what in planned:
        at = (min(at, cap) if what != "legal" else at).replace(microsecond=0)
        if not events or at > events[-1][0]:
            events.append((at, what))
    return events


def _final_save(demo: Demo, plan: Plan, last: datetime) -> tuple[datetime, datetime]:
    """(the last planned ordinary save, the latest an ordinary save may be)."""
    now, hour = demo.now, HOUR
    if plan.state in ("complete", "draft"):
        risks = (plan.risk, plan.risk_change[1] if plan.risk_change else plan.risk)
        low = now - timedelta(days=period(demo, *risks) - 1)
        closes = [e.closed_at + hour for e in plan.closed_episodes if e.closed_at]
        low = max([low, plan.admitted + hour, *closes])
        return between(demo.rng, min(low, last), last), last
    longest = max(demo.policy.high_risk_days, demo.policy.other_days)
    cap = min(last, now - timedelta(days=longest + 1))
    low = max(plan.admitted + hour, now - timedelta(days=150))
    return between(demo.rng, min(low, cap), cap), cap


def period(demo: Demo, *risks: str) -> int:
    """Days between reviews for a pack whose category is, or was, any of these."""
    policy = demo.policy
    days = [policy.high_risk_days if risk == "high" else policy.other_days for risk in risks]
    return max(1, min(days))


def _legal_events(demo: Demo, plan: Plan) -> list[tuple[datetime, str]]:
    """Each change of section is saved within hours of it."""
    rng = demo.rng
    return [(at + timedelta(hours=rng.randint(1, 20)), "legal") for at, _ in plan.legal[1:]]


def _kept_between(
    demo: Demo,
    plan: Plan,
    legal: list[tuple[datetime, str]],
    first: datetime,
    final: datetime,
) -> list[tuple[datetime, str]]:
    """The saves between the first and the last: every trigger, a few ordinary ones."""
    rng = demo.rng
    middle = legal + (
        [(between(rng, first, final), "draft_more")]
        if plan.state == "draft"
        else _middle_events(demo, plan, first, final)
    )
    middle = [(at, what) for at, what in middle if first < at < final]
    changes = [e for e in middle if e[1] in TRIGGERS]
    others = [e for e in middle if e[1] not in TRIGGERS]
    room = max(0, MAX_OPTIONAL - len(changes))
    return sorted(changes + rng.sample(others, min(len(others), room)))


def _middle_events(
    demo: Demo, plan: Plan, first: datetime, final: datetime
) -> list[tuple[datetime, str]]:
    """A risk change, ordinary edits, reviews before absences, a new photo in time."""
    rng = demo.rng
    middle = [(plan.risk_change[0], "risk")] if plan.risk_change else []
    count = int(pick(rng, {"0": 35, "1": 35, "2": 20, "3": 10}))
    middle += [(between(rng, first, final), edit) for edit in rng.sample(EDITS, count)]
    closes = [e.closed_at for e in plan.closed_episodes if e.closed_at]
    if closes and rng.random() < 0.5:
        middle.append((closes[0] + timedelta(hours=rng.randint(2, 30)), "review"))
    # Most wards keep the packs of patients who go missing in date...
    days = period(demo, plan.risk)
    for episode in plan.episodes:
        if rng.random() < 0.7:
            reviewed = episode.noticed_at - timedelta(days=rng.uniform(0.5, max(1, days - 1)))
            middle.append((reviewed, "review"))
    # ...and take a new photo before the old one goes stale.
    stale = demo.policy.photo_stale_days
    if final - first > timedelta(days=stale - 3) and rng.random() < 0.75:
        refresh = rng.randint(stale * 2 // 3, max(stale * 2 // 3, stale - 5))
        middle.append((first + timedelta(days=refresh), "photo"))
    return middle
