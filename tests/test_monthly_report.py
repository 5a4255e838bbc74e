"""The monthly review's computation against a month worked by hand (tests/monthly_month.py),
and against the plain-Python rules on generated months."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grabpack.domain.monthly_review import Month
from grabpack.extensions import db
from grabpack.models import Patient, Ward
from grabpack.policies import review_rules
from grabpack.services.monthly_report import (
    Figures,
    MonthlyReport,
    ReportNotAllowed,
    ReportScope,
    UnknownArea,
    monthly_report,
    scope_for,
)
from tests import monthly_month as hand
from tests.factories import staff

MARCH = Month(*hand.MARCH)


@pytest.fixture
def march(app, world):
    with app.app_context():
        patients = hand.build(world.nurse_a)
        yield {label: patient.id for label, patient in patients.items()}


def everything(app) -> MonthlyReport:
    """The scheduled job's review of March 2026, made on 2 April."""
    return monthly_report(
        MARCH, ReportScope.everything(), review_rules(), now=hand.at("2026-04-02 09:00")
    )


def lines_of(report: MonthlyReport) -> dict[str, Figures]:
    lines = {"total": report.total}
    for setting in report.settings:
        lines[setting.code] = setting.figures
        for ward in setting.wards:
            lines[ward.code] = ward.figures
    return lines


def as_expected(figures: Figures, expected: dict) -> dict:
    """The figures in the shape ``EXPECTED`` writes them, for one readable diff."""
    reporting = figures.reporting
    shown = {
        "episodes": figures.episodes,
        "patients": figures.patients,
        "repeat_patients": figures.repeat_patients,
        "kinds": dict(figures.kinds),
        "returned": figures.returned,
        "still_missing": figures.still_missing,
        "median_minutes_missing": figures.median_minutes_missing,
        "longest_minutes_missing": figures.longest_minutes_missing,
        "grades": dict(figures.grades),
        "found_places": {k: v for k, v in figures.found_places.items() if v},
        "found_by": {k: v for k, v in figures.found_by.items() if v},
        "prevention_interviews": figures.prevention_interviews,
        "poor": reporting.poor,
        "not_reported": reporting.not_reported,
        "faults": {k: v for k, v in reporting.fault_counts.items() if v},
        "median_minutes_to_report": reporting.median_minutes,
        "p90_minutes_to_report": reporting.p90_minutes,
        "previous_month_episodes": figures.previous_month_episodes,
        "trailing_counts": figures.trailing_counts,
        "flags": [flag.rule for flag in figures.flags],
    }
    return {key: shown[key] for key in expected}


@pytest.mark.parametrize("line", ["WA1", "WA2", "S1", "WB1", "S2", "total"])
def test_each_line_of_the_hand_worked_month(app, march, line):
    with app.app_context():
        figures = lines_of(everything(app))[line]
    assert as_expected(figures, hand.EXPECTED[line]) == hand.EXPECTED[line]


def test_flags_and_their_reasons(app, march):
    with app.app_context():
        report = everything(app)
    flags = [(flag.rule, flag.subject, flag.reason) for flag in report.flags]
    p1 = f"Patient {march['P1'].hex[:8].upper()}, Ward A2"
    p2 = f"Patient {march['P2'].hex[:8].upper()}, Ward B"
    assert flags == [
        (
            "Poor reporting (setting)",
            "Site One",
            "2 of 7 episodes (29%) poorly reported: no grab pack 1, "
            "reported to police late 1 (flag: at least 25%)",
        ),
        (
            "High-volume ward",
            "Ward A (Site One)",
            "6 episodes this month, 50% above the 3-month average of 4.0 "
            "(flag: at least 5 and at least 50% above)",
        ),
        (
            "Poor reporting (ward)",
            "Ward A2 (Site One)",
            "1 of 1 episodes (100%) poorly reported: no grab pack 1 (flag: at least 25%)",
        ),
        (
            "Repeat patient",
            p1,
            "4 episodes in the 90 days to 20 March 2026 (flag: at least 3 in 90 days)",
        ),
        (
            "High-risk repeat",
            p1,
            "4 episodes in the 90 days to 20 March 2026 (flag: at least 3 in 90 days), "
            "graded high risk by police in that time",
        ),
        (
            "Repeat patient",
            p2,
            "3 episodes in the 90 days to 11 March 2026 (flag: at least 3 in 90 days)",
        ),
    ]


def test_repeat_patients_and_trend(app, march):
    with app.app_context():
        report = everything(app)
    labels = {patient_id: label for label, patient_id in march.items()}
    rows = [
        (labels[row.patient_id], row.ward_name, row.episodes_in_window, row.highest_grade)
        for row in report.repeat_patients
    ]
    assert rows == hand.REPEATS
    assert all(row.name is None for row in report.repeat_patients)  # a scheduled job
    assert [point.episodes for point in report.trend] == [0] * 8 + hand.TREND_TAIL
    assert report.trend[-1].month == MARCH and report.trend[0].month == Month(2025, 4)


def test_one_area_counts_only_its_wards(app, march, world):
    with app.app_context():
        scope = scope_for(staff(world.police_b), world.area_b)
        report = monthly_report(MARCH, scope, review_rules(), now=hand.at("2026-04-02 09:00"))
        assert [setting.code for setting in report.settings] == ["S2"]
        assert as_expected(report.total, hand.EXPECTED["WB1"]) | {"flags": []} == {
            **hand.EXPECTED["WB1"],
            "flags": [],
        }
        assert report.area_code == world.area_b
        assert "Area Two" in report.title


