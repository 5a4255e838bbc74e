"""Ward staff record missing episodes: open (in under a minute), update, close, share."""

from __future__ import annotations

import uuid

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from grabpack.auth.decorators import STAFF, roles_required
from grabpack.domain.clock import london_today
from grabpack.episodes import bp
from grabpack.episodes.forms import (
    ActionForm,
    CloseEpisodeForm,
    OpenEpisodeForm,
    PreventionInterviewForm,
    UpdateEpisodeForm,
)
from grabpack.extensions import db
from grabpack.models import ShareLink
from grabpack.models.base import utcnow
from grabpack.services import access, share_links
from grabpack.services import episodes as episode_service
from grabpack.services.episodes import CHECKS, FOUND_BY, FOUND_CATEGORIES, EpisodeError


def _episode_or_404(episode_id: uuid.UUID):
    episode = episode_service.episode_for_staff(access.staff_ward_ids(current_user), episode_id)
    if episode is None:
        abort(404)
    return episode


@bp.route("/patients/<uuid:patient_id>/episodes/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new(patient_id: uuid.UUID):
    patient = access.patient_for_staff(current_user, patient_id)
    if patient.is_discharged:
        abort(403)
    if (already := episode_service.open_episode_for(patient)) is not None:
        flash("This patient already has an open missing episode", "info")
        return redirect(url_for("episodes.view", episode_id=already.id))
    form = OpenEpisodeForm()
    if request.method == "GET":
        form.noticed_at.process_data(utcnow().replace(second=0, microsecond=0))
    at_opening = episode_service.pack_at_opening(patient, london_today())
    if form.validate_on_submit():
        opening = episode_service.EpisodeOpening(
            kind=form.kind.data,
            noticed_at=form.noticed_at.data,
            last_seen_at=form.last_seen_at.data,
            last_seen_place=form.last_seen_place.data or "",
            clothing=form.clothing.data or "",
            circumstances=form.circumstances.data or "",
            reported_at=form.reported_at.data,
            police_reference=form.police_reference.data or "",
            police_risk_grade=form.police_risk_grade.data or None,
            checks={key: form[key].data for key in CHECKS},
            s18_expiry_stated=form.s18_expiry_stated.data,
            moj_notified_at=form.moj_notified_at.data,
            legal_status=form.legal_status.data or "",
        )
        try:
            episode = episode_service.open_episode(patient, current_user, opening)
            db.session.commit()
        except EpisodeError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            flash(
                "Missing episode recorded. Police in the area can now see the grab pack.", "success"
            )
            return redirect(url_for("episodes.view", episode_id=episode.id))
    return render_template(
        "episodes/new.html",
        patient=patient,
        form=form,
        at_opening=at_opening,
        checks=CHECKS,
        late_minutes=episode_service.late_report_minutes(),
    )


@bp.route("/episodes/<uuid:episode_id>")
@roles_required(*STAFF)
def view(episode_id: uuid.UUID):
    episode = _episode_or_404(episode_id)
    update_form = UpdateEpisodeForm(formdata=None, obj=episode)
    return _render_episode(episode, update_form, CloseEpisodeForm(formdata=None))


def _render_episode(episode, update_form, close_form, new_link_token=None, interview_form=None):
    links = sorted(
        db.session.query(ShareLink).filter_by(episode_id=episode.id),
        key=lambda link: link.created_at,
        reverse=True,
    )
    return render_template(
        "episodes/view.html",
        episode=episode,
        patient=episode.patient,
        facts=episode_service.facts_of(episode),
        update_form=update_form,
        close_form=close_form,
        interview_form=interview_form or PreventionInterviewForm(formdata=None),
        action_form=ActionForm(),
        links=links,
        new_link_token=new_link_token,
        found_categories=FOUND_CATEGORIES,
        found_by=FOUND_BY,
        checks=CHECKS,
        now=utcnow(),
        late_minutes=episode_service.late_report_minutes(),
    )


@bp.route("/episodes/<uuid:episode_id>/update", methods=["POST"])
@roles_required(*STAFF)
def update(episode_id: uuid.UUID):
    episode = _episode_or_404(episode_id)
    form = UpdateEpisodeForm()
    if form.validate_on_submit():
        try:
            episode_service.update_episode(
                episode,
                current_user,
                episode_service.EpisodeUpdate(
                    reported_at=form.reported_at.data,
                    police_reference=form.police_reference.data,
                    police_risk_grade=form.police_risk_grade.data or None,
                    s18_expiry_stated=form.s18_expiry_stated.data,
                ),
            )
            db.session.commit()
            flash("Episode updated", "success")
            return redirect(url_for("episodes.view", episode_id=episode.id))
        except EpisodeError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
    return _render_episode(episode, form, CloseEpisodeForm(formdata=None))


@bp.route("/episodes/<uuid:episode_id>/close", methods=["POST"])
@roles_required(*STAFF)
def close(episode_id: uuid.UUID):
    episode = _episode_or_404(episode_id)
    form = CloseEpisodeForm()
    if form.validate_on_submit():
        try:
            episode_service.close_episode(
                episode,
                current_user,
                episode_service.EpisodeClosing(
                    returned_at=form.returned_at.data,
                    found_category=form.found_category.data,
                    found_place=form.found_place.data or "",
                    found_by=form.found_by.data or "",
                    harm_while_missing=form.harm_while_missing.data or "",
                    prevention_interview_at=form.prevention_interview_at.data,
                ),
            )
            db.session.commit()
            flash("Episode closed. The grab pack is now due for review.", "success")
            return redirect(url_for("episodes.view", episode_id=episode.id))
        except EpisodeError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
    return _render_episode(episode, UpdateEpisodeForm(formdata=None, obj=episode), form)


@bp.route("/episodes/<uuid:episode_id>/share", methods=["POST"])
@roles_required(*STAFF)
def share(episode_id: uuid.UUID):
    episode = _episode_or_404(episode_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        _link, token = share_links.create_link(
            episode, current_user, current_app.config["SHARE_LINK_HOURS"]
        )
        db.session.commit()
    except share_links.ShareLinkError as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(url_for("episodes.view", episode_id=episode.id))
    # Shown once, on this response only: the token is not stored and not in any URL we log.
    return _render_episode(
        episode,
        UpdateEpisodeForm(formdata=None, obj=episode),
        CloseEpisodeForm(formdata=None),
        new_link_token=token,
    )


@bp.route("/episodes/<uuid:episode_id>/share/<int:link_id>/revoke", methods=["POST"])
@roles_required(*STAFF)
def revoke(episode_id: uuid.UUID, link_id: int):
    episode = _episode_or_404(episode_id)
    link = db.session.get(ShareLink, link_id)
    if link is None or link.episode_id != episode.id or not ActionForm().validate_on_submit():
        abort(404)
    share_links.revoke(link, current_user)
    db.session.commit()
    flash("Link revoked: it no longer opens the grab pack", "success")
    return redirect(url_for("episodes.view", episode_id=episode.id))


@bp.route("/episodes/<uuid:episode_id>/prevention-interview", methods=["POST"])
@roles_required(*STAFF)
def prevention_interview(episode_id: uuid.UUID):
    episode = _episode_or_404(episode_id)
    form = PreventionInterviewForm()
    if form.validate_on_submit():
        try:
            episode_service.record_prevention_interview(
                episode, current_user, form.prevention_interview_at.data
            )
            db.session.commit()
            flash("Prevention interview recorded", "success")
            return redirect(url_for("episodes.view", episode_id=episode.id))
        except EpisodeError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
    return _render_episode(
        episode,
        UpdateEpisodeForm(formdata=None, obj=episode),
        CloseEpisodeForm(formdata=None),
        interview_form=form,
    )
