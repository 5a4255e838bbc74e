"""The public appeal poster through its pages: only an officer with access to the
patient (an open episode in their area) can make one, only after confirming the
appeal is authorised and naming who authorised it; it is audited like a PDF
download, with the version used; the ward sees it was made; the files are opaque
and never cached, and carry nothing of the episode but what the allow-list lets
through. Share links get a copy button and a way to read the link out."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import AppealPoster, AuditEvent
from grabpack.services import share_links
from grabpack.services.grab_packs import save_version
from tests.conftest import csrf_token
from tests.factories import FULL_LEGAL, close, open_for, patient_on, staff
from tests.pdf.conftest import extract

REFERENCE = "CAD 4321/23NOV"
PACK = {
    "identity": {
        "full_name": "Amara Okoye",
        "date_of_birth": "1990-04-01",
        "nhs_number": "9434765919",
        "home_address": "Zqhomeaddressx",
    },
    "description": {"height_cm": 170, "build": "Slim", "hair": "Braids", "marks": "Zqmarksx"},
    "health": {"diagnoses": "Zqdiagnosisx"},
    "risk": {"risk_to_self": "Zqriskx"},
    "contacts": {"contacts": [{"name": "Zqcontactx", "phone": "020 7946 0999"}]},
    **FULL_LEGAL,
}
NEVER = (
    "Zqhomeaddressx",
    "Zqdiagnosisx",
    "Zqriskx",
    "Zqcontactx",
    "Zqcircumstancesx",
    "943 476 5919",
    "9434765919",
    "1 April 1990",
    "Section 3",
    "Ward A",
    "Site One",
)


@pytest.fixture
def ids(app, world) -> dict:
    """Amara, missing from ward A (area one) with a police reference; version 2 is
    current. Grace, back an hour ago (within the grace window)."""
    with app.app_context():
        patient = patient_on(world.ward_a, "Amara Okoye", PACK, world.nurse_a)
        save_version(patient, PACK, staff(world.nurse_a), based_on=1)
        episode = open_for(
            patient,
            world.nurse_a,
            police_reference=REFERENCE,
            clothing="Red coat",
            circumstances="Zqcircumstancesx",
        )
        back = patient_on(world.ward_a, "Grace Back", FULL_LEGAL, world.nurse_a)
        close(open_for(back, world.nurse_a), world.nurse_a, hours_ago=1)
        db.session.commit()
        return {"patient": patient.id, "episode": episode.id, "back": back.id}


def poster_page(client, patient_id):
    return client.get(f"/police/patients/{patient_id}/appeal-poster")


def make(client, patient_id, **fields):
    page = poster_page(client, patient_id)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page.text).group(1)
    data = {
        "csrf_token": csrf_token(page.text),
        "version": version,
        "name_shown": "full",
        "show_last_seen_place": "y",
        "authorised": "y",
        "authorised_by": "Insp 123 Patel",
        "action": "make",
        **fields,
    }
    return client.post(f"/police/patients/{patient_id}/appeal-poster", data=data)


def audit_rows(app, action_prefix="appeal_poster"):
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.startswith(action_prefix))
                .order_by(AuditEvent.id)
            )
        )


def test_the_police_patient_page_links_to_the_poster(client, auth, world, ids):
    auth.login(world.police_a)
    page = client.get(f"/police/patients/{ids['patient']}")
    assert "Make a public appeal poster" in page.text
    # Back already: the pack is still visible for the interview, but no appeal.
    assert "Make a public appeal poster" not in client.get(f"/police/patients/{ids['back']}").text


@pytest.mark.parametrize(
    ("user", "expected"),
    [("police_a", 200), ("police_b", 404), ("nurse_a", 403), ("admin", 403), (None, 302)],
)
def test_only_an_officer_with_access_can_open_the_poster_page(
    client, auth, world, ids, user, expected
):
    if user:
        auth.login(getattr(world, user))
    assert poster_page(client, ids["patient"]).status_code == expected


def test_an_officer_of_another_area_cannot_make_one(app, client, auth, world, ids):
    auth.login(world.police_a)
    page = poster_page(client, ids["patient"])
    token = csrf_token(page.text)
    auth.logout()
    auth.login(world.police_b)
    token = csrf_token(client.get("/police/").text)
    response = client.post(
        f"/police/patients/{ids['patient']}/appeal-poster",
        data={
            "csrf_token": token,
            "version": "2",
            "authorised": "y",
            "authorised_by": "Insp 1",
            "action": "make",
        },
    )
    assert response.status_code == 404
    assert audit_rows(app) == []


def test_no_poster_for_a_patient_who_is_back(client, auth, world, ids):
    auth.login(world.police_a)
    assert client.get(f"/police/patients/{ids['back']}").status_code == 200
    assert poster_page(client, ids["back"]).status_code == 404


def test_the_preview_shows_only_what_will_be_printed(client, auth, world, ids):
    auth.login(world.police_a)
    page = poster_page(client, ids["patient"]).text
    preview = page[page.index('id="poster-preview"') :]
    assert "Amara Okoye" in preview and "Red coat" in preview
    assert f"If you see Amara Okoye, call 999 and quote {REFERENCE}" in preview
    assert "Zqmarksx" not in preview  # a feature shows only when ticked
    assert "Zqmarksx" in page  # ... and is offered as a checkbox
    for never in NEVER:
        assert never not in preview, never


def test_making_needs_the_authorisation_and_who_gave_it(app, client, auth, world, ids):
    auth.login(world.police_a)
    response = make(client, ids["patient"], authorised="", authorised_by="")
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Confirm that a public appeal has been authorised" in response.text
    assert response.text.lstrip().startswith("<!DOCTYPE html>")
    assert "<title>Error:" in response.text
    response = make(client, ids["patient"], authorised_by="")
    assert "Enter the authorising officer&#39;s name or reference" in response.text
    response = make(client, ids["patient"], authorised_by="x" * 101)
    assert "100 characters or fewer" in response.text
    with app.app_context():
        assert db.session.scalars(select(AppealPoster)).all() == []
    assert audit_rows(app) == []


def test_a_preview_of_an_older_version_is_not_made(app, client, auth, world, ids):
    auth.login(world.police_a)
    response = make(client, ids["patient"], version="1")
    assert "The ward changed the grab pack while you were choosing" in response.text
    with app.app_context():
        assert db.session.scalars(select(AppealPoster)).all() == []


def test_made_audited_with_the_version_and_downloaded(app, client, auth, world, ids):
    auth.login(world.police_a)
    response = make(client, ids["patient"], name_shown="first", features="marks", show_area="y")
    assert response.status_code == 302
    made_page = client.get(response.headers["Location"])
    assert "Public appeal poster made" in made_page.text
    with app.app_context():
        record = db.session.scalars(select(AppealPoster)).one()
        assert record.grab_pack_version_number == 2
        assert record.episode_id == ids["episode"]
        assert record.authorised_by == "Insp 123 Patel"
        assert record.choices == {
            "name": "first",
            "features": ["marks"],
            "show_area": True,
            "show_last_seen_place": True,
        }
        poster_id = record.public_id

    # The URL names the poster by its opaque id, not the count of posters made.
    assert made_page.request.path == f"/police/appeal-posters/{poster_id}"
    pdf = client.get(f"/police/appeal-posters/{poster_id}.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    disposition = pdf.headers["Content-Disposition"]
    assert "amara" not in disposition.lower() and "okoye" not in disposition.lower()
    named = r'attachment; filename="appeal-poster-[0-9a-f]{8}-[0-9a-f]{8}\.pdf"'
    assert re.fullmatch(named, disposition)
    text = " ".join(extract(pdf.data).text.split())
    assert f"If you see Amara, call 999 and quote {REFERENCE}" in text
    assert "Okoye" not in text
    assert "Zqmarksx" in text and "Missing from the Area One area" in text
    for never in NEVER:
        assert never not in text, never

    png = client.get(f"/police/appeal-posters/{poster_id}.png")
    assert png.mimetype == "image/png" and png.headers["Cache-Control"] == "no-store"
    assert png.headers["Content-Disposition"].endswith('.png"')

    rows = audit_rows(app)
    assert [row.action for row in rows] == [
        "appeal_poster.make",
        "appeal_poster.pdf",
        "appeal_poster.png",
    ]
    for row in rows:
        assert row.grab_pack_version_number == 2
        assert row.episode_id == ids["episode"]
        assert row.patient_id == ids["patient"]
        assert row.detail["appeal_poster_id"] == str(poster_id)
        assert "Patel" not in str(row.detail)


def test_an_officer_without_access_cannot_download_a_made_poster(app, client, auth, world, ids):
    auth.login(world.police_a)
    location = make(client, ids["patient"]).headers["Location"]
    poster_id = location.rsplit("/", 1)[1]
    auth.logout()
    auth.login(world.police_b)
    for path in ("", ".pdf", ".png", "/photo"):
        assert client.get(f"/police/appeal-posters/{poster_id}{path}").status_code == 404
    auth.logout()
    auth.login(world.nurse_a)
    assert client.get(f"/police/appeal-posters/{poster_id}.pdf").status_code == 403
    assert [row.action for row in audit_rows(app)] == ["appeal_poster.make"]


def test_the_ward_sees_that_a_poster_was_made(client, auth, world, ids):
    auth.login(world.police_a)
    make(client, ids["patient"])
    auth.logout()
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{ids['patient']}")
    assert "Police made a public appeal poster" in page.text


def test_no_poster_without_a_police_reference(app, client, auth, world):
    with app.app_context():
        patient = patient_on(world.ward_a, "No Reference", PACK | {"identity": {}}, world.nurse_a)
        open_for(patient, world.nurse_a, police_reference="")
        db.session.commit()
        patient_id = patient.id
    auth.login(world.police_a)
    assert "No police reference" in poster_page(client, patient_id).text
    response = make(client, patient_id)
    assert "The police reference for this absence is not recorded" in response.text


def test_a_share_link_page_has_a_copy_button_and_says_how_to_read_it_out(
    app, client, auth, world, ids
):
    auth.login(world.nurse_a)
    page = client.get(f"/episodes/{ids['episode']}")
    response = client.post(
        f"/episodes/{ids['episode']}/share", data={"csrf_token": csrf_token(page.text)}
    )
    html = response.text
    assert 'data-copy-target="share-url"' in html
    assert "js/copy-link.mjs" in html
    assert "How to read the link out" in html
    url = re.search(r'id="share-url">([^<]+)<', html).group(1)
    token = url.rsplit("/", 1)[1]
    spoken = re.search(r'id="share-url-spoken">(.*?)</ol>', html, re.S).group(1)
    groups = re.findall(r"Group \d+: ([^<]+)</li>", spoken)
    assert len(groups) == -(-len(token) // 4)
    words = {"dash": "-", "underscore": "_"}
    heard = ""
    for group in groups:
        for said in (part.strip() for part in group.split(",")):
            kind, _, char = said.partition(" ")
            if kind == "capital" or kind == "number":
                heard += char
            elif kind == "small":
                heard += char.lower()
            else:
                heard += words[said]
    assert heard == token
    with app.app_context():
        assert share_links.find_link(token) is not None
