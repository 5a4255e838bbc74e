"""A month worked by hand: March 2026, for the monthly review's tests.

Every episode is written out below with the figure it adds; the expected figures
under ``EXPECTED`` were counted by hand from this table, not by the code under
test. March 2026 holds the spring clock change (01:00 GMT on Sunday 29 March) and
ends at 00:00 BST on 1 April (23:00 UTC on 31 March).

Wards: Ward A (WA1) and Ward A2 (WA2) in Site One (area AREA1); Ward B (WB1) in
Site Two (area AREA2). Patient P1 is transferred from Ward A to Ward A2 on
12 March. Default rules: repeat 3 in 90 days, high volume 5 and 50% above the
trailing mean, poor reporting 25%, late after 60 minutes.

Unless a line says otherwise an episode is AWOL, s3 with the retake limit stated,
reported 15 minutes after it was noticed, the patient last seen 30 minutes before
it was noticed and back 90 minutes after (120 minutes missing), found on the ward
having returned by themselves, with no police risk grade.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import MissingEpisode, Patient, Setting, User, Ward

MARCH = (2026, 3)


def at(text: str) -> datetime:
    """A UTC moment written ``2026-03-05 10:00`` (seconds allowed)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Line:
    ward: str
    patient: str
    noticed: str
    kind: str = "awol"
    report_after: int | None = 15  # minutes; None: not reported to police yet
    went: str | None = None  # last seen (UTC); default 30 minutes before noticed
    leave_due_back: str | None = None
    back_after: int | None = 90  # minutes after noticed; None: still missing
    back: str | None = None  # or an exact return time
    grade: str | None = None
    found: tuple[str, str] = ("returned_to_ward", "self_return")
    prevention: bool = False
    no_pack: bool = False
    s18_stated: bool = True


# March 2026, the month under review (12 episodes, 11 patients).
MARCH_LINES = [
    # Ward A: 6 episodes.
    Line("WA1", "P1", "2026-03-05 10:00", grade="medium"),  # P1's 3rd in 90 days: repeat
    Line("WA1", "P4", "2026-03-01 00:00", report_after=60, grade="low"),  # month's first
    # minute (GMT); reported at exactly 60 minutes: not late
    Line(
        "WA1",
        "P5",
        "2026-03-10 14:00",
        report_after=61,  # late: the ward's one poorly reported episode
        went="2026-03-10 13:00",
        back="2026-03-11 14:00",  # 1,500 minutes missing: the longest
        grade="high",
    ),
    Line("WA1", "P6", "2026-03-15 08:00", kind="missing", report_after=None, back_after=None),
    Line(
        "WA1",
        "P7",
        "2026-03-20 12:00",
        report_after=5,
        went="2026-03-20 10:00",
        leave_due_back="2026-03-20 11:00",  # went when leave ended: 120 minutes
        back="2026-03-20 13:00",
        found=("home", "police"),
        prevention=True,
    ),
    # 23:59 BST on 31 March: still March. 90 minutes missing.
    Line("WA1", "P8", "2026-03-31 22:59", report_after=30, back_after=60),
    # Ward A2: P1 after the transfer, with no grab pack (poorly reported). 110 minutes.
    Line(
        "WA2",
        "P1",
        "2026-03-20 09:00",
        report_after=10,
        went="2026-03-20 08:40",
        no_pack=True,
    ),
    # Ward B: 5 episodes.
    Line(
        "WB1",
        "P2",
        "2026-03-11 12:00",
        report_after=20,
        went="2026-03-11 11:40",
        back_after=60,
        grade="medium",
    ),  # 80 minutes; P2's 3rd, the first exactly 90 × 24 hours before: repeat
    Line(
        "WB1",
        "P3",
        "2026-03-11 12:00",
        report_after=25,
        went="2026-03-11 11:30",
        back_after=30,
    ),  # 60 minutes; P3's first was one second too early: not a repeat
    # The clock change: gone at 00:30 GMT, back at 03:30 BST, 2 real hours.
    Line(
        "WB1",
        "P9",
        "2026-03-29 00:45",
        went="2026-03-29 00:30",
        back="2026-03-29 02:30",
    ),
    Line(
        "WB1",
        "P10",
        "2026-03-02 09:00",
        report_after=45,
        went="2026-03-02 08:00",
        back_after=60,
        s18_stated=False,
    ),  # 120 minutes; the retake limit not given to police: poorly reported
    Line(
        "WB1",
        "P11",
        "2026-03-25 16:00",
        kind="escapee",
        report_after=0,
        went="2026-03-25 15:50",
        back_after=30,
    ),  # 40 minutes
]

