"""How the review's figures read on the page: in words a meeting can say aloud.

One list of rows (``figure_rows``) drives the summary and every setting's table,
so that the whole review and each ward are always described the same way.
Nothing here counts anything: the figures come from ``services.monthly_report``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from grabpack.domain.episode_schema import EpisodeKind, FoundBy, FoundCategory, PoliceRiskGrade
from grabpack.domain.monthly_review import (
    REPORTING_FAULTS,
    Figures,
    Flag,
    Month,
    MonthlyReport,
    ReviewRules,
    SettingRow,
    TrendPoint,
)


def whole(value: float | Fraction) -> int:
    """Rounded to a whole number, halves up (not Python's halves-to-even)."""
    return int(Fraction(value) + Fraction(1, 2))


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def minutes_in_words(minutes: float | None, none: str = "None") -> str:
    """``45 minutes``, ``1 hour``, ``10 hours 34 minutes``; ``Under a minute`` for 0."""
    if minutes is None:
        return none
    total = whole(minutes)
    if total == 0:
        return "Under a minute"
    hours, rest = divmod(total, 60)
    parts = [_plural(hours, "hour")] if hours else []
    if rest:
        parts.append(_plural(rest, "minute"))
    return " ".join(parts)


def minutes_as_counted(minutes: float | None, none: str = "None") -> str:
    """``37 minutes``, ``22.5 minutes`` (a median between two), ``128 minutes``: the
    times to report stay in minutes, as the rules that judge them are written."""
    if minutes is None:
        return none
    shown = str(int(minutes)) if float(minutes).is_integer() else f"{minutes:.1f}"
    return f"{shown} minute{'' if shown == '1' else 's'}"


def percent(share: Fraction) -> str:
    return f"{whole(share * 100)}%"


def count_and_share(count: int, total: int) -> str:
    """``3 (38%)``; just ``0`` when there is nothing to share out."""
    if not total:
        return str(count)
    return f"{count} ({percent(Fraction(count, total))})"


def breakdown(counts: Mapping[str, int], labels: Mapping[str, str]) -> str:
    """``High 1, Medium 2``: the non-zero counts, most first, in the order given
    for ties; ``None`` when every count is 0."""
    order = list(labels)
    shown = sorted(
        ((key, n) for key, n in counts.items() if n and key in labels),
        key=lambda item: (-item[1], order.index(item[0])),
    )
    return ", ".join(f"{labels[key]} {n}" for key, n in shown) or "None"


GRADE_LABELS = {grade.value: grade.label for grade in reversed(PoliceRiskGrade)} | {
    "": "Not graded"
}
FOUND_LABELS = {place.value: place.label for place in FoundCategory}
FINDER_LABELS = {finder.value: finder.label for finder in FoundBy}


def change_in_words(now: int, before: int) -> str:
    """``Up 38``, ``Down 3``, ``No change``: a change read without a sign or a colour."""
    if now > before:
        return f"Up {now - before}"
    if now < before:
        return f"Down {before - now}"
    return "No change"


def trailing_in_words(figures: Figures) -> str:
    """``87% above``, ``12% below``, ``The same``, or why there is no comparison."""
    change = figures.change_from_trailing_percent
    if change is None:
        return "None in the 3 months before"
    if change > 0:
        return f"{change}% above"
    if change < 0:
        return f"{-change}% below"
    return "The same"


def mean_in_words(mean: Fraction) -> str:
    return f"{float(mean):.1f}"


def headline(report: MonthlyReport) -> str:
    """``74 missing episodes: up 38 from October 2026 (36), and 87% above the
    average of the 3 months before (39.7).``"""
    total = report.total
    change = change_in_words(total.episodes, total.previous_month_episodes).lower()
    percent_change = total.change_from_trailing_percent
    average = f"the average of the 3 months before ({mean_in_words(total.trailing_mean)})"
    if percent_change is None:
        against = "none in the 3 months before"
    elif percent_change == 0:
        against = f"the same as {average}"
    else:
        against = f"{abs(percent_change)}% {'above' if percent_change > 0 else 'below'} {average}"
    return (
        f"{_plural(total.episodes, 'missing episode')} in {report.month.label}: {change} "
        f"from {report.previous_month.label} ({total.previous_month_episodes}), and {against}."
    )


@dataclass(frozen=True)
class FigureRow:
    """One line of a figures table: its label and how one column's figures read."""

    label: str
    value: Callable[[Figures], str]


def figure_rows(previous: Month, rules: ReviewRules) -> tuple[FigureRow, ...]:
    """Every figure the review shows for a ward, a setting or the whole review, in
    the order the monthly meeting reads them; ``previous`` is the month before."""
    late = rules.reporting.late_report_minutes
    rows = [
        FigureRow("Episodes", lambda f: str(f.episodes)),
        FigureRow(f"Episodes in {previous.label}", lambda f: str(f.previous_month_episodes)),
        FigureRow(
            f"Change from {previous.label}",
            lambda f: change_in_words(f.episodes, f.previous_month_episodes),
        ),
        FigureRow("Average of the 3 months before", lambda f: mean_in_words(f.trailing_mean)),
        FigureRow("Change from that average", trailing_in_words),
        FigureRow("Patients", lambda f: str(f.patients)),
        FigureRow("Repeat patients", lambda f: str(f.repeat_patients)),
    ]
    rows += [
        FigureRow(kind.label, lambda f, key=kind.value: str(f.kinds.get(key, 0)))
        for kind in (EpisodeKind.AWOL, EpisodeKind.MISSING, EpisodeKind.ESCAPEE)
    ]
    rows += [
        FigureRow("Still missing when this review was made", lambda f: str(f.still_missing)),
        FigureRow(
            "Median time missing",
            lambda f: minutes_in_words(f.median_minutes_missing, "None returned"),
        ),
        FigureRow(
            "Longest time missing",
            lambda f: minutes_in_words(f.longest_minutes_missing, "None returned"),
        ),
        FigureRow("Police risk grade", lambda f: breakdown(f.grades, GRADE_LABELS)),
        FigureRow("Where found", lambda f: breakdown(f.found_places, FOUND_LABELS)),
        FigureRow("Found by", lambda f: breakdown(f.found_by, FINDER_LABELS)),
        FigureRow(
            "Prevention interviews done",
            lambda f: f"{f.prevention_interviews} ({f.returned} returned)",
        ),
        FigureRow(
            "Poorly reported (any fault)",
            lambda f: count_and_share(f.reporting.poor, f.reporting.episodes),
        ),
    ]
    rows += [
        FigureRow(
            fault.label + (f" (over {late} minutes)" if fault.key == "reported_late" else ""),
            lambda f, key=fault.key: count_and_share(
                f.reporting.fault_counts.get(key, 0), f.reporting.episodes
            ),
        )
        for fault in REPORTING_FAULTS
    ]
    rows += [
        FigureRow(
            "Median time to report to police",
            lambda f: minutes_as_counted(f.reporting.median_minutes, "None reported"),
        ),
        FigureRow(
            "90th percentile time to report",
            lambda f: minutes_as_counted(f.reporting.p90_minutes, "None reported"),
        ),
        FigureRow("Not reported to police", lambda f: str(f.reporting.not_reported)),
    ]
    return tuple(rows)


class Column(NamedTuple):
    """One column of a setting's table: a ward, or the setting as a whole."""

    heading: str
    figures: Figures


def setting_columns(setting: SettingRow) -> list[Column]:
    return [Column(ward.name, ward.figures) for ward in setting.wards] + [
        Column("Whole setting", setting.figures)
    ]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str


def rules_in_words(rules: ReviewRules) -> list[Rule]:
    """The thresholds this review was made with, as the page prints them."""
    repeat, volume = rules.repeat, rules.volume
    return [
        Rule(
            "Repeat patient",
            f"An episode in the month that is at least the patient's "
            f"{_ordinal(repeat.episodes)} noticed in {repeat.window_days} days "
            f"({repeat.window_days} × 24 hours) ending at it",
        ),
        Rule(
            "High-risk repeat",
            "A repeat patient graded high risk by police in that time",
        ),
        Rule(
            "High-volume setting or ward",
            f"At least {_plural(volume.episodes, 'episode')} in the month, and at least "
            f"{volume.rise_percent}% above the average of the {volume.trailing} months before",
        ),
        Rule(
            "Poor reporting",
            f"At least {rules.poor_reporting.share_percent}% of a setting's or ward's "
            "episodes in the month with a reporting fault",
        ),
        Rule(
            "Reported to police late",
            f"More than {_plural(rules.reporting.late_report_minutes, 'minute')} "
            "from noticing the absence to reporting it",
        ),
        Rule(
            "Ministry of Justice not told in time",
            f"A restricted patient's absence not told to the Ministry of Justice within "
            f"{_plural(rules.reporting.moj_notify_minutes, 'minute')}",
        ),
    ]


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


FLAG_COLOURS = (
    ("High-risk repeat", "red"),
    ("Repeat patient", "purple"),
    ("High-volume", "orange"),
    ("Poor reporting", "yellow"),
)


def flag_colour(flag: Flag) -> str:
    """The tag colour for a flag's rule (the rule's name is always printed beside it)."""
    return next((colour for start, colour in FLAG_COLOURS if flag.rule.startswith(start)), "grey")


def trend_rows(trend: Iterable[TrendPoint]) -> list[tuple[Month, int, str]]:
    """``(month, episodes, change from the month before)`` for the charts' table; the
    first month's change is unknown here (its month before is not in the trend)."""
    rows: list[tuple[Month, int, str]] = []
    before: int | None = None
    for point in trend:
        change = "" if before is None else change_in_words(point.episodes, before)
        rows.append((point.month, point.episodes, change))
        before = point.episodes
    return rows


def download_name(report: MonthlyReport, extension: str) -> str:
    """``grabpack-monthly-review-2026-11-AREA1.pdf``: the month, and the area when
    the review is of one (its code kept to letters, digits and hyphens)."""
    area = f"-{re.sub(r'[^A-Za-z0-9-]+', '-', report.area_code)}" if report.area_code else ""
    return f"grabpack-monthly-review-{report.month}{area}.{extension}"
