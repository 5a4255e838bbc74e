"""Ward staff record missing episodes: report (in under a minute), update, close, share.

Each route parses its form, calls one service and maps what happened to a page.
The forms and pages are built from the episode declaration (``episode_schema``).
"""

from __future__ import annotations

import uuid

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from grabpack.auth import kept_forms
from grabpack.auth.decorators import STAFF, roles_required
from grabpack.domain.episode_schema import Stage, known_times
from grabpack.episodes import bp
from grabpack.episodes.forms import (
    ActionForm,
    base_of,
    clash_form,
    episode_form,
    form_values,
    update_form,
)
from grabpack.extensions import db
from grabpack.models.base import utcnow
from grabpack.policies import reporting_policy
from grabpack.services import access, share_links
from grabpack.services import episodes as episode_service
from grabpack.services.episodes import EpisodeClash, EpisodeError, KindNeedsConfirming
from grabpack.services.grab_packs import discharge_of
from grabpack.transactions import saving


def _episode_or_404(episode_id: uuid.UUID):
    episode = episode_service.episode_for_staff(access.staff_ward_ids(current_user), episode_id)
    if episode is None:
        abort(404)
    return episode


def _reportable_patient(patient_id: uuid.UUID):
    patient = access.patient_for_staff(current_user, patient_id)
    if patient.is_discharged:
        abort(403)
    return patient


def _discharged(patient):
    """Report missing for a discharged patient: a conflict with the discharge, said
    as such (when, by whom, and that a ward manager can re-admit them), never a
    page about access the nurse does have."""
    return render_template(
        "packs/discharged.html",
        patient=patient,
        discharge=discharge_of(patient),
        heading=f"{patient.full_name} cannot be reported missing from the ward",
        reporting=True,
    ), 409


def _recorded(episode) -> str:
    """What police can now see: the grab pack, or (with none) only the episode, which
    the ward must then describe to them by phone."""
    if episode.had_no_pack:
        return (
            "Missing episode recorded. There is no grab pack: police in the area see only "
            "the episode, so give them a description when they call."
        )
    return "Missing episode recorded. Police in the area can now see the grab pack."


