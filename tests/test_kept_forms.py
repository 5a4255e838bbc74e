"""Nothing typed is lost to a time-out.

Found: a nurse who searched the grounds for longer than the idle limit and then
sent the report-missing form got "Your form has expired", lost everything typed,
and Back led to sign-in. The same happened to the 128-field pack form.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from grabpack.extensions import db
from grabpack.models import GrabPackVersion, KeptForm
from grabpack.models.base import utcnow
from tests.conftest import PASSWORD, csrf_token
from tests.factories import FULL_LEGAL, patient_on
from tests.page_checks import form_fields as page_form_fields
from tests.test_packs import form_fields, open_edit, save


@pytest.fixture
def patient_id(app, world) -> str:
    with app.app_context():
        patient = patient_on("WA1", "Kept Entries", FULL_LEGAL, world.nurse_a)
        db.session.commit()
        return str(patient.id)


def idle_out(app, client) -> None:
    """The server's record of the last activity, older than the idle limit."""
    with client.session_transaction() as session:
        session["last_seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 5


def kept_rows(app) -> list[KeptForm]:
    with app.app_context():
        return list(db.session.scalars(select(KeptForm)))


def versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(GrabPackVersion.id)))


def sign_in_from(client, location: str, email: str):
    """Sign in on the page the app sent us to (``/login?next=...``)."""
    page = client.get(location)
    return client.post(
        location,
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )


def test_a_pack_edit_sent_after_the_idle_sign_out_comes_back_after_sign_in(
    app, client, auth, world, patient_id
):
    auth.login(world.nurse_a)
    fields = open_edit(client, patient_id)
    before = versions(app)
    idle_out(app, client)
    sent = save(client, patient_id, fields, **{"risk-risk_to_self": "Talked of the bridge"})

    assert sent.status_code == 302
    assert sent.location.startswith("/login?next=")
    assert f"/patients/{patient_id}/grab-pack/edit" in sent.location
    login_page = client.get(sent.location).text
    assert "nothing has been saved yet" in login_page
    assert versions(app) == before  # nothing was saved while signed out
    [row] = kept_rows(app)
    assert b"bridge" not in row.ciphertext  # encrypted at rest

    back = sign_in_from(client, sent.location, world.nurse_a)
    assert back.location == f"/patients/{patient_id}/grab-pack/edit"
    page = client.get(back.location)
    assert "Everything you entered is back on the form" in page.text
    kept = form_fields(page.text)
    assert kept["risk-risk_to_self"] == "Talked of the bridge"
    assert kept_rows(app) == []  # put back once, then gone
    assert "Talked of the bridge" not in client.get(back.location).text  # not twice

    assert save(client, patient_id, kept).status_code == 302
    assert versions(app) == before + 1


def test_a_report_sent_after_the_idle_sign_out_comes_back_after_sign_in(
    app, client, auth, world, patient_id
):
    auth.login(world.nurse_a)
    address = f"/patients/{patient_id}/episodes/new"
    fields = form_fields(client.get(address).text)
    idle_out(app, client)
    sent = client.post(
        address, data={**fields, "kind": "awol", "clothing": "Green parka, red scarf"}
    )
    assert sent.location.startswith("/login?next=")
    back = sign_in_from(client, sent.location, world.nurse_a)
    page = client.get(back.location).text
    assert "Green parka, red scarf" in page
    assert 'value="awol" checked' in page or 'checked value="awol"' in page


def test_someone_else_signing_in_in_that_browser_never_sees_the_entries(
    app, client, auth, world, patient_id
):
    auth.login(world.nurse_a)
    fields = open_edit(client, patient_id)
    idle_out(app, client)
    sent = save(client, patient_id, fields, **{"risk-risk_to_self": "Only for nurse A"})
    back = sign_in_from(client, sent.location, world.police_a)
    assert "Only for nurse A" not in client.get(back.location, follow_redirects=True).text
    assert kept_rows(app) == []  # deleted: its owner cannot get it back from here


def test_a_form_sent_with_no_session_left_is_kept_for_this_browser(
    app, client, auth, world, patient_id
):
    """The cookie itself is gone (the browser was closed): the server cannot know
    who sent it, so the first person to sign in in this browser gets it back."""
    auth.login(world.nurse_a)
    fields = open_edit(client, patient_id)
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    sent = save(client, patient_id, fields, **{"description-hair": "Dyed blue"})
    assert sent.status_code == 302 and sent.location.startswith("/login?next=")
    [row] = kept_rows(app)
    assert row.user_id is None
    back = sign_in_from(client, sent.location, world.nurse_a)
    assert form_fields(client.get(back.location).text)["description-hair"] == "Dyed blue"


def test_a_form_from_a_page_older_than_this_session_is_put_back_not_refused(
    app, client, auth, world, patient_id
):
    """A second tab left open across a sign-out and sign-in: its CSRF token is the
    old session's. It used to be "Your form has expired" and the entries lost."""
    auth.login(world.nurse_a)
    fields = open_edit(client, patient_id)
    auth.logout()
    auth.login(world.nurse_a)
    sent = save(client, patient_id, fields, **{"description-build": "Stocky"})
    assert sent.status_code == 302
    assert sent.location == f"/patients/{patient_id}/grab-pack/edit"
    page = client.get(sent.location).text
    assert "opened before you last signed in" in page
    assert form_fields(page)["description-build"] == "Stocky"


