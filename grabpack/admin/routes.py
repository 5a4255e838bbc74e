"""Administrators manage accounts; they are not given patient data."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grabpack.admin import bp
from grabpack.auth.decorators import roles_required
from grabpack.extensions import db
from grabpack.models import Role, User


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    users = db.session.scalars(
        select(User)
        .options(selectinload(User.wards), selectinload(User.policing_areas))
        .order_by(User.email)
    ).all()
    return render_template("admin/users.html", users=users)
