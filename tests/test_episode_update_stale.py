"""The episode's update form, saved from a page opened before a colleague's save.

The tester's reproduction: a nurse opens the episode (grade Medium), the ward
manager sets the grade to High and a new police reference, then the nurse's page,
not reloaded, saves an update. No edit may be lost to a colleague's save: what she
did not change is not written, what she changed is, and where both changed the same
field differently nothing is saved and she chooses.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import MissingEpisode, OutboxMessage, RiskGradeChange
from grabpack.services import notifications
from tests.conftest import AuthActions
from tests.factories import FULL_LEGAL, open_for, patient_on
from tests.page_checks import form_fields

OPENED_WITH = "CAD 1234/23NOV"
MANAGERS = "CAD 7777/MGR"
NURSES = "CAD 5555/NURSE"


@pytest.fixture
def episode_id(app, world):
    with app.app_context():
        notifications.add_email(world.area_a, "mispers@example.police.uk")
        patient = patient_on(world.ward_a, "Stale Form", FULL_LEGAL, world.nurse_a)
        episode = open_for(
            patient, world.nurse_a, police_reference=OPENED_WITH, police_risk_grade="medium"
        )
        db.session.commit()
        return episode.id


def update_form(client, episode_id) -> dict[str, str]:
    """What the browser would send from the episode page's update form, as loaded."""
    page = client.get(f"/episodes/{episode_id}")
    assert page.status_code == 200
    return form_fields(page.text, f"/episodes/{episode_id}/update")


def save_update(client, episode_id, data: dict[str, str]):
    return client.post(f"/episodes/{episode_id}/update", data=data)


def colleague_saves(client, episode_id, **changes: str) -> None:
    """The colleague opens the page, changes ``changes`` and saves."""
    response = save_update(client, episode_id, {**update_form(client, episode_id), **changes})
    assert response.status_code == 302, response.text


@pytest.fixture
def nurse(client, auth, world):
    auth.login(world.nurse_a)
    return client


@pytest.fixture
def manager(app, world):
    other = app.test_client()
    AuthActions(other).login(world.manager_a)
    return other


def stored(app, episode_id) -> MissingEpisode:
    with app.app_context():
        episode = db.session.get(MissingEpisode, episode_id)
        db.session.expunge(episode)
        return episode


def grades(app, episode_id) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(RiskGradeChange.grade)
                .where(RiskGradeChange.episode_id == episode_id)
                .order_by(RiskGradeChange.id)
            )
        )


def grade_notices(app) -> int:
    with app.app_context():
        return len(
            db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.event == "grade_changed")
            ).all()
        )


def errors_beside_fields(html: str) -> dict[str, str]:
    """Each field's error message, by the id the error summary links to."""
    summary = re.search(r'class="nhsuk-error-summary".*?</div>\s*</div>', html, re.S)
    assert summary, "no error summary on the page"
    return {
        anchor: re.sub(r"<[^>]+>", "", text).strip()
        for anchor, text in re.findall(r'<a href="#([^"]+)"[^>]*>(.*?)</a>', summary.group(0), re.S)
    }


def test_a_stale_form_does_not_undo_a_colleagues_grade(app, nurse, manager, episode_id):
    """Step 3 of the report: the nurse changed only the reference; the manager only the
    grade. Both stand, and police are not told the grade dropped."""
    nurses_form = update_form(nurse, episode_id)
    assert nurses_form["police_risk_grade"] == "medium"

    colleague_saves(manager, episode_id, police_risk_grade="high")
    assert grade_notices(app) == 1

    response = save_update(nurse, episode_id, {**nurses_form, "police_reference": NURSES})
    assert response.status_code == 302, response.text
    episode = stored(app, episode_id)
    assert episode.police_risk_grade == "high"
    assert episode.police_reference == NURSES
    assert grades(app, episode_id) == ["medium", "high"]
    assert grade_notices(app) == 1  # nothing told police the grade went back to Medium


def test_a_stale_form_does_not_undo_a_colleagues_reference(app, nurse, manager, episode_id):
    """The other run: the nurse changed only the grade; the manager's new reference stays."""
    nurses_form = update_form(nurse, episode_id)
    colleague_saves(manager, episode_id, police_reference=MANAGERS)

    response = save_update(nurse, episode_id, {**nurses_form, "police_risk_grade": "low"})
    assert response.status_code == 302, response.text
    episode = stored(app, episode_id)
    assert episode.police_reference == MANAGERS
    assert episode.police_risk_grade == "low"
    assert grades(app, episode_id) == ["medium", "low"]


def test_both_changing_one_field_saves_nothing_and_asks_which_to_keep(
    app, nurse, manager, episode_id
):
    """The report's exact steps: the manager set High and a new reference; the nurse's
    stale page changed the reference (and ticked s18). Nothing of hers is written, the
    clash is shown beside the reference with the manager's value, her entries are kept,
    the grade shows the manager's High, and saving again goes through."""
    nurses_form = update_form(nurse, episode_id)
    colleague_saves(manager, episode_id, police_risk_grade="high", police_reference=MANAGERS)

    response = save_update(
        nurse,
        episode_id,
        {**nurses_form, "police_reference": NURSES, "s18_expiry_stated": "y"},
    )
    assert response.status_code == 409
    errors = errors_beside_fields(response.text)
    assert list(errors) == ["police_reference"], errors
    assert MANAGERS in errors["police_reference"]
    assert "manager.a@example.nhs.uk" in errors["police_reference"]
    assert "keep yours or theirs, then save again" in errors["police_reference"]
    assert 'id="police_reference-error"' in response.text  # beside the field too
    episode = stored(app, episode_id)
    assert (episode.police_reference, episode.police_risk_grade) == (MANAGERS, "high")
    assert not episode.s18_expiry_stated  # nothing half-written
    assert grades(app, episode_id) == ["medium", "high"]

    shown = form_fields(response.text, f"/episodes/{episode_id}/update")
    assert shown["police_reference"] == NURSES  # what she typed, kept
    assert shown["s18_expiry_stated"] == "y"
    assert shown["police_risk_grade"] == "high"  # not her stale Medium

    again = save_update(nurse, episode_id, shown)
    assert again.status_code == 302, again.text
    episode = stored(app, episode_id)
    assert (episode.police_reference, episode.police_risk_grade) == (NURSES, "high")
    assert episode.s18_expiry_stated
    assert grades(app, episode_id) == ["medium", "high"]


