"""The monthly review on paper, read back out of the PDF: marked on every page,
the flags before the tables, every figure the meeting needs, and names printed
as typed, in any script, only where the review carries them."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from grabpack.domain.episode_schema import PoliceRiskGrade
from grabpack.domain.monthly_review import (
    REPORTING_FAULTS,
    Month,
    PoorReportingRule,
    RepeatPatient,
    ReportingSummary,
    VolumeRule,
    high_risk_repeat_flag,
    previous_month,
    repeat_flag,
)
from grabpack.domain.recurrence import RepeatRule
from grabpack.domain.reporting import ReportingPolicy
from grabpack.pdf.monthly_report import render_monthly_report
from grabpack.services.monthly_report import (
    Figures,
    MonthlyReport,
    RepeatPatientRow,
    ReviewRules,
    SettingRow,
    TrendPoint,
    WardRow,
)
from tests.pdf.conftest import Extracted, extract, normalise

MARKING = "OFFICIAL-SENSITIVE"
EDGE = 45  # points: the marking sits in the page's margin, within 16 mm of its edge
JULY = Month(2026, 7)
MADE_AT = datetime(2026, 8, 3, 8, 15, tzinfo=UTC)  # 09:15 BST
RULES = ReviewRules(RepeatRule(), VolumeRule(), PoorReportingRule(), ReportingPolicy())

# Names as wards and families type them: markup that must print as typed, and scripts.
HOSTILE_SETTING = "<b>Riverside</b> & a < b & c"
HOSTILE_WARD = "<i>Ward &amp; Two <font size=500>"
HOSTILE_PATIENT = '<img src="http://example.invalid/x.png"> Smith'
ARABIC_WARD = "جناح الأمل"
CHINESE_SETTING = "北院"
ARABIC_PATIENT = "محمد الحسن"
CHINESE_PATIENT = "王伟"
P1, P2, P3, P4 = (uuid.UUID(f"{n}000000-0000-4000-8000-0000000000{n}") for n in (11, 22, 33, 44))


def figures(
    episodes: int,
    *,
    previous: int = 0,
    trailing: tuple[int, int, int] = (0, 0, 0),
    poor: int = 0,
    faults: dict[str, int] | None = None,
    not_reported: int = 0,
    median_report: float | None = None,
    p90_report: float | None = None,
    median_missing: float | None = None,
    longest_missing: int | None = None,
    **others,
) -> Figures:
    counts = {fault.key: 0 for fault in REPORTING_FAULTS} | (faults or {})
    return Figures(
        episodes=episodes,
        reporting=ReportingSummary(episodes, poor, counts, not_reported, median_report, p90_report),
        previous_month_episodes=previous,
        trailing_counts=trailing,
        median_minutes_missing=median_missing,
        longest_minutes_missing=longest_missing,
        **others,
    )


def flagged(line: Figures, kind: str, subject: str) -> Figures:
    flags = [
        RULES.volume.flag(kind, subject, line.episodes, line.trailing_counts),
        RULES.poor_reporting.flag(kind, subject, line.reporting),
    ]
    return replace(line, flags=tuple(f for f in flags if f))


def sample_report(repeat_patients: tuple[RepeatPatientRow, ...] | None = None) -> MonthlyReport:
    """July 2026, two settings in one area, three wards; the figures are made up and
    chosen so that each one reads differently on the page."""
    arabic = flagged(
        figures(
            6,
            previous=4,
            trailing=(4, 4, 4),
            patients=5,
            repeat_patients=1,
            kinds={"missing": 1, "awol": 4, "escapee": 1},
            returned=5,
            still_missing=1,
            median_missing=120,
            longest_missing=1500,
            grades={"very_low": 0, "low": 1, "medium": 1, "high": 1, "": 3},
            found_places={"returned_to_ward": 4, "home": 1},
            found_by={"self_return": 4, "police": 1},
            prevention_interviews=2,
            poor=1,
            faults={"reported_late": 1},
            not_reported=1,
            median_report=30,
            p90_report=61,
        ),
        "ward",
        f"{ARABIC_WARD} ({HOSTILE_SETTING})",
    )
    hostile = flagged(
        figures(
            1,
            previous=2,
            trailing=(0, 1, 2),
            patients=1,
            repeat_patients=1,
            kinds={"awol": 1},
            returned=1,
            median_missing=110,
            longest_missing=110,
            grades={"": 1},
            poor=1,
            faults={"no_grab_pack": 1},
            median_report=10,
            p90_report=10,
        ),
        "ward",
        f"{HOSTILE_WARD} ({HOSTILE_SETTING})",
    )
    chinese = figures(
        5,
        previous=3,
        trailing=(4, 4, 3),
        patients=5,
        repeat_patients=1,
        kinds={"awol": 4, "escapee": 1},
        returned=5,
        median_missing=80,
        longest_missing=120,
        poor=1,
        faults={"s18_not_stated": 1},
        median_report=22.5,
        p90_report=45,
    )
    setting_one = flagged(
        figures(7, previous=6, trailing=(4, 5, 6), patients=6, poor=2, median_report=22.5),
        "setting",
        HOSTILE_SETTING,
    )
    settings = (
        SettingRow(
            1,
            "S1",
            HOSTILE_SETTING,
            "AREA1",
            "Area One",
            setting_one,
            (WardRow(1, "WA1", ARABIC_WARD, arabic), WardRow(2, "WA2", HOSTILE_WARD, hostile)),
        ),
        SettingRow(
            2,
            "S2",
            CHINESE_SETTING,
            "AREA1",
            "Area One",
            chinese,
            (WardRow(3, "WB1", "Ward B", chinese),),
        ),
    )
    total = figures(
        12,
        previous=9,
        trailing=(8, 9, 9),
        patients=11,
        repeat_patients=2,
        kinds={"missing": 1, "awol": 10, "escapee": 1},
        returned=11,
        still_missing=1,
        median_missing=120,
        longest_missing=1500,
        poor=3,
        not_reported=1,
        median_report=20,
        p90_report=60,
    )
    if repeat_patients is None:
        repeat_patients = sample_patients()
    flags = [f for s in settings for f in s.figures.flags]
    flags += [f for s in settings for w in s.wards for f in w.figures.flags]
    for patient in repeat_patients or ():
        repeat = RepeatPatient(
            patient.episodes_in_window, patient.last_noticed_at, patient.highest_grade
        )
        subject = f"Patient {patient.reference}, {patient.ward_name}"
        flags.append(repeat_flag(RULES.repeat, subject, repeat))
        flags += [f for f in [high_risk_repeat_flag(RULES.repeat, subject, repeat)] if f]
    trend = []
    month = JULY
    for episodes in (12, 9, 9, 8, 11, 10, 7, 6, 5, 4, 3, 2):
        trend.insert(0, TrendPoint(month, episodes))
        month = previous_month(month)
    return MonthlyReport(
        month=JULY,
        area_code="AREA1",
        area_name="Area One",
        made_at=MADE_AT,
        rules=RULES,
        total=total,
        settings=settings,
        repeat_patients=repeat_patients,
        trend=tuple(trend),
        flags=tuple(flags),
    )


def sample_patients() -> tuple[RepeatPatientRow, ...]:
    """Repeat patients named in Arabic, Chinese and markup, and one shown with no name."""
    arabic_ward = ("WA1", ARABIC_WARD, HOSTILE_SETTING)
    ward_b = ("WB1", "Ward B", CHINESE_SETTING)
    high, medium, low = PoliceRiskGrade.HIGH, PoliceRiskGrade.MEDIUM, PoliceRiskGrade.LOW
    lines = (
        # 23:30 UTC on 20 July is 00:30 BST on 21 July: the London date is printed.
        (P1, arabic_ward, 4, datetime(2026, 7, 20, 23, 30, tzinfo=UTC), high, ARABIC_PATIENT),
        (P2, ward_b, 3, datetime(2026, 7, 11, 12, tzinfo=UTC), medium, CHINESE_PATIENT),
        (P3, ward_b, 3, datetime(2026, 7, 9, 9, tzinfo=UTC), None, None),
        (P4, ward_b, 5, datetime(2026, 7, 2, 9, tzinfo=UTC), low, HOSTILE_PATIENT),
    )
    return tuple(
        RepeatPatientRow(patient_id, *ward, episodes, noticed, grade, name)
        for patient_id, ward, episodes, noticed, grade, name in lines
    )


def without_names(patients: tuple[RepeatPatientRow, ...]) -> tuple[RepeatPatientRow, ...]:
    return tuple(replace(patient, name=None) for patient in patients)


def reference(patient_id: uuid.UUID) -> str:
    return patient_id.hex[:8].upper()


def flat(text: str) -> str:
    """The text with every run of white space (line breaks too) as one space."""
    return " ".join(text.split())


def rows(pdf: Extracted) -> str:
    """The text as drawn (``pdftotext -raw``: a table's row stays together, where the
    reading-order mode reads its columns one by one), flattened, bidi marks dropped."""
    return flat(normalise(pdf.raw))


@pytest.fixture(scope="module")
def sample() -> Extracted:
    return extract(render_monthly_report(sample_report()))


@pytest.fixture(scope="module")
def nameless() -> Extracted:
    return extract(render_monthly_report(sample_report(without_names(sample_patients()))))


# --- on every page ----------------------------------------------------------------------------


@pytest.mark.parametrize("pdf_name", ["sample", "nameless"])
def test_every_page_is_marked_at_top_and_bottom(pdf_name, request):
    pdf: Extracted = request.getfixturevalue(pdf_name)
    assert len(pdf.pages) > 1
    for number, words in enumerate(pdf.words, start=1):
        marks = [w for w in words if w.text == MARKING]
        assert len(marks) == 2, f"page {number}"
        top, bottom = sorted(marks, key=lambda w: w.top)
        assert top.top < EDGE, f"page {number}: top marking too low"
        assert bottom.bottom > pdf.page_height - EDGE, f"page {number}: bottom marking too high"
        assert all(top.top <= w.top and w.bottom <= bottom.bottom for w in words)


def test_every_page_says_page_x_of_y(sample):
    total = len(sample.pages)
    for number, page in enumerate(sample.pages, start=1):
        assert f"Page {number} of {total}" in page


def test_every_page_says_which_month_and_area(sample):
    for page in sample.pages:
        assert "Monthly missing review: July 2026" in page
        assert "Area One (AREA1)" in page


def test_the_pages_are_landscape(sample):
    first = sample.words[0]
    assert max(w.right for w in first) > sample.page_height  # wider than tall


# --- what it covers and the rules it used -----------------------------------------------------


def test_it_opens_with_the_month_the_area_and_when_it_was_made(sample):
    first = flat(sample.pages[0])
    assert "Monthly missing review: July 2026, Area One" in first
    assert "episodes noticed from 00:00 on 1 July to the end of 31 July, London time" in first
    assert "Figures as at 3 August 2026, 09:15 BST" in first


def test_a_readers_own_wards_are_named_on_every_page_not_every_area():
    """A ward manager's review covers their wards: the paper must not claim more."""
    report = replace(sample_report(), area_code=None, area_name=None, covers="Ward A and Ward B")
    pages = extract(render_monthly_report(report)).pages
    assert "Covers Ward A and Ward B" in flat(pages[0])
    assert all("Ward A and Ward B" in flat(page) for page in pages)
    assert not any("All policing areas" in flat(page) for page in pages)


