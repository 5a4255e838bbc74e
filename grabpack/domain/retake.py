"""The power to take an absent patient back: one statement police can act on.

Police and ward staff act on one question: *can this person be taken back, until
when, and under what power?* A wrong date means unlawful detention (a day too
late) or a patient given up too early (a day too early). ``power_to_retake``
answers it from the legal facts and the moment the absence began, as one of
five answers, always with the reason in plain words, the facts it used, and
its cautions. Every page, paper and export that states the power shows this
object's words; nothing else works the power out.

Counting follows the legal meaning of "beginning with": a period beginning with
a day includes that day, so 28 days beginning with 1 January end at the end of
28 January, and six months beginning with 1 March end at the end of 31 August.
Day-counted powers end at the end of a London day; hour powers run from the
moment, to the minute, in real elapsed time (across clock changes).

This is a product reading of the Mental Health Act 1983 (the README's table); every
statement carries ``CONFIRM``.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from grabpack.domain.clock import LONDON, long_date, parse_time_of_day
from grabpack.domain.mental_health_act import LegalStatus, RetakeRule, legal_status

CONFIRM = "Worked out by grabpack from the recorded facts: the trust's MHA office confirms it."
SIX_MONTHS = 6
S21_WEEK = timedelta(days=6)  # "the period of one week ending with that day"


class Answer(StrEnum):
    RETAKE_UNTIL = "retake_until"
    RETAKE_ANY_TIME = "retake_any_time"
    NO_POWER = "no_power"
    OTHER_POWER = "other_power"
    NOT_KNOWN = "not_known"

    @property
    def label(self) -> str:
        return {
            "retake_until": "Retake until",
            "retake_any_time": "Retake at any time",
            "no_power": "No power to retake",
            "other_power": "Other power",
            "not_known": "Not known",
        }[self.value]


# --- counting -------------------------------------------------------------------------


def last_day_of_days(first_day: date, days: int) -> date:
    """The last day of a period of ``days`` days beginning with ``first_day``."""
    return first_day + timedelta(days=days - 1)


def last_day_of_months(first_day: date, months: int) -> date:
    """The last day of a period of ``months`` months beginning with ``first_day``.

    The day before the same date ``months`` later; where that month has no such
    date (six months from 31 August), the period runs to the end of that month.
    """
    index = first_day.month - 1 + months
    year, month = first_day.year + index // 12, index % 12 + 1
    days_in_month = calendar.monthrange(year, month)[1]
    if first_day.day > days_in_month:
        return date(year, month, days_in_month)
    return date(year, month, first_day.day) - timedelta(days=1)


def end_of_london_day(day: date) -> datetime:
    """The moment a London day ends (the next midnight, London time), as aware UTC."""
    return datetime.combine(day + timedelta(days=1), time.min, LONDON).astimezone(UTC)


def london_moment(day: date, at: time) -> datetime:
    """A date and a time read on a London clock, as aware UTC.

    In the autumn hour that happens twice, the first (earlier) one is taken, so
    that an hour power worked from it can only end early, never late.
    """
    return datetime.combine(day, at, LONDON).replace(fold=0).astimezone(UTC)


def absence_began(
    last_seen_at: datetime | None, leave_due_back_at: datetime | None
) -> datetime | None:
    """The moment the patient went: when leave ended and they failed to return, else
    when they were last seen. Never when the absence was noticed."""
    return leave_due_back_at or last_seen_at


def _day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def _clock(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local:%H:%M} on {long_date(local.date())}"


# --- facts and the statement ------------------------------------------------------------


@dataclass(frozen=True)
class LegalFacts:
    """The patient's legal position as the ward records it (pack section G, or as
    corrected when the absence is reported)."""

    legal_status: str = ""
    section_start_on: date | None = None
    section_start_time: time | None = None  # on a London clock
    period_ends_on: date | None = None  # last day of the current period, renewals applied
    cto_recalled_on: date | None = None
    detention_ended_on: date | None = None

    @property
    def section_start_at(self) -> datetime | None:
        if self.section_start_on is None or self.section_start_time is None:
            return None
        return london_moment(self.section_start_on, self.section_start_time)


# Where each fact lives in the grab pack's section G (``grab_pack_schema``).
PACK_KEYS = {
    "legal_status": "legal_status",
    "section_start_on": "section_start_on",
    "section_start_time": "section_start_time",
    "period_ends_on": "section_expires_on",
    "cto_recalled_on": "cto_recalled_on",
    "detention_ended_on": "detention_ended_on",
}


def legal_facts_from_pack(data: dict) -> LegalFacts:
    """The facts as a stored grab-pack version records them; unreadable values count
    as not recorded (the statement then says what is missing)."""
    legal = data.get("legal") if isinstance(data, dict) else None
    legal = legal if isinstance(legal, dict) else {}

    def read(key: str, parse: Callable[[str], object]):
        value = legal.get(PACK_KEYS[key])
        try:
            return parse(str(value)) if value not in (None, "") else None
        except ValueError:
            return None

    return LegalFacts(
        legal_status=str(legal.get("legal_status") or ""),
        section_start_on=read("section_start_on", date.fromisoformat),
        section_start_time=read("section_start_time", parse_time_of_day),
        period_ends_on=read("period_ends_on", date.fromisoformat),
        cto_recalled_on=read("cto_recalled_on", date.fromisoformat),
        detention_ended_on=read("detention_ended_on", date.fromisoformat),
    )


@dataclass(frozen=True)
class RetakePower:
    """One of the five answers, with its reason, the facts used and cautions."""

    answer: Answer
    reason: str
    power: str = ""  # the statutory power, e.g. "s18"; for remand, the arrest power
    ends_at: datetime | None = None  # aware UTC; the power runs up to (not including) it
    counted_in_hours: bool = False
    at_least_until: datetime | None = None  # for "not known": the power lasts at least this
    facts: tuple[tuple[str, str], ...] = ()
    cautions: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def until_text(self) -> str:
        """``the end of 28 January 2027`` or ``04:00 on 2 January 2027``."""
        return _until_text(self.ends_at, self.counted_in_hours) if self.ends_at else ""

    @property
    def headline(self) -> str:
        """The answer in one line, as an officer acts on it."""
        match self.answer:
            case Answer.RETAKE_UNTIL:
                return f"Can be taken back until {self.until_text} ({self.power})"
            case Answer.RETAKE_ANY_TIME:
                return f"Can be taken back at any time while the restriction lasts ({self.power})"
            case Answer.NO_POWER:
                return "No power to take back"
            case Answer.OTHER_POWER:
                return f"No s18 power: arrest without warrant ({self.power}), then back to court"
        if not self.missing:
            return "Not known"
        return "Not known: " + " and ".join(self.missing) + " not recorded"

    @property
    def limit_to_state(self) -> bool:
        """There is a retake limit the ward should give police (a poor-reporting fact
        when not given): a dated s18 power, known or not yet worked out."""
        return self.answer is Answer.RETAKE_UNTIL or (
            self.answer is Answer.NOT_KNOWN and self.power.startswith("s18")
        )

    def has_ended(self, now: datetime) -> bool:
        return self.ends_at is not None and now >= self.ends_at

    def to_record(self) -> dict:
        """A JSON-safe copy, stored on the episode as what police were told."""
        return {
            "answer": self.answer.value,
            "reason": self.reason,
            "power": self.power,
            "ends_at": self.ends_at.astimezone(UTC).isoformat() if self.ends_at else None,
            "counted_in_hours": self.counted_in_hours,
            "at_least_until": (
                self.at_least_until.astimezone(UTC).isoformat() if self.at_least_until else None
            ),
            "facts": [list(pair) for pair in self.facts],
            "cautions": list(self.cautions),
            "missing": list(self.missing),
        }

    @classmethod
    def from_record(cls, record: dict) -> RetakePower:
        def moment(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return cls(
            answer=Answer(record.get("answer") or Answer.NOT_KNOWN),
            reason=record.get("reason") or "Not worked out.",
            power=record.get("power", ""),
            ends_at=moment(record.get("ends_at")),
            counted_in_hours=bool(record.get("counted_in_hours")),
            at_least_until=moment(record.get("at_least_until")),
            facts=tuple((str(a), str(b)) for a, b in record.get("facts") or ()),
            cautions=tuple(record.get("cautions") or ()),
            missing=tuple(record.get("missing") or ()),
        )


def _until_text(moment: datetime, counted_in_hours: bool) -> str:
    if counted_in_hours:
        return _clock(moment)
    last_day = (moment - timedelta(microseconds=1)).astimezone(LONDON).date()
    return f"the end of {long_date(last_day)}"


# --- the rules -------------------------------------------------------------------------


@dataclass
class _Working:
    """What a rule needs, and the facts it names as it uses them."""

    status: LegalStatus
    facts: LegalFacts
    absent_from: datetime | None
    used: list[tuple[str, str]] = field(default_factory=list)

    @property
    def first_day(self) -> date | None:
        return _day(self.absent_from) if self.absent_from else None

    def use(self, label: str, value: str) -> None:
        self.used.append((label, value))

    def power(self, answer: Answer, reason: str, **kwargs) -> RetakePower:
        return RetakePower(answer, reason, facts=tuple(self.used), **kwargs)


def power_to_retake(facts: LegalFacts, absent_from: datetime | None) -> RetakePower:
    """Can the patient be taken back, until when, and under what power?

    ``absent_from`` is the moment the absence began (``absence_began``): the first
    day of absence is its London date. ``None`` when it is not recorded.
    """
    status = legal_status(facts.legal_status)
    if status is None:
        return RetakePower(
            Answer.NOT_KNOWN,
            "No legal status is recorded, so whether the patient is detained is not known.",
            missing=("the legal status",),
        )
    work = _Working(status, facts, absent_from)
    work.use("Legal status", status.label)
    if absent_from is not None:
        work.use("Absence began", _clock(absent_from))
    ended = _ended_before_absence(work) or _started_after_absence(work)
    return ended or _RULES[status.rule](work)


def _started_after_absence(work: _Working) -> RetakePower | None:
    """Answer 5 when the section is recorded as starting after the absence began.

    The patient was not held under that section when they went, so no date can be
    worked from it: the start date is a typo, or the status recorded is a later
    one (a section made while they were away). Stating a retake date would tell
    police to detain on a section that did not apply. Compared by the day, or by
    the moment when the start time is recorded (the hour powers).
    """
    if work.status.rule in (RetakeRule.NOT_DETAINED, RetakeRule.NOT_RECALLED):
        return None
    started_on, first_day = work.facts.section_start_on, work.first_day
    if started_on is None or first_day is None or work.absent_from is None:
        return None
    started_at = work.facts.section_start_at
    if started_at is not None and started_at > work.absent_from:
        began, shown = f"at {_clock(started_at)}", _clock(started_at)
    elif started_on > first_day:
        began, shown = f"on {long_date(started_on)}", long_date(started_on)
    else:
        return None
    work.use("Section started", shown)
    return work.power(
        Answer.NOT_KNOWN,
        f"{work.status.label} is recorded as starting {began}, after the absence began at "
        f"{_clock(work.absent_from)}: the patient was not held under it when they went. "
        "Check the section's start date and the legal status when they left with the "
        "Mental Health Act office.",
        power="s18" if work.status.detained else "",
    )


def _ended_before_absence(work: _Working) -> RetakePower | None:
    """Answer 3 when the recorded end of detention came before the first day of absence."""
    ended_on, first_day = work.facts.detention_ended_on, work.first_day
    if not work.status.detained and work.status.rule is not RetakeRule.SIX_MONTHS_OR_PERIOD_END:
        return None
    if ended_on is None or first_day is None or ended_on >= first_day:
        return None
    work.use("Detention ended", long_date(ended_on))
    return work.power(
        Answer.NO_POWER,
        f"Detention under {work.status.label} ended on {long_date(ended_on)}, before the "
        f"absence began on {long_date(first_day)}.",
    )


def _not_detained(work: _Working) -> RetakePower:
    return work.power(
        Answer.NO_POWER,
        f"{work.status.label} patient: not detained, so there is no power to take them back. "
        "The episode is missing, not AWOL.",
    )


def _not_recalled(work: _Working) -> RetakePower:
    recalled = work.facts.cto_recalled_on
    if recalled is not None:
        work.use("CTO recalled", long_date(recalled))
        return work.power(
            Answer.NOT_KNOWN,
            "The status says the CTO patient has not been recalled, but a recall date is "
            "recorded. Only a recalled CTO patient can be taken back (s18(2A)).",
            missing=("whether the patient has been recalled",),
        )
    return work.power(
        Answer.NO_POWER,
        "CTO patient who has not been recalled: only a recalled CTO patient can be AWOL and "
        "taken back (s18(2A)). The episode is missing, not AWOL.",
    )


def _remand(work: _Working) -> RetakePower:
    cited = work.status.other_power
    return work.power(
        Answer.OTHER_POWER,
        f"{work.status.label}: remanded or ordered by a court, so s18 does not apply and there "
        f"is no retake date. A constable may arrest them without a warrant ({cited}) and they "
        "are brought back before the court.",
        power=cited,
    )


def _restricted(work: _Working) -> RetakePower:
    cautions = []
    if work.status.key == "s47_49":
        cautions.append(
            "A section 47/49 restriction ends at the earliest release date; after it the "
            "patient is treated as on an unrestricted order: check the date with the Ministry "
            "of Justice."
        )
    return work.power(
        Answer.RETAKE_ANY_TIME,
        f"{work.status.label}: a restricted patient may be taken back at any time while the "
        "restriction lasts (s18, as modified by s41(3)(d)).",
        power="s18, s41(3)(d)",
        cautions=tuple(cautions),
    )


def _hours(work: _Working) -> RetakePower:
    status, facts = work.status, work.facts
    power = "s138" if status.rule is RetakeRule.PLACE_OF_SAFETY else "s18"
    lasts = f"{status.label} lasts {status.hours} hours from {status.start_event}"
    cautions = (
        (
            "The place-of-safety period can be extended by up to 12 hours (s136B): ask the "
            "place of safety whether it was.",
        )
        if status.rule is RetakeRule.PLACE_OF_SAFETY
        else ()
    )
    start = facts.section_start_at
    if start is None:
        what = "date and time" if facts.section_start_on is None else "time"
        return work.power(
            Answer.NOT_KNOWN,
            f"{lasts}, and its {what} is not recorded.",
            power=power,
            counted_in_hours=True,
            missing=(f"the {what} of {status.start_event}",),
            cautions=cautions,
        )
    work.use(status.start_event.capitalize(), _clock(start))
    ends_at = start + timedelta(hours=status.hours)  # aware UTC: real elapsed hours
    if work.absent_from is not None and work.absent_from >= ends_at:
        return work.power(
            Answer.NO_POWER,
            f"{lasts} at {_clock(start)}, so it ended at {_clock(ends_at)}, before the "
            f"absence began at {_clock(work.absent_from)}.",
        )
    return work.power(
        Answer.RETAKE_UNTIL,
        f"{lasts} at {_clock(start)}.",
        power=power,
        ends_at=ends_at,
        counted_in_hours=True,
        cautions=cautions,
    )


def _days_from_start(work: _Working) -> RetakePower:
    status, facts = work.status, work.facts
    start = facts.section_start_on
    nearest_relative = (
        "If an application to displace the nearest relative is pending, section 29(4) "
        "extends section 2 until it is decided: ask the MHA office.",
    )
    if start is None:
        return work.power(
            Answer.NOT_KNOWN,
            f"{status.label} lasts {status.days} days beginning with the day of "
            f"{status.start_event}, and that day is not recorded.",
            power="s18",
            missing=(f"the date of {status.start_event}",),
            cautions=nearest_relative,
        )
    work.use(status.start_event.capitalize(), long_date(start))
    last_day = last_day_of_days(start, status.days)
    cautions = list(nearest_relative)
    if facts.period_ends_on is not None and facts.period_ends_on != last_day:
        cautions.append(
            f"The record gives the period's end as {long_date(facts.period_ends_on)}; "
            f"{status.days} days beginning with {long_date(start)} end at the end of "
            f"{long_date(last_day)}, which is used here: check with the MHA office."
        )
    reason = (
        f"{status.label}: {status.days} days beginning with {status.start_event} on "
        f"{long_date(start)} (s2(4), s18(5))."
    )
    first_day = work.first_day
    if first_day is not None and first_day > last_day:
        return work.power(
            Answer.NO_POWER,
            f"{reason} They ended at the end of {long_date(last_day)}, before the absence "
            f"began on {long_date(first_day)}.",
        )
    return _until(work, last_day, reason, "s18", cautions)


def _until(
    work: _Working, last_day: date, reason: str, power: str, cautions: list[str]
) -> RetakePower:
    """Retake until the end of ``last_day``, unless detention ended sooner, during the
    absence: the power ends with it. Only the day detention ended is recorded, not the
    moment, so the power is given to the end of the day before: ending early, never
    late (a day too late is unlawful detention)."""
    ended_on = work.facts.detention_ended_on
    if ended_on is None or ended_on > last_day:
        return work.power(
            Answer.RETAKE_UNTIL,
            reason,
            power=power,
            ends_at=end_of_london_day(last_day),
            cautions=tuple(cautions),
        )
    work.use("Detention ended", long_date(ended_on))
    day_before = ended_on - timedelta(days=1)
    if work.first_day is not None and day_before < work.first_day:
        return work.power(
            Answer.NOT_KNOWN,
            f"{reason} But detention ended on {long_date(ended_on)}, the day the absence "
            "began, and the time it ended is not recorded: whether the patient was still "
            "detained when they went is not known.",
            power=power,
            missing=("the time detention ended",),
            cautions=tuple(cautions),
        )
    return work.power(
        Answer.RETAKE_UNTIL,
        f"{reason} But detention ended on {long_date(ended_on)}, and the power ends with "
        f"it: the time is not recorded, so it is given to the end of {long_date(day_before)}, "
        "the day before.",
        power=power,
        ends_at=end_of_london_day(day_before),
        cautions=tuple(cautions),
    )


PERIOD_NOUN = {"cto_17e": "the CTO", "s7": "guardianship"}


def _six_months_or_period_end(work: _Working) -> RetakePower:
    status, facts = work.status, work.facts
    power = "s18(3)" if status.key == "s7" else "s18(4)"
    noun = PERIOD_NOUN.get(status.key, "detention")
    first_day = work.first_day
    cautions: list[str] = []
    if status.key == "cto_17e":
        if facts.cto_recalled_on is None:
            cautions.append("The date of the recall is not recorded.")
        else:
            work.use("CTO recalled", long_date(facts.cto_recalled_on))
            if first_day is not None and facts.cto_recalled_on > first_day:
                first_day = facts.cto_recalled_on  # AWOL only from the recall
    period_end = facts.period_ends_on
    if period_end is not None:
        work.use("Current period ends", long_date(period_end))
    if first_day is not None:
        work.use("First day of absence", long_date(first_day))
    rule = (
        f"{status.label}: the later of the end of six months beginning with the first day of "
        f"absence and the end of the current period of {noun} ({power})"
    )
    if period_end is not None and first_day is not None and period_end < first_day:
        return work.power(
            Answer.NO_POWER,
            f"The current period of {noun} under {status.label} ended on "
            f"{long_date(period_end)}, before the absence began on {long_date(first_day)}.",
            cautions=(
                "If the section was renewed, record the new end of the period: the power "
                "would then run to the later of that and six months from the first day of "
                "absence.",
            ),
        )
    missing = []
    if first_day is None:
        missing.append("when the patient went (last seen, or leave due back)")
    if period_end is None:
        missing.append(f"the end of the current period of {noun}")
    six_end = last_day_of_months(first_day, SIX_MONTHS) if first_day else None
    if missing:
        known = [day for day in (six_end, period_end) if day is not None]
        at_least = end_of_london_day(max(known)) if known else None
        hint = f" It lasts at least until the end of {long_date(max(known))}." if known else ""
        if period_end is None and six_end is not None:
            hint += " A renewed section may run far past six months."
        return work.power(
            Answer.NOT_KNOWN,
            f"{rule}.{hint}",
            power="s18",
            at_least_until=at_least,
            missing=tuple(missing),
            cautions=tuple(cautions),
        )
    assert first_day is not None and period_end is not None and six_end is not None
    if period_end - S21_WEEK <= first_day <= period_end:
        cautions.append(
            f"Absent on the last day of the period or in the week before it: section 21 "
            f"extends liability beyond {long_date(period_end)}. Confirm with the MHA office."
        )
    last_day = max(six_end, period_end)
    which = (
        f"six months beginning with {long_date(first_day)} end on {long_date(six_end)}"
        if six_end >= period_end
        else f"the current period of {noun} ends on {long_date(period_end)}"
    )
    return _until(work, last_day, f"{rule}: {which}.", power, cautions)


_RULES: dict[RetakeRule, Callable[[_Working], RetakePower]] = {
    RetakeRule.NOT_DETAINED: _not_detained,
    RetakeRule.NOT_RECALLED: _not_recalled,
    RetakeRule.REMAND: _remand,
    RetakeRule.RESTRICTED: _restricted,
    RetakeRule.HOURS: _hours,
    RetakeRule.PLACE_OF_SAFETY: _hours,
    RetakeRule.DAYS_FROM_START: _days_from_start,
    RetakeRule.SIX_MONTHS_OR_PERIOD_END: _six_months_or_period_end,
}
