"""Missing episodes: opening captures reporting quality and pins the pack; grades are
history; closing makes a review due; police see only what an episode allows."""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from grabpack.domain.clock import london_today
from grabpack.domain.retake import Answer
from grabpack.extensions import db
from grabpack.logs import RedactSecrets
from grabpack.models import AuditEvent, GrabPack, MissingEpisode, RiskGradeChange
from grabpack.models.base import utcnow
from grabpack.services import episodes, share_links
from grabpack.services.episodes import EpisodeError
from tests.conftest import csrf_token
from tests.factories import FULL_LEGAL, close, open_for, patient_on, staff
from tests.page_checks import form_fields


def test_opening_pins_version_and_records_reporting_quality(app, world):
    with app.app_context():
        patient = patient_on("WA1", "Kwame Mensah", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a, hours_ago=3, report_after_minutes=179)
        db.session.commit()
        assert episode.grab_pack_version_number == 1
        assert episode.legal_status == "s3"
        assert episode.retake_power.answer is Answer.RETAKE_UNTIL
        assert not episode.had_no_pack and episode.pack_incomplete and episode.photo_stale
        facts = episodes.facts_of(episode)
        assert facts.minutes_to_report == 179
        assert "Reported to police 179 minutes after noticed" in facts.problems()
        assert "Police not told until when the patient can be taken back (s18)" in facts.problems()


def test_patient_without_pack_is_recorded_as_no_pack(app, world):
    with app.app_context():
        patient = patient_on("WA1", "No Pack")
        episode = open_for(patient, world.nurse_a, kind="missing")
        assert episode.had_no_pack and episode.grab_pack_version_number is None
        assert episodes.facts_of(episode).problems()[:1] == ["No grab pack"]


def test_restricted_patient_is_reported_at_once_and_the_ministry_of_justice_is_a_prompt(app, world):
    """Telling the MoJ never holds up the report to police (it used to be required
    before the episode could be opened: police got the pack later for exactly the
    patients they must hear about first)."""
    with app.app_context():
        patient = patient_on(
            "WA1", "Restricted", {"legal": {"legal_status": "s37_41"}}, world.nurse_a
        )
        episode = open_for(patient, world.nurse_a, hours_ago=2)
        assert episode.retake_power.answer is Answer.RETAKE_ANY_TIME
        facts = episodes.facts_of(episode)
        assert facts.moj_outstanding
        assert "Ministry of Justice not told within 60 minutes" in facts.problems()
        assert "Police not told until when" not in " ".join(facts.problems())
        episodes.update_episode(
            episode,
            staff(world.nurse_a),
            {"moj_notified_at": episode.noticed_at + timedelta(minutes=20)},
        )
        facts = episodes.facts_of(episode)
        assert not facts.moj_outstanding and facts.moj_fault() is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"report_after_minutes": -30}, "after the absence was noticed"),
        ({"hours_ago": -2}, "cannot be in the future"),
    ],
)
def test_impossible_times_are_refused(app, world, change, message):
    with app.app_context():
        patient = patient_on("WA1", "Timing", FULL_LEGAL, world.nurse_a)
        with pytest.raises(EpisodeError, match=message):
            open_for(patient, world.nurse_a, **change)


def test_a_period_ending_before_its_section_started_is_refused(app, world):
    """The same rule as the grab pack's: such a date tells police "No power to take
    back" and gives the patient up too early."""
    with app.app_context():
        patient = patient_on("WA1", "Typo", FULL_LEGAL, world.nurse_a)
        with pytest.raises(EpisodeError, match="must be on or after the date the section"):
            open_for(
                patient,
                world.nurse_a,
                legal_status="s3",
                section_start_on=date(2026, 11, 1),
                period_ends_on=date(2026, 10, 1),
            )


