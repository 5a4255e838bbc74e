"""The ward list: counts at a glance that match the lists they link to, and a table
that reads on a phone."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from grabpack.domain.clock import london_today
from grabpack.extensions import db
from grabpack.models import GrabPack
from tests.factories import FULL_LEGAL, close, open_for, patient_on

GLANCE = {
    "overdue": r"reviews? overdue",
    "stale_photo": r"photos? out of date",
    "repeat": r"repeat missing patients?",
    "missing": r"patients? missing now",
}


def a_busy_ward(app, world) -> None:
    """One of each thing a manager should see, and a patient with none of them."""
    with app.app_context():
        patient_on("WA1", "No Pack", None, world.nurse_a)
        overdue = patient_on("WA1", "Overdue Review", FULL_LEGAL, world.nurse_a)
        db.session.scalar(
            select(GrabPack).where(GrabPack.patient_id == overdue.id)
        ).review_due_on = london_today() - timedelta(days=3)
        patient_on("WA1", "No Photo Yet", FULL_LEGAL, world.nurse_a)
        missing = patient_on("WA1", "Missing Now", FULL_LEGAL, world.nurse_a)
        open_for(missing, world.nurse_a, hours_ago=2)
        repeat = patient_on("WA1", "Often Away", FULL_LEGAL, world.nurse_a)
        for days in (40, 20, 10):
            close(
                open_for(repeat, world.nurse_a, hours_ago=24 * days), world.nurse_a, 24 * days - 2
            )
        patient_on("WB1", "Other Ward", FULL_LEGAL, world.nurse_b)
        limit = 183  # GRABPACK_PHOTO_STALE_DAYS's default: one day either side of it
        for name, age in (("Photo Fresh", limit), ("Photo Stale", limit + 1)):
            with_photo(patient_on("WA1", name, None, world.nurse_a), world, age)
        db.session.commit()


def with_photo(patient, world, days_old: int) -> None:
    from PIL import Image

    from grabpack.services.grab_packs import save_version
    from grabpack.services.photos import store_photo
    from tests.factories import staff
    from tests.test_photos import encoded

    taken = (london_today() - timedelta(days=days_old)).isoformat()
    data = {"identity": {"full_name": patient.full_name}, "description": {"photo_taken_on": taken}}
    photo = store_photo(encoded(Image.new("RGB", (20, 20)), "PNG"))
    save_version(patient, data, staff(world.nurse_a), based_on=0, photo=photo)


def glance_counts(page: str) -> dict[str, int]:
    counts = {}
    for key, words in GLANCE.items():
        match = re.search(
            rf'href="/wards/WA1\?state={key}">'
            rf'<span class="app-ward-counts__number">(\d+)</span> {words}</a>',
            page,
        )
        assert match, f"no {key} count linking to its list"
        counts[key] = int(match.group(1))
    return counts


def listed(page: str) -> int:
    return int(re.search(r"(\d+) patients?:", page).group(1))


def test_counts_at_a_glance_equal_the_lists_they_link_to(app, client, auth, world):
    a_busy_ward(app, world)
    auth.login(world.manager_a)
    counts = glance_counts(client.get("/wards/WA1").text)
    for key, number in counts.items():
        page = client.get(f"/wards/WA1?state={key}").text
        shown = listed(page) if number else 0
        assert shown == number, key
        if not number:
            assert "No patients match" in page
    # Every patient with a pack and no photo (these test packs have none) is counted;
    # the patient with no pack at all is counted as "No grab pack", not here.
    assert counts == {"overdue": 1, "stale_photo": 5, "repeat": 1, "missing": 1}
    stale = client.get("/wards/WA1?state=stale_photo").text
    assert "No Photo Yet" in stale and "Photo Stale" in stale
    assert "No Pack" not in stale and "Photo Fresh" not in stale
    assert "Other Ward" not in stale


def test_counts_are_one_query_whatever_the_ward_size(app, client, auth, world):
    from tests.test_query_counts import queries

    a_busy_ward(app, world)
    auth.login(world.manager_a)
    few = queries(app, client, "/wards/WA1")
    with app.app_context():
        for n in range(10):
            open_for(patient_on("WA1", f"More {n}", FULL_LEGAL, world.nurse_a), world.nurse_a)
        db.session.commit()
    assert queries(app, client, "/wards/WA1") == few


def test_an_empty_ward_shows_zeros_not_a_blank(app, client, auth, world):
    auth.login(world.nurse_a)
    assert glance_counts(client.get("/wards/WA1").text) == dict.fromkeys(GLANCE, 0)


def test_ward_list_is_the_design_systems_responsive_table(app, client, auth, world):
    a_busy_ward(app, world)
    auth.login(world.nurse_a)
    page = client.get("/wards/WA1").text
    assert "nhsuk-table--responsive" in page and "app-responsive-table" not in page
    # Each cell carries its column heading, for the stacked layout on a phone.
    assert (
        page.count('<span class="nhsuk-table__heading" aria-hidden="true">Grab pack </span>') == 7
    )
