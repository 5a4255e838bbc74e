"""Legal stories every demo shows: an absence for each answer police can be given.

Most legal positions come up by chance in a year of absences, but some are
narrow: a 72-hour holding power, the last days of a section 2, a recall from a
CTO, a section 3 into its yearly renewals, a remand. Like the forced names, a few
patients are given one of these stories and an absence that falls inside it;
everything else about them is as random as anyone's, and their episodes go
through the same services.

Each story picks a patient on a ward where it happens, moves the admission if the
story needs another one, and returns the legal timeline and when the absence was
noticed (``Plan.story_at``), always within the year and a week before ``now``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from grabpack.demo.chance import HOUR_WEIGHTS, between, minutes, pick
from grabpack.demo.context import Demo
from grabpack.demo.legal import REMAND_DAYS, cto_began, legal_timeline, period_end
from grabpack.demo.plans import Plan
from grabpack.domain.clock import LONDON
from grabpack.domain.retake import SIX_MONTHS, last_day_of_days, last_day_of_months

LegalTimeline = list[tuple[datetime, str]]
EARLIEST = timedelta(days=300)  # story absences: after the packs' first versions...
LATEST = timedelta(days=7)  # ...and closed well before now
OVER = timedelta(days=1)  # a story's absence is short: over within this of being noticed


@dataclass(frozen=True)
class Story:
    key: str
    wards: tuple[str, ...]  # the kinds of ward it happens on
    with_pack: bool  # a patient whose ward keeps a grab pack, or one without
    write: Callable[[Demo, Plan], LegalTimeline]


def assign_stories(demo: Demo, plans: list[Plan]) -> None:
    """One patient for each story, where the demo has one that fits."""
    for story in STORIES:
        fits = [
            plan
            for plan in plans
            if not plan.story
            and plan.ward.kind in story.wards
            and plan.discharged is None
            and not plan.spike
            and plan.state in (("complete", "overdue") if story.with_pack else ("none",))
        ]
        if fits:
            demo.rng.choice(fits).story = story.key


def story_timeline(demo: Demo, plan: Plan) -> LegalTimeline:
    """The story's legal timeline, carried on as anyone's once its absence is over; sets
    when the absence was noticed."""
    begun = BY_KEY[plan.story].write(demo, plan)
    assert plan.story_at is not None
    return legal_timeline(demo, plan, begun, unchanged_until=plan.story_at + OVER)


# --- the stories ---------------------------------------------------------------------------


def _holding(demo: Demo, plan: Plan) -> LegalTimeline:
    """An informal patient asks to leave, is held under s5(2), and goes hours later."""
    rng = demo.rng
    _admit_before(demo, plan, 40, 200)
    earliest = max(plan.admitted + timedelta(days=3), demo.now - EARLIEST)
    held = between(rng, earliest, demo.now - timedelta(days=10)).replace(second=0, microsecond=0)
    plan.story_at = held + minutes(rng, 4 * 60, 30 * 60)  # last seen at most 3 hours before
    after = pick(rng, {"s2": 75, "informal": 25})
    decided = held + minutes(rng, 60 * 60, 70 * 60)  # within the 72 hours
    return [(plan.admitted, "informal"), (held, "s5_2"), (decided, after)]


def _s2_end(demo: Demo, plan: Plan) -> LegalTimeline:
    """Absent in the last days of a section 2, back before the s3 that follows it."""
    rng = demo.rng
    _admit_within(demo, plan)
    last = last_day_of_days(_day(plan.admitted), 28)
    plan.story_at = _london(demo, last - timedelta(days=rng.randint(2, 3)))
    follows = datetime.combine(last, time(rng.randint(10, 16)), LONDON).astimezone(UTC)
    return [(plan.admitted, "s2"), (follows, pick(rng, {"s3": 80, "informal": 20}))]


def _s3_renewed(demo: Demo, plan: Plan) -> LegalTimeline:
    """Absent early in a yearly renewal of a section 3: the period's end is later than six
    months from the first day of absence."""
    rng = demo.rng
    _admit_before(demo, plan, 420, 1000)
    start = _day(plan.admitted)
    days = [
        day
        for day in _days(demo, plan.admitted + timedelta(days=7))
        if last_day_of_months(day - timedelta(days=1), SIX_MONTHS) < period_end(start, day)
    ]
    plan.story_at = _london(demo, rng.choice(days or _days(demo, plan.admitted)))
    return [(plan.admitted, "s3")]


def _cto_recall(demo: Demo, plan: Plan) -> LegalTimeline:
    """Recalled from a CTO, and gone again within hours, before the CTO is revoked."""
    rng = demo.rng
    _admit_within(demo, plan)
    plan.cto_began = cto_began(rng, plan.admitted)
    plan.story_at = plan.admitted + minutes(rng, 8 * 60, 30 * 60)
    return [(plan.admitted, "cto_17e"), (plan.admitted + minutes(rng, 60 * 60, 70 * 60), "s3")]


def _restricted(demo: Demo, plan: Plan) -> LegalTimeline:
    """A restricted patient who does not come back: retake at any time."""
    rng = demo.rng
    _admit_before(demo, plan, 60, 900)
    key = pick(rng, {"s37_41": 60, "s45a": 20, "s47_49": 20})
    plan.story_at = _london(demo, rng.choice(_days(demo, plan.admitted + timedelta(days=7))))
    return [(plan.admitted, key)]


def _remand(demo: Demo, plan: Plan) -> LegalTimeline:
    """Absent while on a remand or interim order: no retake date, arrest and back to court."""
    rng = demo.rng
    _admit(demo, plan, demo.now - timedelta(days=rng.randint(100, 290)))  # its term is over
    key = pick(rng, {"s38": 60, "s35": 20, "s36": 20})
    last = last_day_of_days(_day(plan.admitted), REMAND_DAYS[key])
    decided = last - timedelta(days=rng.randint(0, 10))
    first = _day(plan.admitted)
    absent = first + timedelta(days=rng.randint(5, (decided - first).days - 3))
    plan.story_at = _london(demo, absent)
    order = datetime.combine(decided, time(rng.randint(10, 16)), LONDON).astimezone(UTC)
    return [(plan.admitted, key), (order, pick(rng, {"s37": 55, "s37_41": 45}))]


def _informal(demo: Demo, plan: Plan) -> LegalTimeline:
    """An informal patient who does not come back: missing, with no power to retake."""
    rng = demo.rng
    _admit_before(demo, plan, 30, 300)
    plan.story_at = _london(demo, rng.choice(_days(demo, plan.admitted + timedelta(days=2))))
    return [(plan.admitted, "informal")]


def _not_known(demo: Demo, plan: Plan) -> LegalTimeline:
    """A section 3 patient with no grab pack: the ward knows the section, not when its
    renewed period ends, so police are told the power is not known (and lasts at least
    six months)."""
    rng = demo.rng
    _admit_before(demo, plan, 60, 700)
    plan.story_at = _london(demo, rng.choice(_days(demo, plan.admitted + timedelta(days=7))))
    return [(plan.admitted, "s3")]


STORIES = (
    Story("holding", ("acute", "older"), True, _holding),
    Story("s2_end", ("acute", "picu", "older"), True, _s2_end),
    Story("s3_renewed", ("rehab", "forensic", "acute"), True, _s3_renewed),
    Story("cto_recall", ("acute", "picu"), True, _cto_recall),
    Story("restricted", ("forensic",), True, _restricted),
    Story("remand", ("forensic",), True, _remand),
    Story("informal", ("acute", "older", "rehab"), True, _informal),
    Story("not_known", ("acute", "picu", "older", "rehab"), False, _not_known),
)
BY_KEY = {story.key: story for story in STORIES}


# --- helpers --------------------------------------------------------------------------------


def _admit_before(demo: Demo, plan: Plan, low: int, high: int) -> None:
    """Keep the admission if it is at least ``low`` days ago, else move it back."""
    if plan.admitted > demo.now - timedelta(days=low):
        _admit(demo, plan, demo.now - timedelta(days=demo.rng.randint(low, high)))


def _admit_within(demo: Demo, plan: Plan) -> None:
    """An admission in the year, at least 40 days ago (a story on admission needs its
    first weeks to have passed, and the pack its first version)."""
    rng = demo.rng
    _admit(demo, plan, demo.now - timedelta(days=rng.randint(40, 290)))


def _admit(demo: Demo, plan: Plan, day: datetime) -> None:
    admitted = (day - timedelta(seconds=demo.rng.randint(0, 86_399))).replace(microsecond=0)
    plan.admitted = plan.patient.admitted_at = plan.patient.created_at = admitted


def _days(demo: Demo, after: datetime) -> list[date]:
    """London days in the story window, from the day after ``after``."""
    first = max(_day(after), _day(demo.now - EARLIEST)) + timedelta(days=1)
    last = _day(demo.now - LATEST)
    return [first + timedelta(days=n) for n in range(max(1, (last - first).days + 1))]


def _london(demo: Demo, day: date) -> datetime:
    """A time on a London day, between 08:00 and 21:00, weighted as absences are."""
    hours = range(8, 21)
    hour = demo.rng.choices(hours, weights=[HOUR_WEIGHTS[h] for h in hours])[0]
    at = datetime.combine(day, time(hour, demo.rng.randint(0, 59)), LONDON)
    return at.astimezone(UTC)


def _day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()