def test_the_report_form_shows_the_period_end_error_beside_its_field(report_missing):
    response = report_missing(
        **{
            "noticed_at-year": "2026",
            "last_seen_at-year": "2026",
            "legal_status": "s3",
            "section_start_on-day": "1",
            "section_start_on-month": "11",
            "section_start_on-year": "2026",
            "period_ends_on-day": "1",
            "period_ends_on-month": "10",
            "period_ends_on-year": "2026",
        }
    )
    assert 'href="#period_ends_on' in response.text
    assert "must be on or after the date the section started" in response.text


def test_one_open_episode_at_a_time(app, world):
    with app.app_context():
        patient = patient_on("WA1", "Twice", FULL_LEGAL, world.nurse_a)
        open_for(patient, world.nurse_a)
        with pytest.raises(EpisodeError, match="already has an open"):
            open_for(patient, world.nurse_a)


def test_risk_grade_changes_are_kept_as_history(app, world):
    with app.app_context():
        patient = patient_on("WA1", "Graded", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a, police_risk_grade="medium")
        for grade in ("high", "high", "low"):
            episodes.update_episode(episode, staff(world.nurse_a), {"police_risk_grade": grade})
        db.session.commit()
        grades = db.session.scalars(select(RiskGradeChange.grade).order_by(RiskGradeChange.id))
        assert list(grades) == ["medium", "high", "low"]


def test_closing_makes_the_pack_due_for_review(app, world):
    with app.app_context():
        patient = patient_on("WA1", "Returned", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a)
        close(episode, world.nurse_a, hours_ago=0.5)
        db.session.commit()
        pack = db.session.scalar(select(GrabPack))
        assert pack.review_due_on == london_today()
        assert pack.review_due_reason == "missing episode closed"
        with pytest.raises(EpisodeError, match="already closed"):
            close(episode, world.nurse_a, hours_ago=0.1)


def test_nurse_opens_an_episode_from_the_patient_page(app, client, auth, world):
    with app.app_context():
        patient_id = patient_on("WA1", "Página Teste", FULL_LEGAL, world.nurse_a).id
        db.session.commit()
    auth.login(world.nurse_a)
    assert "Report missing" in client.get(f"/patients/{patient_id}").text
    page = client.get(f"/patients/{patient_id}/episodes/new").text
    assert "Grab pack incomplete" in page and "Photo out of date or missing" in page
    # Until the ward says when the patient went, a section 3's power cannot be worked out.
    assert "Not known: when the patient went (last seen, or leave due back)" in page
    now = utcnow().astimezone(__import__("zoneinfo").ZoneInfo("Europe/London"))
    data = form_fields(page, f"/patients/{patient_id}/episodes/new")
    assert data["legal_status"] == "s3" and data["section_start_on-year"] == "2026"
    data.update(
        {
            "kind": "awol",
            "last_seen_at-day": now.day,
            "last_seen_at-month": now.month,
            "last_seen_at-year": now.year,
            "last_seen_at-time": (now - timedelta(minutes=30)).strftime("%H:%M"),
            "last_seen_place": "Smoking shelter",
            "clothing": "Grey hoodie <b>",
            "cctv_checked": "y",
            "police_risk_grade": "high",
        }
    )
    response = client.post(f"/patients/{patient_id}/episodes/new", data=data)
    assert response.status_code == 302, response.text
    episode_page = client.get(response.headers["Location"]).text
    assert "Grey hoodie &lt;b&gt;" in episode_page
    assert "High" in episode_page
    assert "Can be taken back until the end of" in episode_page
    with app.app_context():
        episode = db.session.scalar(select(MissingEpisode))
        assert episode.cctv_checked and not episode.security_told
        assert episode.retake_power.answer is Answer.RETAKE_UNTIL
        assert (
            db.session.scalar(select(func.count()).where(AuditEvent.action == "episode.open")) == 1
        )


