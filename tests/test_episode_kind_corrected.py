"""The kind of absence corrected on the episode page's update form.

The tester's reproduction: a patient reported as informal and Missing, whose legal
position is later corrected on the update form to section 3 (start 1 March 2026,
period ending 31 August 2026). Police were then told "Can be taken back until the
end of 28 September 2026" beside "Kind Missing", and the export kept kind=missing,
because the kind could not be changed after reporting and nothing warned.

The kind is now on the update form, goes through the same three-way merge as every
other update field, and an update that leaves it contradicting the power to retake
gets the same warning and confirm tick box as at reporting: nothing is saved until
the kind or the legal status is corrected, or the kind confirmed.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from grabpack.domain.clock import LONDON
from grabpack.domain.episode_merge import canonical, decode_base, encode_base
from grabpack.domain.episode_schema import FIELDS_BY_KEY, EpisodeKind, Stage, fields_for
from grabpack.extensions import db
from grabpack.models import AuditEvent, MissingEpisode, OutboxMessage
from grabpack.services import notifications
from grabpack.services.episodes import KindNeedsConfirming
from tests.conftest import AuthActions
from tests.factories import FULL_LEGAL, open_for, patient_on
from tests.page_checks import form_fields
from tests.test_episode_update_stale import save_update, update_form

LAST_SEEN = datetime(2026, 3, 29, 10, 0, tzinfo=LONDON)  # six months on: 28 September
NOTICED = datetime(2026, 3, 29, 10, 20, tzinfo=LONDON)
REPORTED = datetime(2026, 3, 29, 10, 35, tzinfo=LONDON)
TOLD_AT_S3 = "Can be taken back until the end of 28 September 2026"
CONFIRM = "The kind is right: record it as I chose"
S3_FROM_MARCH = {
    "legal_status": "s3",
    "section_start_on-day": "1",
    "section_start_on-month": "3",
    "section_start_on-year": "2026",
    "period_ends_on-day": "31",
    "period_ends_on-month": "8",
    "period_ends_on-year": "2026",
}
# The warning at reporting, word for word, for each way round.
WRONG_FOR_S3 = (
    "You chose Missing, but with the legal status Section 3 the patient can be taken "
    "back, so the absence is AWOL or Escapee. Change the kind or the legal status, or "
    "confirm the kind as it is."
)
WRONG_FOR_INFORMAL = (
    "You chose AWOL, but with the legal status Informal there is no power to take the "
    "patient back, so the absence is Missing. Change the kind or the legal status, or "
    "confirm the kind as it is."
)


# --- set-up and helpers -------------------------------------------------------------------


def _informal_missing(world) -> str:
    patient = patient_on(
        world.ward_a,
        "Informal Then Sectioned",
        {"legal": {"legal_status": "informal"}},
        world.nurse_a,
    )
    episode = open_for(
        patient,
        world.nurse_a,
        kind="missing",
        last_seen_at=LAST_SEEN,
        noticed_at=NOTICED,
        reported_at=REPORTED,
    )
    return episode.id


@pytest.fixture
def informal_missing(app, world):
    """The tester's episode: informal, Missing, last seen on 29 March 2026."""
    with app.app_context():
        notifications.add_email(world.area_a, "mispers@example.police.uk")
        episode_id = _informal_missing(world)
        db.session.commit()
        return episode_id


@pytest.fixture
def s3_awol(app, world):
    """A section 3 patient reported AWOL (the kind agrees), police grade Medium."""
    with app.app_context():
        notifications.add_email(world.area_a, "mispers@example.police.uk")
        patient = patient_on(world.ward_a, "Section Three", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a, kind="awol", police_risk_grade="medium")
        db.session.commit()
        return episode.id


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
        episode.retake_power  # noqa: B018 - loaded before the session lets go
        db.session.expunge(episode)
        return episode


