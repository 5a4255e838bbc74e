"""Per-backend connection settings that SQLAlchemy's URL cannot carry."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from grabpack.extensions import db


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
