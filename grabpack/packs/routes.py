"""Grab-pack pages for ward staff: view, edit, history, diff, restore, review, photo."""

from __future__ import annotations

import secrets
import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from grabpack.auth.decorators import STAFF, roles_required
from grabpack.domain.clock import london_today
from grabpack.domain.completeness import missing_items
from grabpack.domain.diff import diff_versions
from grabpack.domain.merge import merge
from grabpack.domain.review import is_photo_stale
from grabpack.downloads import pdf_response, photo_response
from grabpack.extensions import db
from grabpack.models import Photo, Role
from grabpack.packs import bp, editing
from grabpack.packs.forms import error_list, from_data, grab_pack_form_class, to_data
from grabpack.policies import review_policy
from grabpack.services import access, audit, police_access
from grabpack.services import episodes as episode_service
from grabpack.services import grab_packs as packs
from grabpack.services.pdf_documents import grab_pack_pdf, pdf_filename
from grabpack.services.photos import PhotoError, store_photo

BUSY_MESSAGE = (
    "The database was busy, so your changes were not saved yet. Everything you "
    "entered is still here: select Save again."
)


def _load(patient_id: uuid.UUID):
    patient = access.patient_for_staff(current_user, patient_id)
    return patient, packs.pack_for(patient)


def _version_or_404(pack, number: int):
    found = packs.version(pack, number)
    if found is None:
        abort(404)
    return found


@bp.route("/grab-pack")
@roles_required(*STAFF)
def view(patient_id: uuid.UUID):
    patient, pack = _load(patient_id)
    current = packs.current_version(pack)
    if current is None:
        return redirect(url_for("packs.edit", patient_id=patient.id))
    return _show_version(patient, pack, current)


@bp.route("/grab-pack/versions/<int:number>")
@roles_required(*STAFF)
def version(patient_id: uuid.UUID, number: int):
    patient, pack = _load(patient_id)
    return _show_version(patient, pack, _version_or_404(pack, number))


def _show_version(patient, pack, shown):
    audit.record(
        "grab_pack.view",
        user=current_user,
        patient_id=patient.id,
        grab_pack_version_number=shown.number,
    )
    db.session.commit()
    return render_template(
        "packs/view.html",
        patient=patient,
        pack=pack,
        version=shown,
        recorded_episodes=episode_service.episodes_of(patient),
        missing=missing_items(shown.data, has_photo=shown.photo_id is not None),
        photo_stale=is_photo_stale(
            shown.photo_id is not None, shown.photo_taken_on, london_today(), review_policy()
        ),
    )


@bp.route("/grab-pack/versions/<int:number>/photo")
@roles_required(*STAFF)
def photo(patient_id: uuid.UUID, number: int):
    _patient, pack = _load(patient_id)
    shown = _version_or_404(pack, number)
    if shown.photo is None:
        abort(404)
    return photo_response(shown.photo)


@bp.route("/grab-pack/versions")
@roles_required(*STAFF)
def history(patient_id: uuid.UUID):
    patient, pack = _load(patient_id)
    return render_template(
        "packs/history.html", patient=patient, pack=pack, versions=packs.history(pack)
    )


@bp.route("/grab-pack/diff")
@roles_required(*STAFF)
def diff(patient_id: uuid.UUID):
    patient, pack = _load(patient_id)
    to_number = request.args.get("to", type=int) or (pack.current_version_number if pack else 0)
    from_number = request.args.get("from", type=int) or to_number - 1
    older = _version_or_404(pack, from_number)
    newer = _version_or_404(pack, to_number)
    return render_template(
        "packs/diff.html",
        patient=patient,
        older=older,
        newer=newer,
        sections=diff_versions(older.data, newer.data),
        photo_changed=older.photo_id != newer.photo_id,
        versions=packs.history(pack),
    )


@bp.route("/grab-pack/versions/<int:number>/restore", methods=["POST"])
@roles_required(*STAFF)
def restore(patient_id: uuid.UUID, number: int):
    patient, pack = _load(patient_id)
    _version_or_404(pack, number)
    try:
        restored = packs.restore(
            patient, current_user, number, based_on=request.form.get("based_on", type=int) or 0
        )
        db.session.commit()
    except packs.VersionConflict:
        db.session.rollback()
        flash(
            "A colleague saved a newer version while you were looking. Check it before restoring.",
            "info",
        )
        return redirect(url_for("packs.history", patient_id=patient.id))
    except packs.PackReadOnly:
        abort(403)
    flash(f"Version {number} restored as version {restored.number}", "success")
    return redirect(url_for("packs.view", patient_id=patient.id))


@bp.route("/grab-pack/review", methods=["POST"])
@roles_required(*STAFF)
def review(patient_id: uuid.UUID):
    patient, _pack = _load(patient_id)
    try:
        reviewed = packs.mark_reviewed(
            patient, current_user, based_on=request.form.get("based_on", type=int) or 0
        )
        db.session.commit()
    except packs.VersionConflict:
        db.session.rollback()
        flash(
            "A colleague saved a newer version since you opened the pack: check it, then "
            "review again.",
            "info",
        )
        return redirect(url_for("packs.view", patient_id=patient.id))
    except packs.PackReadOnly:
        abort(403)
    flash(
        f"Review recorded as version {reviewed.number}. Next review due "
        f"{reviewed.review_due_on:%-d %B %Y}.",
        "success",
    )
    return redirect(url_for("packs.view", patient_id=patient.id))


