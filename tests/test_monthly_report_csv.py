"""The monthly review as a CSV: one row per setting-ward, columns read from the
declarations, figures as the review computed them, nothing a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from grabpack.domain.episode_schema import EpisodeKind, FoundBy, FoundCategory, PoliceRiskGrade
from grabpack.domain.monthly_review import REPORTING_FAULTS, Month
from grabpack.policies import review_rules
from grabpack.services.monthly_report import Figures, MonthlyReport, ReportScope, monthly_report
from grabpack.services.monthly_report_csv import REPORT_COLUMNS, report_csv_lines
from tests import monthly_month
from tests.monthly_month import EXPECTED
from tests.pdf.test_monthly_report_pdf import (
    ARABIC_WARD,
    CHINESE_SETTING,
    HOSTILE_SETTING,
    HOSTILE_WARD,
    sample_report,
)


def read(report: MonthlyReport) -> list[dict[str, str]]:
    text = "".join(report_csv_lines(report))
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == REPORT_COLUMNS
    return list(reader)


def by_ward(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["ward_code"]: row for row in rows}


# --- the columns ---------------------------------------------------------------------------


def test_every_column_is_named_once():
    assert len(set(REPORT_COLUMNS)) == len(REPORT_COLUMNS)


def test_the_columns_follow_the_declarations():
    """A kind, grade, place, finder or fault added to its declaration is a column."""
    expected = [
        *(kind.value for kind in EpisodeKind),
        *(f"grade_{grade.value}" for grade in PoliceRiskGrade),
        "grade_none",
        *(f"found_{place.value}" for place in FoundCategory),
        *(f"found_by_{finder.value}" for finder in FoundBy),
        *(fault.key for fault in REPORTING_FAULTS),
    ]
    for column in expected:
        assert column in REPORT_COLUMNS, column


def test_the_columns_start_with_where_and_end_with_the_flags():
    assert REPORT_COLUMNS[:7] == (
        "month",
        "month_over",
        "policing_area",
        "setting_code",
        "setting",
        "ward_code",
        "ward",
    )
    assert REPORT_COLUMNS[-4:] == (
        "volume_flag",
        "poor_reporting_flag",
        "setting_volume_flag",
        "setting_poor_reporting_flag",
    )


# --- the rows ------------------------------------------------------------------------------


def test_one_row_per_ward_in_the_order_of_the_review():
    rows = read(sample_report())
    assert [(r["setting_code"], r["ward_code"]) for r in rows] == [
        ("S1", "WA1"),
        ("S1", "WA2"),
        ("S2", "WB1"),
    ]
    assert {r["month"] for r in rows} == {"2026-07"}
    assert {r["policing_area"] for r in rows} == {"AREA1"}


def test_a_ward_with_no_episodes_still_has_its_row():
    report = sample_report()
    quiet_ward = replace(report.settings[1].wards[0], ward_id=9, code="WQ1", name="Quiet Ward")
    quiet = replace(
        report.settings[1],
        wards=(*report.settings[1].wards, replace(quiet_ward, figures=Figures())),
    )
    rows = by_ward(read(replace(report, settings=(report.settings[0], quiet))))
    row = rows["WQ1"]
    assert row["episodes"] == "0" and row["patients"] == "0"
    assert row["median_minutes_missing"] == "" and row["p90_minutes_to_report"] == ""
    assert row["trailing_3_month_mean"] == "0.0"
    assert row["volume_flag"] == "no" and row["poor_reporting_flag"] == "no"


def test_names_are_written_as_typed_in_any_script():
    rows = by_ward(read(sample_report()))
    assert rows["WA1"]["ward"] == ARABIC_WARD
    assert rows["WA1"]["setting"] == HOSTILE_SETTING
    assert rows["WA2"]["ward"] == HOSTILE_WARD
    assert rows["WB1"]["setting"] == CHINESE_SETTING


def test_a_wards_figures_are_its_own():
    row = by_ward(read(sample_report()))["WA1"]
    assert {column: row[column] for column in REPORT_COLUMNS[7:]} == {
        "episodes": "6",
        "patients": "5",
        "repeat_patients": "1",
        "missing": "1",
        "awol": "4",
        "escapee": "1",
        "returned": "5",
        "still_missing": "1",
        "median_minutes_missing": "120",
        "longest_minutes_missing": "1500",
        "grade_very_low": "0",
        "grade_low": "1",
        "grade_medium": "1",
        "grade_high": "1",
        "grade_none": "3",
        **{f"found_{place.value}": "0" for place in FoundCategory},
        "found_returned_to_ward": "4",
        "found_home": "1",
        **{f"found_by_{finder.value}": "0" for finder in FoundBy},
        "found_by_self_return": "4",
        "found_by_police": "1",
        "prevention_interviews": "2",
        **{fault.key: "0" for fault in REPORTING_FAULTS},
        "reported_late": "1",
        "poorly_reported": "1",
        "not_reported": "1",
        "median_minutes_to_report": "30",
        "p90_minutes_to_report": "61",
        "previous_month_episodes": "4",
        "trailing_3_month_mean": "4.0",
        "volume_flag": "yes",  # 6 is exactly 50% above 4: a flag
        "poor_reporting_flag": "no",  # 1 of 6 is under 25%
        "setting_volume_flag": "no",  # the setting's 7 is 40% above its mean of 5
        "setting_poor_reporting_flag": "yes",  # 2 of 7 is over 25%
    }


def test_a_median_between_two_minutes_and_a_mean_keep_one_decimal():
    row = by_ward(read(sample_report()))["WB1"]
    assert row["median_minutes_to_report"] == "22.5"
    assert row["trailing_3_month_mean"] == "3.7"  # 11 / 3
    assert row["median_minutes_missing"] == "80"


def test_every_ward_carries_its_settings_flags():
    rows = by_ward(read(sample_report()))
    assert rows["WA2"]["setting_poor_reporting_flag"] == "yes"
    assert rows["WA2"]["poor_reporting_flag"] == "yes"  # its one episode had no grab pack
    assert rows["WB1"]["setting_poor_reporting_flag"] == "no"  # 1 of 5 is under 25%
    assert rows["WB1"]["setting_volume_flag"] == "no"


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ],
)
def test_nothing_a_spreadsheet_would_run(typed, written):
    report = sample_report()
    setting = replace(report.settings[0], name=typed)
    ward = replace(setting.wards[0], name=typed)
    setting = replace(setting, wards=(ward,))
    row = read(replace(report, settings=(setting,)))[0]
    assert row["setting"] == written and row["ward"] == written


def test_a_month_not_over_says_so_on_every_row():
    """A scheduled job run for the current month gets the figures so far: a few days
    beside full months would read as a quiet month."""
    report = sample_report()
    assert {row["month_over"] for row in read(report)} == {"yes"}
    so_far = replace(report, made_at=datetime(2026, 7, 31, 22, 59, tzinfo=UTC))  # 23:59 BST
    assert {row["month_over"] for row in read(so_far)} == {"no"}
    ended = replace(report, made_at=datetime(2026, 7, 31, 23, 0, tzinfo=UTC))  # midnight BST
    assert {row["month_over"] for row in read(ended)} == {"yes"}


def test_an_empty_review_is_the_header_alone():
    report = replace(sample_report(repeat_patients=()), settings=(), month=Month(2026, 2))
    text = "".join(report_csv_lines(report))
    assert text == ",".join(REPORT_COLUMNS) + "\r\n"


# --- a month worked by hand, from the database ------------------------------------------------


@pytest.fixture
def march(app, world):
    """The review of March 2026 (``tests/monthly_month.py``) for every area, as the
    scheduled job makes it."""
    with app.app_context():
        monthly_month.build(world.nurse_a)
        return monthly_report(Month(*monthly_month.MARCH), ReportScope.everything(), review_rules())


@pytest.mark.parametrize("ward", ["WA1", "WA2", "WB1"])
def test_the_hand_worked_month_matches(march, ward):
    expected = EXPECTED[ward]
    row = by_ward(read(march))[ward]
    assert row["month"] == "2026-03"
    figures = {
        "episodes": expected["episodes"],
        "patients": expected["patients"],
        "repeat_patients": expected["repeat_patients"],
        **expected["kinds"],
        "returned": expected["returned"],
        "still_missing": expected["still_missing"],
        "median_minutes_missing": expected["median_minutes_missing"],
        "longest_minutes_missing": expected["longest_minutes_missing"],
        **{f"grade_{key or 'none'}": count for key, count in expected["grades"].items()},
        **{f"found_{key}": count for key, count in expected["found_places"].items()},
        **{f"found_by_{key}": count for key, count in expected["found_by"].items()},
        "prevention_interviews": expected["prevention_interviews"],
        **{fault.key: expected["faults"].get(fault.key, 0) for fault in REPORTING_FAULTS},
        "poorly_reported": expected["poor"],
        "not_reported": expected["not_reported"],
        "median_minutes_to_report": expected["median_minutes_to_report"],
        "p90_minutes_to_report": expected["p90_minutes_to_report"],
        "previous_month_episodes": expected["previous_month_episodes"],
        "trailing_3_month_mean": f"{sum(expected['trailing_counts']) / 3:.1f}",
        "volume_flag": "High-volume ward" in expected["flags"],
        "poor_reporting_flag": "Poor reporting (ward)" in expected["flags"],
    }
    for column, value in figures.items():
        shown = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        assert row[column] == shown, column
    setting = EXPECTED["S1" if ward.startswith("WA") else "S2"]
    assert row["setting_volume_flag"] == (
        "yes" if "High-volume setting" in setting["flags"] else "no"
    )
    assert row["setting_poor_reporting_flag"] == (
        "yes" if "Poor reporting (setting)" in setting["flags"] else "no"
    )