def test_a_month_not_over_says_its_figures_are_so_far_on_every_page():
    report = replace(sample_report(), made_at=datetime(2026, 7, 3, 8, 15, tzinfo=UTC))
    pages = extract(render_monthly_report(report)).pages
    assert "July 2026 had not ended when these figures were made" in flat(pages[0])
    assert all("not over: figures so far" in flat(page) for page in pages)
    assert not any("not over" in flat(page) for page in extract(render_monthly_report(
        sample_report())).pages)  # fmt: skip


def test_the_rules_used_are_printed_with_their_thresholds():
    rules = ReviewRules(
        RepeatRule(episodes=4, window_days=60),
        VolumeRule(episodes=7, rise_percent=40),
        PoorReportingRule(share_percent=30),
        ReportingPolicy(late_report_minutes=45, moj_notify_minutes=30),
    )
    text = flat(extract(render_monthly_report(replace(sample_report(), rules=rules))).text)
    assert "at least the patient's 4th in the 60 days (60 × 24 hours)" in text
    assert "At least 7 episodes in the month and at least 40% above the mean of the 3" in text
    assert "At least 30% of a setting's or ward's episodes" in text
    assert "More than 45 minutes from noticing the absence to reporting it" in text
    assert "not told within 30 minutes" in text
    faults = "; ".join(fault.label for fault in REPORTING_FAULTS)
    assert f"episodes in the month had a reporting fault: {faults}." in text


