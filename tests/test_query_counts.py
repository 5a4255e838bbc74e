"""Pages issue a bounded number of queries, whatever the data size."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from grabpack.extensions import db
from grabpack.services.grab_packs import save_version
from tests.factories import FULL_LEGAL, open_for, patient_on, staff


@contextmanager
def counted(app):
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def queries(app, client, path: str) -> int:
    with counted(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def add_missing_patients(app, world, count: int) -> None:
    with app.app_context():
        for n in range(count):
            open_for(
                patient_on("WA1", f"Missing {n}", FULL_LEGAL, world.nurse_a),
                world.nurse_a,
                hours_ago=1 + n,
            )
        db.session.commit()


def test_police_home_query_count_does_not_grow_with_episodes(app, client, auth, world):
    add_missing_patients(app, world, 1)
    auth.login(world.police_a)
    few = queries(app, client, "/police/")
    add_missing_patients(app, world, 12)
    assert queries(app, client, "/police/") == few


def test_history_and_audit_pages_do_not_grow_with_versions(app, client, auth, world):
    with app.app_context():
        patient = patient_on("WA1", "Many Versions", FULL_LEGAL, world.nurse_a)
        db.session.commit()
        patient_id = patient.id
    auth.login(world.manager_a)
    history = f"/patients/{patient_id}/grab-pack/versions"
    few_history, few_audit = queries(app, client, history), queries(app, client, "/wards/WA1/audit")
    with app.app_context():
        patient = db.session.get(type(patient), patient_id)
        for number in range(1, 15):
            author = staff(world.nurse_a if number % 2 else world.manager_a)
            save_version(
                patient, {"identity": {"full_name": f"v{number}"}}, author, based_on=number
            )
        db.session.commit()
    for _ in range(5):
        client.get(f"/patients/{patient_id}/grab-pack")  # audited views
    assert queries(app, client, history) == few_history
    assert queries(app, client, "/wards/WA1/audit") == few_audit


def test_a_patients_page_does_not_grow_with_episodes_and_posters(app, client, auth, world):
    """The ward's patient page lists each episode with the appeal posters police made."""
    from grabpack.models import AppealPoster, Patient
    from tests.factories import close

    with app.app_context():
        patient = patient_on("WA1", "Often Missing", FULL_LEGAL, world.nurse_a)
        db.session.commit()
        patient_id = patient.id

    def add_episodes(count: int, start: int) -> None:
        with app.app_context():
            patient = db.session.get(Patient, patient_id)
            for n in range(start, start + count):
                episode = open_for(patient, world.nurse_a, hours_ago=200 - n * 10)
                db.session.add(
                    AppealPoster(
                        patient_id=patient_id,
                        episode_id=episode.id,
                        grab_pack_version_number=1,
                        made_by_id=staff(world.police_a).id,
                        authorised_by="Insp. Example",
                        choices={},
                    )
                )
                close(episode, world.nurse_a, hours_ago=200 - n * 10 - 5)
            db.session.commit()

    auth.login(world.nurse_a)
    add_episodes(1, 0)
    few = queries(app, client, f"/patients/{patient_id}")
    add_episodes(6, 1)
    page = client.get(f"/patients/{patient_id}").text
    assert page.count("Police made a public appeal poster") == 7
    assert queries(app, client, f"/patients/{patient_id}") == few