def updates_audited(app, episode_id) -> list[list[str]]:
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "episode.update", AuditEvent.episode_id == episode_id)
            .order_by(AuditEvent.id)
        )
        return [event.detail["changed"] for event in events]


def notices(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (message.event, message.payload["kind"])
            for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def errors_in_summary(html: str) -> dict[str, str]:
    summary = re.search(r'class="nhsuk-error-summary".*?</div>\s*</div>', html, re.S)
    assert summary, "no error summary on the page"
    return {
        anchor: re.sub(r"<[^>]+>", "", text).strip()
        for anchor, text in re.findall(r'<a href="#([^"]+)"[^>]*>(.*?)</a>', summary.group(0), re.S)
    }


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_warned(response, warning: str) -> None:
    """The warning as at reporting: in the error summary, beside the kind, and the
    tick box that confirms it."""
    assert response.status_code == 200, response.status_code
    assert errors_in_summary(response.text) == {"kind": warning}
    assert 'id="kind-error"' in response.text
    assert CONFIRM in response.text
    assert 'name="confirm_kind"' in response.text


def police_card(client, name: str) -> str:
    page = client.get("/police/").text
    start = page.rindex('<li class="app-episode-card"', 0, page.index(name))
    return text_of(page[start : page.index("</li>", start)])


# --- the tester's case --------------------------------------------------------------------


def test_the_testers_case_warns_then_saves_the_corrected_kind_everywhere(
    app, world, nurse, manager, informal_missing
):
    episode_id = informal_missing
    form = update_form(nurse, episode_id)
    assert form["kind"] == "missing"  # the kind is on the update form

    # Step 1: only the legal status corrected. Missing beside a power to retake: the
    # warning as at reporting, and nothing saved.
    response = save_update(nurse, episode_id, {**form, **S3_FROM_MARCH})
    assert_warned(response, WRONG_FOR_S3)
    episode = stored(app, episode_id)
    assert (episode.legal_status, episode.kind) == ("informal", "missing")
    assert updates_audited(app, episode_id) == []
    shown = form_fields(response.text, f"/episodes/{episode_id}/update")
    assert shown["legal_status"] == "s3" and shown["period_ends_on-day"] == "31"  # kept
    assert shown["base"] == form["base"]

    # Step 2: the kind corrected too: saved, no warning.
    response = save_update(nurse, episode_id, {**shown, "kind": "awol"})
    assert response.status_code == 302, text_of(response.text)
    episode = stored(app, episode_id)
    assert (episode.legal_status, episode.kind) == ("s3", "awol")
    assert episode.retake_power.until_text == "the end of 28 September 2026"
    assert updates_audited(app, episode_id) == [
        ["kind", "legal_status", "period_ends_on", "section_start_on"]
    ]

    page = text_of(nurse.get(f"/episodes/{episode_id}").text)
    assert "AWOL episode Open" in page and "Missing episode Open" not in page
    assert "What kind of absence is this? AWOL" in page
    assert TOLD_AT_S3 in page

    exported = manager.get("/wards/WA1/episodes.csv?from=2026-03-01&to=2026-03-31")
    assert exported.status_code == 200
    (row,) = csv.DictReader(io.StringIO(exported.text))
    assert (row["kind"], row["legal_status"]) == ("awol", "s3")

    police = app.test_client()
    AuthActions(police).login(world.police_a)
    card = police_card(police, "Informal Then Sectioned")
    assert "Kind AWOL" in card and "Kind Missing" not in card
    # The correction is told to the area at once, with the kind as it is now.
    assert notices(app) == [("opened", "Missing"), ("corrected", "AWOL")]


def test_the_status_and_kind_corrected_in_one_save_need_no_confirming(app, nurse, informal_missing):
    form = update_form(nurse, informal_missing)
    response = save_update(nurse, informal_missing, {**form, **S3_FROM_MARCH, "kind": "awol"})
    assert response.status_code == 302, text_of(response.text)
    assert stored(app, informal_missing).kind == "awol"


# --- a kind correction alone --------------------------------------------------------------


def test_a_kind_corrected_alone_is_saved_and_audited(app, nurse, s3_awol):
    form = update_form(nurse, s3_awol)
    response = save_update(nurse, s3_awol, {**form, "kind": "escapee"})
    assert response.status_code == 302, text_of(response.text)
    episode = stored(app, s3_awol)
    assert episode.kind == "escapee"
    assert (episode.legal_status, episode.police_risk_grade) == ("s3", "medium")
    assert updates_audited(app, s3_awol) == [["kind"]]
    assert "Escapee episode" in nurse.get(f"/episodes/{s3_awol}").text


def test_a_kind_corrected_to_agree_with_a_confirmed_status_needs_no_confirming(app, world, nurse):
    """Reported AWOL for an informal patient (confirmed at reporting), then put right."""
    with app.app_context():
        patient = patient_on(
            world.ward_a, "Confirmed Awol", {"legal": {"legal_status": "informal"}}, world.nurse_a
        )
        episode_id = open_for(patient, world.nurse_a, kind="awol", kind_confirmed=True).id
        db.session.commit()
    form = update_form(nurse, episode_id)
    response = save_update(nurse, episode_id, {**form, "kind": "missing"})
    assert response.status_code == 302, text_of(response.text)
    assert stored(app, episode_id).kind == "missing"


def test_a_confirmed_kind_is_not_questioned_again_by_an_unrelated_update(app, world, nurse):
    with app.app_context():
        patient = patient_on(
            world.ward_a, "Confirmed Awol", {"legal": {"legal_status": "informal"}}, world.nurse_a
        )
        episode_id = open_for(patient, world.nurse_a, kind="awol", kind_confirmed=True).id
        db.session.commit()
    form = update_form(nurse, episode_id)
    response = save_update(nurse, episode_id, {**form, "police_reference": "CAD 42/NEW"})
    assert response.status_code == 302, text_of(response.text)
    episode = stored(app, episode_id)
    assert (episode.kind, episode.police_reference) == ("awol", "CAD 42/NEW")


def test_a_form_that_does_not_send_the_kind_leaves_it(app, nurse, s3_awol):
    """An update form loaded before the kind was on it (or a script) sends no kind:
    the recorded kind stands, and the rest is saved."""
    form = update_form(nurse, s3_awol)
    del form["kind"]
    response = save_update(nurse, s3_awol, {**form, "police_reference": "CAD 42/NEW"})
    assert response.status_code == 302, text_of(response.text)
    episode = stored(app, s3_awol)
    assert (episode.kind, episode.police_reference) == ("awol", "CAD 42/NEW")


def test_a_kind_that_is_not_a_kind_is_refused(app, nurse, s3_awol):
    form = update_form(nurse, s3_awol)
    response = save_update(nurse, s3_awol, {**form, "kind": "absconded"})
    assert response.status_code == 200
    assert "kind" in errors_in_summary(response.text)
    assert stored(app, s3_awol).kind == "awol"


# --- the warning and confirm on update ----------------------------------------------------


def test_a_kind_changed_to_contradict_the_status_is_warned_then_confirmed(app, nurse, s3_awol):
    form = update_form(nurse, s3_awol)
    assert CONFIRM not in nurse.get(f"/episodes/{s3_awol}").text  # only with a warning
    response = save_update(nurse, s3_awol, {**form, "kind": "missing"})
    assert_warned(response, WRONG_FOR_S3)
    assert stored(app, s3_awol).kind == "awol"

    shown = form_fields(response.text, f"/episodes/{s3_awol}/update")
    assert shown["kind"] == "missing" and "confirm_kind" not in shown
    response = save_update(nurse, s3_awol, {**shown, "confirm_kind": "y"})
    assert response.status_code == 302, text_of(response.text)
    assert stored(app, s3_awol).kind == "missing"
    assert updates_audited(app, s3_awol) == [["kind"]]


def test_a_status_changed_under_the_kind_is_warned_as_at_reporting(app, nurse, s3_awol):
    """The other way round: the status made informal, the kind left AWOL."""
    form = update_form(nurse, s3_awol)
    response = save_update(nurse, s3_awol, {**form, "legal_status": "informal"})
    assert_warned(response, WRONG_FOR_INFORMAL)
    assert stored(app, s3_awol).legal_status == "s3"

    shown = form_fields(response.text, f"/episodes/{s3_awol}/update")
    response = save_update(nurse, s3_awol, {**shown, "kind": "missing"})
    assert response.status_code == 302, text_of(response.text)
    episode = stored(app, s3_awol)
    assert (episode.legal_status, episode.kind) == ("informal", "missing")


def test_the_update_warning_is_the_openings_own_words(app, world):
    """One rule and one wording for both stages: the same kind and status at reporting
    raise the very words the update form shows."""
    with app.app_context():
        patient = patient_on(world.ward_a, "At Reporting", FULL_LEGAL, world.nurse_a)
        with pytest.raises(KindNeedsConfirming) as at_reporting:
            open_for(patient, world.nurse_a, kind="missing")
        assert str(at_reporting.value) == WRONG_FOR_S3
        informal = patient_on(
            world.ward_a, "Informal", {"legal": {"legal_status": "informal"}}, world.nurse_a
        )
        with pytest.raises(KindNeedsConfirming) as at_reporting:
            open_for(informal, world.nurse_a, kind="awol")
        assert str(at_reporting.value) == WRONG_FOR_INFORMAL


def test_a_warning_with_a_grade_change_saves_neither_until_confirmed(app, nurse, s3_awol):
    form = update_form(nurse, s3_awol)
    response = save_update(nurse, s3_awol, {**form, "kind": "missing", "police_risk_grade": "high"})
    assert response.status_code == 200
    assert stored(app, s3_awol).police_risk_grade == "medium"
    assert notices(app) == [("opened", "AWOL")]

    shown = form_fields(response.text, f"/episodes/{s3_awol}/update")
    assert shown["police_risk_grade"] == "high"
    response = save_update(nurse, s3_awol, {**shown, "confirm_kind": "y"})
    assert response.status_code == 302, text_of(response.text)
    # The corrected kind and the grade change are each told, with the kind as it is now.
    assert notices(app) == [
        ("opened", "AWOL"),
        ("corrected", "Missing"),
        ("grade_changed", "Missing"),
    ]


# --- a colleague's save meanwhile (the three-way merge) -----------------------------------


def test_a_stale_form_does_not_undo_a_colleagues_kind(app, nurse, manager, s3_awol):
    nurses_form = update_form(nurse, s3_awol)
    colleague = save_update(manager, s3_awol, {**update_form(manager, s3_awol), "kind": "escapee"})
    assert colleague.status_code == 302, text_of(colleague.text)

    response = save_update(nurse, s3_awol, {**nurses_form, "police_reference": "CAD 55/NURSE"})
    assert response.status_code == 302, text_of(response.text)
    episode = stored(app, s3_awol)
    assert (episode.kind, episode.police_reference) == ("escapee", "CAD 55/NURSE")


def test_both_changing_the_kind_is_a_clash_naming_the_colleague(app, nurse, manager, s3_awol):
    nurses_form = update_form(nurse, s3_awol)
    colleague = save_update(manager, s3_awol, {**update_form(manager, s3_awol), "kind": "escapee"})
    assert colleague.status_code == 302

    response = save_update(nurse, s3_awol, {**nurses_form, "kind": "missing"})
    assert response.status_code == 409
    errors = errors_in_summary(response.text)
    assert list(errors) == ["kind"], errors
    assert errors["kind"].startswith("manager.a@example.nhs.uk changed this to Escapee at ")
    assert stored(app, s3_awol).kind == "escapee"
    shown = form_fields(response.text, f"/episodes/{s3_awol}/update")
    assert shown["kind"] == "missing"  # hers, to keep or change

    # She keeps hers: Missing with a power to retake is then the warning, as ever.
    response = save_update(nurse, s3_awol, shown)
    assert_warned(response, WRONG_FOR_S3)
    shown = form_fields(response.text, f"/episodes/{s3_awol}/update")
    assert save_update(nurse, s3_awol, {**shown, "confirm_kind": "y"}).status_code == 302
    assert stored(app, s3_awol).kind == "missing"


def test_the_same_kind_chosen_by_both_is_no_clash(app, nurse, manager, s3_awol):
    nurses_form = update_form(nurse, s3_awol)
    save_update(manager, s3_awol, {**update_form(manager, s3_awol), "kind": "escapee"})
    response = save_update(nurse, s3_awol, {**nurses_form, "kind": "escapee"})
    assert response.status_code == 302, text_of(response.text)
    assert stored(app, s3_awol).kind == "escapee"


def test_a_kind_chosen_under_a_status_a_colleague_changed_is_judged_on_the_merge(
    app, nurse, manager, s3_awol
):
    """The manager made the patient informal and confirmed AWOL; the nurse's stale form
    (still showing section 3) chose Escapee. Her kind would land beside Informal: she
    is warned on what the episode would hold, not on what her form showed."""
    nurses_form = update_form(nurse, s3_awol)
    managers_form = {**update_form(manager, s3_awol), "legal_status": "informal"}
    assert_warned(save_update(manager, s3_awol, managers_form), WRONG_FOR_INFORMAL)
    colleague = save_update(manager, s3_awol, {**managers_form, "confirm_kind": "y"})
    assert colleague.status_code == 302, text_of(colleague.text)

    response = save_update(nurse, s3_awol, {**nurses_form, "kind": "escapee"})
    assert_warned(response, WRONG_FOR_INFORMAL.replace("You chose AWOL", "You chose Escapee"))
    episode = stored(app, s3_awol)
    assert (episode.legal_status, episode.kind) == ("informal", "awol")

    # She puts the kind right for the status as it now is: saved, the status left as
    # the manager set it (her form only re-sent the section 3 it was loaded with).
    shown = form_fields(response.text, f"/episodes/{s3_awol}/update")
    assert save_update(nurse, s3_awol, {**shown, "kind": "missing"}).status_code == 302
    episode = stored(app, s3_awol)
    assert (episode.legal_status, episode.kind) == ("informal", "missing")
    assert updates_audited(app, s3_awol)[-1] == ["kind"]


def test_a_stale_form_is_not_warned_about_a_colleagues_confirmed_kind(app, nurse, manager, s3_awol):
    """The manager confirmed Missing for the s3 patient; the nurse's stale page only
    adds a reference: she changed neither kind nor status, so no warning."""
    nurses_form = update_form(nurse, s3_awol)
    colleague = save_update(
        manager, s3_awol, {**update_form(manager, s3_awol), "kind": "missing", "confirm_kind": "y"}
    )
    assert colleague.status_code == 302, text_of(colleague.text)

    response = save_update(nurse, s3_awol, {**nurses_form, "police_reference": "CAD 55/NURSE"})
    assert response.status_code == 302, text_of(response.text)
    episode = stored(app, s3_awol)
    assert (episode.kind, episode.police_reference) == ("missing", "CAD 55/NURSE")


# --- the field and its canonical form -----------------------------------------------------


def test_the_kind_is_an_update_field_compared_as_its_value():
    assert "kind" in [field.key for field in fields_for(Stage.UPDATE)]
    kind = FIELDS_BY_KEY["kind"]
    assert canonical(kind, EpisodeKind.AWOL) == canonical(kind, "awol") == "awol"
    assert canonical(kind, " awol ") == "awol"
    assert canonical(kind, None) == canonical(kind, "") == ""
    assert decode_base(encode_base({"kind": "awol", "clothing": "coat"})) == {"kind": "awol"}