# --- the flags, first -------------------------------------------------------------------------


def test_the_flags_come_after_the_rules_and_before_the_figures_and_tables(sample):
    text = normalise(sample.raw)
    report = sample_report()
    assert report.flags, "the sample has flags"
    rules = text.index("Rules used")
    summary = text.index("Summary: every ward in this review")
    tables = text.index("Per setting and ward")
    for flag in report.flags:
        reason = flag.reason.split(" (flag:")[0]
        assert rules < text.index(reason) < summary < tables, flag


def test_each_flag_reads_rule_subject_and_reason(sample):
    text = flat(normalise(sample.raw))
    assert f"Flags ({len(sample_report().flags)})" in text
    assert "High-volume ward" in text
    assert "6 episodes this month, 50% above the 3-month average of 4.0" in text
    assert "Poor reporting (ward)" in text
    assert "1 of 1 episodes (100%) poorly reported: no grab pack 1" in text
    assert f"Patient {reference(P1)}, {ARABIC_WARD}" in text
    assert "graded high risk by police in that time" in text


def test_a_month_with_no_flags_says_so():
    quiet = replace(sample_report(repeat_patients=()), flags=())
    text = flat(extract(render_monthly_report(quiet)).text)
    assert "Flags (0)" in text
    assert "No setting, ward or patient met a rule this month." in text
    assert "No repeat patients this month." in text


