"""The power to retake, as ward staff and police meet it on every page and paper.

Issue 8: a section 2 patient admitted ten days ago who goes missing now can be
taken back until the END of the 27th day after admission (28 days *beginning
with* admission), not the 28th; every place that states the power says so, with
the reason, in the same words.
"""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from grabpack.domain.clock import LONDON, london_today, long_date
from grabpack.extensions import db
from grabpack.models import GrabPack, GrabPackVersion, MissingEpisode, Patient
from grabpack.models.base import utcnow
from tests.conftest import csrf_token
from tests.factories import open_for, patient_on
from tests.page_checks import form_fields

ADMITTED = london_today() - timedelta(days=10)
LAST_DAY = ADMITTED + timedelta(days=27)
HEADLINE = f"Can be taken back until the end of {long_date(LAST_DAY)} (s18)"
REASON = f"28 days beginning with admission on {long_date(ADMITTED)}"
SECTION_2 = {"legal": {"legal_status": "s2", "section_start_on": ADMITTED.isoformat()}}


def typed_moment(name: str, moment) -> dict[str, str]:
    local = moment.astimezone(LONDON)
    return {
        f"{name}-day": str(local.day),
        f"{name}-month": str(local.month),
        f"{name}-year": str(local.year),
        f"{name}-time": f"{local:%H:%M}",
    }


def new_patient(app, world, name: str, data: dict | None) -> str:
    with app.app_context():
        patient = patient_on("WA1", name, data, world.nurse_a if data is not None else "")
        db.session.commit()
        return str(patient.id)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_section_2_power_is_the_same_on_every_page_and_paper(app, client, auth, world):
    patient_id = new_patient(app, world, "Section Two", SECTION_2)
    auth.login(world.nurse_a)
    form_page = client.get(f"/patients/{patient_id}/episodes/new").text
    assert HEADLINE in form_page and REASON in form_page
    wrong_day = long_date(ADMITTED + timedelta(days=28))
    assert f"until the end of {wrong_day}" not in form_page

    data = form_fields(form_page, "/episodes/new")
    data.update(kind="awol", **typed_moment("last_seen_at", utcnow() - timedelta(minutes=40)))
    response = client.post(f"/patients/{patient_id}/episodes/new", data=data)
    assert response.status_code == 302, response.text
    episode_page = client.get(response.headers["Location"]).text
    assert HEADLINE in episode_page and REASON in episode_page
    assert "the trust&#39;s MHA office confirms it" in episode_page
    auth.logout()

    auth.login(world.police_a)
    police_list = client.get("/police/").text
    assert HEADLINE in police_list
    police_page = client.get(f"/police/patients/{patient_id}").text
    assert HEADLINE in police_page and REASON in police_page
    assert "No date" not in police_page
    paper = pdf_text(client.get(f"/patients/{patient_id}/grab-pack.pdf").data)
    assert f"until the end of {long_date(LAST_DAY)}" in " ".join(paper.split())
    assert REASON in " ".join(paper.split())


def test_the_statement_follows_what_the_ward_types(app, client, auth, world):
    """The form's script asks for the statement as the ward types; so can anyone
    without JavaScript, with the "Work out the power to retake" button."""
    patient_id = new_patient(app, world, "Holding Power", {"legal": {"legal_status": "s5_4"}})
    auth.login(world.nurse_a)
    form_page = client.get(f"/patients/{patient_id}/episodes/new").text
    assert "Not known: the date and time of the nurse&#39;s record not recorded" in form_page
    start = utcnow() - timedelta(hours=2)
    typed = {
        **form_fields(form_page, "/episodes/new"),
        "section_start_on-day": str(start.astimezone(LONDON).day),
        "section_start_on-month": str(start.astimezone(LONDON).month),
        "section_start_on-year": str(start.astimezone(LONDON).year),
        "section_start_time": start.astimezone(LONDON).strftime("%H%M"),  # as typed: "2200"
    }
    ends = (start + timedelta(hours=6)).astimezone(LONDON)
    expected = f"Can be taken back until {ends:%H:%M} on {long_date(ends.date())} (s18)"

    live = client.post(f"/patients/{patient_id}/episodes/new/retake-power", data=typed)
    assert live.status_code == 200 and expected in live.text
    assert "<!DOCTYPE" not in live.text

    checked = client.post(f"/patients/{patient_id}/episodes/new", data={**typed, "action": "check"})
    assert checked.status_code == 200 and expected in checked.text
    assert "There is a problem" not in checked.text
    with app.app_context():
        assert db.session.scalar(select(func.count(MissingEpisode.id))) == 0


def test_the_live_statement_needs_the_forms_csrf_token(app, client, auth, world):
    patient_id = new_patient(app, world, "No Token", SECTION_2)
    auth.login(world.nurse_a)
    response = client.post(
        f"/patients/{patient_id}/episodes/new/retake-power", data={"legal_status": "s2"}
    )
    assert response.status_code == 400


