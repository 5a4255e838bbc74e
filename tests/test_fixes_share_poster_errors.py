"""The appeal poster form lists every problem at once, as the NHS design system
asks: an error summary titled "There is a problem" linking to each field, the same
message at the field, and "Error: " before the page title. Found: with nothing
filled in, only the missing confirmation was shown, and the missing authoriser's
name only on the next send."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import AppealPoster
from tests.conftest import csrf_token
from tests.factories import FULL_LEGAL, open_for, patient_on

CONFIRM = "Confirm that a public appeal has been authorised"
WHO = "Enter the authorising officer's name or reference"
TOO_LONG = "The authorising officer's name or reference must be 100 characters or fewer"
NO_REFERENCE = (
    "The police reference for this absence is not recorded: ask the ward to add it to "
    "the report, then make the poster"
)


@pytest.fixture
def patients(app, world) -> dict:
    """Two patients missing from ward A: one with a police reference, one without."""
    with app.app_context():
        found = {}
        for key, reference in (("with", "CAD 4321/23NOV"), ("without", "")):
            patient = patient_on(world.ward_a, f"Patient {key}", FULL_LEGAL, world.nurse_a)
            open_for(patient, world.nurse_a, police_reference=reference)
            found[key] = patient.id
        db.session.commit()
        return found


def make(client, patient_id, **fields):
    path = f"/police/patients/{patient_id}/appeal-poster"
    page = client.get(path).text
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {
        "csrf_token": csrf_token(page),
        "version": version,
        "name_shown": "full",
        "action": "make",
        **fields,
    }
    return client.post(path, data=data)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'")


def summary(html: str) -> list[tuple[str, str | None]]:
    """The error summary's items, in order: (message, the field it links to)."""
    box = re.search(r'class="nhsuk-error-summary".*?</ul>', html, re.S)
    assert box, "no error summary"
    assert "There is a problem" in box.group(0)
    items = re.findall(r"<li>(.*?)</li>", box.group(0), re.S)
    links = [re.search(r'href="#([^"]+)"', item) for item in items]
    return [
        (text(item), link[1] if link else None) for item, link in zip(items, links, strict=True)
    ]


def at_fields(html: str) -> list[str]:
    """The messages shown at the fields, as read after their hidden "Error: "."""
    found = re.findall(
        r'class="nhsuk-error-message"[^>]*>\s*<span class="nhsuk-u-visually-hidden">Error: </span>'
        r"(.*?)</span>",
        html,
        re.S,
    )
    return [text(message) for message in found]


def assert_shown_at_once(response, expected: list[tuple[str, str | None]]) -> None:
    """Every expected (message, field) in the summary, in order; each field's message
    also at the field; and the page title starts "Error: "."""
    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert summary(response.text) == expected
    assert at_fields(response.text) == [message for message, link in expected if link]


def test_nothing_filled_in_lists_both_problems_at_once(app, client, auth, world, patients):
    auth.login(world.police_a)
    response = make(client, patients["with"])
    assert_shown_at_once(response, [(CONFIRM, "authorised"), (WHO, "authorised_by")])
    with app.app_context():
        assert db.session.scalars(select(AppealPoster)).all() == []


def test_not_confirmed_and_too_long_are_both_shown(client, auth, world, patients):
    auth.login(world.police_a)
    response = make(client, patients["with"], authorised_by="x" * 101)
    assert_shown_at_once(response, [(CONFIRM, "authorised"), (TOO_LONG, "authorised_by")])


def test_a_missing_police_reference_is_listed_with_the_rest(client, auth, world, patients):
    auth.login(world.police_a)
    response = make(client, patients["without"])
    assert_shown_at_once(
        response, [(NO_REFERENCE, None), (CONFIRM, "authorised"), (WHO, "authorised_by")]
    )


def test_once_corrected_the_poster_is_made(client, auth, world, patients):
    auth.login(world.police_a)
    response = make(client, patients["with"], authorised="y", authorised_by="Insp 1")
    assert response.status_code == 302
