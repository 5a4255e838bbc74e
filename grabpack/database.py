"""The database connection: per-backend settings SQLAlchemy's URL cannot carry,
and whether the database is there and at our migration head."""

from __future__ import annotations

import functools
import logging

from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError

from grabpack.extensions import db

log = logging.getLogger(__name__)


def configure_engine_events(app: Flask) -> None:
    """On SQLite: enforce foreign keys, use WAL so readers never block the writer,
    and wait (rather than fail) while another connection holds the write lock."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine
    busy_ms = int(app.config["SQLITE_BUSY_SECONDS"] * 1000)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()


def schema_state() -> str:
    """``ok``, ``unavailable`` or ``not migrated``: whether this database can serve.

    "Not migrated" is any revision but the head of our migration scripts, so a
    database behind (or ahead of) the code is never called healthy. A separate
    connection, so a failure here leaves the request's session untouched.
    """
    try:
        connection = db.engine.connect()
    except SQLAlchemyError as error:
        log.warning("database unavailable: %s", type(error).__name__)
        return "unavailable"
    with connection:
        try:
            revisions = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
        except SQLAlchemyError as error:  # no version table: never migrated
            log.warning("database not migrated: %s", type(error).__name__)
            return "not migrated"
    return "ok" if revisions == migration_heads() else "not migrated"


def migration_heads() -> frozenset[str]:
    """The head revision(s) of the migration scripts this code ships with."""
    return _heads_of(current_app.extensions["migrate"].directory)


@functools.cache
def _heads_of(directory: str) -> frozenset[str]:
    # Reading the scripts imports every migration: once per process, not per poll.
    return frozenset(ScriptDirectory(directory).get_heads())
