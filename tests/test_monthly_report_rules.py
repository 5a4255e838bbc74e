"""The SQL review agrees with the plain-Python rules (``domain.monthly_review``) on
generated months: random episodes crowded around month ends, the spring clock
change and the edges of the repeat window, on whichever database the suite runs.

Each month is checked three ways: with the figures kept at write time for the
default 90-day window, with a 60-day window setting the kept counts are not for
(the review counts live), and after ``refigure_all`` has recounted for 60 days."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from grabpack.domain.monthly_review import (
    Month,
    NoticedEpisode,
    in_month,
    median,
    repeat_in_month,
    summarise_reporting,
)
from grabpack.domain.recurrence import RepeatRule
from grabpack.extensions import db
from grabpack.models import MissingEpisode, Patient, Ward
from grabpack.models.episode_figures import kept_window_days, refigure_all
from grabpack.policies import review_rules
from grabpack.services.episodes import facts_of
from grabpack.services.monthly_report import ReportScope, monthly_report
from tests.factories import staff

MARCH = Month(2026, 3)
NOW = datetime(2026, 4, 3, 12, 0, tzinfo=UTC)
# Moments the rules turn on: London month ends (GMT and BST), the clock change.
EDGES = [
    datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
    datetime(2026, 3, 31, 23, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 2, 1, 0, 0, tzinfo=UTC),
]


def _moment(rng: random.Random, earlier: list[datetime], window_days: int) -> datetime:
    roll = rng.random()
    if roll < 0.25:
        return rng.choice(EDGES) + timedelta(seconds=rng.choice([-61, -1, 0, 1, 59, 3600]))
    if roll < 0.45 and earlier:  # exactly at, or a second either side of, a window edge
        return rng.choice(earlier) + timedelta(days=window_days, seconds=rng.choice([-1, 0, 1]))
    start = datetime(2025, 11, 20, tzinfo=UTC)
    return start + timedelta(minutes=rng.randrange(0, 140 * 24 * 60))


def _episodes(
    rng: random.Random, wards: list[int], patients: list[Patient], author: int, window_days: int
):
    made: list[datetime] = []
    for _ in range(90):
        noticed = _moment(rng, made, window_days)
        made.append(noticed)
        restricted = rng.random() < 0.15
        answer = rng.choice(["retake_until", "not_known", "retake_any_time", "no_power"])
        returned = noticed + timedelta(minutes=rng.randrange(1, 3000))
        moj = noticed + timedelta(minutes=rng.randrange(0, 200)) if rng.random() < 0.5 else None
        yield MissingEpisode(
            patient_id=rng.choice(patients).id,
            ward_id=rng.choice(wards),
            kind=rng.choice(["missing", "awol", "escapee"]),
            last_seen_at=noticed - timedelta(minutes=rng.randrange(0, 240)),
            leave_due_back_at=(
                noticed - timedelta(minutes=rng.randrange(0, 60)) if rng.random() < 0.2 else None
            ),
            noticed_at=noticed,
            reported_at=(
                noticed + timedelta(minutes=rng.randrange(0, 130), seconds=rng.randrange(60))
                if rng.random() < 0.9
                else None
            ),
            police_risk_grade=rng.choice([None, "very_low", "low", "medium", "high"]),
            legal_status="s37_41" if restricted else rng.choice(["s2", "s3", "informal"]),
            retake_answer=answer,
            retake_statement={"answer": answer, "power": rng.choice(["s18(4) s3", "s138", ""])},
            s18_expiry_stated=rng.random() < 0.7,
            moj_notified_at=moj if restricted else None,
            had_no_pack=rng.random() < 0.25,
            pack_incomplete=rng.random() < 0.25,
            review_overdue=rng.random() < 0.25,
            photo_stale=rng.random() < 0.25,
            returned_at=returned if rng.random() < 0.85 else None,
            prevention_interview_at=returned if rng.random() < 0.5 else None,
            opened_by_id=author,
        )


WAYS = {
    "kept for 90 days": (90, False),
    "a 60-day setting, counted live": (60, False),
    "recounted for 60 days": (60, True),
}


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("seed", range(6))
def test_the_sql_review_agrees_with_the_rules(app, world, seed, way):
    window_days, recounted = WAYS[way]
    rng = random.Random(seed)
    with app.app_context():
        wards = list(db.session.scalars(select(Ward.id).order_by(Ward.id)))
        patients = [Patient(full_name=f"P{n}", ward_id=wards[n % 2]) for n in range(12)]
        db.session.add_all(patients)
        db.session.flush()
        author = staff(world.nurse_a).id
        db.session.add_all(_episodes(rng, wards, patients, author, window_days))
        db.session.commit()
        rules = review_rules()
        rules = replace(rules, repeat=RepeatRule(rules.repeat.episodes, window_days))
        if recounted:
            refigure_all(db.session.connection(), window_days)
            db.session.commit()
        kept = kept_window_days(db.session.connection())
        assert kept == (window_days if recounted else 90)
        report = monthly_report(MARCH, ReportScope.everything(), rules, now=NOW)
        episodes = list(db.session.scalars(select(MissingEpisode)))

        by_patient: dict = {}
        for episode in episodes:
            by_patient.setdefault(episode.patient_id, []).append(
                NoticedEpisode(episode.noticed_at, episode.police_risk_grade)
            )
        for _, ward in report.wards:
            mine = [
                e for e in episodes if e.ward_id == ward.ward_id and in_month(e.noticed_at, MARCH)
            ]
            figures = ward.figures
            assert figures.episodes == len(mine)
            assert figures.patients == len({e.patient_id for e in mine})
            expected = summarise_reporting([facts_of(e, NOW) for e in mine], rules.reporting)
            assert figures.reporting == expected
            went = [
                int((e.returned_at - (e.leave_due_back_at or e.last_seen_at)).total_seconds() // 60)
                for e in mine
                if e.returned_at
            ]
            assert figures.median_minutes_missing == median([max(0, m) for m in went])
            repeats = {
                e.patient_id
                for e in mine
                if rules.repeat.is_repeat(
                    rules.repeat.count_in_window(
                        [n.noticed_at for n in by_patient[e.patient_id]], e.noticed_at
                    )
                )
            }
            assert figures.repeat_patients == len(repeats)

        # The generated month exercises every fault and more than one repeat patient.
        assert all(report.total.reporting.fault_counts.values())
        assert len(report.repeat_patients) > 1

        expected_rows = {}
        for patient_id, noticed in by_patient.items():
            repeat = repeat_in_month(rules.repeat, noticed, MARCH)
            if repeat:
                expected_rows[patient_id] = (
                    repeat.episodes_in_window,
                    repeat.last_noticed_at,
                    repeat.highest_grade,
                )
        assert {
            row.patient_id: (row.episodes_in_window, row.last_noticed_at, row.highest_grade)
            for row in report.repeat_patients
        } == expected_rows