# Outside March, counted only in the trailing months, the trend and the windows.
OTHER_LINES = [
    Line("WA1", "P1", "2026-01-10 10:00"),
    Line("WA1", "P1", "2026-02-15 10:00", grade="high"),  # makes P1 a high-risk repeat
    Line("WA1", "P4", "2026-02-28 23:59"),  # February (GMT)
    Line("WA1", "P8", "2026-03-31 23:00"),  # 00:00 BST on 1 April: April
    Line("WB1", "P2", "2025-12-11 12:00"),  # exactly 90 × 24 hours before P2's March one
    Line("WB1", "P2", "2026-01-20 12:00", grade="low"),
    Line("WB1", "P3", "2025-12-11 11:59:59"),  # one second outside P3's window
    Line("WB1", "P3", "2026-01-20 12:00"),
    # Fillers so that Ward A has 4, 4, 4 in December to February (mean 4: March's 6 is
    # exactly 50% above, a flag); Ward A2 0, 1, 2; Ward B 4, 4, 3 (mean 3.67: March's 5
    # is only 36% above, no flag); Site One 4, 5, 6 (mean 5: 7 is 40% above, no flag).
    *(Line("WA1", f"F{n}", f"2025-12-{n + 1:02d} 10:00") for n in range(4)),
    *(Line("WA1", f"F{n}", f"2026-01-{n + 11:02d} 10:00") for n in range(4, 7)),
    *(Line("WA1", f"F{n}", f"2026-02-{n + 1:02d} 10:00") for n in range(7, 9)),
    Line("WA2", "F20", "2026-01-05 10:00"),
    *(Line("WA2", f"F{n}", f"2026-02-{n - 10:02d} 10:00") for n in range(21, 23)),
    *(Line("WB1", f"F{n}", f"2025-12-{n - 28:02d} 10:00") for n in range(30, 32)),
    *(Line("WB1", f"F{n}", f"2026-01-{n - 28:02d} 10:00") for n in range(32, 34)),
    *(Line("WB1", f"F{n}", f"2026-02-{n - 30:02d} 10:00") for n in range(34, 37)),
]

# Patients' current wards: P1 was moved to Ward A2 on 12 March.
CURRENT_WARD = {"P1": "WA2"}


def _episode(line: Line, patient_id: uuid.UUID, ward_id: int, author_id: int) -> MissingEpisode:
    noticed = at(line.noticed)
    went = at(line.went) if line.went else noticed - timedelta(minutes=30)
    if line.back:
        returned = at(line.back)
    elif line.back_after is not None:
        returned = noticed + timedelta(minutes=line.back_after)
    else:
        returned = None
    return MissingEpisode(
        patient_id=patient_id,
        ward_id=ward_id,
        kind=line.kind,
        last_seen_at=went,
        leave_due_back_at=at(line.leave_due_back) if line.leave_due_back else None,
        noticed_at=noticed,
        reported_at=(
            None if line.report_after is None else noticed + timedelta(minutes=line.report_after)
        ),
        police_reference="CAD 1/01JAN26",
        police_risk_grade=line.grade,
        legal_status="s3",
        retake_answer="retake_until",
        retake_statement={"answer": "retake_until", "power": "s18(4) s3", "reason": "worked"},
        s18_expiry_stated=line.s18_stated,
        had_no_pack=line.no_pack,
        returned_at=returned,
        found_category=line.found[0] if returned else "",
        found_by=line.found[1] if returned else "",
        prevention_interview_at=returned if line.prevention else None,
        opened_by_id=author_id,
    )


def build(author_email: str) -> dict[str, Patient]:
    """Add Ward A2 to Site One, the patients and every episode; return the patients
    by their label. Call inside an app context on the ``world`` fixture's data."""
    site_one = db.session.scalar(select(Setting).where(Setting.code == "S1"))
    db.session.add(Ward(code="WA2", name="Ward A2", setting=site_one, phone_24h="020 7946 0003"))
    db.session.flush()
    wards = {ward.code: ward.id for ward in db.session.scalars(select(Ward))}
    author = db.session.scalar(select(User).where(User.email == author_email))
    lines = MARCH_LINES + OTHER_LINES
    patients: dict[str, Patient] = {}
    for line in lines:
        if line.patient not in patients:
            home = CURRENT_WARD.get(line.patient, line.ward)
            patients[line.patient] = Patient(
                full_name=f"Patient {line.patient}", ward_id=wards[home]
            )
    db.session.add_all(patients.values())
    db.session.flush()
    for line in lines:
        db.session.add(_episode(line, patients[line.patient].id, wards[line.ward], author.id))
    db.session.commit()
    return patients


