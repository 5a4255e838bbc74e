"""A double-clicked Restore (or "Reviewed, no changes") is one request.

Found: the second click of a double-clicked Restore said "A colleague saved a newer
version while you were looking", when the newer version was the same person's first
click. Wanted, as Save does for a double click: one version made, and the page says
the version was restored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import GrabPackVersion, Patient
from grabpack.services.grab_packs import save_version
from tests.factories import patient_on, staff
from tests.page_checks import form_fields

COLLEAGUE = "A colleague saved a newer version"


@pytest.fixture
def patient_id(app, world) -> str:
    with app.app_context():
        patient = patient_on(
            world.ward_a, "Lena Fischer", {"risk": {"missing_risk": "high"}}, world.nurse_a
        )
        later = {"identity": {"full_name": "Lena Fischer"}, "risk": {"missing_risk": "low"}}
        save_version(patient, later, staff(world.nurse_a), based_on=1)
        db.session.commit()
        return str(patient.id)


def versions(app) -> list[GrabPackVersion]:
    with app.app_context():
        return list(db.session.scalars(select(GrabPackVersion).order_by(GrabPackVersion.number)))


def test_a_double_clicked_restore_makes_one_version_and_says_restored(
    app, client, auth, world, patient_id
):
    auth.login(world.nurse_a)
    action = f"/patients/{patient_id}/grab-pack/versions/1/restore"
    sent = form_fields(client.get(f"/patients/{patient_id}/grab-pack/versions").text, action)

    first = client.post(action, data=sent)
    second = client.post(action, data=sent)

    assert first.status_code == second.status_code == 302
    page = client.get(second.location).text
    assert COLLEAGUE not in page
    assert "Version 1 restored as version 3" in page
    assert [v.number for v in versions(app)] == [1, 2, 3]
    assert versions(app)[-1].restored_from == 1


def test_a_double_clicked_review_makes_one_version(app, client, auth, world, patient_id):
    auth.login(world.nurse_a)
    action = f"/patients/{patient_id}/grab-pack/review"
    sent = form_fields(client.get(f"/patients/{patient_id}/grab-pack").text, action)

    client.post(action, data=sent)
    second = client.post(action, data=sent)

    page = client.get(second.location).text
    assert COLLEAGUE not in page and "Review recorded as version 3" in page
    assert [v.number for v in versions(app)] == [1, 2, 3]


def test_a_colleagues_save_in_between_is_still_a_conflict(app, client, auth, world, patient_id):
    auth.login(world.nurse_a)
    action = f"/patients/{patient_id}/grab-pack/versions/1/restore"
    sent = form_fields(client.get(f"/patients/{patient_id}/grab-pack/versions").text, action)
    with app.app_context():
        patient = db.session.scalar(select(Patient))
        colleague = {"identity": {"full_name": "Lena Fischer"}, "risk": {"missing_risk": "medium"}}
        save_version(patient, colleague, staff(world.manager_a), based_on=2)
        db.session.commit()

    response = client.post(action, data=sent)

    assert COLLEAGUE in client.get(response.location).text
    assert len(versions(app)) == 3  # the colleague's, and no restore on top of it