def test_awol_for_an_informal_patient_is_a_warning_to_confirm(app, client, auth, world):
    patient_id = new_patient(app, world, "Informal", {"legal": {"legal_status": "informal"}})
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{patient_id}/episodes/new").text
    data = form_fields(page, "/episodes/new")
    data.update(kind="awol", **typed_moment("last_seen_at", utcnow() - timedelta(minutes=30)))
    warned = client.post(f"/patients/{patient_id}/episodes/new", data=data)
    assert warned.status_code == 200
    assert "There is a problem" in warned.text and 'href="#kind"' in warned.text
    assert "there is no power to take the patient back" in warned.text
    assert "The kind is right: record it as I chose" in warned.text
    with app.app_context():
        assert db.session.scalar(select(func.count(MissingEpisode.id))) == 0
    confirmed = client.post(
        f"/patients/{patient_id}/episodes/new",
        data={**form_fields(warned.text, "/episodes/new"), "confirm_kind": "y"},
    )
    assert confirmed.status_code == 302


def test_a_legal_status_corrected_at_reporting_is_what_police_are_told(app, client, auth, world):
    patient_id = new_patient(
        app, world, "Now On Section 2", {"legal": {"legal_status": "informal"}}
    )
    auth.login(world.nurse_a)
    data = form_fields(client.get(f"/patients/{patient_id}/episodes/new").text, "/episodes/new")
    data.update(
        kind="awol",
        legal_status="s2",
        **{
            "section_start_on-day": str(ADMITTED.day),
            "section_start_on-month": str(ADMITTED.month),
            "section_start_on-year": str(ADMITTED.year),
        },
        **typed_moment("last_seen_at", utcnow() - timedelta(minutes=30)),
    )
    response = client.post(f"/patients/{patient_id}/episodes/new", data=data)
    assert response.status_code == 302, response.text
    assert HEADLINE in client.get(response.headers["Location"]).text
    with app.app_context():
        pack = db.session.scalar(select(GrabPack))
        assert pack.review_due_on == london_today()
        assert "legal status" in pack.review_due_reason


def test_restricted_patient_prompts_for_the_ministry_of_justice_until_recorded(
    app, client, auth, world
):
    patient_id = new_patient(app, world, "Restricted", {"legal": {"legal_status": "s37_41"}})
    with app.app_context():
        episode = open_for(db.session.get(Patient, uuid.UUID(patient_id)), world.nurse_a)
        db.session.commit()
        episode_id = episode.id
    auth.login(world.nurse_a)
    page = client.get(f"/episodes/{episode_id}").text
    assert "Tell the Ministry of Justice" in page
    assert "Can be taken back at any time while the restriction lasts" in page
    data = form_fields(page, f"/episodes/{episode_id}/update")
    data.update(typed_moment("moj_notified_at", utcnow() - timedelta(minutes=5)))
    response = client.post(f"/episodes/{episode_id}/update", data=data)
    assert response.status_code == 302, response.text
    assert "Tell the Ministry of Justice" not in client.get(f"/episodes/{episode_id}").text


@pytest.mark.parametrize(
    ("legal", "missing"),
    [
        ({"legal_status": "s3", "section_start_on": "2026-01-05"}, "Current period ends"),
        ({"legal_status": "s5_4", "section_start_on": "2026-01-05"}, "Section start time"),
        ({"legal_status": "s2"}, "Section start date"),
        ({"legal_status": "cto_17e", "section_expires_on": "2027-01-01"}, "CTO recall date"),
    ],
)
def test_the_pack_checklist_asks_for_the_facts_the_status_needs(app, world, legal, missing):
    from grabpack.domain.completeness import missing_items

    labels = [item.label for item in missing_items({"legal": legal}, has_photo=True)]
    assert missing in labels
    informal = [i.label for i in missing_items({"legal": {"legal_status": "informal"}}, True)]
    assert missing not in informal


def test_the_pack_form_takes_a_section_start_time_as_wards_type_it(app, client, auth, world):
    patient_id = new_patient(app, world, "Timed", None)
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{patient_id}/grab-pack/edit").text
    token = csrf_token(page)
    fields = {
        "csrf_token": token,
        "based_on": "0",
        "identity-full_name": "Timed",
        "legal-legal_status": "s5_4",
        "legal-section_start_time": "10pm",
    }
    saved = client.post(f"/patients/{patient_id}/grab-pack/edit", data=fields)
    assert saved.status_code == 302, saved.text
    with app.app_context():
        version = db.session.scalar(select(GrabPackVersion))
        assert version.data["legal"]["section_start_time"] == "22:00"
    page = client.get(f"/patients/{patient_id}/grab-pack/edit").text
    refused = client.post(
        f"/patients/{patient_id}/grab-pack/edit",
        data={
            **fields,
            "csrf_token": csrf_token(page),
            "based_on": "1",
            "legal-section_start_time": "25:00",
        },  # fmt: skip
    )
    assert "Section start time: enter a time like 23:30, 2330 or 11:30pm" in refused.text
    assert 'value="25:00"' in refused.text  # what was typed is kept
