"""The retention purge removes everything hanging off an expired patient's episodes.

Found by an operations tester: a patient whose episode had told police by email
(an outbox message) could not be purged: the delete of the episode hit the
message's foreign key, the command died with a traceback, and because the purge is
one transaction nobody else was purged either (nor the week-old unsaved photos).
Appeal posters hang off episodes the same way."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from grabpack.extensions import db
from grabpack.models import AppealPoster, MissingEpisode, OutboxMessage, Patient
from grabpack.models.base import utcnow
from grabpack.services import notifications, patients
from tests.factories import FULL_LEGAL, close, open_for, patient_on, staff


def test_an_expired_patient_who_told_police_and_had_a_poster_is_purged(app, world):
    with app.app_context():
        notifications.add_email(world.area_a, "mispers@example.police.uk")
        expired = patient_on(world.ward_a, "Old Record", FULL_LEGAL, world.nurse_a)
        recent = patient_on(world.ward_a, "Recent Record", FULL_LEGAL, world.nurse_a)
        for patient in (expired, recent):
            episode = open_for(patient, world.nurse_a, hours_ago=3)
            db.session.add(
                AppealPoster(
                    patient_id=patient.id,
                    episode_id=episode.id,
                    grab_pack_version_number=1,
                    made_by_id=staff(world.police_a).id,
                    authorised_by="Insp 123 Patel",
                    choices={},
                )
            )
            close(episode, world.nurse_a, hours_ago=1)
            patients.discharge(
                patient,
                staff(world.nurse_a),
                now=utcnow() - timedelta(days=round(365.25 * (21 if patient is expired else 1))),
            )
        db.session.commit()
        expired_id = expired.id
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) >= 2

        result = patients.purge_expired(20, dry_run=False)
        db.session.commit()

        assert result.patients == 1
        assert db.session.get(Patient, expired_id) is None
        for model in (MissingEpisode, OutboxMessage, AppealPoster):
            column = model.patient_id if hasattr(model, "patient_id") else None
            left = db.session.scalars(select(model)).all()
            assert left, f"{model.__name__}: the recent patient's rows went too"
            if column is not None:
                assert all(row.patient_id != expired_id for row in left)
        episode_ids = set(db.session.scalars(select(MissingEpisode.id)))
        assert all(m.episode_id in episode_ids for m in db.session.scalars(select(OutboxMessage)))


def test_every_table_that_refers_to_an_episode_or_patient_is_purged_with_it():
    """A table added later that refers to an episode would stop every purge again."""
    from grabpack.services.patients import EPISODE_RECORDS

    purged_with_the_patient = {
        "grab_packs",
        "grab_pack_versions",
        "missing_episodes",
        *(model.__tablename__ for model in EPISODE_RECORDS),
    }
    referring = {
        table.name
        for table in db.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column.table.name in {"missing_episodes", "patients", "grab_packs"}
    }
    assert referring <= purged_with_the_patient, referring - purged_with_the_patient
