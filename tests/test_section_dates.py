"""A section's dates in an order they cannot have: detention "ended" before the
section started, or a CTO recalled before the CTO was made. Each is a typo that the
power to retake turns into "No power to take back" (the detention looks over before
the absence began), so the patient is given up too early. Section G and the report
form refuse them beside the field, by one rule, and save nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from grabpack.domain.grab_pack_schema import (
    ENDED_BEFORE_RECALL,
    ENDED_BEFORE_START,
    PERIOD_ENDS_BEFORE_START,
    RECALLED_BEFORE_START,
    pack_problems,
    section_date_problems,
)
from grabpack.domain.retake import Answer, LegalFacts, power_to_retake
from grabpack.extensions import db
from grabpack.services.episodes import EpisodeError
from tests.factories import FULL_LEGAL, open_for, patient_on
from tests.page_checks import form_fields as fields_of_form
from tests.test_packs import form_fields, open_edit, save, versions

START = date(2026, 6, 1)
YEAR_TYPO = date(2025, 11, 20)  # meant 2026-11-20


def facts(status: str = "s3", **dates) -> LegalFacts:
    return LegalFacts(legal_status=status, section_start_on=START, **dates)


def test_the_harm_a_year_typo_does_when_not_refused():
    """Why the rule exists: worked from the typo, police would be told to give up."""
    power = power_to_retake(
        facts(detention_ended_on=YEAR_TYPO), datetime(2026, 11, 25, 12, tzinfo=UTC)
    )
    assert power.answer is Answer.NO_POWER


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (facts(detention_ended_on=YEAR_TYPO), [("detention_ended_on", ENDED_BEFORE_START)]),
        (facts(detention_ended_on=START), []),  # ended on the day it began: possible
        (facts(detention_ended_on=date(2026, 11, 20)), []),
        (
            facts("cto_17e", cto_recalled_on=date(2026, 5, 31)),
            [("cto_recalled_on", RECALLED_BEFORE_START)],
        ),
        (facts("cto_17e", cto_recalled_on=START), []),
        (
            facts("cto_17e", cto_recalled_on=date(2026, 9, 1), detention_ended_on=date(2026, 8, 1)),
            [("detention_ended_on", ENDED_BEFORE_RECALL)],
        ),
        (
            # both wrong for the end: one message for the field, the first in the rule
            facts("cto_17e", cto_recalled_on=date(2026, 9, 1), detention_ended_on=YEAR_TYPO),
            [("detention_ended_on", ENDED_BEFORE_START)],
        ),
        (
            facts(period_ends_on=date(2026, 5, 1), detention_ended_on=YEAR_TYPO),
            [
                ("period_ends_on", PERIOD_ENDS_BEFORE_START),
                ("detention_ended_on", ENDED_BEFORE_START),
            ],
        ),
        # a recall date left from an earlier CTO means nothing on s3: not judged
        (facts("s3", cto_recalled_on=date(2026, 1, 1)), []),
        # an informal patient has no section: none of its dates is used
        (facts("informal", detention_ended_on=YEAR_TYPO), []),
        # unknown dates are not judged
        (LegalFacts(legal_status="s3", detention_ended_on=YEAR_TYPO), []),
        (facts("s3"), []),
    ],
)
def test_the_rule_on_its_own(given, expected):
    assert section_date_problems(given) == expected


def test_section_g_names_the_field_of_each_problem():
    data = {
        "identity": {"full_name": "Grace Mensah"},
        "legal": {
            "legal_status": "cto_17e",
            "section_start_on": "2026-06-01",
            "cto_recalled_on": "2026-05-01",
            "detention_ended_on": "2025-11-20",
        },
    }
    assert pack_problems(data) == [
        ("legal", "cto_recalled_on", RECALLED_BEFORE_START),
        ("legal", "detention_ended_on", ENDED_BEFORE_START),
    ]


@pytest.fixture
def patient_id(app, world) -> str:
    with app.app_context():
        patient = patient_on(world.ward_a, "Siobhán Ní Bhriain")
        db.session.commit()
        return str(patient.id)


def typed_dates(**dates: date) -> dict[str, str]:
    typed = {}
    for name, day in dates.items():
        typed |= {
            f"legal-{name}-day": str(day.day),
            f"legal-{name}-month": str(day.month),
            f"legal-{name}-year": str(day.year),
        }
    return typed


def test_section_g_refuses_a_detention_ended_before_it_started(
    app, client, auth, world, patient_id
):
    auth.login(world.nurse_a)
    page = save(
        client,
        patient_id,
        open_edit(client, patient_id),
        **{"legal-legal_status": "s3", "identity-gender": "Female"},
        **typed_dates(section_start_on=START, detention_ended_on=YEAR_TYPO),
    )
    assert page.status_code == 200
    assert versions(app) == []
    summary = page.text.split('nhsuk-error-summary__list">')[1].split("</ul>")[0]
    assert 'href="#legal-detention_ended_on-day"' in summary and ENDED_BEFORE_START in summary
    assert re.search(
        r'id="legal-detention_ended_on-error".*?' + ENDED_BEFORE_START, page.text, re.S
    )
    kept = form_fields(page.text)
    assert kept["legal-detention_ended_on-year"] == "2025"  # what was typed, to correct
    assert kept["identity-gender"] == "Female"


def test_section_g_saves_dates_in_their_order(app, client, auth, world, patient_id):
    auth.login(world.nurse_a)
    saved = save(
        client,
        patient_id,
        open_edit(client, patient_id),
        **{"legal-legal_status": "cto_17e"},
        **typed_dates(
            section_start_on=START,
            cto_recalled_on=date(2026, 9, 1),
            detention_ended_on=date(2026, 11, 20),
        ),
    )
    assert saved.status_code == 302
    assert versions(app)[0].data["legal"]["detention_ended_on"] == "2026-11-20"


def test_reporting_missing_refuses_a_detention_ended_before_it_started(app, world):
    with app.app_context():
        patient = patient_on("WA1", "Typo", FULL_LEGAL, world.nurse_a)
        with pytest.raises(EpisodeError, match=ENDED_BEFORE_START):
            open_for(
                patient,
                world.nurse_a,
                legal_status="s3",
                section_start_on=START,
                detention_ended_on=YEAR_TYPO,
            )


def test_the_report_form_shows_the_error_beside_the_recall_date(app, client, auth, world):
    with app.app_context():
        patient_id = patient_on("WA1", "Form Errors", FULL_LEGAL, world.nurse_a).id
        db.session.commit()
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{patient_id}/episodes/new").text
    typed = {
        "kind": "awol",
        "legal_status": "cto_17e",
        "noticed_at-day": "1",
        "noticed_at-month": "11",
        "noticed_at-year": "2026",
        "noticed_at-time": "12:00",
        "last_seen_at-day": "1",
        "last_seen_at-month": "11",
        "last_seen_at-year": "2026",
        "last_seen_at-time": "11:00",
    }
    for name, day in {"section_start_on": START, "cto_recalled_on": date(2026, 5, 1)}.items():
        typed |= {f"{name}-day": "1", f"{name}-month": str(day.month), f"{name}-year": "2026"}
    response = client.post(
        f"/patients/{patient_id}/episodes/new",
        data={**fields_of_form(page, "/episodes/new"), **typed},
    )
    assert response.status_code == 200
    assert 'href="#cto_recalled_on' in response.text
    assert RECALLED_BEFORE_START in response.text


def test_both_forms_say_a_place_of_safety_counts_from_arrival(app, client, auth, world, patient_id):
    """The power under s138 runs from arrival at the place of safety, which is what the
    section's start date and time are read as for 135 and 136: the forms say so (a
    tester read "the day of the holding power" as the day police used it)."""
    auth.login(world.nurse_a)
    pack = client.get(f"/patients/{patient_id}/grab-pack/edit").text
    report = client.get(f"/patients/{patient_id}/episodes/new").text
    for page in (pack, report):
        assert "the day they arrived at the place of safety" in page
        assert "when they arrived at the place of safety" in page
