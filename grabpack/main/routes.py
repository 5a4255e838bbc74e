from __future__ import annotations

from flask import current_app, jsonify, redirect, send_from_directory, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from grabpack import ROOT
from grabpack.extensions import db, limiter
from grabpack.main import bp
from grabpack.models import Role

ASSETS_DIR = ROOT / "static" / "vendor" / "nhsuk" / "assets"


@bp.route("/")
@login_required
def home():
    """Each role starts where its work is."""
    role = current_user.role_enum
    if role.is_staff:
        return redirect(url_for("ward.index"))
    if role is Role.POLICE:
        return redirect(url_for("police.home"))
    return redirect(url_for("admin.users"))


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """Liveness and database state for load balancers: no patient data, no auth."""
    try:
        db.session.execute(text("SELECT 1"))
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        current_app.logger.warning("health check failed: %s", type(exc).__name__)
        return jsonify(status="error", database="unavailable"), 503
    if revision is None:
        return jsonify(status="error", database="not migrated"), 503
    return jsonify(
        status="ok",
        database="ok",
        backend=db.engine.dialect.name,
        schema_revision=revision,
    )


@bp.route("/assets/<path:filename>")
def assets(filename: str):
    """The design system's images and manifest, at the path its CSS expects."""
    return send_from_directory(ASSETS_DIR, filename, max_age=86400)