def test_both_changing_the_grade_names_who_and_when(app, nurse, manager, episode_id):
    nurses_form = update_form(nurse, episode_id)
    colleague_saves(manager, episode_id, police_risk_grade="high")

    response = save_update(nurse, episode_id, {**nurses_form, "police_risk_grade": "low"})
    assert response.status_code == 409
    errors = errors_beside_fields(response.text)
    assert list(errors) == ["police_risk_grade"], errors
    assert re.match(
        r"manager\.a@example\.nhs\.uk changed this to High at \d\d:\d\d since you opened "
        r"the page: keep yours or theirs, then save again",
        errors["police_risk_grade"],
    ), errors
    assert stored(app, episode_id).police_risk_grade == "high"

    shown = form_fields(response.text, f"/episodes/{episode_id}/update")
    assert shown["police_risk_grade"] == "low"  # hers, to keep or change back
    # She decides theirs is right: choosing High saves with no change to the grade.
    assert save_update(nurse, episode_id, {**shown, "police_risk_grade": "high"}).status_code == 302
    assert grades(app, episode_id) == ["medium", "high"]


def test_the_same_change_by_both_is_no_clash(app, nurse, manager, episode_id):
    nurses_form = update_form(nurse, episode_id)
    colleague_saves(manager, episode_id, police_reference=MANAGERS)
    response = save_update(nurse, episode_id, {**nurses_form, "police_reference": MANAGERS})
    assert response.status_code == 302, response.text
    assert stored(app, episode_id).police_reference == MANAGERS


def test_a_form_without_a_base_writes_what_it_sends_as_before(app, nurse, manager, episode_id):
    """An old page or a script sends no base: each value it sends is taken as the
    user's (the last save wins), as before this rule."""
    nurses_form = update_form(nurse, episode_id)
    nurses_form.pop("base", None)
    colleague_saves(manager, episode_id, police_risk_grade="high")
    response = save_update(nurse, episode_id, {**nurses_form, "police_reference": NURSES})
    assert response.status_code == 302, response.text
    episode = stored(app, episode_id)
    assert (episode.police_reference, episode.police_risk_grade) == (NURSES, "medium")


def test_a_form_shown_again_with_a_mistake_keeps_what_it_was_based_on(
    app, nurse, manager, episode_id
):
    """A typing mistake re-shows the form as sent, base and all: correcting it and
    saving still leaves the colleague's grade alone."""
    nurses_form = update_form(nurse, episode_id)
    colleague_saves(manager, episode_id, police_risk_grade="high")

    response = save_update(nurse, episode_id, {**nurses_form, "police_reference": "X" * 60})
    assert response.status_code == 200
    assert list(errors_beside_fields(response.text)) == ["police_reference"]
    shown = form_fields(response.text, f"/episodes/{episode_id}/update")
    assert shown["base"] == nurses_form["base"]
    assert shown["police_risk_grade"] == "medium"  # as she sent it

    response = save_update(nurse, episode_id, {**shown, "police_reference": NURSES})
    assert response.status_code == 302, response.text
    episode = stored(app, episode_id)
    assert (episode.police_reference, episode.police_risk_grade) == (NURSES, "high")


def test_dates_typed_under_a_status_a_colleague_made_informal_ask_for_the_status(
    app, nurse, manager, episode_id
):
    """Beside "Informal" her new period end would be cleared without a word: nothing is
    saved and she chooses the status, told who set it (from the update's audit)."""
    nurses_form = update_form(nurse, episode_id)
    # AWOL beside "Informal" is the kind warning: the manager confirms it as it is.
    colleague_saves(manager, episode_id, legal_status="informal", confirm_kind="y")

    typed = {"period_ends_on-day": "31", "period_ends_on-month": "3", "period_ends_on-year": "2027"}
    response = save_update(nurse, episode_id, {**nurses_form, **typed})
    assert response.status_code == 409
    errors = errors_beside_fields(response.text)
    assert list(errors) == ["legal_status", "period_ends_on-day"], errors
    assert errors["legal_status"].startswith(
        "manager.a@example.nhs.uk changed this to Informal at "
    )
    assert errors["period_ends_on-day"].startswith("manager.a@example.nhs.uk cleared this at ")
    assert stored(app, episode_id).legal_status == "informal"
    shown = form_fields(response.text, f"/episodes/{episode_id}/update")
    assert (shown["legal_status"], shown["period_ends_on-day"]) == ("s3", "31")

    assert save_update(nurse, episode_id, shown).status_code == 302  # she keeps hers
    episode = stored(app, episode_id)
    assert (episode.legal_status, episode.period_ends_on.isoformat()) == ("s3", "2027-03-31")