@pytest.fixture
def report_missing(app, client, auth, world):
    """Post the report-missing form for a new patient on ward A, noticed in 2030."""
    with app.app_context():
        patient_id = patient_on("WA1", "Form Errors", FULL_LEGAL, world.nurse_a).id
        db.session.commit()
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{patient_id}/episodes/new").text

    def post(**extra):
        noticed = {
            "noticed_at-day": "1",
            "noticed_at-month": "1",
            "noticed_at-year": "2030",
            "noticed_at-time": "12:00",
            "last_seen_at-day": "1",
            "last_seen_at-month": "1",
            "last_seen_at-year": "2030",
            "last_seen_at-time": "11:00",
        }
        data = {**form_fields(page, "/episodes/new"), "kind": "awol", **noticed, **extra}
        return client.post(f"/patients/{patient_id}/episodes/new", data=data)

    return post


def test_open_form_keeps_half_typed_times_as_form_errors(app, report_missing):
    response = report_missing(
        **{"last_seen_at-day": "1", "last_seen_at-month": "", "last_seen_at-year": ""}
    )
    assert "Last seen must include a month and a year" in response.text
    assert 'href="#last_seen_at-month"' in response.text  # the first box to fill in
    with app.app_context():
        assert db.session.scalar(select(func.count(MissingEpisode.id))) == 0


def test_open_form_refuses_a_noticed_time_in_the_future(report_missing):
    response = report_missing()
    assert "The time the absence was noticed cannot be in the future" in response.text


def test_police_home_lists_open_episodes_in_their_areas_only(app, client, auth, world):
    with app.app_context():
        mine = patient_on("WA1", "In My Area", FULL_LEGAL, world.nurse_a)
        theirs = patient_on("WB1", "Elsewhere", FULL_LEGAL, world.nurse_b)
        open_for(mine, world.nurse_a, hours_ago=2)
        open_for(theirs, world.nurse_b, hours_ago=1)
        db.session.commit()
    auth.login(world.police_a)
    page = client.get("/police/").text
    assert "In My Area" in page and "Elsewhere" not in page
    assert "Download PDF" in page
    fragment = client.get("/police/open-episodes")
    assert fragment.status_code == 200 and "In My Area" in fragment.text
    assert "<!DOCTYPE" not in fragment.text


def test_police_pdf_download_is_audited_with_its_episode(app, client, auth, world):
    with app.app_context():
        patient = patient_on("WA1", "Audited", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a)
        db.session.commit()
        patient_id, episode_id = patient.id, episode.id
    auth.login(world.police_a)
    response = client.get(f"/patients/{patient_id}/grab-pack.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert "Audited" not in disposition and disposition.endswith('-v1.pdf"')
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "grab_pack.pdf"))
        assert event.episode_id == episode_id and event.grab_pack_version_number == 1
        assert event.user_id == staff(world.police_a).id


def test_ward_manager_sees_who_viewed_their_packs(app, client, auth, world):
    with app.app_context():
        patient = patient_on("WA1", "Looked At", FULL_LEGAL, world.nurse_a)
        open_for(patient, world.nurse_a)
        db.session.commit()
        patient_id = patient.id
    auth.login(world.police_a)
    client.get(f"/police/patients/{patient_id}")
    client.get(f"/patients/{patient_id}/grab-pack.pdf")
    auth.logout()
    auth.login(world.manager_a)
    page = client.get("/wards/WA1/audit").text
    assert "Downloaded PDF" in page and "Viewed" in page
    assert page.count("(Police)") == 2


