"""``grabpack demo``: the command, its settings and its refusals (never on top of real
data). What the demo holds is checked in ``test_demo_data``, on one shared load."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import func, select

from grabpack.demo import DEMO_PASSWORD, DemoRefused, load_demo
from grabpack.domain.clock import london_today
from grabpack.domain.postcode import normalise_postcode
from grabpack.extensions import db
from grabpack.models import (
    MissingEpisode,
    Patient,
    PolicingArea,
    Setting,
    Trust,
    User,
    Ward,
)
from tests.conftest import POSTGRES_URL, AuthActions, make_app
from tests.test_demo_data import DRAMA_LANDLINE, NOW, ROLES, pack_states


def test_demo_command_fills_an_empty_database_and_prints_logins(app, runner, client):
    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    printed = [line.split() for line in result.output.splitlines() if DEMO_PASSWORD in line]
    assert {line[0] for line in printed} == set(ROLES)
    assert len(DEMO_PASSWORD) >= 12
    with app.app_context():
        trusts = db.session.scalars(select(Trust)).all()
        assert len(trusts) >= 2 and all(t.is_synthetic for t in trusts)
        assert all("(synthetic" in t.name for t in trusts)
        settings = db.session.scalars(select(Setting)).all()
        assert len(settings) >= 6
        assert len({s.policing_area_id for s in settings}) >= 3
        assert all(normalise_postcode(s.postcode) == s.postcode for s in settings)
        wards = db.session.scalars(select(Ward)).all()
        assert len(wards) >= 20
        assert all(len(w.code) <= 20 and w.code == w.code.upper() for w in wards)
        assert all(DRAMA_LANDLINE.match(w.phone_24h) for w in wards)
        assert len({w.phone_24h for w in wards}) == len(wards)
        assert db.session.scalar(select(func.count()).select_from(Patient)) == 300
        users = db.session.scalars(select(User)).all()
        assert 10 <= len(users) <= 15
        assert all(u.email.endswith(("@example.nhs.uk", "@example.police.uk")) for u in users)
        # Every ward has staff; a nurse covers two wards; police cover every area.
        staffed = {ward.id for u in users for ward in u.wards}
        assert staffed == {w.id for w in wards}
        assert any(u.role == "nurse" and len(u.wards) == 2 for u in users)
        policed = {area.id for u in users if u.role == "police" for area in u.policing_areas}
        assert policed == set(db.session.scalars(select(PolicingArea.id)))
        nurse = next(line for line in printed if line[0] == "nurse")[1]
        ward_code = db.session.scalar(select(User).where(User.email == nurse)).wards[0].code

    # The printed login works, and the nurse sees their ward.
    assert AuthActions(client).login(nurse, DEMO_PASSWORD).status_code == 302
    page = client.get(f"/wards/{ward_code}")
    assert page.status_code == 200


def test_demo_pack_states_follow_the_configured_review_periods(app):
    app.config.update(REVIEW_DAYS=56, REVIEW_DAYS_HIGH_RISK=14, PHOTO_STALE_DAYS=90)
    with app.app_context():
        load_demo(patients=60, now=NOW)
        states = Counter(pack_states(london_today(NOW)).values())
    assert set(states) == {"none", "draft", "complete", "overdue"}


def test_a_second_demo_run_has_nothing_to_do(app, runner):
    with app.app_context():
        load_demo(patients=20, now=NOW)
        before = db.session.scalar(select(func.count()).select_from(Patient))

    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert "nothing to do" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Patient)) == before


def test_demo_refuses_a_database_with_real_data_and_leaves_it_alone(app, runner, world):
    with app.app_context():
        before = {m.__name__: db.session.scalar(select(func.count()).select_from(m))
                  for m in (Trust, Ward, User, Patient)}  # fmt: skip

    result = runner.invoke(args=["demo"])

    assert result.exit_code != 0
    message = result.output.strip()
    assert "\n" not in message
    assert "not the demo's (1 trust" in message and "6 users" in message
    assert message.endswith("grabpack demo only fills an empty database")
    with app.app_context():
        after = {m.__name__: db.session.scalar(select(func.count()).select_from(m))
                 for m in (Trust, Ward, User, Patient)}  # fmt: skip
        assert after == before
        assert not db.session.scalar(select(func.count()).where(Trust.is_synthetic))
        with pytest.raises(DemoRefused):
            load_demo(patients=20, now=NOW)


def test_demo_needs_an_aware_time_and_a_patient_a_ward(app):
    with app.app_context(), pytest.raises(ValueError, match="timezone"):
        load_demo(now=datetime(2026, 11, 26, 14, 30))
    with app.app_context(), pytest.raises(ValueError, match="patients"):
        load_demo(patients=5, now=NOW)


@pytest.mark.skipif(bool(POSTGRES_URL), reason="copies a SQLite file")
def test_same_seed_and_time_give_the_same_people(migrated_database, tmp_path):
    def dataset(seed: int, copy: str) -> tuple[list[str], list[tuple]]:
        path = tmp_path / copy
        shutil.copyfile(migrated_database, path)
        app = make_app(f"sqlite:///{path}")
        with app.app_context():
            load_demo(seed, patients=40, now=NOW)
            names = list(db.session.scalars(select(Patient.full_name).order_by(Patient.id)))
            episodes = [
                (e.id, e.noticed_at, e.reported_at, e.returned_at, e.grab_pack_version_number,
                 e.review_overdue, [(c.grade, c.recorded_at) for c in e.risk_grades])
                for e in db.session.scalars(select(MissingEpisode).order_by(MissingEpisode.id))
            ]  # fmt: skip
            db.engine.dispose()
        return names, episodes

    first, first_episodes = dataset(7, "first.sqlite3")
    again, again_episodes = dataset(7, "again.sqlite3")
    assert again == first
    assert dataset(8, "other.sqlite3")[0] != first
    # Episodes too, ids included, though the service would pick random ones.
    assert first_episodes and again_episodes == first_episodes
