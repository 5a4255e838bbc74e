"""A database locked past its time-out, met by someone who is only looking.

Found by an operations tester: with the SQLite file held by another writer (a
backup, say) an officer opening a missing patient's page or the PDF, and anyone
signing in, got "Sorry, there is a problem with the service" (500) and a
traceback in the log: each of those writes an audit or throttle row first. Now
they get a page that says the database is busy and to try again (503, with
Retry-After), nothing is half-written, and the log has one line."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from grabpack.extensions import db
from grabpack.models import AuditEvent
from tests.conftest import POSTGRES_URL, AuthActions
from tests.factories import FULL_LEGAL, open_for, patient_on
from tests.test_concurrency import hold_sqlite_write_lock

pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's file lock")


@pytest.fixture
def impatient(app_factory, world):
    """The app with a database that gives up waiting for a writer after 0.2 s."""
    return app_factory(SQLITE_BUSY_SECONDS=0.2)


@pytest.fixture
def missing_patient(app, world) -> str:
    with app.app_context():
        patient = patient_on("WA1", "Ayesha Siddiqui", FULL_LEGAL, world.nurse_a)
        open_for(patient, world.nurse_a)
        db.session.commit()
        return str(patient.id)


def audit_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


@pytest.mark.parametrize("path", ["/police/patients/{id}", "/patients/{id}/grab-pack.pdf"])
def test_an_officer_is_told_the_database_is_busy(
    app, impatient, world, missing_patient, database_url, caplog, path
):
    client = impatient.test_client()
    AuthActions(client).login(world.police_a)
    before = audit_rows(app)
    holder = hold_sqlite_write_lock(database_url.removeprefix("sqlite:///"), 1.0)
    with caplog.at_level(logging.WARNING):
        response = client.get(path.format(id=missing_patient))
    holder.join()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "The service is busy" in response.text
    assert "Try again in a moment" in response.text
    assert "Ayesha" not in caplog.text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        "database busy or unreachable: database is locked"
    ]
    assert audit_rows(app) == before  # nothing half-written
    assert client.get(path.format(id=missing_patient)).status_code == 200  # free again


def test_signing_in_while_the_database_is_busy_says_so(impatient, world, database_url):
    client = impatient.test_client()
    holder = hold_sqlite_write_lock(database_url.removeprefix("sqlite:///"), 1.0)
    response = AuthActions(client).login(world.nurse_a)
    holder.join()
    assert response.status_code == 503
    assert "The database was busy" in response.text
