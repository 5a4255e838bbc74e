"""A button pressed on a pack page after signing out in another tab.

Found: "Reviewed, no changes" and Restore then said the page was opened before "you
signed out ... and signed in again since", to someone who was signed out, with no
way to sign in. Wanted: sent to sign in, told truly what happened, and brought back
to the page they pressed it on."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grabpack.extensions import db
from grabpack.models import GrabPackVersion
from grabpack.services.grab_packs import save_version
from tests.factories import patient_on, staff
from tests.page_checks import form_fields
from tests.test_kept_forms import sign_in_from

NAMED = {"risk": {"missing_risk": "high"}}


@pytest.fixture
def patient_id(app, world) -> str:
    """A pack with two versions: one to review, an older one to restore."""
    with app.app_context():
        patient = patient_on(world.ward_a, "Nkechi Obi", NAMED, world.nurse_a)
        later = {"identity": {"full_name": "Nkechi Obi"}, "risk": {"missing_risk": "low"}}
        save_version(patient, later, staff(world.nurse_a), based_on=1)
        db.session.commit()
        return str(patient.id)


def version_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(GrabPackVersion.id)))


BUTTONS = {
    # the page the button is on, and where it posts
    "review": ("/patients/{p}/grab-pack", "/patients/{p}/grab-pack/review"),
    "restore": ("/patients/{p}/grab-pack/versions", "/patients/{p}/grab-pack/versions/1/restore"),
}


@pytest.mark.parametrize("button", BUTTONS)
def test_a_button_pressed_after_signing_out_elsewhere_asks_to_sign_in_and_comes_back(
    app, client, auth, world, patient_id, button
):
    page_address, action = (address.format(p=patient_id) for address in BUTTONS[button])
    auth.login(world.nurse_a)
    sent = form_fields(client.get(page_address).text, action)
    auth.logout()  # in another tab

    response = client.post(action, data=sent)

    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    sign_in = client.get(response.location).text
    assert "signed in again since" not in sign_in
    assert "You were signed out" in sign_in and "nothing was changed" in sign_in
    back = sign_in_from(client, response.location, world.nurse_a)
    assert back.location == page_address
    assert version_count(app) == 2
