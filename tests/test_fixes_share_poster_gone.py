"""A share link or appeal poster that has stopped working says so in words its
holder can act on, not with a "not on your ward" page: the link's holder has no
account and no ward. Nothing about the patient is on these pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from grabpack.domain.appeal_poster import NameShown, PosterChoices
from grabpack.extensions import db
from grabpack.models import MissingEpisode
from grabpack.models.base import utcnow
from grabpack.services import appeal_posters, share_links
from tests.factories import FULL_LEGAL, close, open_for, patient_on, staff

NAME = "Zqamara Okoye"
REFERENCE = "CAD 4321/23NOV"


def main_text(response) -> str:
    """What the page says in its main part, as read."""
    main = re.search(r"<main[^>]*>(.*)</main>", response.text, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split()).replace("&#39;", "'")


@pytest.fixture
def missing(app, world) -> dict:
    """A patient missing from ward A, with a police reference, a share link and a poster."""
    with app.app_context():
        patient = patient_on(world.ward_a, NAME, FULL_LEGAL, world.nurse_a)
        # Noticed a month ago, so that it can be closed long enough ago for the
        # officer's grace window to have passed too.
        episode = open_for(patient, world.nurse_a, hours_ago=24 * 31, police_reference=REFERENCE)
        link, token = share_links.create_link(episode, staff(world.nurse_a), hours=24)
        poster = appeal_posters.make(
            staff(world.police_a),
            patient.id,
            PosterChoices(NameShown.FULL, frozenset(), False, True),
            authorised=True,
            authorised_by="Insp Example",
            previewed_version=1,
        )
        db.session.commit()
        return {
            "episode": episode.id,
            "link": link.id,
            "path": f"/share/{token}",
            "poster": f"/police/appeal-posters/{poster.record.public_id}",
        }


def close_episode(app, world, episode_id, hours_ago: float = 0.1) -> None:
    with app.app_context():
        close(db.session.get(MissingEpisode, episode_id), world.nurse_a, hours_ago=hours_ago)
        db.session.commit()


def assert_no_longer_works(response, why: str) -> None:
    assert response.status_code in (404, 410)
    said = main_text(response)
    assert "This link no longer works" in said
    assert why in said
    assert "Ask the ward for a new link" in said
    assert "your ward" not in said and NAME not in response.text
    assert "<title>This link no longer works" in response.text


def test_a_link_after_its_episode_closes(app, world, missing):
    close_episode(app, world, missing["episode"])
    assert_no_longer_works(app.test_client().get(missing["path"]), "closed")


def test_a_revoked_link(app, world, missing):
    with app.app_context():
        link = db.session.get(share_links.ShareLink, missing["link"])
        share_links.revoke(link, staff(world.nurse_a))
        db.session.commit()
    assert_no_longer_works(app.test_client().get(missing["path"]), "withdrawn")


def test_an_expired_link(app, world, missing):
    with app.app_context():
        link = db.session.get(share_links.ShareLink, missing["link"])
        link.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert_no_longer_works(app.test_client().get(missing["path"]), "expired")


def test_a_link_disabled_by_wrong_references(app, world, missing):
    with app.app_context():
        link = db.session.get(share_links.ShareLink, missing["link"])
        share_links.record_use(link, "", succeeded=False, max_wrong=1)
        db.session.commit()
    officer = app.test_client()
    assert_no_longer_works(officer.get(missing["path"]), "too many wrong police references")
    # A further guess gets the same page, not the form.
    sent = officer.post(missing["path"], data={"police_reference": REFERENCE})
    assert "Police reference number" not in sent.text


def test_an_unknown_link_is_a_plain_not_found_page(app, missing):
    response = app.test_client().get("/share/" + "x" * 43)
    assert response.status_code == 404
    said = main_text(response)
    assert "Page not found" in said
    assert "ward" not in said.lower() and "no longer works" not in said


def test_a_poster_after_its_episode_closes_says_the_appeal_has_ended(
    app, client, auth, world, missing
):
    close_episode(app, world, missing["episode"])
    auth.login(world.police_a)
    for suffix in ("", ".pdf", ".png", "/photo"):
        response = client.get(missing["poster"] + suffix)
        assert response.status_code == 410, suffix
        said = main_text(response)
        assert "The appeal has ended" in said, suffix
        assert NAME not in response.text and "Okoye" not in response.text
        assert "your ward" not in said


def test_a_poster_long_after_close_still_says_the_appeal_has_ended(
    app, client, auth, world, missing
):
    close_episode(app, world, missing["episode"], hours_ago=24 * 30)
    auth.login(world.police_a)
    response = client.get(missing["poster"] + ".pdf")
    assert response.status_code == 410 and "The appeal has ended" in main_text(response)


def test_another_areas_officer_still_gets_not_found_for_an_ended_poster(
    app, client, auth, world, missing
):
    close_episode(app, world, missing["episode"])
    auth.login(world.police_b)
    response = client.get(missing["poster"])
    assert response.status_code == 404 and "appeal has ended" not in response.text