@bp.route("/patients/<uuid:patient_id>/episodes/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new(patient_id: uuid.UUID):
    patient = access.patient_for_staff(current_user, patient_id)  # 404 for another ward's
    if patient.is_discharged:
        return _discharged(patient)
    if (already := episode_service.open_episode_for(patient)) is not None:
        flash("This patient already has an open missing episode", "info")
        return redirect(url_for("episodes.view", episode_id=already.id))
    if request.method == "GET":
        if (kept := kept_forms.take(current_user, request.path)) is not None:
            form = episode_form(Stage.OPEN, formdata=kept)  # sent after the sign-out
        else:
            form = episode_form(Stage.OPEN, data=episode_service.opening_defaults(patient))
    else:
        form = episode_form(Stage.OPEN)
    checking = request.form.get("action") == "check"  # "work out the power" without saving
    if not checking and form.validate_on_submit():
        try:
            with saving(form, EpisodeError) as outcome:
                episode = episode_service.open_episode(
                    patient,
                    current_user,
                    form_values(form, Stage.OPEN),
                    kind_confirmed=bool(form.confirm_kind.data),
                )
        except KindNeedsConfirming as warning:  # a warning on the kind, not the form
            form.kind.errors = [str(warning)]
        if outcome.saved:
            flash(_recorded(episode), "success")
            return redirect(url_for("episodes.view", episode_id=episode.id))
    opening = episode_service.prepare_opening(patient, form_values(form, Stage.OPEN, lenient=True))
    return render_template(
        "episodes/new.html",
        patient=patient,
        form=form,
        opening=opening,
        kind_warning=form.kind.errors[0] if form.kind.errors and form.kind.data else "",
        policy=reporting_policy(),
        now=utcnow(),
    )


@bp.route("/patients/<uuid:patient_id>/episodes/new/retake-power", methods=["POST"])
@roles_required(*STAFF)
def retake_power(patient_id: uuid.UUID):
    """The power to retake for the report form as typed so far: fetched by the form's
    script as the ward types, so the statement is always in front of them. Saves nothing."""
    patient = _reportable_patient(patient_id)
    form = episode_form(Stage.OPEN)
    opening = episode_service.prepare_opening(patient, form_values(form, Stage.OPEN, lenient=True))
    return render_template(
        "episodes/_retake_live.html",
        opening=opening,
        kind_warning=opening.kind_warning(form.kind.data),
        now=utcnow(),
    )


@bp.route("/episodes/<uuid:episode_id>")
@roles_required(*STAFF)
def view(episode_id: uuid.UUID):
    episode = _episode_or_404(episode_id)
    return _render_episode(episode, **_kept_stage_form(episode))


# Where each stage's form is sent: the page shows a form sent after the sign-out again.
STAGE_ENDPOINTS = {
    Stage.UPDATE: "episodes.update",
    Stage.CLOSE: "episodes.close",
    Stage.INTERVIEW: "episodes.prevention_interview",
}


def _kept_stage_form(episode) -> dict:
    """The stage form a nurse sent after being signed out, with every entry, if any."""
    for stage, endpoint in STAGE_ENDPOINTS.items():
        address = url_for(endpoint, episode_id=episode.id)
        if (kept := kept_forms.take(current_user, address)) is not None:
            return {stage.value: episode_form(stage, formdata=kept)}
    return {}


def _render_episode(episode, new_link_token=None, kind_warning="", **forms):
    """The episode page; ``forms`` replaces a stage's blank form with one that has errors.
    ``kind_warning``: the update's kind contradicts the legal position (the tick box
    that confirms it is shown)."""
    links = episode_service.share_links_of(episode)
    now = utcnow()
    return render_template(
        "episodes/view.html",
        episode=episode,
        patient=episode.patient,
        facts=episode_service.facts_of(episode, now),
        update_form=forms.get("update") or update_form(episode),
        close_form=forms.get("close") or episode_form(Stage.CLOSE, formdata=None),
        interview_form=forms.get("interview") or episode_form(Stage.INTERVIEW, formdata=None),
        action_form=ActionForm(),
        links=links,
        new_link_token=new_link_token,
        kind_warning=kind_warning,
        now=now,
        policy=reporting_policy(),
    )


def _save_stage(episode, stage: Stage, service, done: str):
    """Validate the stage's form, call its service, and show the episode again. A form
    that carries what it was loaded with (the update) passes that on as ``base``; one
    with the kind passes on whether its contradiction with the legal position was
    confirmed, and shows the warning (as at reporting) when it was not."""
    form = episode_form(stage, known=known_times(episode))
    kind_warning = ""
    if form.validate_on_submit():
        extra = {"base": base_of(form)} if "base" in form else {}
        if "confirm_kind" in form:
            extra["kind_confirmed"] = bool(form.confirm_kind.data)
        try:
            with saving(form, EpisodeError) as outcome:
                service(episode, current_user, form_values(form, stage, sent_only=True), **extra)
        except KindNeedsConfirming as warning:  # a warning on the kind: nothing saved
            kind_warning = str(warning)
            form.kind.errors = [kind_warning]
        else:
            if outcome.saved:
                flash(done, "success")
                return redirect(url_for("episodes.view", episode_id=episode.id))
    return _render_episode(episode, kind_warning=kind_warning, **{stage.value: form})


@bp.route("/episodes/<uuid:episode_id>/update", methods=["POST"])
@roles_required(*STAFF)
def update(episode_id: uuid.UUID):
    episode = _episode_or_404(episode_id)
    try:
        return _save_stage(episode, Stage.UPDATE, episode_service.update_episode, "Episode updated")
    except EpisodeClash as clash:  # a colleague changed the same fields: nothing saved
        return _render_episode(episode, update=clash_form(clash)), 409


@bp.route("/episodes/<uuid:episode_id>/close", methods=["POST"])
@roles_required(*STAFF)
def close(episode_id: uuid.UUID):
    episode = _episode_or_404(episode_id)
    return _save_stage(
        episode,
        Stage.CLOSE,
        episode_service.close_episode,
        "Episode closed. The grab pack is now due for review.",
    )


@bp.route("/episodes/<uuid:episode_id>/prevention-interview", methods=["POST"])
@roles_required(*STAFF)
def prevention_interview(episode_id: uuid.UUID):
    episode = _episode_or_404(episode_id)
    return _save_stage(
        episode,
        Stage.INTERVIEW,
        episode_service.record_prevention_interview,
        "Prevention interview recorded",
    )


@bp.route("/episodes/<uuid:episode_id>/share", methods=["POST"])
@roles_required(*STAFF)
def share(episode_id: uuid.UUID):
    episode = _episode_or_404(episode_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with saving(None, share_links.ShareLinkError) as outcome:
        _link, token = share_links.create_link(
            episode, current_user, current_app.config["SHARE_LINK_HOURS"]
        )
    if not outcome.saved:
        flash(outcome.refusal, "info")
        return redirect(url_for("episodes.view", episode_id=episode.id))
    # Shown once, on this response only: the token is not stored and not in any URL we log.
    return _render_episode(episode, new_link_token=token)


@bp.route("/episodes/<uuid:episode_id>/share/<int:link_id>/revoke", methods=["POST"])
@roles_required(*STAFF)
def revoke(episode_id: uuid.UUID, link_id: int):
    episode = _episode_or_404(episode_id)
    link = episode_service.share_link_of(episode, link_id)
    if link is None or not ActionForm().validate_on_submit():
        abort(404)
    share_links.revoke(link, current_user)
    db.session.commit()
    flash("Link revoked: it no longer opens the grab pack", "success")
    return redirect(url_for("episodes.view", episode_id=episode.id))
