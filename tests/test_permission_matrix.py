"""Every route, every role and scope, the exact outcome.

Scopes: own ward / other ward for staff; own area / other area for police; and for
police the episode state: open, closed within the grace window, closed long ago,
no episode at all.
"""

from __future__ import annotations

import pytest

from grabpack.extensions import db
from tests.conftest import csrf_token
from tests.factories import FULL_LEGAL, close, open_for, patient_on

PATIENT_ROUTES = {
    "patient": "/patients/{p}",
    "pack": "/patients/{p}/grab-pack",
    "edit": "/patients/{p}/grab-pack/edit",
    "history": "/patients/{p}/grab-pack/versions",
    "version": "/patients/{p}/grab-pack/versions/1",
    "diff": "/patients/{p}/grab-pack/diff?from=1&to=1",
    "photo": "/patients/{p}/grab-pack/versions/1/photo",
    "pdf": "/patients/{p}/grab-pack.pdf",
    "version_pdf": "/patients/{p}/grab-pack/versions/1.pdf",
    "report_missing": "/patients/{p}/episodes/new",
    "discharge": "/patients/{p}/discharge",
    "police_view": "/police/patients/{p}",
    "appeal_poster": "/police/patients/{p}/appeal-poster",
}
OTHER_ROUTES = {
    "ward_a": "/wards/WA1",
    "ward_a_audit": "/wards/WA1/audit",
    "ward_a_discharged": "/wards/WA1/discharged",
    "ward_a_csv": "/wards/WA1/episodes.csv",
    "police_home": "/police/",
    "admin_users": "/admin/users",
    "admin_audit": "/admin/audit.csv",
    "admin_episodes": "/admin/episodes.csv",
}
STAFF_ONLY = {
    "patient",
    "pack",
    "edit",
    "history",
    "version",
    "diff",
    "photo",
    "report_missing",
    "discharge",
}
# Patients: (ward, episode state). "open_a" etc.
PATIENTS = {
    "open_a": ("WA1", "open"),
    "recent_a": ("WA1", "closed_recently"),
    "old_a": ("WA1", "closed_long_ago"),
    "none_a": ("WA1", None),
    "open_b": ("WB1", "open"),
}
USERS = ("nurse_a", "manager_a", "nurse_b", "police_a", "police_b", "admin", None)
WARD_OF = {"nurse_a": "WA1", "manager_a": "WA1", "nurse_b": "WB1"}
AREA_OF = {"police_a": "WA1", "police_b": "WB1"}  # the ward each officer's area holds


def expected_for_patient(user: str | None, route: str, patient: str) -> int:
    ward, state = PATIENTS[patient]
    if user is None:
        return 302
    if user in WARD_OF:
        if route in ("police_view", "appeal_poster"):
            return 403
        if WARD_OF[user] != ward:
            return 404
        if route == "photo":
            return 404  # these packs have no photo
        if route == "report_missing" and state == "open":
            return 302  # straight to the open episode
        return 200
    if user in AREA_OF:
        if route in STAFF_ONLY:
            return 403
        allowed = AREA_OF[user] == ward and state in ("open", "closed_recently")
        if route == "appeal_poster":  # an appeal only while the patient is missing
            allowed = AREA_OF[user] == ward and state == "open"
        return 200 if allowed else 404
    return 403  # admin


def expected_other(user: str | None, route: str) -> int:
    if user is None:
        return 302
    rules = {
        "ward_a": {"nurse_a": 200, "manager_a": 200},
        "ward_a_audit": {"manager_a": 200},
        "ward_a_discharged": {"nurse_a": 200, "manager_a": 200},
        "ward_a_csv": {"manager_a": 200},
        "police_home": {"police_a": 200, "police_b": 200},
        "admin_users": {"admin": 200},
        "admin_audit": {"admin": 200},
        "admin_episodes": {"admin": 200},
    }
    return rules[route].get(user, 403)


@pytest.fixture
def scenario(app, world) -> dict[str, str]:
    return {key: ids[0] for key, ids in scenario_ids(app, world).items()}


def scenario_ids(app, world) -> dict[str, tuple[str, str | None]]:
    """Each scenario patient's id and episode id (None when it has no episode)."""
    with app.app_context():
        ids = {}
        for key, (ward, state) in PATIENTS.items():
            author = world.nurse_a if ward == "WA1" else world.nurse_b
            patient = patient_on(ward, f"Patient {key}", FULL_LEGAL, author)
            episode = None
            if state is not None:
                episode = open_for(
                    patient, author, hours_ago=200 if state == "closed_long_ago" else 3
                )
                if state == "closed_recently":
                    close(episode, author, hours_ago=1)
                elif state == "closed_long_ago":
                    close(episode, author, hours_ago=100)
            ids[key] = (str(patient.id), str(episode.id) if state is not None else None)
        db.session.commit()
    return ids


