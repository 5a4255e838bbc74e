"""/healthz: what a load balancer polls. 200 only when the database answers and is
at the migration head; one word either way, no sign-in, nothing about the stack."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade

from grabpack import database
from grabpack.extensions import db
from tests.conftest import make_app
from tests.test_gunicorn import free_port


def health(app) -> tuple[int, dict]:
    response = app.test_client().get("/healthz")
    return response.status_code, response.get_json()


@pytest.fixture
def migrated_app(tmp_path):
    """An app on a database of its own that the test may migrate up and down."""
    app = make_app(f"sqlite:///{tmp_path / 'health.sqlite3'}")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_at_the_migration_head_is_ok_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("behind", ["-1", "-2"])
def test_a_database_behind_the_code_is_not_migrated(migrated_app, behind):
    """Issue 15: a database two migrations behind answered "ok"."""
    with migrated_app.app_context():
        downgrade(revision=behind)
    assert health(migrated_app) == (503, {"status": "not migrated"})
    with migrated_app.app_context():
        upgrade()
    assert health(migrated_app) == (200, {"status": "ok"})


def test_a_database_never_migrated_is_not_migrated(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'blank.sqlite3'}")
    assert health(app) == (503, {"status": "not migrated"})


def test_an_unreachable_sqlite_database_is_unavailable(tmp_path):
    folder = tmp_path / "gone"
    folder.mkdir()
    app = make_app(f"sqlite:///{folder / 'grabpack.sqlite3'}")
    folder.rmdir()  # a volume unmounted under a running server
    assert health(app) == (503, {"status": "unavailable"})


def test_an_unreachable_postgresql_is_unavailable():
    app = make_app(f"postgresql+psycopg://grabpack:secret@127.0.0.1:{free_port()}/grabpack")
    assert health(app) == (503, {"status": "unavailable"})


def test_the_answer_names_neither_engine_nor_revision(client, app):
    """It used to tell anyone the database engine and schema revision."""
    with app.app_context():
        (head,) = database.migration_heads()
    body = client.get("/healthz").text.lower()
    assert head not in body
    assert not any(engine in body for engine in ("sqlite", "postgres", "backend"))


def test_the_head_is_read_from_the_scripts_once_per_process(app, monkeypatch):
    reads = []

    class CountingScripts(database.ScriptDirectory):
        def get_heads(self):
            reads.append(self.dir)
            return super().get_heads()

    database._heads_of.cache_clear()
    monkeypatch.setattr(database, "ScriptDirectory", CountingScripts)
    client = app.test_client()
    assert [client.get("/healthz").status_code for _ in range(3)] == [200] * 3
    assert len(reads) == 1
    database._heads_of.cache_clear()