class TestShareLinks:
    @pytest.fixture
    def episode_id(self, app, world):
        with app.app_context():
            patient = patient_on("WA1", "Shared", FULL_LEGAL, world.nurse_a)
            episode = open_for(patient, world.nurse_a, police_reference="CAD 4321/23NOV")
            db.session.commit()
            return episode.id

    def share(self, client, auth, world, episode_id) -> str:
        auth.login(world.nurse_a)
        page = client.get(f"/episodes/{episode_id}").text
        response = client.post(
            f"/episodes/{episode_id}/share",
            data={"csrf_token": re.search(r'id="share-csrf"[^>]*value="([^"]+)"', page).group(1)},
        )
        url = re.search(r'id="share-url">([^<]+)<', response.text).group(1)
        auth.logout()
        return url.replace("http://localhost", "")

    def test_link_opens_pdf_only_with_the_police_reference(
        self, app, client, auth, world, episode_id
    ):
        path = self.share(client, auth, world, episode_id)
        officer = app.test_client()
        form = officer.get(path)
        assert form.status_code == 200 and "Police reference number" in form.text
        wrong = officer.post(
            path, data={"csrf_token": csrf_token(form.text), "police_reference": "CAD 9999/23NOV"}
        )
        assert "does not match" in wrong.text
        right = officer.post(
            path, data={"csrf_token": csrf_token(form.text), "police_reference": "cad4321/23nov"}
        )
        # The power to retake on the page, readable on a phone; the PDF one press away.
        assert right.status_code == 200 and "Can be taken back until the end of" in right.text
        pdf = officer.post(path, data=form_fields(right.text, path))
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        with app.app_context():
            actions = list(
                db.session.scalars(
                    select(AuditEvent.action)
                    .where(AuditEvent.action.like("share_link.%"))
                    .order_by(AuditEvent.id)
                )
            )
            assert actions == [
                "share_link.create",
                "share_link.refused",
                "share_link.use",
                "share_link.use",
            ]
            token = path.rsplit("/", 1)[1]
            assert db.session.scalar(select(func.count()).where(AuditEvent.detail.is_not(None))) > 0
            stored = db.session.scalar(select(share_links.ShareLink.token_hash))
            assert stored != token and stored == share_links.token_hash(token)

    def test_link_dies_when_episode_closes(self, app, client, auth, world, episode_id):
        path = self.share(client, auth, world, episode_id)
        with app.app_context():
            close(db.session.get(MissingEpisode, episode_id), world.nurse_a, hours_ago=0.1)
            db.session.commit()
        assert app.test_client().get(path).status_code == 404

    def test_revoked_and_unknown_links_are_404(self, app, client, auth, world, episode_id):
        path = self.share(client, auth, world, episode_id)
        auth.login(world.nurse_a)
        page = client.get(f"/episodes/{episode_id}").text
        form_id = re.search(r'action="(/episodes/[^"]+/revoke)"', page).group(1)
        token = re.search(r'id="revoke-csrf-\d+"[^>]*value="([^"]+)"', page).group(1)
        assert client.post(form_id, data={"csrf_token": token}).status_code == 302
        assert app.test_client().get(path).status_code == 404
        assert app.test_client().get("/share/not-a-real-token").status_code == 404

    def test_wrong_references_disable_the_link_whichever_worker_counts_them(
        self, app, app_factory, client, auth, world, episode_id
    ):
        """Police references have few unknown digits: a link dies after a few wrong
        guesses, counted in the database so that every worker sees every guess."""
        path = self.share(client, auth, world, episode_id)
        second = app_factory(GRABPACK_ENV="testing", SECRET_KEY="test-secret-key")
        limit = app.config["SHARE_LINK_MAX_WRONG_REFERENCES"]
        for guess in range(limit):
            officer = (second if guess % 2 else app).test_client()
            token = csrf_token(officer.get(path).text)
            response = officer.post(
                path, data={"csrf_token": token, "police_reference": f"CAD {1000 + guess}/23NOV"}
            )
        assert "This link no longer works: ask the ward for a new one" in response.text
        assert app.test_client().get(path).status_code == 404
        auth.login(world.nurse_a)
        page = client.get(f"/episodes/{episode_id}").text
        assert "A share link was disabled" in page
        assert f"Disabled after {limit} wrong references" in page
        assert "share_link.disabled" in _audit_actions(app)

    @pytest.mark.parametrize("app_config", [{"SHARE_LINK_MAX_WRONG_REFERENCES": 50}])
    def test_guessing_references_is_rate_limited(self, app, client, auth, world, episode_id):
        path = self.share(client, auth, world, episode_id)
        officer = app.test_client()
        token = csrf_token(officer.get(path).text)
        statuses = [
            officer.post(
                path, data={"csrf_token": token, "police_reference": f"GUESS {n}"}
            ).status_code
            for n in range(12)
        ]
        assert statuses[:10] == [200] * 10 and 429 in statuses[10:]


