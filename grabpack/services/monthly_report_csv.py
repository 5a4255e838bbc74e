"""The monthly review as a CSV: one row per setting-ward, for a spreadsheet or a
scheduled job.

Made from a ``MonthlyReport`` (``services.monthly_report``), the same computation as
the page and the PDF, so the three cannot disagree. Every ward in the review has a
row, a quiet one too. The columns for kinds of episode, police risk grades, places
found, finders and reporting faults are read from their declarations
(``episode_schema``'s enums, ``REPORTING_FAULTS``): adding one there adds its column
here. Values a spreadsheet would run as a formula are quoted by ``csv_lines``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any

from grabpack.domain.episode_schema import EpisodeKind, FoundBy, FoundCategory, PoliceRiskGrade
from grabpack.domain.monthly_review import REPORTING_FAULTS
from grabpack.services.exports import csv_lines
from grabpack.services.monthly_report import Figures, MonthlyReport, ReviewRules, SettingRow

KIND_COLUMNS = tuple(kind.value for kind in EpisodeKind)
GRADE_COLUMNS = (*(f"grade_{grade.value}" for grade in PoliceRiskGrade), "grade_none")
FOUND_COLUMNS = tuple(f"found_{place.value}" for place in FoundCategory)
FOUND_BY_COLUMNS = tuple(f"found_by_{finder.value}" for finder in FoundBy)
FAULT_COLUMNS = tuple(fault.key for fault in REPORTING_FAULTS)

REPORT_COLUMNS = (
    "month",
    "month_over",
    "policing_area",
    "setting_code",
    "setting",
    "ward_code",
    "ward",
    "episodes",
    "patients",
    "repeat_patients",
    *KIND_COLUMNS,
    "returned",
    "still_missing",
    "median_minutes_missing",
    "longest_minutes_missing",
    *GRADE_COLUMNS,
    *FOUND_COLUMNS,
    *FOUND_BY_COLUMNS,
    "prevention_interviews",
    *FAULT_COLUMNS,
    "poorly_reported",
    "not_reported",
    "median_minutes_to_report",
    "p90_minutes_to_report",
    "previous_month_episodes",
    "trailing_3_month_mean",
    "volume_flag",
    "poor_reporting_flag",
    "setting_volume_flag",
    "setting_poor_reporting_flag",
)


def report_csv_lines(report: MonthlyReport) -> Iterator[str]:
    """The review's CSV text in chunks, header first."""
    return csv_lines(REPORT_COLUMNS, report_rows(report))


def report_rows(report: MonthlyReport) -> Iterator[dict[str, Any]]:
    """One row per ward, settings in the review's order, each ward's figures beside
    its setting's flags."""
    month, over = str(report.month), report.month_is_over
    for setting, ward in report.wards:
        yield {
            "month": month,
            "month_over": over,
            "policing_area": setting.area_code,
            "setting_code": setting.code,
            "setting": setting.name,
            "ward_code": ward.code,
            "ward": ward.name,
            **figure_columns(ward.figures, report.rules),
            **_setting_flags(setting, report.rules),
        }


def figure_columns(figures: Figures, rules: ReviewRules) -> dict[str, Any]:
    """One line's figures under their column names (a ward's, here)."""
    reporting = figures.reporting
    return {
        "episodes": figures.episodes,
        "patients": figures.patients,
        "repeat_patients": figures.repeat_patients,
        **_counted(KIND_COLUMNS, (k.value for k in EpisodeKind), figures.kinds),
        "returned": figures.returned,
        "still_missing": figures.still_missing,
        "median_minutes_missing": minutes(figures.median_minutes_missing),
        "longest_minutes_missing": minutes(figures.longest_minutes_missing),
        **_counted(GRADE_COLUMNS, (*(g.value for g in PoliceRiskGrade), ""), figures.grades),
        **_counted(FOUND_COLUMNS, (c.value for c in FoundCategory), figures.found_places),
        **_counted(FOUND_BY_COLUMNS, (b.value for b in FoundBy), figures.found_by),
        "prevention_interviews": figures.prevention_interviews,
        **_counted(FAULT_COLUMNS, FAULT_COLUMNS, reporting.fault_counts),
        "poorly_reported": reporting.poor,
        "not_reported": reporting.not_reported,
        "median_minutes_to_report": minutes(reporting.median_minutes),
        "p90_minutes_to_report": minutes(reporting.p90_minutes),
        "previous_month_episodes": figures.previous_month_episodes,
        "trailing_3_month_mean": one_decimal(figures.trailing_mean),
        "volume_flag": _high_volume(figures, rules),
        "poor_reporting_flag": rules.poor_reporting.is_poor(reporting),
    }


def _setting_flags(setting: SettingRow, rules: ReviewRules) -> dict[str, bool]:
    return {
        "setting_volume_flag": _high_volume(setting.figures, rules),
        "setting_poor_reporting_flag": rules.poor_reporting.is_poor(setting.figures.reporting),
    }


def _high_volume(figures: Figures, rules: ReviewRules) -> bool:
    """The rule's own predicate, as the flags were made with."""
    return rules.volume.is_high(figures.episodes, figures.trailing_counts)


def _counted(
    columns: Iterable[str], keys: Iterable[str], counts: Mapping[str, int]
) -> dict[str, int]:
    return {column: counts.get(key, 0) for column, key in zip(columns, keys, strict=True)}


def minutes(value: float | None) -> str | int:
    """Minutes as counted: a whole number, or a median halfway between two (``22.5``);
    empty when there is nothing to measure."""
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else f"{value:.1f}"


def one_decimal(value: Fraction) -> str:
    """A trailing mean to one decimal place, as the volume rule's reason writes it."""
    return f"{float(value):.1f}"