def test_every_route_for_every_role_and_scope(app, world, scenario, auth, client):
    mismatches = []
    for user in USERS:
        if user is not None:
            auth.login(getattr(world, user))
        for route, template in PATIENT_ROUTES.items():
            for patient, patient_id in scenario.items():
                expected = expected_for_patient(user, route, patient)
                got = client.get(template.format(p=patient_id)).status_code
                if got != expected:
                    mismatches.append(f"{user} {route} {patient}: {got}, expected {expected}")
        for route, path in OTHER_ROUTES.items():
            got = client.get(path).status_code
            if got != (expected := expected_other(user, route)):
                mismatches.append(f"{user} {route}: {got}, expected {expected}")
        if user is not None:
            auth.logout()
    assert mismatches == []


# Changes (POST), with the form's CSRF token. For staff of the patient's ward the
# outcome is the form's own answer; everyone else is refused before it is read.
PATIENT_POSTS = {
    "review": ("/patients/{p}/grab-pack/review", {"based_on": "1"}),
    "restore": ("/patients/{p}/grab-pack/versions/1/restore", {"based_on": "1"}),
    "report_missing": ("/patients/{p}/episodes/new", {}),
    "retake_preview": ("/patients/{p}/episodes/new/retake-power", {}),
    "transfer": ("/patients/{p}/transfer", {"ward": ""}),
    "readmit": ("/patients/{p}/readmit", {}),
}
MANAGERS_ONLY = {"readmit"}
EPISODE_ROUTES = {
    "view": ("GET", "/episodes/{e}", {}),
    "update": ("POST", "/episodes/{e}/update", {}),
    "close": ("POST", "/episodes/{e}/close", {}),
    "share": ("POST", "/episodes/{e}/share", {}),
    "interview": ("POST", "/episodes/{e}/prevention-interview", {}),
    "revoke_unknown": ("POST", "/episodes/{e}/share/999/revoke", {}),
}


def expected_post(user: str | None, route: str, patient: str) -> int:
    ward, state = PATIENTS[patient]
    if user is None:
        return 302
    if user not in WARD_OF or (route in MANAGERS_ONLY and not user.startswith("manager")):
        return 403
    if WARD_OF[user] != ward:
        return 404
    if route == "report_missing":
        return 302 if state == "open" else 200  # to the open episode / form errors
    if route == "retake_preview":
        return 200  # the statement for what was typed; it saves nothing
    return 302  # review, restore, transfer, readmit answer with a redirect and a message


def expected_episode(user: str | None, route: str, patient: str) -> int:
    ward, state = PATIENTS[patient]
    if user is None:
        return 302
    if user not in WARD_OF:
        return 403
    if WARD_OF[user] != ward:
        return 404
    is_open = state == "open"
    return {
        "view": 200,
        "update": 302 if is_open else 200,  # a closed episode re-shows with the reason
        "close": 200,  # no return time given: the form says so
        "share": 200 if is_open else 302,  # the link page / "only while missing"
        "interview": 200,  # no time given: the form says so
        "revoke_unknown": 404,
    }[route]


def test_every_change_for_every_role_and_scope(app, world, auth, client):
    ids = scenario_ids(app, world)
    mismatches = []
    for user in USERS:
        if user is not None:
            auth.login(getattr(world, user))
            token = csrf_token(client.get("/", follow_redirects=True).text)
        else:
            token = csrf_token(client.get("/login").text)
        for route, (template, data) in PATIENT_POSTS.items():
            for patient, (patient_id, _episode_id) in ids.items():
                response = client.post(
                    template.format(p=patient_id), data={"csrf_token": token, **data}
                )
                if response.status_code != (expected := expected_post(user, route, patient)):
                    mismatches.append(
                        f"{user} POST {route} {patient}: "
                        f"{response.status_code}, expected {expected}"
                    )
        for route, (method, template, data) in EPISODE_ROUTES.items():
            for patient, (_patient_id, episode_id) in ids.items():
                if episode_id is None:
                    continue
                path = template.format(e=episode_id)
                response = (
                    client.get(path)
                    if method == "GET"
                    else client.post(path, data={"csrf_token": token, **data})
                )
                if response.status_code != (expected := expected_episode(user, route, patient)):
                    mismatches.append(
                        f"{user} {route} {patient}: {response.status_code}, expected {expected}"
                    )
        if user is not None:
            auth.logout()
    assert mismatches == []


@pytest.mark.parametrize(
    ("user", "expected"), [(None, 302), ("nurse_b", 404), ("police_a", 403), ("admin", 403)]
)
def test_discharge_is_refused_to_anyone_but_the_wards_staff(
    app, world, auth, client, user, expected
):
    patient_id, _ = scenario_ids(app, world)["none_a"]
    if user is not None:
        auth.login(getattr(world, user))
        token = csrf_token(client.get("/", follow_redirects=True).text)
    else:
        token = csrf_token(client.get("/login").text)
    response = client.post(f"/patients/{patient_id}/discharge", data={"csrf_token": token})
    assert response.status_code == expected