def test_share_tokens_never_reach_the_logs(caplog):
    logger = logging.getLogger("werkzeug")
    logger.addFilter(RedactSecrets())
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('%s - - "%s" %s', "127.0.0.1", "GET /share/AbC-123_secret HTTP/1.1", 200)
    assert "AbC-123_secret" not in caplog.text
    assert "/share/[redacted]" in caplog.text


def test_export_episodes_cli_writes_one_row_per_episode(app, runner, world, tmp_path):
    with app.app_context():
        for n, hours in enumerate((2, 30, 24 * 40)):
            patient = patient_on("WA1", f"Export {n}", FULL_LEGAL, world.nurse_a)
            episode = open_for(patient, world.nurse_a, hours_ago=hours, report_after_minutes=90)
            if n:
                close(episode, world.nurse_a, hours_ago=1)
        db.session.commit()
    output = tmp_path / "episodes.csv"
    since = (date.today() - timedelta(days=7)).isoformat()
    result = runner.invoke(
        args=["export", "episodes", "--from", since, "--format", "csv", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(output.read_text())))
    assert len(rows) == 2
    assert {r["ward"] for r in rows} == {"WA1"} and {r["policing_area"] for r in rows} == {"AREA1"}
    assert all(r["reported_late"] == "yes" and r["poor_reporting"] == "yes" for r in rows)
    assert all(r["minutes_to_report"] == "90" for r in rows)
    assert {r["retake_answer"] for r in rows} == {"retake_until"}
    assert all(r["retake_until"].endswith("Z") and "Section 3" in r["retake_reason"] for r in rows)
    assert not any("Export" in value for row in rows for value in row.values())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "yesterday"], "Invalid value for '--from'"),
        (["--from", "2026-02-01", "--to", "2026-01-01"], "--to is before --from"),
        ([], "Missing option '--format'"),
    ],
)
def test_export_cli_refuses_bad_arguments(runner, args, message):
    extra = [] if "--format" in message else ["--format", "csv"]
    result = runner.invoke(args=["export", "episodes", *args, *extra])
    assert result.exit_code == 2
    assert message in result.output


def test_pack_missing_history_is_derived_from_episodes(app, client, auth, world):
    with app.app_context():
        patient = patient_on("WA1", "History", FULL_LEGAL, world.nurse_a)
        close(open_for(patient, world.nurse_a, hours_ago=50), world.nurse_a, hours_ago=40)
        open_for(patient, world.nurse_a, hours_ago=2, kind="missing", kind_confirmed=True)
        db.session.commit()
        patient_id = patient.id
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{patient_id}/grab-pack").text
    section = page[page.index('id="section-history"') : page.index('id="section-contacts"')]
    assert "Episodes recorded here" in section
    assert section.count("app-entry-line") == 2
    assert "Missing, still missing" in section and "AWOL, returned" in section


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_version_pdf_prints_that_stored_version_for_those_who_may_have_it(app, client, auth, world):
    """Staff of the ward may print any version; police only the current one and the
    one current at reporting (here both are version 2), never version 1."""
    from grabpack.services.grab_packs import save_version

    with app.app_context():
        patient = patient_on(
            "WA1", "Two Versions", {"identity": {"gender": "Female"}}, world.nurse_a
        )
        save_version(
            patient,
            {"identity": {"full_name": "Two Versions", "gender": "Male"}},
            staff(world.nurse_a),
            based_on=1,
        )
        open_for(patient, world.nurse_a, police_reference="CAD 5555/23NOV")
        db.session.commit()
        patient_id = patient.id
    auth.login(world.nurse_a)
    old = pdf_text(client.get(f"/patients/{patient_id}/grab-pack/versions/1.pdf").data)
    auth.logout()
    auth.login(world.police_a)
    assert client.get(f"/patients/{patient_id}/grab-pack/versions/1.pdf").status_code == 404
    current = pdf_text(client.get(f"/patients/{patient_id}/grab-pack.pdf").data)
    assert "Female" in old and "Male" not in old.replace("Female", "")
    assert "Male" in current.replace("Female", "")
    assert "Grab pack version 1" in old and "Grab pack version 2" in current
    assert old.count("OFFICIAL-SENSITIVE") >= 2
    assert "Generated for" in current and "(Police)" in current
    assert "CAD 5555/23NOV" in current  # Part 2: the open episode is on page 1


