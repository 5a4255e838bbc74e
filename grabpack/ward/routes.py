"""Ward staff pages: their wards, a ward's patients, a patient."""

from __future__ import annotations

import uuid

from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from grabpack.auth.decorators import STAFF, roles_required
from grabpack.extensions import db
from grabpack.models import MissingEpisode
from grabpack.models.base import utcnow
from grabpack.services import access
from grabpack.services.grab_packs import current_version, pack_for
from grabpack.services.ward_dashboard import ward_rows
from grabpack.ward import bp


@bp.route("/wards")
@roles_required(*STAFF)
def index():
    wards = current_user.wards
    if len(wards) == 1:
        return redirect(url_for("ward.dashboard", code=wards[0].code))
    return render_template("ward/index.html", wards=wards)


@bp.route("/wards/<code>")
@roles_required(*STAFF)
def dashboard(code: str):
    ward = access.ward_for_staff(current_user, code)
    return render_template(
        "ward/dashboard.html", ward=ward, rows=ward_rows(ward), today=utcnow().date()
    )


@bp.route("/patients/<uuid:patient_id>")
@roles_required(*STAFF)
def patient(patient_id: uuid.UUID):
    patient = access.patient_for_staff(current_user, patient_id)
    version = current_version(pack_for(patient))
    episodes = db.session.scalars(
        select(MissingEpisode)
        .where(MissingEpisode.patient_id == patient.id)
        .order_by(MissingEpisode.noticed_at.desc())
        .limit(50)
    ).all()
    return render_template(
        "ward/patient.html",
        patient=patient,
        version=version,
        episodes=episodes,
        today=utcnow().date(),
    )
