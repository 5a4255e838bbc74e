"""Two nurses, two tabs, a double click, a briefly locked database: no save is lost
or doubled."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select

from grabpack.extensions import db
from grabpack.models import GrabPackVersion, Patient, User
from grabpack.services import grab_packs as packs
from grabpack.services.grab_packs import VersionConflict, save_version
from tests.conftest import POSTGRES_URL
from tests.factories import patient_on
from tests.test_packs import form_fields, open_edit, save


@pytest.fixture
def patient_id(app, world):
    with app.app_context():
        patient = patient_on(world.ward_a, "Chidi Okafor", {}, world.nurse_a)
        db.session.commit()
        return patient.id


def version_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(GrabPackVersion.id)))


def nurse_saves(app, patient_id, email: str, based_on: int, barrier, outcomes) -> None:
    """One nurse's save, started at the same moment as a colleague's."""
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        nurse = db.session.scalar(select(User).where(User.email == email))
        barrier.wait()
        try:
            save_version(patient, {"identity": {"full_name": email}}, nurse, based_on=based_on)
            db.session.commit()
            outcomes.append("saved")
        except VersionConflict:
            db.session.rollback()
            outcomes.append("conflict")
        finally:
            db.session.remove()


def test_simultaneous_saves_on_the_same_version_keep_exactly_one(app, world, patient_id):
    rounds = 5
    for round_number in range(rounds):
        barrier, outcomes = threading.Barrier(2), []
        threads = [
            threading.Thread(
                target=nurse_saves,
                args=(app, patient_id, email, round_number + 1, barrier, outcomes),
            )
            for email in (world.nurse_a, world.manager_a)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes) == ["conflict", "saved"], outcomes
    assert version_count(app) == 1 + rounds


def double_click(app, patient_id, email: str, barrier, outcomes) -> None:
    """One of two posts of the same form, sent at the same moment."""
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        nurse = db.session.scalar(select(User).where(User.email == email))
        sent = packs.Submission(
            data={"identity": {"full_name": "Chidi Okafor", "gender": "Male"}},
            based_on=1,
            submission_id="one-form",
        )
        barrier.wait()
        try:
            outcomes.append(type(packs.save(patient, nurse, sent)).__name__)
            db.session.commit()
        finally:
            db.session.remove()


def test_a_simultaneous_double_click_saves_once_and_both_answer_saved(app, world, patient_id):
    barrier, outcomes = threading.Barrier(2), []
    threads = [
        threading.Thread(
            target=double_click, args=(app, patient_id, world.nurse_a, barrier, outcomes)
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["DoubleClick", "Saved"], outcomes
    assert version_count(app) == 2


def test_second_tab_with_old_form_sees_conflict_not_overwrite(app, client, auth, world, patient_id):
    auth.login(world.nurse_a)
    tab_one = open_edit(client, patient_id)
    tab_two = open_edit(client, patient_id)
    assert tab_one["submission_id"] != tab_two["submission_id"]
    save(client, patient_id, tab_one, **{"identity-gender": "Male"})
    page = save(client, patient_id, tab_two, **{"identity-first_language": "Igbo"})
    assert page.status_code == 409
    fields = form_fields(page.text)
    assert fields["identity-gender"] == "Male" and fields["identity-first_language"] == "Igbo"


def hold_sqlite_write_lock(path: str, seconds: float) -> threading.Thread:
    locked = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait(5)
    return thread


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's file lock")
def test_save_waits_out_a_briefly_locked_database(
    app, client, auth, world, patient_id, database_url
):
    auth.login(world.nurse_a)
    fields = open_edit(client, patient_id)
    holder = hold_sqlite_write_lock(database_url.removeprefix("sqlite:///"), 0.5)
    response = save(client, patient_id, fields, **{"identity-gender": "Male"})
    holder.join()
    assert response.status_code == 302
    assert version_count(app) == 2


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's file lock")
def test_database_locked_too_long_keeps_every_entry(app_factory, world, patient_id, database_url):
    from tests.conftest import AuthActions

    impatient = app_factory(SQLITE_BUSY_SECONDS=0.2)
    client = impatient.test_client()
    AuthActions(client).login(world.nurse_a)
    fields = open_edit(client, patient_id)
    holder = hold_sqlite_write_lock(database_url.removeprefix("sqlite:///"), 1.5)
    response = save(
        client,
        patient_id,
        fields,
        **{"identity-gender": "Non-binary", "risk-risk_to_self": "Wrote a note"},
    )
    holder.join()
    assert response.status_code == 503
    assert "The database was busy" in response.text
    kept = form_fields(response.text)
    assert kept["identity-gender"] == "Non-binary"
    assert kept["risk-risk_to_self"] == "Wrote a note"
    assert save(client, patient_id, kept).status_code == 302
    with impatient.app_context():
        assert db.session.scalar(select(func.count(GrabPackVersion.id))) == 2


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL's row lock")
def test_save_waits_for_a_briefly_locked_row_on_postgres(app, client, auth, world, patient_id):
    from sqlalchemy import create_engine, text

    auth.login(world.nurse_a)
    fields = open_edit(client, patient_id)
    engine = create_engine(POSTGRES_URL)
    locked = threading.Event()

    def hold() -> None:
        with engine.begin() as connection:
            connection.execute(text("SELECT * FROM grab_packs FOR UPDATE"))
            locked.set()
            time.sleep(0.5)

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(5)
    response = save(client, patient_id, fields, **{"identity-gender": "Male"})
    holder.join()
    engine.dispose()
    assert response.status_code == 302
    assert version_count(app) == 2
