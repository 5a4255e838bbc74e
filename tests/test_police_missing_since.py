"""What "missing since" tells an officer: when the patient went (last seen, or the end
of leave they did not return from), not when the ward noticed. A tester read
"Missing since 00:15" for a patient last seen at 23:40 the evening before; the
search starts from the time they went."""

from __future__ import annotations

import re
from datetime import timedelta

from grabpack.extensions import db
from grabpack.models.base import utcnow
from grabpack.template_helpers import london_time
from tests.factories import FULL_LEGAL, open_for, patient_on


def officer_page(app, client, auth, world, **fields) -> tuple[str, object]:
    with app.app_context():
        patient = patient_on("WA1", "Caoimhe Ní Dhuibhir", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a, hours_ago=2, **fields)
        db.session.commit()
        times = (episode.last_seen_at, episode.leave_due_back_at, episode.noticed_at)
        patient_id = patient.id
    auth.login(world.police_a)
    return client.get(f"/police/patients/{patient_id}").text, times


def test_missing_since_is_when_last_seen_and_says_so(app, client, auth, world):
    page, (last_seen, _due, noticed) = officer_page(app, client, auth, world)
    assert f"Missing since {london_time(last_seen)} (last seen)." in page
    # When the ward noticed is in the episode's details below, as on the ward's page.
    shown = london_time(noticed, "%H:%M on %-d %B %Y")
    assert re.search(r"Absence noticed\s*</dt>\s*<dd[^>]*>\s*" + re.escape(shown), page)


def test_missing_since_for_leave_not_returned_from_is_its_end(app, client, auth, world):
    due = utcnow().replace(microsecond=0) - timedelta(hours=3)
    page, (_seen, due_back, _noticed) = officer_page(
        app, client, auth, world, leave_due_back_at=due, last_seen_at=due - timedelta(hours=4)
    )
    assert f"Missing since {london_time(due_back)} (due back from leave)." in page