def test_ward_gives_legal_status_when_there_is_no_pack(app, world):
    with app.app_context():
        patient = patient_on("WA1", "Unknown Section")
        episode = open_for(patient, world.nurse_a, legal_status="s2")
        assert episode.legal_status == "s2" and episode.had_no_pack
        assert episode.legal_label == "Section 2"
        assert episode.retake_power.missing == ("the date of admission",)


def test_the_wards_word_at_reporting_wins_over_the_pack_which_becomes_due(app, world):
    with app.app_context():
        patient = patient_on("WA1", "Pack Out Of Date", FULL_LEGAL, world.nurse_a)
        episode = open_for(
            patient, world.nurse_a, kind="missing", legal_status="informal", period_ends_on=None
        )
        db.session.commit()
        assert episode.legal_status == "informal"
        assert episode.retake_power.answer is Answer.NO_POWER
        pack = db.session.scalar(select(GrabPack))
        assert pack.review_due_on == london_today()
        assert pack.review_due_reason == "legal status stated when reported missing"


def test_a_kind_that_contradicts_the_legal_status_is_a_warning_until_confirmed(app, world):
    with app.app_context():
        patient = patient_on(
            "WA1", "Informal", {"legal": {"legal_status": "informal"}}, world.nurse_a
        )
        with pytest.raises(episodes.KindNeedsConfirming, match="no power to take the patient"):
            open_for(patient, world.nurse_a, kind="awol")
        assert db.session.scalar(select(func.count(MissingEpisode.id))) == 0
        assert open_for(patient, world.nurse_a, kind="awol", kind_confirmed=True).kind == "awol"


def test_correcting_the_legal_status_during_the_episode_restates_the_power(app, world):
    with app.app_context():
        patient = patient_on("WA1", "Renewed", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a)
        renewed = date(2028, 2, 28)
        episodes.update_episode(episode, staff(world.nurse_a), {"period_ends_on": renewed})
        db.session.commit()
        assert episode.retake_power.until_text == "the end of 28 February 2028"
        assert episode.retake_ends_at == episode.retake_power.ends_at


def test_prevention_interview_recorded_after_closing(app, client, auth, world):
    with app.app_context():
        patient = patient_on("WA1", "Interviewed", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a, hours_ago=10)
        close(episode, world.nurse_a, hours_ago=5)
        db.session.commit()
        episode_id = episode.id
    auth.login(world.nurse_a)
    page = client.get(f"/episodes/{episode_id}").text
    token = re.search(r'id="interview-csrf"[^>]*value="([^"]+)"', page).group(1)
    when = (utcnow() - timedelta(hours=1)).astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/London")
    )
    response = client.post(
        f"/episodes/{episode_id}/prevention-interview",
        data={
            "csrf_token": token,
            "prevention_interview_at-day": when.day,
            "prevention_interview_at-month": when.month,
            "prevention_interview_at-year": when.year,
            "prevention_interview_at-time": when.strftime("%H:%M"),
        },
    )
    assert response.status_code == 302
    assert "Prevention interview recorded" in client.get(response.headers["Location"]).text
    with app.app_context():
        assert db.session.get(MissingEpisode, episode_id).prevention_interview_at is not None
        with pytest.raises(EpisodeError, match="after the return"):
            episodes.record_prevention_interview(
                db.session.get(MissingEpisode, episode_id),
                staff(world.nurse_a),
                {"prevention_interview_at": utcnow() - timedelta(hours=6)},
            )