@bp.route("/grab-pack/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(patient_id: uuid.UUID):
    patient, pack = _load(patient_id)
    if patient.is_discharged:
        abort(403)
    form_class = grab_pack_form_class()
    current = packs.current_version(pack)
    if request.method == "GET":
        start = current.data if current else {"identity": {"full_name": patient.full_name}}
        form = form_class(formdata=None, data=from_data(start))
        form.based_on.data = str(current.number if current else 0)
        form.submission_id.data = secrets.token_urlsafe(16)
        return _render_edit(patient, form, current)

    change = editing.requested_change(request.form)
    if change is not None:
        return _change_entries(patient, form_class, change, current)
    form = form_class()
    if not form.validate():
        return _render_edit(patient, form, current)
    return _save(patient, pack, form, current)


def _change_entries(patient, form_class, change, current):
    action, group, index = change
    formdata = (
        editing.without_entry(request.form, group, index) if action == "remove" else request.form
    )
    form = form_class(formdata=formdata)
    if action == "add":
        editing.add_entry(form, group)
    return _render_edit(patient, form, current)


def _chosen_photo(patient, form):
    """The photo for the new version: a new upload, one carried over a conflict, or keep."""
    upload = form.photo.data
    if upload and getattr(upload, "filename", ""):
        photo = store_photo(upload.read())
        db.session.commit()  # content-addressed and patient-free: safe to keep on its own
        return photo
    if photo_id := editing.read_pending_photo(form.pending_photo.data, patient.id):
        return db.session.get(Photo, photo_id) or packs.KEEP_PHOTO
    if request.form.get("remove_photo") == "yes":
        return None
    return packs.KEEP_PHOTO


def _save(patient, pack, form, current):
    try:
        photo = _chosen_photo(patient, form)
    except PhotoError as error:
        form.photo.errors = [str(error)]
        return _render_edit(patient, form, current)
    based_on = int(form.based_on.data or 0)
    data = to_data(form)
    try:
        saved = packs.save_version(
            patient,
            data,
            current_user,
            based_on=based_on,
            note=form.change_note.data or "",
            photo=photo,
            submission_id=form.submission_id.data,
        )
        db.session.commit()
    except packs.VersionConflict:
        db.session.rollback()
        if (earlier := packs.find_submission(form.submission_id.data)) is not None:
            return _saved(patient, earlier)  # the first click of a double-click got there
        return _conflict(patient, form, based_on, data, photo)
    except packs.DuplicateNHSNumber:
        db.session.rollback()
        form.identity.form.nhs_number.errors = ["Another patient already has this NHS number"]
        return _render_edit(patient, form, current)
    except OperationalError:
        db.session.rollback()
        form.form_errors.append(BUSY_MESSAGE)
        return _render_edit(patient, form, current), 503
    return _saved(patient, saved)


def _saved(patient, saved):
    flash(f"Version {saved.number} saved", "success")
    return redirect(url_for("packs.view", patient_id=patient.id))


def _conflict(patient, form, based_on, mine, photo):
    """Keep every entry, show the colleague's changes, and let the nurse save on top."""
    pack = packs.pack_for(patient)
    theirs = packs.current_version(pack)
    base = packs.version(pack, based_on)
    base_data = base.data if base else {}
    merged = merge(base_data, theirs.data, mine)
    new_form = grab_pack_form_class()(formdata=None, data=from_data(merged.data))
    new_form.based_on.data = str(theirs.number)
    new_form.submission_id.data = form.submission_id.data
    new_form.change_note.data = form.change_note.data
    if isinstance(photo, Photo):
        new_form.pending_photo.data = editing.sign_pending_photo(photo.id, patient.id)
    return _render_edit(
        patient,
        new_form,
        theirs,
        conflict={
            "theirs": theirs,
            "changes": diff_versions(base_data, theirs.data),
            "both_changed": merged.conflicts,
        },
    ), 409


def _render_edit(patient, form, current, conflict=None):
    return render_template(
        "packs/edit.html",
        patient=patient,
        form=form,
        current=current,
        errors=error_list(form),
        conflict=conflict,
    )


# PDFs: staff of the patient's ward, and police while an episode gives them reason.


def _pdf_access(patient_id: uuid.UUID):
    """(patient, episode that allowed it or an open one for staff) or 404."""
    if current_user.role_enum is Role.POLICE:
        episode = police_access.episode_allowing(current_user, patient_id)
        if episode is None:
            abort(404)
        return episode.patient, episode
    patient = access.patient_for_staff(current_user, patient_id)
    return patient, episode_service.open_episode_for(patient)


def _send_pdf(patient, shown, episode):
    who = f"{current_user.full_name or current_user.email} ({current_user.role_enum.label})"
    content = grab_pack_pdf(patient, shown, who, episode)
    audit.record(
        "grab_pack.pdf",
        user=current_user,
        patient_id=patient.id,
        episode_id=episode.id if episode else None,
        grab_pack_version_number=shown.number,
        remote_addr=request.remote_addr or "",
    )
    db.session.commit()
    return pdf_response(content, pdf_filename(patient, shown.number))


@bp.route("/grab-pack.pdf")
@roles_required(*STAFF, Role.POLICE)
def pdf(patient_id: uuid.UUID):
    patient, episode = _pdf_access(patient_id)
    shown = packs.current_version(packs.pack_for(patient))
    if shown is None:
        abort(404)
    return _send_pdf(patient, shown, episode)


@bp.route("/grab-pack/versions/<int:number>.pdf")
@roles_required(*STAFF, Role.POLICE)
def version_pdf(patient_id: uuid.UUID, number: int):
    patient, episode = _pdf_access(patient_id)
    return _send_pdf(patient, _version_or_404(packs.pack_for(patient), number), episode)
