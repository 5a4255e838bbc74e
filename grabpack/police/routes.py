"""Police pages: open missing episodes in the officer's policing areas."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grabpack.auth.decorators import roles_required
from grabpack.extensions import db
from grabpack.models import MissingEpisode, Role, Setting, Ward, user_policing_areas
from grabpack.police import bp


@bp.route("/")
@roles_required(Role.POLICE)
def home():
    area_ids = select(user_policing_areas.c.policing_area_id).where(
        user_policing_areas.c.user_id == current_user.id
    )
    episodes = db.session.scalars(
        select(MissingEpisode)
        .join(Ward, MissingEpisode.ward_id == Ward.id)
        .join(Setting, Ward.setting_id == Setting.id)
        .where(MissingEpisode.returned_at.is_(None), Setting.policing_area_id.in_(area_ids))
        .options(
            joinedload(MissingEpisode.ward).joinedload(Ward.setting),
            joinedload(MissingEpisode.patient),
        )
        .order_by(MissingEpisode.noticed_at.desc())
    ).all()
    return render_template("police/home.html", episodes=episodes)
