"""What the service gives the PDF: the episode's facts read from the declaration, the
power to retake as stored, and photo staleness by the configured policy."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from grabpack.domain.clock import london_today, long_date
from grabpack.domain.retake import LegalFacts, power_to_retake
from grabpack.extensions import db
from grabpack.models import MissingEpisode
from grabpack.services.grab_packs import current_version, pack_for, save_version
from grabpack.services.pdf_documents import _open_facts, grab_pack_pdf
from grabpack.services.photos import store_photo
from tests import factories
from tests.pdf import samples
from tests.pdf.conftest import extract

WENT = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def test_the_episode_facts_come_from_the_declaration_in_its_order():
    episode = MissingEpisode(
        kind="awol",
        noticed_at=WENT + timedelta(minutes=40),
        last_seen_at=WENT,
        last_seen_place="",  # nothing recorded: no row
        clothing="Navy parka",
        circumstances="Left during ground leave",
        police_reference="CAD 1/10JAN27",
        police_risk_grade="medium",
        reported_at=WENT + timedelta(hours=1),  # not for police: no row
        cctv_checked=True,  # a check: not for police
        s18_expiry_stated=True,
        legal_status="s2",
        section_start_on=date(2027, 1, 1),
        section_start_time=time(14, 30),
    )
    power = power_to_retake(LegalFacts(legal_status="s2", section_start_on=date(2027, 1, 1)), WENT)
    episode.set_retake_power(power)
    facts = _open_facts(episode)
    assert facts is not None
    assert facts.kind == "AWOL"
    assert facts.noticed_at == WENT + timedelta(minutes=40)
    assert facts.rows == (
        ("Last seen", "09:00 on 10 January 2027"),
        ("Clothing when last seen", "Navy parka"),
        ("Circumstances", "Left during ground leave"),
        ("Police reference number", "CAD 1/10JAN27"),
        ("Police risk grade", "Medium"),
    )
    assert facts.legal_status == "s2"
    assert facts.legal_label == "Section 2"
    assert facts.legal_rows == (
        ("Section start date", "1 January 2027"),
        ("Section start time", "14:30"),
    )
    assert facts.retake == power  # as stored when the absence was reported


def test_a_closed_episode_gives_no_facts():
    episode = MissingEpisode(kind="awol", noticed_at=WENT, returned_at=WENT + timedelta(hours=2))
    assert _open_facts(episode) is None
    assert _open_facts(None) is None


@pytest.mark.parametrize(
    ("app_config", "out_of_date"),
    [({"PHOTO_STALE_DAYS": 400}, False), ({}, True)],
    indirect=["app_config"],
    ids=["400-days", "default-183-days"],
)
def test_the_pdf_marks_the_photo_by_the_configured_policy(app, world, out_of_date):
    with app.app_context():
        taken = london_today() - timedelta(days=300)
        patient = factories.patient_on(world.ward_a, "Siobhán Ní Bhriain")
        data = {
            "identity": {"full_name": "Siobhán Ní Bhriain"},
            "description": {"photo_taken_on": taken.isoformat()},
            **factories.FULL_LEGAL,
        }
        author = factories.staff(world.nurse_a)
        photo = store_photo(samples.photo_jpeg())
        version = save_version(patient, data, author, based_on=0, photo=photo)
        db.session.commit()
        page = " ".join(extract(grab_pack_pdf(patient, version, "PC 1")).pages[0].split())
    caption = f"Photo taken {long_date(taken)}"
    assert caption in page
    assert (f"{caption} (out of date)" in page) is out_of_date


def test_the_pdf_states_the_power_police_were_told(app, world):
    with app.app_context():
        patient = factories.patient_on(
            world.ward_a, "Siobhán Ní Bhriain", factories.FULL_LEGAL, author=world.nurse_a
        )
        db.session.commit()
        episode = factories.open_for(patient, world.nurse_a)
        db.session.commit()
        version = current_version(pack_for(patient))
        pdf = extract(grab_pack_pdf(patient, version, "PC 1", episode))
        power = episode.retake_power
    page = " ".join(pdf.pages[0].split())
    assert "Legal status as stated when reported missing" in page
    assert power.headline in page
    assert power.reason in page


@pytest.mark.parametrize(
    ("in_pack", "stated", "kind", "part_iii"),
    [
        ("informal", "s37_41", "awol", "Part III patient: YES"),
        ("s37_41", "informal", "missing", "Part III patient: no"),
    ],
    ids=["restricted-stated", "informal-stated"],
)
def test_the_pdf_tells_part_iii_by_the_status_stated_at_reporting(
    app, world, in_pack, stated, kind, part_iii
):
    with app.app_context():
        patient = factories.patient_on(
            world.ward_a, "Siobhán Ní Bhriain", {"legal": {"legal_status": in_pack}}, world.nurse_a
        )
        db.session.commit()
        episode = factories.open_for(patient, world.nurse_a, kind=kind, legal_status=stated)
        db.session.commit()
        version = current_version(pack_for(patient))
        page = " ".join(extract(grab_pack_pdf(patient, version, "PC 1", episode)).pages[0].split())
        label = episode.legal_label
    assert part_iii in page
    assert f"{label}, as stated when reported missing" in page