# --- the figures ------------------------------------------------------------------------------


def test_the_summary_gives_the_change_against_the_previous_and_trailing_months(sample):
    text = rows(sample)
    # 12 episodes; 9 in June; a mean of 26/3 = 8.7 over April to June; 12 is 38% above.
    assert "July 2026 June 2026 Change Mean of April to June 2026 Change vs mean" in text
    assert "Episodes 12 9 +3 8.7 +38%" in text


@pytest.mark.parametrize(
    "expected",
    [
        "Patients 11",
        "Repeat patients 2",
        "Median time missing 2:00 (120 minutes)",
        "Longest time missing 25:00 (1500 minutes)",
        "Poorly reported 3 (25%)",
        "Not reported to police 1",
        "Median minutes to report 20",
        "90th percentile minutes to report 60",
    ],
)
def test_the_summary_figures_are_printed(sample, expected):
    assert expected in rows(sample)


def test_the_tables_give_each_ward_and_setting_its_figures(sample):
    text = rows(sample)
    # Episodes, June, change, mean of April to June, change vs mean, patients, repeat
    # patients, missing, AWOL, escapee, still missing, median and longest time missing
    # (h:mm), prevention interviews.
    assert f"{ARABIC_WARD} (WA1) 6 4 +2 4.0 +50% 5 1 1 4 1 1 2:00 25:00 2" in text
    assert "Ward B (WB1) 5 3 +2 3.7 +36% 5 1 0 4 1 0 1:20 2:00 0" in text
    assert f"{HOSTILE_SETTING} 7 6 +1 5.0 +40% 6 0" in text
    assert "Every ward in this review 12 9 +3 8.7 +38% 11 2 1 10 1 1 2:00 25:00 0" in text
    # Reporting: poorly reported, each fault, not reported, median and p90 minutes.
    faults = " ".join("1" if f.key == "no_grab_pack" else "0" for f in REPORTING_FAULTS)
    assert f"{HOSTILE_WARD} (WA2) 1 (100%) {faults} 0 10 10" in text
    faults = " ".join("1" if f.key == "s18_not_stated" else "0" for f in REPORTING_FAULTS)
    assert f"Ward B (WB1) 1 (20%) {faults} 0 22.5 45" in text  # a median between two
    # Grades (very low to high, none), then who found them, in the enums' order.
    assert f"{ARABIC_WARD} (WA1) 0 1 1 1 3 4 0 1 0 0 0" in text


def test_every_kind_grade_place_finder_and_fault_has_a_column(sample):
    text = flat(sample.text)
    for heading in ("Missing", "AWOL", "Escapee", "Graded very low", "Graded high", "Not graded"):
        assert heading in text
    assert "Found: Railway or transport" in text
    assert "Found by: Member of the public" in text
    for fault in REPORTING_FAULTS:
        assert fault.label in text


def test_the_charts_show_twelve_months_and_each_setting(sample):
    text = rows(sample)
    assert "Episodes in the last twelve months" in text
    months = [
        "Aug 2025", "Sep 2025", "Oct 2025", "Nov 2025", "Dec 2025", "Jan 2026",
        "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026", "Jul 2026",
    ]  # fmt: skip
    assert " ".join(months) in text
    assert "Episodes per setting: July 2026 beside the mean of April to June 2026" in text
    assert "Episodes in July 2026" in text and "Mean of April to June 2026" in text
    chart_page = flat(next(p for p in sample.raw_pages if "Episodes per setting" in p))
    assert HOSTILE_SETTING in chart_page and CHINESE_SETTING in chart_page


