"""Administrators manage accounts; they are not given patient data."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grabpack.admin import bp
from grabpack.auth.decorators import roles_required
from grabpack.downloads import csv_response, date_arg
from grabpack.extensions import db
from grabpack.models import Role, User
from grabpack.policies import reporting_policy
from grabpack.services import audit
from grabpack.services.exports import AUDIT_COLUMNS, EPISODE_COLUMNS, audit_rows, episode_rows


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    users = db.session.scalars(
        select(User)
        .options(selectinload(User.wards), selectinload(User.policing_areas))
        .order_by(User.email)
    ).all()
    return render_template("admin/users.html", users=users)


@bp.route("/audit.csv")
@roles_required(Role.ADMIN)
def audit_csv():
    audit.record("export.audit", user=current_user)
    db.session.commit()
    return csv_response(AUDIT_COLUMNS, audit_rows(), "grabpack-audit.csv")


@bp.route("/episodes.csv")
@roles_required(Role.ADMIN)
def episodes_csv():
    rows = episode_rows(
        date_arg("from"),
        date_arg("to"),
        policy=reporting_policy(),
    )
    audit.record("export.episodes", user=current_user)
    db.session.commit()
    return csv_response(EPISODE_COLUMNS, rows, "missing-episodes.csv")
