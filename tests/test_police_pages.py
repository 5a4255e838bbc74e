"""The police patient page: the Code of Practice's report-at-once triggers near the
top, from the same rule as the PDF's briefing sheet, by the legal status the ward
stated when reporting; the photo's age by the configured policy."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from grabpack.domain.clock import london_today
from grabpack.domain.grab_pack_schema import Block
from grabpack.domain.triggers import report_at_once
from grabpack.extensions import db
from grabpack.police.briefing import block_rows, tel_href
from grabpack.services.grab_packs import save_version
from grabpack.services.photos import store_photo
from tests import factories
from tests.pdf import samples
from tests.pdf.conftest import extract

_ROW = re.compile(
    r'<div class="nhsuk-summary-list__row" data-trigger-applies="(yes|no)">\s*'
    r'<dt class="nhsuk-summary-list__key">(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>',
    re.S,
)


def triggers_on(page: str) -> list[tuple[str, bool, str]]:
    """(label, applies, answer and reason as one line) for each trigger row."""
    box = page.split('<dl class="nhsuk-summary-list app-triggers">')[1].split("</dl>")[0]
    return [
        (
            html.unescape(label),
            applies == "yes",
            " ".join(html.unescape(re.sub("<[^>]+>", " ", value)).split()),
        )
        for applies, label, value in _ROW.findall(box)
    ]


def missing_patient(world, data: dict | None, **episode) -> str:
    """A patient on ward A (with ``data`` as their pack, if any) reported missing now;
    ``episode`` values as the ward typed them."""
    patient = factories.patient_on(world.ward_a, "Siobhán Ní Bhriain", data, world.nurse_a)
    db.session.commit()
    factories.open_for(patient, world.nurse_a, **episode)
    db.session.commit()
    return str(patient.id)


VULNERABLE_ON_S3 = {
    **factories.FULL_LEGAL,
    "risk": {"considered_dangerous": False, "particularly_vulnerable": True},
}


def test_the_triggers_are_near_the_top_of_the_page_from_the_one_rule(app, client, auth, world):
    with app.app_context():
        patient_id = missing_patient(world, VULNERABLE_ON_S3)
    auth.login(world.police_a)
    page = client.get(f"/police/patients/{patient_id}").text
    heading = page.index("Immediate-report triggers (Code of Practice)")
    assert heading < page.index("<h2>Power to retake</h2>") < page.index("Grab pack, version 1")
    assert "Report at once</strong> Considered particularly vulnerable" in page
    expected = report_at_once(VULNERABLE_ON_S3, "s3")
    assert triggers_on(page) == [
        (trigger.label, trigger.applies, f"{trigger.answer} {trigger.reason}")
        for trigger in expected
    ]
    assert triggers_on(page)[0] == (
        "Part III patient",
        False,
        "No Section 3, as stated when reported missing",
    )


@pytest.mark.parametrize(
    ("in_pack", "stated", "kind", "applies", "why"),
    [
        ("informal", "s37_41", "awol", True, "Section 37/41, as stated when reported missing"),
        ("informal", "s35", "awol", True, "Section 35, as stated when reported missing"),
        ("s37_41", "informal", "missing", False, "Informal, as stated when reported missing"),
    ],
    ids=["restricted-stated", "remand-stated", "informal-stated"],
)
def test_part_iii_follows_the_status_stated_at_reporting_on_page_and_pdf(
    app, client, auth, world, in_pack, stated, kind, applies, why
):
    with app.app_context():
        data = {"legal": {"legal_status": in_pack}}
        patient_id = missing_patient(world, data, kind=kind, legal_status=stated)
    auth.login(world.police_a)
    page = client.get(f"/police/patients/{patient_id}").text
    answer = "Yes" if applies else "No"
    assert triggers_on(page)[0] == ("Part III patient", applies, f"{answer} {why}")
    assert ("Report at once" in page) is applies
    response = client.get(f"/patients/{patient_id}/grab-pack.pdf")
    assert response.status_code == 200
    sheet = " ".join(extract(response.data).pages[0].split())
    assert f"Part III patient: {'YES' if applies else 'no'}" in sheet
    assert why in sheet


def test_without_a_pack_the_triggers_say_what_is_not_recorded(app, client, auth, world):
    with app.app_context():
        patient_id = missing_patient(world, None, legal_status="s38")
    auth.login(world.police_a)
    page = client.get(f"/police/patients/{patient_id}").text
    assert triggers_on(page) == [
        ("Part III patient", True, "Yes Section 38, as stated when reported missing"),
        ("Considered dangerous", False, "Not recorded Not answered in the grab pack (section H)"),
        (
            "Considered particularly vulnerable",
            False,
            "Not recorded Not answered in the grab pack (section H)",
        ),
    ]


def test_once_the_patient_is_back_the_packs_status_decides_as_on_the_pdf(app, client, auth, world):
    with app.app_context():
        patient = factories.patient_on(
            world.ward_a,
            "Siobhán Ní Bhriain",
            {"legal": {"legal_status": "informal"}},
            world.nurse_a,
        )
        db.session.commit()
        episode = factories.open_for(patient, world.nurse_a, legal_status="s37_41")
        db.session.commit()
        factories.close(episode, world.nurse_a, hours_ago=0.1)
        db.session.commit()
        patient_id = str(patient.id)
    auth.login(world.police_a)
    page = client.get(f"/police/patients/{patient_id}").text
    assert triggers_on(page)[0] == (
        "Part III patient",
        False,
        "No Informal, as the grab pack records it",
    )


@pytest.mark.parametrize(
    ("app_config", "out_of_date"),
    [({"PHOTO_STALE_DAYS": 400}, False), ({}, True)],
    indirect=["app_config"],
    ids=["400-days", "default-183-days"],
)
def test_the_photo_is_out_of_date_by_the_configured_policy(app, client, auth, world, out_of_date):
    with app.app_context():
        taken = london_today() - timedelta(days=300)
        patient = factories.patient_on(world.ward_a, "Siobhán Ní Bhriain")
        data = {
            "identity": {"full_name": "Siobhán Ní Bhriain"},
            "description": {"photo_taken_on": taken.isoformat()},
            **factories.FULL_LEGAL,
        }
        photo = store_photo(samples.photo_jpeg())
        save_version(patient, data, factories.staff(world.nurse_a), based_on=0, photo=photo)
        db.session.commit()
        factories.open_for(patient, world.nurse_a)
        db.session.commit()
        patient_id = str(patient.id)
    auth.login(world.police_a)
    page = client.get(f"/police/patients/{patient_id}").text
    assert ("Photo out of date" in page) is out_of_date


# --- the list, a card per episode, and the page in the briefing sheet's order ---


def typical_missing(world, name: str = "Łukasz Wójcik", **episode) -> str:
    """A patient on ward A with a typical pack (contacts with phones) and a photo,
    reported missing."""
    patient = factories.patient_on(world.ward_a, name)
    data = {**samples.typical_data(), **factories.FULL_LEGAL}
    photo = store_photo(samples.photo_jpeg())
    save_version(patient, data, factories.staff(world.nurse_a), based_on=0, photo=photo)
    db.session.commit()
    factories.open_for(patient, world.nurse_a, **episode)
    db.session.commit()
    return str(patient.id)


def card_of(page: str, name: str) -> str:
    start = page.rindex('<li class="app-episode-card"', 0, page.index(name))
    return page[start : page.index("</li>", start)]


def test_each_card_puts_the_pdf_first_then_photo_name_and_the_facts(app, client, auth, world):
    with app.app_context():
        patient_id = typical_missing(world)
    auth.login(world.police_a)
    card = card_of(client.get("/police/").text, "Łukasz Wójcik")
    pdf = card.index(f'href="/patients/{patient_id}/grab-pack.pdf"')
    photo = card.index(f'src="/police/patients/{patient_id}/photo"')
    assert pdf < photo < card.index(">Łukasz Wójcik</a>")
    # No pack field holds a Latin spelling; the preferred name is the "known as".
    assert "Known as Luke" in card
    assert "Ward A, Site One" in card and "AWOL" in card and "Noticed " in card
    assert "Trust: <strong>High</strong> (no police grade)" in card
    assert 'class="app-retake-line"' in card
    assert '<a href="tel:02079460001">020 7946 0001</a>' in card


def test_the_police_grade_wins_over_the_trusts_category(app, client, auth, world):
    with app.app_context():
        typical_missing(world, police_risk_grade="very_low")
    auth.login(world.police_a)
    card = card_of(client.get("/police/").text, "Łukasz Wójcik")
    assert "Police: <strong>Very low</strong>" in card and "Trust:" not in card


def test_without_a_pack_the_card_says_so_and_offers_no_pdf(app, client, auth, world):
    with app.app_context():
        patient = factories.patient_on(world.ward_a, "No Pack Yet")
        db.session.commit()
        factories.open_for(patient, world.nurse_a, legal_status="s3")
        db.session.commit()
    auth.login(world.police_a)
    card = card_of(client.get("/police/").text, "No Pack Yet")
    assert "No grab pack." in card and "Download PDF" not in card and "<img" not in card


def test_a_plain_page_load_shows_the_current_list_without_javascript(app, client, auth, world):
    auth.login(world.police_a)
    assert "No one is missing" in client.get("/police/").text
    with app.app_context():
        typical_missing(world)
    page = client.get("/police/").text
    assert "Łukasz Wójcik" in page and "No one is missing" not in page
    assert 'id="show-new-episodes" type="button" hidden' in page  # only the script shows it
    assert 'aria-live="polite"' in page


def test_the_patient_page_follows_the_briefing_sheet(app, client, auth, world):
    with app.app_context():
        patient_id = typical_missing(world)
    auth.login(world.police_a)
    page = client.get(f"/police/patients/{patient_id}").text
    order = [
        "Download grab pack PDF",
        'alt="Photo of Łukasz Wójcik"',
        "Height",
        "Immediate-report triggers",
        "<h2>Power to retake</h2>",
        '<h2 id="risks">Risks</h2>',
        '<h2 id="places">Places likely to go</h2>',
        '<h2 id="who-to-call">Who to call</h2>',
        "Grab pack, version 1",
    ]
    places = [page.index(text) for text in order]
    assert places == sorted(places)
    # The risks block lists what the declaration marks for the sheet's risks, in order.
    risks = page[page.index('<h2 id="risks">') : page.index('<h2 id="places">')]
    labels = [html.unescape(label) for label in re.findall(r"app-brief__key\">(.*?)</dt>", risks)]
    data = samples.typical_data()
    expected = [row.label for row in block_rows(data, Block.RISKS, london_today())]
    assert labels == expected
    assert labels[:5] == [
        "How to approach them",  # what an officer needs first (section N)
        "Risk to self",
        "Risk to others",
        "Risk from others",
        "Trust's missing-risk category",
    ]
    # The risk location comes first among the places, as on the sheet.
    places_block = page[page.index('<h2 id="places">') : page.index('<h2 id="who-to-call">')]
    assert places_block.index("Risk location") < places_block.index(">Place<")


def test_every_phone_number_on_the_patient_page_can_be_tapped(app, client, auth, world):
    with app.app_context():
        patient_id = typical_missing(world)
    auth.login(world.police_a)
    page = client.get(f"/police/patients/{patient_id}").text
    for shown in ("020 7946 0001", "07700 900456", "07700 900789", "07700 900123"):
        href = "tel:" + shown.replace(" ", "")
        assert f'<a href="{href}">{shown}</a>' in page, shown
    # Next of kin first among who to call, as on the sheet, with their number.
    call = page[page.index('<h2 id="who-to-call">') : page.index('<h2 id="absence">')]
    assert call.index("Ward 24-hour phone") < call.index("Next of kin") < call.index("Friend")
    assert 'Zuzanna Dąbrowska, <a href="tel:07700900456">' in call


@pytest.mark.parametrize(
    ("shown", "href"),
    [
        ("020 7946 0001", "tel:02079460001"),
        ("+44 (0)20 7946-0001", "tel:+442079460001"),
        ("", ""),
        ("none", ""),
    ],
)
def test_a_phone_number_becomes_a_tel_link_of_its_digits(shown, href):
    assert tel_href(shown) == href


def test_a_restricted_patient_page_says_the_ministry_of_justice_must_be_told(
    app, client, auth, world
):
    with app.app_context():
        data = {"legal": {"legal_status": "s37_41", "moj_reference": "MOJ/2026/0042"}}
        restricted = missing_patient(world, data, legal_status="s37_41")
        informal = factories.patient_on(
            world.ward_a, "Not Restricted", {"legal": {"legal_status": "informal"}}, world.nurse_a
        )
        db.session.commit()
        factories.open_for(informal, world.nurse_a, kind="missing")
        db.session.commit()
        informal_id = str(informal.id)
    auth.login(world.police_a)
    page = client.get(f"/police/patients/{restricted}").text
    box = page[page.index("Restricted patient (") : page.index('<h2 id="risks">')]
    assert "The Ministry of Justice must be told of any absence." in box
    assert "MOJ/2026/0042" in box
    assert "Restricted patient (" not in client.get(f"/police/patients/{informal_id}").text


def test_once_the_patient_is_back_the_page_says_the_power_no_longer_applies(
    app, client, auth, world
):
    """s18 is a power to take back a patient who is absent: in the hours police may
    still look after the return, the page must not read "Can be taken back until"."""
    with app.app_context():
        patient = factories.patient_on(
            world.ward_a, "Siobhán Ní Bhriain", factories.FULL_LEGAL, world.nurse_a
        )
        db.session.commit()
        episode = factories.open_for(patient, world.nurse_a)
        db.session.commit()
        was_told = episode.retake_power.headline
        factories.close(episode, world.nurse_a, hours_ago=0.1)
        db.session.commit()
        patient_id = str(patient.id)
    assert was_told.startswith("Can be taken back until")
    auth.login(world.police_a)
    page = client.get(f"/police/patients/{patient_id}").text
    power = " ".join(re.sub("<[^>]+>", " ", page.split("<h2>Power to retake</h2>")[1]).split())
    assert power.startswith("Returned: the power to take back no longer applies")
    assert html.escape(was_told) in page  # what police were told, kept for the record
    assert "What police were told while the patient was missing" in page


def test_once_the_patient_is_back_the_pdf_says_so_on_page_one(app, client, auth, world):
    """In the hours police may still print the pack after the return (the prevention
    interview), page 1 says the patient returned and the power no longer applies."""
    with app.app_context():
        patient = factories.patient_on(
            world.ward_a, "Siobhán Ní Bhriain", factories.FULL_LEGAL, world.nurse_a
        )
        db.session.commit()
        episode = factories.open_for(patient, world.nurse_a, hours_ago=5)
        db.session.commit()
        factories.close(episode, world.nurse_a, hours_ago=1)
        db.session.commit()
        patient_id = str(patient.id)
    auth.login(world.police_a)
    response = client.get(f"/patients/{patient_id}/grab-pack.pdf")
    assert response.status_code == 200
    first = " ".join(extract(response.data).pages[0].split())
    assert "RETURNED (AWOL): absence noticed" in first
    assert "the power to take back no longer applies" in first
    assert "MISSING NOW" not in first
