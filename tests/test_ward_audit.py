"""The ward's audit page: narrowed by patient, person, action and dates, and naming
the episode a look was made under."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from grabpack.domain.clock import to_london
from grabpack.extensions import db
from grabpack.models import AuditEvent
from grabpack.services import audit
from tests.factories import FULL_LEGAL, open_for, patient_on, staff


@pytest.fixture
def looked_at(app, world, auth, client) -> dict[str, str]:
    """Two missing patients on ward A: the officer views one and prints the other, the
    nurse views both. Returns their ids and the first episode's noticed time."""
    with app.app_context():
        first = patient_on("WA1", "Aisha Rahman", FULL_LEGAL, world.nurse_a)
        second = patient_on("WA1", "Bilal Khan", FULL_LEGAL, world.nurse_a)
        episode = open_for(first, world.nurse_a, hours_ago=3)
        open_for(second, world.nurse_a, hours_ago=1)
        db.session.commit()
        ids = {
            "first": str(first.id),
            "second": str(second.id),
            "episode": str(episode.id),
            "noticed": to_london(episode.noticed_at).strftime("%H:%M, %-d %B %Y"),
            "police": str(staff(world.police_a).id),
            "nurse": str(staff(world.nurse_a).id),
        }
    auth.login(world.police_a)
    assert client.get(f"/police/patients/{ids['first']}").status_code == 200
    assert client.get(f"/patients/{ids['second']}/grab-pack.pdf").status_code == 200
    client.get(f"/police/patients/{ids['second']}")
    auth.logout()
    auth.login(world.nurse_a)
    client.get(f"/patients/{ids['first']}/grab-pack")
    client.get(f"/patients/{ids['second']}/grab-pack")
    auth.logout()
    auth.login(world.manager_a)
    return ids


def rows(page: str) -> list[str]:
    body = page.split('<tbody class="nhsuk-table__body">', 1)
    return (
        re.findall(r'<tr class="nhsuk-table__row" role="row">(.*?)</tr>', body[1], re.S)
        if len(body) > 1
        else []
    )


def test_names_the_episode_a_look_was_made_under(client, looked_at):
    page = client.get("/wards/WA1/audit").text
    expected = (
        f'<a href="/episodes/{looked_at["episode"]}">'
        f"Missing episode noticed {looked_at['noticed']}</a>"
    )
    assert expected in page
    assert ">Episode</a>" not in page
    assert "None (ward staff)" in page


def test_filter_by_patient(client, looked_at):
    page = client.get(f"/wards/WA1/audit?patient={looked_at['first']}").text
    found = rows(page)
    assert len(found) == 2 and all("Aisha Rahman" in row for row in found)
    assert f'<option value="{looked_at["first"]}" selected>Aisha Rahman</option>' in page


def test_filter_by_person(client, looked_at):
    found = rows(client.get(f"/wards/WA1/audit?user={looked_at['nurse']}").text)
    assert len(found) == 2 and all("Nurse A" in row for row in found)


def test_filter_by_action(client, looked_at):
    views = rows(client.get("/wards/WA1/audit?action=grab_pack.view").text)
    assert len(views) == 4 and all("Viewed" in row for row in views)
    downloads = rows(client.get("/wards/WA1/audit?action=grab_pack.pdf").text)
    assert len(downloads) == 1 and "Downloaded PDF" in downloads[0]
    assert len(rows(client.get("/wards/WA1/audit").text)) == 5


def test_filters_combine_and_say_when_nothing_matches(client, looked_at):
    page = client.get(
        f"/wards/WA1/audit?patient={looked_at['second']}&user={looked_at['nurse']}"
    ).text
    assert len(rows(page)) == 1
    page = client.get(f"/wards/WA1/audit?patient={looked_at['second']}&action=share_link.use")
    assert "No views or downloads match these filters" in page.text
    assert "Clear the filters" in page.text


def test_filter_by_london_dates(app, client, world, looked_at):
    with app.app_context():
        # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
        db.session.add(
            AuditEvent(
                at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC),
                action="grab_pack.view",
                user_id=int(looked_at["nurse"]),
                patient_id=uuid.UUID(looked_at["first"]),
            )
        )
        db.session.commit()
    july = "from_date-day=1&from_date-month=7&from_date-year=2026"
    only_july_first = f"{july}&to_date-day=1&to_date-month=7&to_date-year=2026"
    found = rows(client.get(f"/wards/WA1/audit?{only_july_first}").text)
    assert len(found) == 1 and "1 Jul 2026 00:30" in found[0]
    june = "to_date-day=30&to_date-month=6&to_date-year=2026"
    assert rows(client.get(f"/wards/WA1/audit?{june}").text) == []
    assert len(rows(client.get(f"/wards/WA1/audit?{july}").text)) == 6  # and today's five


@pytest.mark.parametrize(
    ("query", "message", "link"),
    [
        (
            "from_date-day=31&from_date-month=2&from_date-year=2027",
            "From must be a real date",
            "#from_date",
        ),
        ("to_date-day=1&to_date-month=&to_date-year=2027", "To must include a month", "#to_date"),
        (
            "from_date-day=2&from_date-month=3&from_date-year=2027"
            "&to_date-day=1&to_date-month=3&to_date-year=2027",
            "The ‘To’ date must be the same as or after the ‘From’ date",
            "#to_date",
        ),
        ("patient=not-a-patient", "Choose a patient from the list", "#patient"),
        ("user=999999", "Choose a person from the list", "#user"),
        ("action=login", "Choose what was done from the list", "#action"),
    ],
)
def test_bad_filters_get_a_clear_error_not_a_500(client, looked_at, query, message, link):
    response = client.get(f"/wards/WA1/audit?{query}")
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message in response.text
    assert f'href="{link}' in response.text
    assert rows(response.text) == []


def test_another_wards_patient_is_not_a_choice(app, client, world, looked_at):
    with app.app_context():
        other = patient_on("WB1", "Other Ward", FULL_LEGAL, world.nurse_b)
        audit.record("grab_pack.view", user=staff(world.nurse_b), patient_id=other.id)
        db.session.commit()
        other_id = other.id
    page = client.get("/wards/WA1/audit")
    assert "Other Ward" not in page.text and "Nurse B" not in page.text
    refused = client.get(f"/wards/WA1/audit?patient={other_id}")
    assert "Choose a patient from the list" in refused.text
