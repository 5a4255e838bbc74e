"""Alembic owns the schema: the migrations build exactly what the models declare."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
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
