""" "Reviewed, no changes" and Restore write versions too, so they obey the rules
every save obeys (``pack_problems``): a full name, a current period that does not
end before its section started.

Found: restoring an old version saved without a name brought the blank name back
to police, and a review re-stamped it as current. Wanted: both refuse, saying what
to fix, with a link to edit the pack; nothing written."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from grabpack.extensions import db
from grabpack.models import GrabPackVersion, Patient
from grabpack.services.grab_packs import save_version
from tests.factories import patient_on, staff
from tests.page_checks import form_fields

NAMELESS = {"risk": {"missing_risk": "high"}}  # saved before a name was required
NAMED = {"identity": {"full_name": "Tomasz Wójcik"}, "risk": {"missing_risk": "high"}}
PERIOD_BEFORE_START = {
    "identity": {"full_name": "Tomasz Wójcik"},
    "legal": {
        "legal_status": "s3",
        "section_start_on": "2026-11-01",
        "section_expires_on": "2026-10-01",
    },
}


def pack_of(app, world, *versions: dict) -> str:
    """A patient whose pack holds ``versions`` in order, written as old code did
    (``save_version`` does not judge the content)."""
    with app.app_context():
        patient = patient_on(world.ward_a, "Tomasz Wójcik")
        for based_on, data in enumerate(versions):
            save_version(patient, data, staff(world.nurse_a), based_on=based_on)
        db.session.commit()
        return str(patient.id)


def version_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(GrabPackVersion.id)))


def press_review(client, patient_id: str):
    address = f"/patients/{patient_id}/grab-pack/review"
    page = client.get(f"/patients/{patient_id}/grab-pack").text
    return client.post(address, data=form_fields(page, address))


def press_restore(client, patient_id: str, number: int):
    address = f"/patients/{patient_id}/grab-pack/versions/{number}/restore"
    page = client.get(f"/patients/{patient_id}/grab-pack/versions").text
    return client.post(address, data=form_fields(page, address))


def refused_with_a_way_to_fix(response, patient_id: str, what: str) -> None:
    assert response.status_code == 409
    assert what in response.text
    assert f'href="/patients/{patient_id}/grab-pack/edit' in response.text


def test_a_review_of_a_pack_without_a_name_is_refused_saying_to_add_it(app, client, auth, world):
    patient_id = pack_of(app, world, NAMELESS)
    auth.login(world.nurse_a)
    response = press_review(client, patient_id)
    refused_with_a_way_to_fix(response, patient_id, "Enter the patient&#39;s full name")
    assert "The review was not recorded" in response.text
    assert version_count(app) == 1


def test_restoring_a_version_without_a_name_is_refused_saying_to_add_it(app, client, auth, world):
    patient_id = pack_of(app, world, NAMELESS, NAMED)
    auth.login(world.nurse_a)
    response = press_restore(client, patient_id, 1)
    refused_with_a_way_to_fix(response, patient_id, "Enter the patient&#39;s full name")
    assert "Version 1 was not restored" in response.text
    assert version_count(app) == 2
    with app.app_context():
        patient = db.session.get(Patient, uuid.UUID(patient_id))
        assert patient.full_name == "Tomasz Wójcik"


def test_restoring_a_period_that_ends_before_its_start_is_refused(app, client, auth, world):
    patient_id = pack_of(app, world, PERIOD_BEFORE_START, NAMED)
    auth.login(world.nurse_a)
    response = press_restore(client, patient_id, 1)
    refused_with_a_way_to_fix(
        response, patient_id, "must be on or after the date the section started"
    )
    assert version_count(app) == 2


@pytest.mark.parametrize("action", ["review", "restore"])
def test_a_version_that_obeys_the_rules_is_still_written(app, client, auth, world, action):
    patient_id = pack_of(app, world, NAMED, {**NAMED, "risk": {"missing_risk": "low"}})
    auth.login(world.nurse_a)
    response = (
        press_review(client, patient_id)
        if action == "review"
        else press_restore(client, patient_id, 1)
    )
    assert response.status_code == 302
    assert version_count(app) == 3
