"""What a policing area is told, and when: written to the outbox with the episode
change, never holding a patient identifier."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from grabpack.domain.notifications import EpisodeNotice, sign, verify
from grabpack.extensions import db
from grabpack.models import OutboxMessage
from grabpack.services import episodes, notifications
from grabpack.services.notifications import TargetError
from tests.factories import FULL_LEGAL, open_for, patient_on, staff

SECRET = "a shared secret of at least 32 characters!"
NAME = "Zofia Wiśniewska"
NHS_NUMBER = "9434765919"


@pytest.fixture
def area_a_told(app, world):
    with app.app_context():
        notifications.add_email(world.area_a, "mispers@example.police.uk")
        notifications.add_webhook(world.area_a, "https://receiver.example.police.uk/hook", SECRET)
        db.session.commit()


def _missing_patient(world):
    patient = patient_on(world.ward_a, NAME, FULL_LEGAL, world.nurse_a)
    patient.nhs_number = NHS_NUMBER
    return patient


def test_opening_re_grading_and_closing_each_write_one_message_per_target(app, world, area_a_told):
    with app.app_context():
        episode = open_for(_missing_patient(world), world.nurse_a)
        db.session.commit()
        episodes.update_episode(episode, staff(world.police_a), {"police_risk_grade": "high"})
        db.session.commit()
        episodes.update_episode(episode, staff(world.police_a), {"police_risk_grade": "high"})
        db.session.commit()  # the same grade again: nothing new to tell
        episodes.close_episode(
            episode,
            staff(world.nurse_a),
            {"returned_at": datetime.now(UTC) - timedelta(minutes=1), "found_category": "home"},
        )
        db.session.commit()
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        sent = [(m.event, m.target.channel) for m in messages]
    assert sent == [
        ("opened", "email"),
        ("opened", "webhook"),
        ("grade_changed", "email"),
        ("grade_changed", "webhook"),
        ("closed", "email"),
        ("closed", "webhook"),
    ]
    assert len({m.idempotency_key for m in messages}) == 6
    assert all(m.status == "pending" for m in messages)


def test_a_message_names_the_ward_and_never_the_patient(app, world, area_a_told):
    with app.app_context():
        patient = _missing_patient(world)
        episode = open_for(patient, world.nurse_a, police_reference="CAD 4321/02DEC26")
        db.session.commit()
        message = db.session.scalars(select(OutboxMessage)).first()
        text = json.dumps(message.payload, ensure_ascii=False)
        patient_id, episode_id = str(patient.id), str(episode.id)
    notice = EpisodeNotice.from_json(message.payload)
    assert notice.ward == "Ward A" and notice.setting == "Site One"
    assert notice.kind == "AWOL" and notice.police_reference == "CAD 4321/02DEC26"
    assert notice.link.endswith(f"/police/episodes/{episode_id}")
    assert notice.power_to_retake.startswith("Can be taken back")
    for identifier in (NAME, "Wiśniewska", NHS_NUMBER, patient_id):
        assert identifier not in text


def test_an_area_with_no_target_gets_no_message(app, world, area_a_told):
    with app.app_context():
        open_for(
            patient_on(world.ward_b, "Ward B Patient", FULL_LEGAL, world.nurse_b), world.nurse_b
        )
        db.session.commit()
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_removed_target_is_not_told(app, world, area_a_told):
    with app.app_context():
        for target in notifications.targets_of(world.area_a):
            notifications.remove(target.id)
        db.session.commit()
        open_for(_missing_patient(world), world.nurse_a)
        db.session.commit()
        assert db.session.scalars(select(OutboxMessage)).all() == []


@pytest.mark.parametrize(
    ("channel", "address", "message"),
    [
        ("email", "not an address", "is not an email address"),
        ("webhook", "http://receiver.example.org/hook", "must start with https://"),
        ("webhook", "https://user:pw@receiver.example.org/", "no user name or password"),
        ("webhook", "https://receiver.example.org/hook", "at least 32 characters"),
    ],
)
def test_targets_refused_with_a_reason(app, world, channel, address, message):
    with app.app_context():
        with pytest.raises(TargetError, match=message):
            if channel == "email":
                notifications.add_email(world.area_a, address)
            else:
                notifications.add_webhook(world.area_a, address, "short")
        with pytest.raises(TargetError, match="No policing area"):
            notifications.add_email("NOWHERE", "a@example.org")


def test_the_secret_is_sealed_at_rest_and_can_be_read_back_to_sign(app, world):
    with app.app_context():
        target = notifications.add_webhook(world.area_a, "https://r.example.org/h", SECRET)
        db.session.commit()
        assert SECRET.encode() not in target.secret_sealed
        assert notifications.unseal_secret(target.secret_sealed) == SECRET.encode()


def test_the_receiver_check_refuses_forgeries_and_replays():
    body = b'{"event": "opened"}'
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    sent = int(now.timestamp())
    good = sign(SECRET.encode(), sent, body)
    assert verify(SECRET.encode(), str(sent), good, body, now)
    assert verify(SECRET.encode(), str(sent), good, body, now + timedelta(minutes=5))
    assert not verify(SECRET.encode(), str(sent), good, body, now + timedelta(minutes=5, seconds=1))
    assert not verify(SECRET.encode(), str(sent), good, body + b" ", now)
    assert not verify(b"another secret", str(sent), good, body, now)
    assert not verify(SECRET.encode(), "yesterday", good, body, now)
    assert not verify(SECRET.encode(), str(sent + 1), good, body, now)


# --- a correction police act on ----------------------------------------------------------
# Found by a tester: correcting the legal status (and so the power to retake) or the
# kind during an episode told police nothing; only the grade and the return were
# sent. An officer could go on acting on "Can be taken back until ..." that no
# longer held.


def _events(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (m.event, EpisodeNotice.from_json(m.payload).power_to_retake)
            for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if m.target.channel == "email"
        ]


def test_a_corrected_power_to_retake_is_told_at_once(app, world, area_a_told):
    with app.app_context():
        episode = open_for(_missing_patient(world), world.nurse_a)
        db.session.commit()
        episodes.update_episode(
            episode,
            staff(world.nurse_a),
            {"legal_status": "informal", "kind": "missing"},
        )
        db.session.commit()
    told = _events(app)
    assert [event for event, _ in told] == ["opened", "corrected"]
    assert told[1][1] == "No power to take back"
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.event == "corrected")
        ).first()
        notice = EpisodeNotice.from_json(message.payload)
    assert notice.headline.startswith("Missing: power to retake now No power to take back from")
    assert notice.as_json()["event_text"] == "Power to retake or kind corrected"


def test_an_update_that_changes_neither_tells_nothing_new(app, world, area_a_told):
    with app.app_context():
        episode = open_for(_missing_patient(world), world.nurse_a)
        db.session.commit()
        episodes.update_episode(episode, staff(world.nurse_a), {"police_reference": "CAD 77"})
        db.session.commit()
    assert [event for event, _ in _events(app)] == ["opened"]
