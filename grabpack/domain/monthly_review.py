"""The monthly recurrence review's rules: who keeps going missing, which settings and
wards produce problematic volume, and where reporting is poor.

Plain Python, no Flask and no database: the report service aggregates in SQL and
holds its figures equal to these functions in tests; the rules themselves (and the
sentence each flag shows) live only here.

Choices where the Affinity Protocol and DOMAIN.md are silent (product defaults):

* **Months are London calendar months**, half-open in UTC: ``[start, end)``. An
  episode noticed at 00:30 BST on 1 July (23:30 UTC on 30 June) is July's.
* **Trailing mean** is over the three months before, each counted even when it had
  no episodes (a month with none is a 0, not a gap). When that mean is 0 any month
  reaching the minimum count is a rise, and the reason says "none in the previous
  3 months" rather than an infinite percentage.
* **"At least"** is inclusive everywhere: exactly 5 episodes and exactly 50% above
  the mean is a flag; the comparison is made in whole numbers, never floats.
* **Median** is the middle value, or the mean of the two middle values for an even
  count; the **90th percentile** is the nearest rank (the ``ceil(0.9 × n)``-th
  smallest value), so it is always a time that really happened and is the same in
  SQLite and PostgreSQL (``percentile_disc``). Episodes not yet reported to police
  have no time and are left out of both, counted apart.
* **Poor reporting** flags a setting or ward when at least ``share_percent`` of
  its episodes in the month had any fault; a month with no episodes is no flag.
* **High-risk repeat**: a patient who is a repeat in the month and whose episodes in
  a repeat window (one ending at a repeat episode of the month) include a police
  risk grade of *high*.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from fractions import Fraction
from typing import NamedTuple

from grabpack.domain.clock import LONDON
from grabpack.domain.episode_schema import PoliceRiskGrade
from grabpack.domain.recurrence import RepeatRule
from grabpack.domain.reporting import DEFAULT_POLICY, ReportingFacts, ReportingPolicy

# --- London months --------------------------------------------------------------------


class Month(NamedTuple):
    """A London calendar month; a plain ``(year, month)`` tuple, sortable."""

    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """``July 2026``, as a page or a PDF heading writes it."""
        return f"{date(self.year, self.month, 1):%B %Y}"


def london_day_start(day: date) -> datetime:
    """The UTC moment London's ``day`` begins. Midnight is never skipped or repeated
    in London (the clocks change at 01:00 GMT), so there is exactly one."""
    return datetime.combine(day, time.min, LONDON).astimezone(UTC)


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """``(start, end)`` in UTC of a London calendar month: ``start <= t < end``.

    Half-open, so that consecutive months tile time with no gap and no overlap,
    whatever the clocks did in between."""
    following = next_month(Month(year, month))
    return (
        london_day_start(date(year, month, 1)),
        london_day_start(date(following.year, following.month, 1)),
    )


def month_of(moment: datetime) -> Month:
    """The London month a moment falls in (naive means UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(LONDON)
    return Month(local.year, local.month)


_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> Month:
    """``2026-07`` as a month. ``ValueError`` with a message fit for a user (the
    CLI and the route show it) for anything else: ``2026-7``, ``2026-13``, ``July``."""
    match = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise ValueError(f"{text!r} is not a month: give it as YYYY-MM, for example 2026-07")
    return Month(int(match[1]), int(match[2]))


def previous_month(month: Month | tuple[int, int]) -> Month:
    year, number = month
    return Month(year - 1, 12) if number == 1 else Month(year, number - 1)


def next_month(month: Month | tuple[int, int]) -> Month:
    year, number = month
    return Month(year + 1, 1) if number == 12 else Month(year, number + 1)


def trailing_months(month: Month | tuple[int, int], count: int = 3) -> tuple[Month, ...]:
    """The ``count`` months before ``month``, oldest first (not including it)."""
    months: list[Month] = []
    current = Month(*month)
    for _ in range(count):
        current = previous_month(current)
        months.append(current)
    return tuple(reversed(months))


def in_month(moment: datetime, month: Month | tuple[int, int]) -> bool:
    start, end = month_bounds(*month)
    return start <= moment < end


# --- Flags ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """One flag as a review shows it: which rule, about whom, and why in a sentence."""

    rule: str
    subject: str
    reason: str


# --- Repeat patient and high-risk repeat --------------------------------------------------


class NoticedEpisode(NamedTuple):
    """What the patient rules need of one episode."""

    noticed_at: datetime
    grade: PoliceRiskGrade | str | None = None


@dataclass(frozen=True)
class RepeatPatient:
    """A patient who is a repeat in the month, with the minimum a review lists."""

    episodes_in_window: int
    last_noticed_at: datetime
    highest_grade: PoliceRiskGrade | None

    @property
    def high_risk(self) -> bool:
        return self.highest_grade is PoliceRiskGrade.HIGH


_GRADE_ORDER = {grade: rank for rank, grade in enumerate(PoliceRiskGrade)}


def highest_grade(grades: Iterable[PoliceRiskGrade | str | None]) -> PoliceRiskGrade | None:
    """The highest police risk grade given, on the APP continuum; ``None`` if none."""
    known = [PoliceRiskGrade(g) for g in grades if g]
    return max(known, key=_GRADE_ORDER.__getitem__) if known else None


def repeat_in_month(
    rule: RepeatRule, episodes: Sequence[NoticedEpisode], month: Month | tuple[int, int]
) -> RepeatPatient | None:
    """Is this patient (``episodes`` are all of theirs) a repeat patient in ``month``?

    Yes when an episode noticed in the month is at least the rule's Nth noticed in
    the window ending at, and including, its noticed time (``RepeatRule.in_window``,
    the predicate the live flags use). Episodes noticed at the same moment all count.
    ``episodes_in_window`` and the grade are for the window ending at the month's
    last repeat episode; the grade is the highest over every repeat window of the
    month, so a high grade seen in any of them makes a high-risk repeat.
    """
    noticed = [e.noticed_at for e in episodes]
    repeats = [
        (count, e.noticed_at)
        for e in sorted(episodes, key=lambda e: e.noticed_at)
        if in_month(e.noticed_at, month)
        and rule.is_repeat(count := rule.count_in_window(noticed, e.noticed_at))
    ]
    if not repeats:
        return None
    grades = [
        e.grade for e in episodes if any(rule.in_window(e.noticed_at, at) for _, at in repeats)
    ]
    count, last = repeats[-1]
    return RepeatPatient(count, last, highest_grade(grades))


def repeat_reason(rule: RepeatRule, repeat: RepeatPatient) -> str:
    """``4 episodes in the 90 days to 12 July 2026 (flag: at least 3 in 90 days)``."""
    last = repeat.last_noticed_at.astimezone(LONDON)
    return (
        f"{repeat.episodes_in_window} episodes in the {rule.window_days} days to "
        f"{last.day} {last:%B %Y} (flag: at least {rule.episodes} in {rule.window_days} days)"
    )


def repeat_flag(rule: RepeatRule, subject: str, repeat: RepeatPatient) -> Flag:
    return Flag("Repeat patient", subject, repeat_reason(rule, repeat))


def high_risk_repeat_flag(rule: RepeatRule, subject: str, repeat: RepeatPatient) -> Flag | None:
    """A repeat patient graded high risk by police in a repeat window; else ``None``."""
    if not repeat.high_risk:
        return None
    return Flag(
        "High-risk repeat",
        subject,
        f"{repeat_reason(rule, repeat)}, graded high risk by police in that time",
    )


# --- High-volume setting and ward ---------------------------------------------------------


@dataclass(frozen=True)
class VolumeRule:
    """Problematic volume from one setting or ward (``GRABPACK_HIGH_VOLUME_*``): at
    least ``episodes`` in the month *and* at least ``rise_percent`` above the mean of
    the three months before."""

    episodes: int = 5
    rise_percent: int = 50
    trailing: int = 3

    def trailing_mean(self, trailing_counts: Sequence[int]) -> Fraction:
        """The mean over the trailing months; a month missing from the list is a 0."""
        self._check(trailing_counts)
        return Fraction(sum(trailing_counts), self.trailing)

    def is_high(self, count: int, trailing_counts: Sequence[int]) -> bool:
        mean = self.trailing_mean(trailing_counts)
        # count >= mean × (1 + rise/100), in whole numbers
        return count >= self.episodes and count * 100 >= mean * (100 + self.rise_percent)

    def reason(self, count: int, trailing_counts: Sequence[int]) -> str:
        """``5 episodes this month, 67% above the 3-month average of 3.0 (flag: at
        least 5 and at least 50% above)``; the same sentence whether flagged or not."""
        mean = self.trailing_mean(trailing_counts)
        rule = f"(flag: at least {self.episodes} and at least {self.rise_percent}% above)"
        counted = f"{count} episode{'' if count == 1 else 's'} this month"
        if mean == 0:
            return f"{counted}, none in the previous {self.trailing} months {rule}"
        change = (count - mean) * 100 / mean
        direction = "above" if change >= 0 else "below"
        return (
            f"{counted}, {_percent(abs(change))}% {direction} the {self.trailing}-month "
            f"average of {float(mean):.1f} {rule}"
        )

    def flag(self, kind: str, subject: str, count: int, trailing: Sequence[int]) -> Flag | None:
        """``kind`` is ``setting`` or ``ward``: the flag is "High-volume setting"..."""
        if not self.is_high(count, trailing):
            return None
        return Flag(f"High-volume {kind}", subject, self.reason(count, trailing))

    def _check(self, trailing_counts: Sequence[int]) -> None:
        if len(trailing_counts) > self.trailing:
            raise ValueError(f"expected at most {self.trailing} trailing months")


def _percent(value: Fraction | float) -> int:
    """Whole percent, halves rounded up (not Python's round-half-to-even)."""
    return int(math.floor(Fraction(value) + Fraction(1, 2)))


# --- Poor reporting ----------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One reporting-quality fault: its export column, its label, its predicate."""

    key: str
    label: str
    found: Callable[[ReportingFacts, ReportingPolicy], bool]
    proper_noun: bool = False  # the label starts with a name, kept capitalised mid-sentence

    @property
    def in_a_sentence(self) -> str:
        """The label inside a sentence: "reported to police late", but "Ministry of
        Justice not told in time"."""
        return self.label if self.proper_noun else self.label[:1].lower() + self.label[1:]


# The same predicates as ``ReportingFacts.problems`` and the export's columns: the
# export reads them from here, so the review and the CSV cannot disagree.
REPORTING_FAULTS: tuple[Fault, ...] = (
    Fault("no_grab_pack", "No grab pack", lambda f, p: f.had_no_pack),
    Fault("grab_pack_incomplete", "Grab pack incomplete", lambda f, p: f.pack_incomplete),
    Fault("review_overdue", "Grab pack review overdue", lambda f, p: f.review_overdue),
    Fault("photo_stale", "Photo out of date or missing", lambda f, p: f.photo_stale),
    Fault("reported_late", "Reported to police late", lambda f, p: f.reported_late(p)),
    Fault("s18_not_stated", "s18 retake limit not stated", lambda f, p: f.s18_not_stated),
    Fault(
        "moj_not_told_in_time",
        "Ministry of Justice not told in time",
        lambda f, p: f.moj_fault(p) is not None,
        proper_noun=True,
    ),
)


def median(values: Sequence[float]) -> float | None:
    """The middle value; the mean of the two middle values for an even count."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    middle = n // 2
    return float(ordered[middle]) if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def nearest_rank(values: Sequence[float], percent: int) -> float | None:
    """The ``percent``-th percentile by nearest rank: the ``ceil(percent/100 × n)``-th
    smallest value (at least the 1st). Always an observed value."""
    if not 0 < percent <= 100:
        raise ValueError("percent must be 1 to 100")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-percent * len(ordered) // 100))  # ceiling in whole numbers
    return float(ordered[rank - 1])


@dataclass(frozen=True)
class ReportingSummary:
    """How well a set of episodes was reported: each fault's count, and the times."""

    episodes: int
    poor: int
    fault_counts: dict[str, int]
    not_reported: int
    median_minutes: float | None
    p90_minutes: float | None

    def share(self, key: str) -> Fraction:
        """The share of episodes with this fault (0 for no episodes)."""
        return Fraction(self.fault_counts[key], self.episodes) if self.episodes else Fraction(0)

    @property
    def poor_share(self) -> Fraction:
        return Fraction(self.poor, self.episodes) if self.episodes else Fraction(0)


def summarise_reporting(
    facts: Iterable[ReportingFacts], policy: ReportingPolicy = DEFAULT_POLICY
) -> ReportingSummary:
    """The review's reporting figures for these episodes (the SQL does the same)."""
    counts = {fault.key: 0 for fault in REPORTING_FAULTS}
    episodes = poor = 0
    minutes: list[int] = []
    for fact in facts:
        episodes += 1
        faults = [fault.key for fault in REPORTING_FAULTS if fault.found(fact, policy)]
        for key in faults:
            counts[key] += 1
        poor += bool(faults)
        if fact.minutes_to_report is not None:
            minutes.append(fact.minutes_to_report)
    return ReportingSummary(
        episodes=episodes,
        poor=poor,
        fault_counts=counts,
        not_reported=episodes - len(minutes),
        median_minutes=median(minutes),
        p90_minutes=nearest_rank(minutes, 90),
    )


@dataclass(frozen=True)
class PoorReportingRule:
    """A setting or ward reporting poorly in a month (``GRABPACK_POOR_REPORTING_PERCENT``):
    at least ``share_percent`` of its episodes had a reporting-quality fault."""

    share_percent: int = 25

    def is_poor(self, summary: ReportingSummary) -> bool:
        return summary.episodes > 0 and summary.poor * 100 >= summary.episodes * self.share_percent

    def reason(self, summary: ReportingSummary) -> str:
        """``3 of 8 episodes (38%) poorly reported: reported to police late 3 ...``"""
        worst = sorted(
            (f for f in REPORTING_FAULTS if summary.fault_counts[f.key]),
            key=lambda f: -summary.fault_counts[f.key],
        )
        detail = ", ".join(f"{f.in_a_sentence} {summary.fault_counts[f.key]}" for f in worst)
        share = _percent(summary.poor_share * 100)
        return (
            f"{summary.poor} of {summary.episodes} episodes ({share}%) poorly reported"
            f"{': ' + detail if detail else ''} (flag: at least {self.share_percent}%)"
        )

    def flag(self, kind: str, subject: str, summary: ReportingSummary) -> Flag | None:
        if not self.is_poor(summary):
            return None
        return Flag(f"Poor reporting ({kind})", subject, self.reason(summary))


# --- The review, as every output shows it ---------------------------------------------------


@dataclass(frozen=True)
class ReviewRules:
    """The thresholds a review was made with, printed on every output."""

    repeat: RepeatRule
    volume: VolumeRule
    poor_reporting: PoorReportingRule
    reporting: ReportingPolicy


@dataclass(frozen=True)
class Figures:
    """One line of the review: a ward, a setting, or everything in the report."""

    episodes: int = 0
    patients: int = 0
    repeat_patients: int = 0
    kinds: Mapping[str, int] = field(default_factory=dict)  # EpisodeKind value -> count
    returned: int = 0
    still_missing: int = 0
    median_minutes_missing: float | None = None
    longest_minutes_missing: int | None = None
    grades: Mapping[str, int] = field(default_factory=dict)  # PoliceRiskGrade value, "" none
    found_places: Mapping[str, int] = field(default_factory=dict)  # FoundCategory value
    found_by: Mapping[str, int] = field(default_factory=dict)  # FoundBy value
    prevention_interviews: int = 0
    reporting: ReportingSummary = field(
        default_factory=lambda: ReportingSummary(0, 0, {}, 0, None, None)
    )
    previous_month_episodes: int = 0
    trailing_counts: tuple[int, ...] = (0, 0, 0)  # the three months before, oldest first
    flags: tuple[Flag, ...] = ()

    @property
    def change_from_previous(self) -> int:
        """Episodes this month less the month before."""
        return self.episodes - self.previous_month_episodes

    @property
    def trailing_mean(self) -> Fraction:
        return Fraction(sum(self.trailing_counts), len(self.trailing_counts) or 1)

    @property
    def change_from_trailing_percent(self) -> int | None:
        """Whole percent above (+) or below (-) the trailing mean; ``None`` when that
        mean is 0 (no percentage of nothing)."""
        mean = self.trailing_mean
        if mean == 0:
            return None
        change = (self.episodes - mean) * 100 / mean
        sign = 1 if change >= 0 else -1
        return sign * int(abs(change) + Fraction(1, 2))


@dataclass(frozen=True)
class WardRow:
    ward_id: int
    code: str
    name: str
    figures: Figures


@dataclass(frozen=True)
class SettingRow:
    setting_id: int
    code: str
    name: str
    area_code: str
    area_name: str
    figures: Figures
    wards: tuple[WardRow, ...]


@dataclass(frozen=True)
class RepeatPatientRow:
    """A repeat patient as the review lists them: the minimum necessary. ``name`` is
    set only for a reader who may already see the patient."""

    patient_id: uuid.UUID
    ward_code: str
    ward_name: str
    setting_name: str
    episodes_in_window: int
    last_noticed_at: datetime
    highest_grade: PoliceRiskGrade | None
    name: str | None = None

    @property
    def reference(self) -> str:
        """A short opaque reference for pages and paper (the id's first 8 characters)."""
        return self.patient_id.hex[:8].upper()

    @property
    def high_risk(self) -> bool:
        return self.highest_grade is PoliceRiskGrade.HIGH


@dataclass(frozen=True)
class TrendPoint:
    month: Month
    episodes: int


@dataclass(frozen=True)
class MonthlyReport:
    month: Month
    area_code: str | None  # one policing area, or None for every area in scope
    area_name: str | None
    made_at: datetime
    rules: ReviewRules
    total: Figures
    settings: tuple[SettingRow, ...]
    # None: the reader sees aggregate figures only (an administrator).
    repeat_patients: tuple[RepeatPatientRow, ...] | None
    trend: tuple[TrendPoint, ...]  # twelve months, oldest first, ending with ``month``
    flags: tuple[Flag, ...]  # settings and wards first, then patients
    # What the review covers, in words: "Area One", "Ward A and Ward B", "All policing
    # areas". None: the one area's name, else every area.
    covers: str | None = None

    @property
    def title(self) -> str:
        where = self.covers or self.area_name or "All policing areas"
        return f"Monthly missing review: {self.month.label}, {where}"

    @property
    def covers_in_words(self) -> str:
        """What the review covers, for the paper's header: the reader's wards or areas,
        the one area asked for, or every area."""
        if self.covers:
            return self.covers
        if self.area_name:
            return f"{self.area_name} ({self.area_code})"
        return "All policing areas"

    @property
    def month_is_over(self) -> bool:
        """Whether the month had ended when the figures were made. The current month's
        review holds the figures so far, and every output says so: compared with full
        months, a few days would read as a quiet month."""
        return self.made_at >= month_bounds(*self.month)[1]

    @property
    def previous_month(self) -> Month:
        return previous_month(self.month)

    @property
    def wards(self) -> Iterable[tuple[SettingRow, WardRow]]:
        for setting in self.settings:
            for ward in setting.wards:
                yield setting, ward