# --- names: as typed, any script, only where the review carries them --------------------------


@pytest.mark.parametrize("name", [HOSTILE_SETTING, HOSTILE_WARD, HOSTILE_PATIENT])
def test_names_are_never_markup(sample, name):
    # pdftotext's reading-order mode guesses spaces from gaps ("a<b&c"); -raw keeps them.
    assert name in rows(sample)
    assert any(name in flat(page) for page in sample.pypdf_pages)


def test_arabic_and_chinese_names_print(sample):
    assert ARABIC_WARD in sample.normalised
    assert ARABIC_PATIENT in sample.normalised
    assert CHINESE_SETTING in sample.text
    assert CHINESE_PATIENT in sample.text
    assert "\ufffd" not in sample.text and "[U+" not in sample.text


def test_repeat_patients_are_listed_with_the_minimum_necessary(sample):
    text = rows(sample)
    section = text[text.index("Repeat patients The minimum necessary") :]
    for patient_id in (P1, P2, P3, P4):
        assert reference(patient_id) in section
    assert "Reference Name Ward Setting Episodes in window Last episode" in section
    assert (
        f"{reference(P1)} {ARABIC_PATIENT} {ARABIC_WARD} (WA1) {HOSTILE_SETTING} 4 "
        "21 July 2026 High"  # 00:30 BST, though 20 July in UTC
    ) in section
    assert f"{reference(P2)} {CHINESE_PATIENT} Ward B (WB1) {CHINESE_SETTING} 3" in section
    assert f"{reference(P4)} {HOSTILE_PATIENT} Ward B (WB1)" in section
    assert str(P1) not in text  # the opaque reference only, never the whole id


def test_a_patient_without_a_name_shows_none(sample):
    lines = [flat(line) for line in sample.raw.splitlines()]
    row = next(line for line in lines if line.startswith(reference(P3)))
    assert row == f"{reference(P3)} Ward B (WB1) {CHINESE_SETTING} 3 9 July 2026 Not graded"


def test_no_names_are_shown_when_the_review_carries_none(nameless):
    text = nameless.normalised
    for name in (ARABIC_PATIENT, CHINESE_PATIENT, HOSTILE_PATIENT):
        assert name not in text
    assert "Smith" not in text
    flat_text = rows(nameless)
    assert "Reference Ward Setting Episodes in window" in flat_text
    assert "A name is shown only" not in flat_text
    for patient_id in (P1, P2, P3, P4):
        assert reference(patient_id) in flat_text


def test_aggregate_figures_only_lists_no_patients():
    report = replace(sample_report(repeat_patients=()), repeat_patients=None)
    text = rows(extract(render_monthly_report(report)))
    assert "Not listed: this review shows aggregate figures only" in text
    for patient_id in (P1, P2, P3, P4):
        assert reference(patient_id) not in text


# --- any size ---------------------------------------------------------------------------------


def test_an_empty_review_prints():
    empty = MonthlyReport(
        month=JULY,
        area_code=None,
        area_name=None,
        made_at=MADE_AT,
        rules=RULES,
        total=Figures(),
        settings=(),
        repeat_patients=(),
        trend=tuple(TrendPoint(Month(2026, m), 0) for m in range(1, 8)),
        flags=(),
    )
    pdf = extract(render_monthly_report(empty))
    text = rows(pdf)
    assert "Monthly missing review: July 2026, All policing areas" in text
    assert "Episodes 0 0 0 0.0 –" in text
    assert f"Page 1 of {len(pdf.pages)}" in text


def test_many_settings_and_long_names_spread_over_pages_with_headings_repeated():
    base = sample_report()
    ward = base.settings[1].wards[0]
    long_name = "Extremely long ward name " * 200
    settings = tuple(
        replace(
            base.settings[1],
            setting_id=n,
            code=f"S{n}",
            name=f"Setting number {n}",
            wards=(
                replace(ward, ward_id=n, code=f"W{n}", name=long_name if n == 7 else ward.name),
            ),
        )
        for n in range(45)
    )
    pdf = extract(render_monthly_report(replace(base, settings=settings)))
    text = flat(pdf.text)
    for n in range(45):
        assert f"Setting number {n}" in text
    assert "Extremely long ward name Extremely" in text and "\u2026" in text
    table_pages = [page for page in pdf.pages if "Setting / ward" in page]
    assert len(table_pages) > 4  # four tables, each longer than a page, headed on each
    assert re.search(r"Page \d+ of (\d+)", pdf.pages[-1])