# What a review of March 2026 for every area must say, counted by hand above.
EXPECTED = {
    "WA1": {
        "episodes": 6,
        "patients": 6,
        "repeat_patients": 1,
        "kinds": {"awol": 5, "missing": 1, "escapee": 0},
        "returned": 5,
        "still_missing": 1,
        "median_minutes_missing": 120,
        "longest_minutes_missing": 1500,
        "grades": {"very_low": 0, "low": 1, "medium": 1, "high": 1, "": 3},
        "found_places": {"returned_to_ward": 4, "home": 1},
        "found_by": {"self_return": 4, "police": 1},
        "prevention_interviews": 1,
        "poor": 1,
        "not_reported": 1,
        "faults": {"reported_late": 1},
        "median_minutes_to_report": 30,
        "p90_minutes_to_report": 61,
        "previous_month_episodes": 4,
        "trailing_counts": (4, 4, 4),
        "flags": ["High-volume ward"],
    },
    "WA2": {
        "episodes": 1,
        "patients": 1,
        "repeat_patients": 1,
        "kinds": {"awol": 1, "missing": 0, "escapee": 0},
        "returned": 1,
        "still_missing": 0,
        "median_minutes_missing": 110,
        "longest_minutes_missing": 110,
        "grades": {"very_low": 0, "low": 0, "medium": 0, "high": 0, "": 1},
        "found_places": {"returned_to_ward": 1},
        "found_by": {"self_return": 1},
        "prevention_interviews": 0,
        "poor": 1,
        "not_reported": 0,
        "faults": {"no_grab_pack": 1},
        "median_minutes_to_report": 10,
        "p90_minutes_to_report": 10,
        "previous_month_episodes": 2,
        "trailing_counts": (0, 1, 2),
        "flags": ["Poor reporting (ward)"],
    },
    "S1": {
        "episodes": 7,
        "patients": 6,
        "repeat_patients": 1,
        "kinds": {"awol": 6, "missing": 1, "escapee": 0},
        "returned": 6,
        "still_missing": 1,
        "median_minutes_missing": 120,
        "longest_minutes_missing": 1500,
        "grades": {"very_low": 0, "low": 1, "medium": 1, "high": 1, "": 4},
        "found_places": {"returned_to_ward": 5, "home": 1},
        "found_by": {"self_return": 5, "police": 1},
        "prevention_interviews": 1,
        "poor": 2,
        "not_reported": 1,
        "faults": {"reported_late": 1, "no_grab_pack": 1},
        "median_minutes_to_report": 22.5,
        "p90_minutes_to_report": 61,
        "previous_month_episodes": 6,
        "trailing_counts": (4, 5, 6),
        "flags": ["Poor reporting (setting)"],
    },
    "WB1": {
        "episodes": 5,
        "patients": 5,
        "repeat_patients": 1,
        "kinds": {"awol": 4, "missing": 0, "escapee": 1},
        "returned": 5,
        "still_missing": 0,
        "median_minutes_missing": 80,
        "longest_minutes_missing": 120,
        "grades": {"very_low": 0, "low": 0, "medium": 1, "high": 0, "": 4},
        "found_places": {"returned_to_ward": 5},
        "found_by": {"self_return": 5},
        "prevention_interviews": 0,
        "poor": 1,
        "not_reported": 0,
        "faults": {"s18_not_stated": 1},
        "median_minutes_to_report": 20,
        "p90_minutes_to_report": 45,
        "previous_month_episodes": 3,
        "trailing_counts": (4, 4, 3),
        "flags": [],
    },
    "total": {
        "episodes": 12,
        "patients": 11,
        "repeat_patients": 2,
        "kinds": {"awol": 10, "missing": 1, "escapee": 1},
        "returned": 11,
        "still_missing": 1,
        "median_minutes_missing": 120,
        "longest_minutes_missing": 1500,
        "poor": 3,
        "not_reported": 1,
        "median_minutes_to_report": 20,
        "p90_minutes_to_report": 60,
        "previous_month_episodes": 9,
        "trailing_counts": (8, 9, 9),
    },
}
EXPECTED["S2"] = {**EXPECTED["WB1"], "flags": []}

# The whole review's trend, December to March; the eight months before are 0.
TREND_TAIL = [8, 9, 9, 12]

# The repeat patients, longest window first: (label, ward, episodes in window, grade).
REPEATS = [("P1", "Ward A2", 4, "high"), ("P2", "Ward B", 3, "medium")]
