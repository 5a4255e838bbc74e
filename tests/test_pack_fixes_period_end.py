"""Section G: a current period that ends before the section started is a typo that
tells police "No power to take back" and gives a patient up too early. The rule is
the domain's; the pack form shows it on the period-end field and saves nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest

from grabpack.extensions import db
from tests.factories import patient_on
from tests.test_packs import form_fields, open_edit, save, versions

MESSAGE = "The date the current period ends must be on or after the date the section started"


@pytest.fixture
def patient_id(app, world) -> str:
    with app.app_context():
        patient = patient_on(world.ward_a, "Grace Mensah")
        db.session.commit()
        return str(patient.id)


def legal(start: tuple[str, str, str], ends: tuple[str, str, str]) -> dict[str, str]:
    typed = {"legal-legal_status": "s3"}
    for name, (day, month, year) in (("section_start_on", start), ("section_expires_on", ends)):
        typed |= {
            f"legal-{name}-day": day,
            f"legal-{name}-month": month,
            f"legal-{name}-year": year,
        }
    return typed


def test_a_period_ending_before_the_section_started_is_refused_on_the_period_end(
    app, client, auth, world, patient_id
):
    auth.login(world.nurse_a)
    fields = open_edit(client, patient_id)
    page = save(
        client,
        patient_id,
        fields,
        **legal(("1", "11", "2026"), ("1", "10", "2026")),
        **{"identity-gender": "Female"},
    )
    assert page.status_code == 200
    assert versions(app) == []
    summary = page.text.split('nhsuk-error-summary__list">')[1].split("</ul>")[0]
    assert 'href="#legal-section_expires_on-day"' in summary and MESSAGE in summary
    assert re.search(r'id="legal-section_expires_on-error".*?' + MESSAGE, page.text, re.S)
    kept = form_fields(page.text)
    assert kept["legal-section_expires_on-month"] == "10"  # what was typed, to correct
    assert kept["identity-gender"] == "Female"


@pytest.mark.parametrize("ends", [("1", "11", "2026"), ("30", "4", "2027")])
def test_a_period_ending_on_or_after_the_start_is_saved(app, client, auth, world, patient_id, ends):
    auth.login(world.nurse_a)
    saved = save(
        client, patient_id, open_edit(client, patient_id), **legal(("1", "11", "2026"), ends)
    )
    assert saved.status_code == 302
    assert versions(app)[0].data["legal"]["section_start_on"] == "2026-11-01"


def test_the_rule_names_the_period_end_of_section_g():
    from grabpack.domain.grab_pack_schema import pack_problems

    data = {
        "identity": {"full_name": "Grace Mensah"},
        "legal": {"section_start_on": "2026-11-01", "section_expires_on": "2026-10-01"},
    }
    assert pack_problems(data) == [("legal", "section_expires_on", MESSAGE)]


@pytest.mark.parametrize(
    ("start", "ends", "wrong"),
    [
        (date(2026, 11, 1), date(2026, 10, 1), True),
        (date(2026, 11, 1), date(2026, 10, 31), True),
        (date(2026, 11, 1), date(2026, 11, 1), False),
        (date(2026, 11, 1), date(2027, 4, 30), False),
        (None, date(2026, 10, 1), False),  # nothing to compare with: not judged
        (date(2026, 11, 1), None, False),
    ],
)
def test_the_period_end_rule_on_its_own(start, ends, wrong):
    """The episode report's legal facts have the same two dates: one rule for both."""
    from grabpack.domain.grab_pack_schema import period_end_problem

    assert period_end_problem(start, ends) == (MESSAGE if wrong else None)


def test_unreadable_stored_dates_are_not_judged():
    from grabpack.domain.grab_pack_schema import pack_problems

    data = {
        "identity": {"full_name": "Grace Mensah"},
        "legal": {"section_start_on": "not a date", "section_expires_on": "2026-10-01"},
    }
    assert pack_problems(data) == []