def test_repeat_missing_is_flagged_to_ward_and_police(app, client, auth, world):
    with app.app_context():
        repeat = patient_on("WA1", "Often Missing", FULL_LEGAL, world.nurse_a)
        for days in (80, 40):
            close(
                open_for(repeat, world.nurse_a, hours_ago=24 * days),
                world.nurse_a,
                hours_ago=24 * days - 5,
            )
        open_for(repeat, world.nurse_a, hours_ago=2)
        spread = patient_on("WA1", "Seldom Missing", FULL_LEGAL, world.nurse_a)
        for days in (200, 120):
            close(
                open_for(spread, world.nurse_a, hours_ago=24 * days),
                world.nurse_a,
                hours_ago=24 * days - 5,
            )
        open_for(spread, world.nurse_a, hours_ago=3)
        db.session.commit()
    auth.login(world.nurse_a)
    ward = client.get("/wards/WA1").text
    assert ward.count("Repeat: 3 in 90 days") == 1
    only_repeat = client.get("/wards/WA1?state=repeat").text
    assert "Often Missing" in only_repeat and "Seldom Missing" not in only_repeat
    auth.logout()
    auth.login(world.police_a)
    police = client.get("/police/").text
    row = police[
        police.index("Often Missing") : police.index("</li>", police.index("Often Missing"))
    ]
    assert "Repeat: 3 in 90 days" in row
    assert police.count("Repeat:") == 1


def test_every_declared_episode_field_is_a_column_of_the_same_name():
    """Adding a fact to Part 2 is one declaration and its column: nothing else names it."""
    from sqlalchemy import Boolean, Date, String, Text, Time

    from grabpack.domain.episode_schema import EPISODE
    from grabpack.domain.episode_schema import EpisodeFieldType as T
    from grabpack.models.base import UTCDateTime

    expected = {
        T.MOMENT: UTCDateTime,
        T.DATE: Date,
        T.TIME: Time,
        T.TEXT: String,
        T.LONG_TEXT: Text,
        T.CHOICE: String,
        T.CHECK: Boolean,
    }
    columns = MissingEpisode.__table__.columns
    for field in (field for section in EPISODE for field in section.fields):
        assert field.key in columns, field.key
        assert isinstance(columns[field.key].type, expected[field.type]), field.key
        if field.type is T.TEXT:
            assert columns[field.key].type.length >= field.max_length, field.key


def _audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_reporting_a_patient_without_a_pack_says_police_see_only_the_episode(
    app, client, auth, world
):
    with app.app_context():
        patient_id = patient_on("WA1", "No Pack Yet").id
        db.session.commit()
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{patient_id}/episodes/new").text
    earlier = utcnow() - timedelta(hours=2)
    when = {
        f"{key}-{part}": value
        for key, moment in (("noticed_at", earlier), ("last_seen_at", earlier - timedelta(hours=1)))
        for part, value in (
            ("day", str(moment.day)),
            ("month", str(moment.month)),
            ("year", str(moment.year)),
            ("time", moment.strftime("%H:%M")),
        )
    }
    data = {
        **form_fields(page, "/episodes/new"),
        "kind": "missing",
        "legal_status": "informal",
        **when,
    }
    response = client.post(f"/patients/{patient_id}/episodes/new", data=data)
    assert response.status_code == 302, response.text
    shown = client.get(response.headers["Location"]).text
    assert "There is no grab pack: police in the area see only the episode" in shown
    assert "can now see the grab pack" not in shown
