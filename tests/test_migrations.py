"""Alembic owns the schema: the migrations build exactly what the models declare."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from grabpack.extensions import db
from grabpack.services import audit


def test_migrations_match_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_app_start_does_no_schema_work(tmp_path):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with app.app_context():
        tables = db.session.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        assert list(tables) == []


def test_downgrade_to_nothing_and_back(tmp_path):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}")
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        names = {
            row[0]
            for row in db.session.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        }
        assert names <= {"alembic_version"}
        upgrade()
        assert db.session.execute(text("SELECT count(*) FROM users")).scalar() == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'rewritten'",
        "DELETE FROM audit_events",
    ],
)
def test_audit_trail_is_append_only_in_the_database(app, statement):
    with app.app_context():
        audit.record("test.event")
        db.session.commit()
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
            db.session.commit()
        db.session.rollback()
        assert db.session.execute(text("SELECT action FROM audit_events")).scalar() == "test.event"


def test_existing_episodes_are_restated_by_the_migration_from_the_facts_they_have(app, world):
    """0004 gives episodes recorded before it the power to retake, recomputed from their
    legal status, the section dates in the pack version they used and the time last
    seen; where those facts are missing, "not known" naming what is missing."""
    from datetime import timedelta

    from grabpack.domain.clock import london_today
    from grabpack.domain.retake import end_of_london_day
    from grabpack.models import MissingEpisode
    from grabpack.services import share_links
    from tests.factories import open_for, patient_on, staff

    admitted = london_today() - timedelta(days=5)
    with app.app_context():
        legal = {"legal": {"legal_status": "s2", "section_start_on": admitted.isoformat()}}
        known = open_for(
            patient_on("WA1", "Known", legal, world.nurse_a),
            world.nurse_a,
            police_risk_grade="high",
        )
        unknown = open_for(patient_on("WA1", "Unknown", None), world.nurse_a, kind="missing")
        # Rows that point at the episodes: SQLite's table rebuilds must not trip on them.
        share_links.create_link(known, staff(world.nurse_a), hours=24)
        db.session.commit()
        known_id, unknown_id = known.id, unknown.id
        db.session.remove()
        downgrade(revision="0003")
        upgrade()
        restated = db.session.get(MissingEpisode, known_id)
        assert restated.retake_answer == "retake_until"
        assert restated.retake_ends_at == end_of_london_day(admitted + timedelta(days=27))
        assert restated.section_start_on == admitted
        assert "28 days beginning with admission" in restated.retake_power.reason
        not_known = db.session.get(MissingEpisode, unknown_id).retake_power
        assert not_known.answer.value == "not_known" and not_known.missing == ("the legal status",)


def test_posters_made_before_0013_get_opaque_public_ids(app, world):
    """0013 gives every poster already made its own random public id (the URLs and
    file names carry it), and keeps the rest of the record as it was."""
    from grabpack.domain.appeal_poster import PosterChoices
    from grabpack.models import AppealPoster
    from grabpack.services import appeal_posters
    from tests.factories import FULL_LEGAL, open_for, patient_on, staff

    with app.app_context():
        for name in ("First Poster", "Second Poster"):
            patient = patient_on("WA1", name, FULL_LEGAL, world.nurse_a)
            open_for(patient, world.nurse_a, police_reference="CAD 1/2DEC")
            appeal_posters.make(
                staff(world.police_a),
                patient.id,
                PosterChoices(),
                authorised=True,
                authorised_by="Insp Example",
                previewed_version=1,
            )
        db.session.commit()
        columns = (AppealPoster.id, AppealPoster.episode_id, AppealPoster.authorised_by)
        before = db.session.execute(select(*columns).order_by(AppealPoster.id)).all()
        public_before = set(db.session.scalars(select(AppealPoster.public_id)))
        db.session.remove()
        downgrade(revision="0012")
        upgrade()
        assert db.session.execute(select(*columns).order_by(AppealPoster.id)).all() == before
        public = list(db.session.scalars(select(AppealPoster.public_id)))
        assert len(set(public)) == 2 and None not in public
        assert not set(public) & public_before  # new, random: nothing derived from the row


def test_episodes_regraded_before_0014_keep_the_highest_grade_they_had(app, world):
    """0014 fills each episode's highest grade from its grade history, and works out
    again the highest grade in each repeat window from it."""
    from grabpack.models import MissingEpisode
    from grabpack.services.episodes import update_episode
    from tests.factories import FULL_LEGAL, open_for, patient_on, staff

    with app.app_context():
        patient = patient_on("WA1", "Regraded", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a, police_risk_grade="low")
        update_episode(episode, staff(world.nurse_a), {"police_risk_grade": "high"})
        update_episode(episode, staff(world.nurse_a), {"police_risk_grade": "medium"})
        db.session.commit()
        db.session.remove()
        downgrade(revision="0013")
        upgrade()
        row = db.session.execute(
            select(
                MissingEpisode.police_risk_grade,
                MissingEpisode.highest_police_risk_grade,
                MissingEpisode.window_top_grade,
            )
        ).one()
    assert tuple(row) == ("medium", "high", 4)
