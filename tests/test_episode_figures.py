"""The figures kept for the monthly review whenever an episode is written
(``grabpack.models.episode_figures``): they always equal the rules worked out from
the episodes as they stand, whichever way the episodes were written."""

from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from grabpack.domain.recurrence import RepeatRule
from grabpack.domain.reporting import minutes_between
from grabpack.extensions import db
from grabpack.models import MissingEpisode, Patient, Ward
from grabpack.models.episode_figures import (
    GRADE_RANK,
    KeptFigures,
    kept_window_days,
    refigure_all,
)
from grabpack.services import episodes as episode_service
from tests.factories import FULL_LEGAL, close, open_for, patient_on, staff
from tests.test_monthly_report_rules import _episodes

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def expected_figures(window_days: int = 90) -> dict[uuid.UUID, tuple]:
    """Every episode's figures worked out in Python from the rows as they stand."""
    rule = RepeatRule(window_days=window_days)
    rows = list(db.session.scalars(select(MissingEpisode)))
    expected = {}
    for episode in rows:
        mine = [
            other
            for other in rows
            if other.patient_id == episode.patient_id
            and rule.in_window(other.noticed_at, episode.noticed_at)
        ]
        went = episode.leave_due_back_at or episode.last_seen_at or episode.noticed_at
        expected[episode.id] = (
            minutes_between(episode.noticed_at, episode.reported_at),
            minutes_between(went, episode.returned_at),
            len(mine),
            max(GRADE_RANK.get(other.police_risk_grade, 0) for other in mine),
        )
    return expected


