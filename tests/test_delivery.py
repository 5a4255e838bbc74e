"""Every PDF that leaves the building goes one way: access, version, render, audit.

For each way out (ward staff, police, share link) the audit row names exactly the
version printed on the paper it served, and the episode it was given under. Police
get the current version and the one current when the absence was reported, never
another; ward staff any version.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from grabpack.extensions import db
from grabpack.models import AuditEvent, MissingEpisode, Patient
from grabpack.services import delivery, share_links
from grabpack.services.grab_packs import save_version
from tests.conftest import csrf_token
from tests.factories import FULL_LEGAL, close, open_for, patient_on, staff

REFERENCE = "CAD 4321/23NOV"


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def printed_version(content: bytes) -> int:
    """The version the paper says it is, from its footer ("Grab pack version N")."""
    numbers = set(re.findall(r"Grab pack version (\d+)", pdf_text(content)))
    assert len(numbers) == 1, numbers
    return int(numbers.pop())


def pdf_audit_rows(app) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "grab_pack.pdf")
                .order_by(AuditEvent.id)
            )
        )


@pytest.fixture
def ids(app, world) -> dict:
    """Versions 1 and 2, then reported missing (version 2 pinned), then version 3:
    the pack changed during the search, as clothing and risk do."""
    with app.app_context():
        nurse = staff(world.nurse_a)
        patient = patient_on(world.ward_a, "Amara Okoye", FULL_LEGAL, world.nurse_a)
        data = {"identity": {"full_name": "Amara Okoye"}, **FULL_LEGAL}
        save_version(patient, {**data, "description": {"hair": "Braids"}}, nurse, based_on=1)
        episode = open_for(patient, world.nurse_a, police_reference=REFERENCE)
        save_version(patient, {**data, "description": {"hair": "Shaved"}}, nurse, based_on=2)
        _link, token = share_links.create_link(episode, nurse, hours=24)
        db.session.commit()
        assert episode.grab_pack_version_number == 2
        return {"patient": patient.id, "episode": episode.id, "token": token}


def share_link_pdf(app, token: str):
    officer = app.test_client()
    form = officer.get(f"/share/{token}")
    return officer.post(
        f"/share/{token}",
        data={
            "csrf_token": csrf_token(form.text),
            "police_reference": REFERENCE,
            "download": "pdf",
        },
    )


# --- the audit names what was served, per way out ---------------------------------------


@pytest.mark.parametrize(
    ("who", "path", "expected_version"),
    [
        ("nurse_a", "/patients/{p}/grab-pack.pdf", 3),
        ("nurse_a", "/patients/{p}/grab-pack/versions/1.pdf", 1),
        ("police_a", "/patients/{p}/grab-pack.pdf", 3),
        ("police_a", "/patients/{p}/grab-pack/versions/2.pdf", 2),
    ],
)
def test_the_audit_names_the_version_printed_for_staff_and_police(
    app, client, auth, world, ids, who, path, expected_version
):
    auth.login(getattr(world, who))
    response = client.get(path.format(p=ids["patient"]))
    assert response.status_code == 200
    assert printed_version(response.data) == expected_version
    [row] = pdf_audit_rows(app)
    assert row.grab_pack_version_number == expected_version
    assert row.episode_id == ids["episode"]  # the open episode it was given under
    assert row.patient_id == ids["patient"]
    with app.app_context():
        assert db.session.get(AuditEvent, row.id).user.email == getattr(world, who)
    assert row.detail["via"] == ("police" if who == "police_a" else "ward")


def test_the_audit_names_the_version_printed_through_a_share_link(app, ids):
    """It used to record the version pinned when the episode opened (2) while
    serving the current one (3)."""
    response = share_link_pdf(app, ids["token"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert printed_version(response.data) == 3
    [row] = pdf_audit_rows(app)
    assert (row.grab_pack_version_number, row.episode_id) == (3, ids["episode"])
    assert row.user_id is None and row.detail["via"] == "share_link"
    assert "share_link_id" in row.detail
    text = pdf_text(response.data)
    assert f"Officer with share link (ref {REFERENCE})" in text
    with app.app_context():
        uses = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "share_link.use")
        ).all()
        assert uses and all(use.grab_pack_version_number is None for use in uses)


def test_the_ward_audit_page_shows_each_way_out_with_its_version(app, client, auth, world, ids):
    share_link_pdf(app, ids["token"])
    auth.login(world.police_a)
    client.get(f"/patients/{ids['patient']}/grab-pack/versions/2.pdf")
    auth.logout()
    auth.login(world.manager_a)
    page = client.get("/wards/WA1/audit").text
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
    rows = [re.sub(r'<span class="nhsuk-table__heading"[^>]*>.*?</span>', "", r) for r in rows]
    downloads = [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows if "Downloaded" in r]
    assert len(downloads) == 2
    assert "(Police) Downloaded PDF Amara Okoye 2 Missing episode noticed" in downloads[0]
    assert (
        "Officer with share link Downloaded PDF Amara Okoye 3 Missing episode noticed"
        in downloads[1]
    )


# --- what police may fetch -----------------------------------------------------------------


def test_police_get_the_version_current_at_reporting_labelled_as_such(
    app, client, auth, world, ids
):
    auth.login(world.police_a)
    reported = pdf_text(client.get(f"/patients/{ids['patient']}/grab-pack/versions/2.pdf").data)
    current = pdf_text(client.get(f"/patients/{ids['patient']}/grab-pack.pdf").data)
    assert "version 2 (current when reported missing; now 3)" in reported
    assert "Braids" in reported and "Shaved" not in reported
    assert "current when reported missing" not in current and "Shaved" in current


def test_police_page_offers_the_version_current_at_reporting_when_the_pack_moved_on(
    client, auth, world, ids
):
    auth.login(world.police_a)
    page = client.get(f"/police/patients/{ids['patient']}").text
    assert "This is version 3, the latest" in page
    assert f"/patients/{ids['patient']}/grab-pack/versions/2.pdf" in page
    assert "/grab-pack/versions/1.pdf" not in page


@pytest.mark.parametrize("number", [1, 4, 0])
def test_police_never_get_another_version(app, client, auth, world, ids, number):
    auth.login(world.police_a)
    response = client.get(f"/patients/{ids['patient']}/grab-pack/versions/{number}.pdf")
    assert response.status_code == 404
    assert pdf_audit_rows(app) == []


def test_staff_of_the_ward_get_any_version_marked_when_not_current(app, client, auth, world, ids):
    auth.login(world.nurse_a)
    text = pdf_text(client.get(f"/patients/{ids['patient']}/grab-pack/versions/1.pdf").data)
    assert "Grab pack version 1" in text and "version 1 (not current; now 3)" in text
    assert client.get(f"/patients/{ids['patient']}/grab-pack/versions/4.pdf").status_code == 404


@pytest.mark.parametrize("who", ["police_b", "nurse_b"])
def test_no_reason_to_look_is_404_and_nothing_is_recorded(app, client, auth, world, ids, who):
    auth.login(getattr(world, who))
    assert client.get(f"/patients/{ids['patient']}/grab-pack.pdf").status_code == 404
    assert pdf_audit_rows(app) == []


def test_a_link_for_one_patient_gives_no_other(app, world, ids):
    with app.app_context():
        other = patient_on(world.ward_a, "Someone Else", FULL_LEGAL, world.nurse_a)
        link = share_links.find_link(ids["token"])
        with pytest.raises(NotFound):
            delivery.deliver(link, other.id)
        db.session.rollback()


def test_a_closed_episodes_link_gives_nothing(app, world, ids):
    with app.app_context():
        episode = db.session.get(MissingEpisode, ids["episode"])
        close(episode, world.nurse_a, hours_ago=0.1)
        db.session.commit()
        with pytest.raises(NotFound):
            delivery.deliver(share_links.find_link(ids["token"]), ids["patient"])


def test_deliver_adds_its_audit_row_to_the_callers_transaction(app, world, ids):
    with app.app_context():
        officer = staff(world.police_a)
        delivered = delivery.deliver(officer, ids["patient"], 2, remote_addr="192.0.2.1")
        assert delivered.version_number == 2 and delivered.episode.id == ids["episode"]
        assert delivered.filename.endswith("-v2.pdf")
        [row] = [row for row in db.session.new if isinstance(row, AuditEvent)]
        assert row.grab_pack_version_number == 2 and row.remote_addr == "192.0.2.1"
        db.session.rollback()
    assert pdf_audit_rows(app) == []


def test_the_police_photo_follows_the_same_rule(app, client, auth, world, ids):
    from grabpack.services.photos import store_photo
    from tests.test_packs import jpeg_bytes

    with app.app_context():
        patient = db.session.get(Patient, ids["patient"])
        current = {"identity": {"full_name": "Amara Okoye"}, **FULL_LEGAL}
        photo = store_photo(jpeg_bytes())
        save_version(patient, current, staff(world.nurse_a), based_on=3, photo=photo)
        db.session.commit()
    auth.login(world.police_a)
    assert client.get(f"/police/patients/{ids['patient']}/photo").status_code == 200
    auth.logout()
    auth.login(world.police_b)
    assert client.get(f"/police/patients/{ids['patient']}/photo").status_code == 404