def test_a_ward_manager_sees_their_ward_and_only_names_they_may_see(app, march, world):
    """P1 went missing from Ward A (the manager's) but has since moved to Ward A2:
    the row is the Ward A repeat, counted in Ward A's window, without a name."""
    with app.app_context():
        manager = staff(world.manager_a)
        scope = scope_for(manager, None)
        report = monthly_report(MARCH, scope, review_rules(), now=hand.at("2026-04-02 09:00"))
        assert [w.code for _, w in report.wards] == ["WA1"]
        assert report.title == "Monthly missing review: March 2026, Ward A"
        (row,) = report.repeat_patients
        assert (row.patient_id, row.ward_code, row.episodes_in_window) == (march["P1"], "WA1", 3)
        assert row.name is None


def test_names_for_ward_staff_of_the_patients_ward(app, march, world):
    with app.app_context():
        ward_a = db.session.scalar(select(Ward).where(Ward.code == "WA1"))
        db.session.get(Patient, march["P1"]).ward_id = ward_a.id  # moved back to Ward A
        db.session.commit()
        scope = scope_for(staff(world.manager_a), None)
        report = monthly_report(MARCH, scope, review_rules(), now=hand.at("2026-04-02 09:00"))
        assert [row.name for row in report.repeat_patients] == ["Patient P1"]


def test_police_see_names_only_while_they_have_a_reason(app, march, world):
    """With no episode of P2 open the officer sees the row, not the name; once P2 is
    missing again in the officer's area, the name too."""
    with app.app_context():
        scope = scope_for(staff(world.police_b), None)
        rules = review_rules()
        report = monthly_report(MARCH, scope, rules, now=hand.at("2026-04-02 09:00"))
        assert [row.name for row in report.repeat_patients] == [None]
        again = hand.Line("WB1", "P2", "2026-04-02 08:00", back_after=None)
        ward_b = db.session.scalar(select(Ward).where(Ward.code == "WB1"))
        db.session.add(hand._episode(again, march["P2"], ward_b.id, staff(world.nurse_b).id))
        db.session.commit()
        report = monthly_report(MARCH, scope, rules, now=hand.at("2026-04-02 09:00"))
        assert [row.name for row in report.repeat_patients] == ["Patient P2"]
        other_officer = scope_for(staff(world.police_a), None)
        report = monthly_report(MARCH, other_officer, rules, now=hand.at("2026-04-02 09:00"))
        assert [(row.patient_id, row.name) for row in report.repeat_patients] == [
            (march["P1"], None)
        ]


def test_administrators_get_figures_without_patient_rows(app, march, world):
    with app.app_context():
        scope = scope_for(staff(world.admin), None)
        report = monthly_report(MARCH, scope, review_rules(), now=hand.at("2026-04-02 09:00"))
        assert report.repeat_patients is None
        assert report.total.repeat_patients == 2
        assert not [flag for flag in report.flags if flag.rule.endswith("repeat")]
        assert not [flag for flag in report.flags if flag.rule == "Repeat patient"]


def test_who_may_ask_for_which_area(app, world):
    with app.app_context():
        with pytest.raises(ReportNotAllowed):
            scope_for(staff(world.nurse_a), None)
        with pytest.raises(UnknownArea):
            scope_for(staff(world.police_a), world.area_b)
        with pytest.raises(UnknownArea):
            scope_for(staff(world.manager_a), world.area_b)
        with pytest.raises(UnknownArea):
            scope_for(staff(world.admin), "NOWHERE")


def test_the_same_data_gives_the_same_figures(app, march):
    with app.app_context():
        first, second = everything(app), everything(app)
    assert first == second


def test_an_empty_month(app, world):
    with app.app_context():
        report = everything(app)
    assert report.total.episodes == 0 and report.flags == ()
    assert report.total.reporting.median_minutes is None
    assert [w.code for _, w in report.wards] == ["WA1", "WB1"]


def test_a_grade_police_lowered_later_still_makes_a_high_risk_repeat(app, world):
    """ "Graded high risk by police in that window": police searched for a high-risk
    person, whatever they graded the episode once they knew more."""
    from datetime import UTC, datetime, timedelta

    from grabpack.services.episodes import close_episode, update_episode
    from tests.factories import open_for, patient_on

    with app.app_context():
        patient = patient_on(world.ward_a, "Regraded Repeat")
        nurse = staff(world.nurse_a)
        for day in (3, 10, 17):
            noticed = datetime(2026, 3, day, 12, tzinfo=UTC)
            episode = open_for(
                patient,
                world.nurse_a,
                noticed_at=noticed,
                last_seen_at=noticed - timedelta(minutes=20),
                reported_at=noticed + timedelta(minutes=15),
                police_risk_grade="medium",
                kind_confirmed=True,
            )
            if day == 10:
                update_episode(
                    episode, nurse, {"police_risk_grade": "high"}, noticed + timedelta(hours=1)
                )
                update_episode(
                    episode, nurse, {"police_risk_grade": "medium"}, noticed + timedelta(hours=2)
                )
            close_episode(
                episode,
                nurse,
                {"returned_at": noticed + timedelta(hours=3), "found_category": "home"},
                noticed + timedelta(hours=3),
            )
        db.session.commit()
        report = monthly_report(Month(2026, 3), ReportScope.everything(), review_rules())
    (row,) = report.repeat_patients
    assert row.highest_grade.value == "high"
    assert any(f.rule == "High-risk repeat" for f in report.flags)