def kept_figures() -> dict[uuid.UUID, tuple]:
    rows = db.session.execute(
        select(
            MissingEpisode.id,
            MissingEpisode.minutes_to_report,
            MissingEpisode.minutes_missing,
            MissingEpisode.window_episodes,
            MissingEpisode.window_top_grade,
        )
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def two_patients(world) -> list[Patient]:
    wards = list(db.session.scalars(select(Ward.id).order_by(Ward.id)))
    patients = [Patient(full_name=f"Patient {n}", ward_id=wards[0]) for n in range(2)]
    db.session.add_all(patients)
    db.session.flush()
    return patients


def episode(patient: Patient, world, noticed: datetime, **fields) -> MissingEpisode:
    return MissingEpisode(
        patient_id=patient.id,
        ward_id=patient.ward_id,
        kind="awol",
        noticed_at=noticed,
        opened_by_id=staff(world.nurse_a).id,
        **fields,
    )


@pytest.mark.parametrize("seed", range(4))
def test_generated_episodes_keep_the_rules_figures(app, world, seed):
    """Random episodes crowded on the window's edges (a second either side of 90 days),
    month ends and the clock change: each episode's kept figures equal the rules'."""
    rng = random.Random(seed)
    with app.app_context():
        wards = list(db.session.scalars(select(Ward.id).order_by(Ward.id)))
        patients = [Patient(full_name=f"P{n}", ward_id=wards[n % 2]) for n in range(8)]
        db.session.add_all(patients)
        db.session.flush()
        db.session.add_all(_episodes(rng, wards, patients, staff(world.nurse_a).id, 90))
        db.session.commit()
        kept = kept_figures()
        assert kept == expected_figures()
        assert max(figures[2] for figures in kept.values()) >= 3  # repeats exist


def test_a_backdated_episode_counts_in_later_windows(app, world):
    """An episode entered late, between two others, makes the later one a 3rd."""
    with app.app_context():
        patient, _ = two_patients(world)
        first = episode(patient, world, T0)
        third = episode(patient, world, T0 + timedelta(days=60))
        db.session.add_all([first, third])
        db.session.commit()
        assert third.window_episodes == 2
        assert third.window_episodes == 2  # loaded into the session
        db.session.add(episode(patient, world, T0 + timedelta(days=30)))
        db.session.flush()
        assert third.window_episodes == 3  # the object in hand is up to date, before commit
        db.session.commit()
        assert kept_figures() == expected_figures()


def test_moving_deleting_and_grading_refresh_the_windows(app, world):
    with app.app_context():
        patient, other = two_patients(world)
        made = [episode(patient, world, T0 + timedelta(days=d)) for d in (0, 40, 80)]
        made.append(episode(other, world, T0 + timedelta(days=81), police_risk_grade="high"))
        db.session.add_all(made)
        db.session.commit()
        assert [e.window_episodes for e in made] == [1, 2, 3, 1]

        made[0].police_risk_grade = "high"  # graded later: the windows it is in show it
        db.session.commit()
        assert [e.window_top_grade for e in made[:3]] == [GRADE_RANK["high"]] * 3
        assert kept_figures() == expected_figures()

        made[0].noticed_at = T0 - timedelta(days=20)  # a corrected time: out of the 3rd's window
        db.session.commit()
        assert made[2].window_episodes == 2
        assert made[2].window_top_grade == 0
        assert kept_figures() == expected_figures()

        db.session.delete(made[1])
        db.session.commit()
        assert made[2].window_episodes == 1
        assert made[3].window_episodes == 1  # another patient's episodes never count
        assert kept_figures() == expected_figures()


def test_the_services_keep_minutes_to_report_and_time_missing(app, world):
    """Through the report and return forms' services: minutes as the rules count them
    (from when the patient went, not when it was noticed)."""
    with app.app_context():
        patient = patient_on("WA1", "Aoife Ní Bhriain", FULL_LEGAL, world.nurse_a)
        opened = open_for(patient, world.nurse_a, hours_ago=5, report_after_minutes=None)
        db.session.commit()
        assert (opened.minutes_to_report, opened.minutes_missing) == (None, None)
        reported = opened.noticed_at + timedelta(minutes=47, seconds=59)
        episode_service.update_episode(
            opened, staff(world.nurse_a), {"reported_at": reported, "police_risk_grade": "medium"}
        )
        db.session.commit()
        assert opened.minutes_to_report == 47
        assert opened.window_top_grade == GRADE_RANK["medium"]
        close(opened, world.nurse_a, hours_ago=1)
        db.session.commit()
        went = opened.last_seen_at
        assert opened.minutes_missing == int((opened.returned_at - went).total_seconds() // 60)
        assert kept_figures() == expected_figures()


def test_a_bulk_load_is_put_right_by_refigure_all(app, world):
    """Rows inserted without the ORM carry no figures until ``refigure_all``."""
    with app.app_context():
        patient, _ = two_patients(world)
        author = staff(world.nurse_a).id
        rows = [
            {
                "id": uuid.uuid4(),
                "patient_id": patient.id,
                "ward_id": patient.ward_id,
                "kind": "missing",
                "noticed_at": T0 + timedelta(days=d),
                "reported_at": T0 + timedelta(days=d, minutes=12),
                "opened_by_id": author,
            }
            for d in (0, 10, 20)
        ]
        db.session.execute(insert(MissingEpisode), rows)
        assert sorted(f[2] for f in kept_figures().values()) == [1, 1, 1]
        refigure_all(db.session.connection())
        db.session.commit()
        assert kept_figures() == expected_figures()
        assert sorted(f[2] for f in kept_figures().values()) == [1, 2, 3]


def test_refigure_for_another_window_records_it(app, world):
    with app.app_context():
        patient, _ = two_patients(world)
        db.session.add_all([episode(patient, world, T0 + timedelta(days=d)) for d in (0, 45, 70)])
        db.session.commit()
        assert kept_window_days(db.session.connection()) == 90
        refigure_all(db.session.connection(), 30)
        db.session.commit()
        assert kept_window_days(db.session.connection()) == 30
        assert db.session.get(KeptFigures, "repeat_window_days").value == 30
        assert kept_figures() == expected_figures(30)
        # Later writes keep counting for the recorded window.
        db.session.add(episode(patient, world, T0 + timedelta(days=71)))
        db.session.commit()
        assert kept_figures() == expected_figures(30)


@pytest.mark.parametrize("app_config", [{"REPEAT_WINDOW_DAYS": 45}], indirect=True)
def test_cli_refigure_uses_the_window_setting(app, world):
    with app.app_context():
        patient, _ = two_patients(world)
        db.session.add_all([episode(patient, world, T0 + timedelta(days=d)) for d in (0, 44, 46)])
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["report", "refigure"])
    assert result.exit_code == 0, result.output
    assert "45-day repeat window" in result.output
    with app.app_context():
        assert kept_window_days(db.session.connection()) == 45
        assert sorted(f[2] for f in kept_figures().values()) == [1, 2, 2]


def test_two_writers_on_one_patient_at_once_keep_both_in_the_windows(app, world):
    """A colleague records an earlier episode of the same patient while another
    transaction is writing one: whichever commits second recounts with both."""
    with app.app_context():
        patient, _ = two_patients(world)
        db.session.commit()
        patient_id = patient.id
    first_flushed, may_commit = threading.Event(), threading.Event()
    problems: list[BaseException] = []

    def write(noticed: datetime, wait_for: threading.Event | None, then: threading.Event | None):
        try:
            with app.app_context():
                owner = db.session.get(Patient, patient_id)
                if wait_for is not None:
                    wait_for.wait(10)
                db.session.add(episode(owner, world, noticed))
                db.session.flush()
                if then is not None:
                    then.set()
                    may_commit.wait(10)
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            problems.append(error)

    first = threading.Thread(target=write, args=(T0, None, first_flushed))
    second = threading.Thread(target=write, args=(T0 + timedelta(days=1), first_flushed, None))
    first.start()
    second.start()
    first_flushed.wait(10)
    time.sleep(0.5)  # the second writer has flushed (or is waiting to)
    may_commit.set()
    first.join(20)
    second.join(20)
    assert problems == []
    with app.app_context():
        kept = kept_figures()
        assert sorted(f[2] for f in kept.values()) == [1, 2]
        assert kept == expected_figures()
