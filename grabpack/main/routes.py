from __future__ import annotations

from flask import jsonify, redirect, send_from_directory, url_for
from flask_login import current_user, login_required

from grabpack import ROOT, database
from grabpack.extensions import limiter
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
    """For load balancers, no sign-in: 200 only when the database answers and is at
    the migration head. One word, never the engine or revision (no map for anyone)."""
    state = database.schema_state()
    return jsonify(status=state), 200 if state == "ok" else 503


@bp.route("/assets/<path:filename>")
def assets(filename: str):
    """The design system's images and manifest, at the path its CSS expects."""
    return send_from_directory(ASSETS_DIR, filename, max_age=86400)