def test_kept_entries_expire(app, client, auth, world, patient_id):
    auth.login(world.nurse_a)
    fields = open_edit(client, patient_id)
    idle_out(app, client)
    sent = save(client, patient_id, fields, **{"description-hair": "Too late"})
    with app.app_context():
        db.session.execute(update(KeptForm).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    back = sign_in_from(client, sent.location, world.nurse_a)
    assert "Too late" not in client.get(back.location).text


def test_a_button_after_the_sign_out_is_not_kept(app, client, auth, world, patient_id):
    """Only forms a person types into are kept; a button press is simply asked again."""
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{patient_id}/grab-pack/edit").text
    idle_out(app, client)
    response = client.post("/session/keepalive", headers={"X-CSRFToken": csrf_token(page)})
    assert response.status_code == 302
    assert kept_rows(app) == []


@pytest.mark.parametrize("app_config", [{"SESSION_MAX_HOURS": 1}], indirect=True)
def test_no_session_outlives_its_hard_maximum_however_active(app, client, auth, world):
    auth.login(world.nurse_a)
    assert client.get("/wards/WA1").status_code == 200
    with client.session_transaction() as session:
        session["signed_in"] -= 3600 + 1
    response = client.get("/wards/WA1")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert "signed out 1 hour after signing in" in client.get(response.location).text


def test_closing_an_episode_after_the_sign_out_comes_back_on_the_episode_page(
    app, client, auth, world, patient_id
):
    from tests.factories import open_for

    with app.app_context():
        from grabpack.models import Patient

        episode_id = str(open_for(db.session.get(Patient, uuid.UUID(patient_id)), world.nurse_a).id)
        db.session.commit()
    auth.login(world.nurse_a)
    page = client.get(f"/episodes/{episode_id}").text
    fields = page_form_fields(page, f"/episodes/{episode_id}/close")
    idle_out(app, client)
    sent = client.post(
        f"/episodes/{episode_id}/close",
        data={**fields, "harm_while_missing": "Grazed hands, seen by the GP"},
    )
    assert sent.location.startswith("/login?next=")
    back = sign_in_from(client, sent.location, world.nurse_a)
    assert back.location == f"/episodes/{episode_id}"
    shown = client.get(back.location).text
    assert "Everything you entered is back on the form" in shown
    assert "Grazed hands, seen by the GP" in shown


FROM_ELSEWHERE = [
    pytest.param({"Sec-Fetch-Site": "cross-site"}, id="another site"),
    pytest.param({"Sec-Fetch-Site": "same-site"}, id="another host of the same site"),
    pytest.param({"Sec-Fetch-Site": None, "Origin": "https://forms.example"}, id="older browser"),
    pytest.param({"Sec-Fetch-Site": None}, id="no word of where from"),
]


@pytest.mark.parametrize("headers", FROM_ELSEWHERE)
def test_a_post_from_elsewhere_plants_nothing_in_the_next_sign_in(
    app, client, auth, world, headers
):
    """Found: a page on another site could post an admission to /wards/WA1/patients/new.
    The session cookie stays behind (SameSite), so the post looked like a form whose
    cookie had gone: it was kept "for whoever signs in next in this browser", and the
    nurse who signed in next found the stranger's entries on her admit form, with
    "check it, then save it"."""
    if headers.get("Sec-Fetch-Site", "") is None:
        client.environ_base.pop("HTTP_SEC_FETCH_SITE")
    sent = {name: value for name, value in headers.items() if value is not None}
    response = client.post(
        "/wards/WA1/patients/new", data={"full_name": "Planted Person"}, headers=sent
    )
    assert response.status_code == 400
    assert "This form could not be sent" in response.text
    assert kept_rows(app) == []
    client.environ_base["HTTP_SEC_FETCH_SITE"] = "same-origin"
    auth.login(world.nurse_a)
    page = client.get("/wards/WA1/patients/new").text
    assert "Planted Person" not in page and "back on the form" not in page


def test_an_older_browser_naming_only_our_origin_still_gets_its_form_back(
    app, client, auth, world, patient_id
):
    """Before ``Sec-Fetch-Site`` a browser said only ``Origin`` on a post: ours is
    proof enough, and the entries come back as for any other browser."""
    auth.login(world.nurse_a)
    fields = open_edit(client, patient_id)
    idle_out(app, client)
    client.environ_base.pop("HTTP_SEC_FETCH_SITE")
    sent = client.post(
        f"/patients/{patient_id}/grab-pack/edit",
        data={**fields, "description-hair": "Shaved"},
        headers={"Origin": "http://localhost"},
    )
    assert sent.location.startswith("/login?next=")
    back = sign_in_from(client, sent.location, world.nurse_a)
    assert form_fields(client.get(back.location).text)["description-hair"] == "Shaved"
