"""Least privilege: each role sees only its own pages, staff only their wards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import Patient, Ward


@pytest.fixture
def patients(app, world) -> dict[str, str]:
    """One patient on each ward; returns their opaque ids by ward code."""
    ids = {}
    with app.app_context():
        for code in (world.ward_a, world.ward_b):
            ward = db.session.scalar(select(Ward).where(Ward.code == code))
            patient = Patient(full_name=f"Patient on {code}", ward_id=ward.id)
            db.session.add(patient)
            db.session.flush()
            ids[code] = str(patient.id)
        db.session.commit()
    return ids


@pytest.mark.parametrize(
    ("who", "path", "expected"),
    [
        ("nurse_a", "/wards/WA1", 200),
        ("nurse_a", "/wards/WB1", 403),
        ("nurse_a", "/wards/NOPE", 404),
        ("nurse_b", "/wards/WB1", 200),
        ("manager_a", "/wards/WA1", 200),
        ("manager_a", "/wards/WB1", 403),
        ("police_a", "/wards/WA1", 403),
        ("police_a", "/wards", 403),
        ("admin", "/wards/WA1", 403),
        ("nurse_a", "/police/", 403),
        ("admin", "/police/", 403),
        ("police_a", "/police/", 200),
        ("nurse_a", "/admin/users", 403),
        ("police_a", "/admin/users", 403),
        ("admin", "/admin/users", 200),
    ],
)
def test_pages_by_role_and_scope(client, auth, world, who, path, expected):
    auth.login(getattr(world, who))
    assert client.get(path).status_code == expected


@pytest.mark.parametrize(
    ("who", "ward", "expected"),
    [
        ("nurse_a", "WA1", 200),
        ("manager_a", "WA1", 200),
        ("nurse_a", "WB1", 404),
        ("nurse_b", "WA1", 404),
        ("police_a", "WA1", 403),
        ("admin", "WA1", 403),
    ],
)
def test_patient_page_by_role_and_ward(client, auth, world, patients, who, ward, expected):
    auth.login(getattr(world, who))
    assert client.get(f"/patients/{patients[ward]}").status_code == expected


def test_ward_page_lists_only_that_wards_patients(client, auth, world, patients):
    auth.login(world.nurse_a)
    page = client.get("/wards/WA1").text
    assert "Patient on WA1" in page
    assert "Patient on WB1" not in page


def test_forbidden_page_explains_itself(client, auth, world):
    auth.login(world.nurse_a)
    response = client.get("/wards/WB1")
    assert "You do not have access to this page" in response.text


@pytest.mark.parametrize("path", ["/", "/wards", "/wards/WA1", "/police/", "/admin/users"])
def test_signed_out_users_are_sent_to_sign_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_patient_urls_carry_only_an_opaque_id(client, auth, world, patients):
    auth.login(world.nurse_a)
    page = client.get("/wards/WA1").text
    assert f'/patients/{patients["WA1"]}"' in page
    assert '/patients/1"' not in page


@pytest.mark.parametrize(
    ("who", "path", "said", "not_said"),
    [
        ("nurse_a", "/patients/{WB1}", "not be on your ward", "policing areas"),
        ("police_a", "/police/patients/{WB1}", "missing from a setting in your policing", "ward"),
    ],
)
def test_a_patient_not_found_says_why_in_the_readers_terms(
    client, auth, world, patients, who, path, said, not_said
):
    """An officer has no ward: the 404 speaks of their areas and the return."""
    auth.login(getattr(world, who))
    page = client.get(path.format(**patients))
    assert page.status_code == 404
    body = page.text.split("<h1>")[1].split("Go to the start page")[0]
    assert said in body and not_said not in body
