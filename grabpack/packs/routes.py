"""Grab-pack pages for ward staff: view, edit, history, diff, restore, review, photo."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import FileStorage

from grabpack.auth import kept_forms
from grabpack.auth.decorators import STAFF, roles_required
from grabpack.domain.clock import london_today
from grabpack.domain.completeness import missing_items
from grabpack.domain.diff import diff_versions
from grabpack.domain.review import is_photo_stale
from grabpack.downloads import pdf_response, photo_response
from grabpack.errors import csrf_error
from grabpack.extensions import db
from grabpack.models import GrabPackVersion, Role
from grabpack.packs import bp, editing
from grabpack.packs.forms import error_list, grab_pack_form_class
from grabpack.policies import review_policy
from grabpack.services import access, audit, delivery
from grabpack.services import episodes as episode_service
from grabpack.services import grab_packs as packs
from grabpack.transactions import saving

NOTHING_CHANGED = (
    "Nothing has changed, so no new version was saved. "
    "To record that you reviewed the pack, use Reviewed, no changes."
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
        one_click_id=packs.new_submission_id,
    )


@bp.route("/grab-pack/versions/<int:number>/photo")
@roles_required(*STAFF)
def photo(patient_id: uuid.UUID, number: int):
    return photo_response(delivery.photo(current_user, patient_id, number))


@bp.route("/grab-pack/versions")
@roles_required(*STAFF)
def history(patient_id: uuid.UUID):
    patient, pack = _load(patient_id)
    return render_template(
        "packs/history.html",
        patient=patient,
        pack=pack,
        versions=packs.history(pack),
        one_click_id=packs.new_submission_id,
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
    return _one_click(
        patient,
        lambda: packs.restore(
            patient, current_user, number, based_on=_based_on(), submission_id=_submission_id()
        ),
        done=lambda restored: f"Version {number} restored as version {restored.number}",
        refused=f"Version {number} was not restored",
        overtaken="while you were looking. Check it before restoring.",
        back_to="packs.history",
        restoring=number,
    )


@bp.route("/grab-pack/review", methods=["POST"])
@roles_required(*STAFF)
def review(patient_id: uuid.UUID):
    patient, _pack = _load(patient_id)
    return _one_click(
        patient,
        lambda: packs.mark_reviewed(
            patient, current_user, based_on=_based_on(), submission_id=_submission_id()
        ),
        done=lambda reviewed: (
            f"Review recorded as version {reviewed.number}. Next review due "
            f"{reviewed.review_due_on:%-d %B %Y}."
        ),
        refused="The review was not recorded",
        overtaken="since you opened the pack: check it, then review again.",
        back_to="packs.view",
    )


# The page each one-click button is on: where to come back to after signing in,
# when the button was pressed on a page from before a sign-out.
BUTTON_PAGES = {"packs.review": "packs.view", "packs.restore": "packs.history"}
SIGNED_OUT = (
    "You were signed out (in another tab, or by the time limit), so nothing was "
    "changed. Sign in and you will be back on the page you were on, to try again."
)


@bp.errorhandler(CSRFError)
def button_pressed_after_sign_out(error: CSRFError):
    """Review or restore pressed after signing out in another tab: the session, and
    its form token, are gone. Never "signed in again since" to someone signed out:
    to sign-in, then back to the page (a button is pressed again, not kept like a
    typed form). Everything else gets the app's answer, which is true for it (a
    form kept and put back; a page older than a session signed in since)."""
    page = BUTTON_PAGES.get(request.endpoint or "")
    if page is None or current_user.is_authenticated or request.view_args is None:
        return csrf_error(error)
    flash(SIGNED_OUT, "info")
    back = url_for(page, patient_id=request.view_args["patient_id"])
    return redirect(url_for("auth.login", next=back))


def _based_on() -> int:
    return request.form.get("based_on", type=int) or 0


def _submission_id() -> str:
    """The button's one-time id (``one_click_id`` on its page): a double click is one change."""
    return request.form.get("submission_id", "")[:64]


def _one_click(
    patient,
    change: Callable[[], GrabPackVersion],
    *,
    done: Callable[[GrabPackVersion], str],
    refused: str,
    overtaken: str,
    back_to: str,
    restoring: int | None = None,
):
    """Commit a one-click change (review, restore) and say what happened: done (on
    the pack); refused with a page saying why (discharged, or a rule the version
    would break, with the way to fix it); or, flashed on the page the button was
    on, the pack moved on or the database was busy."""
    try:
        with saving(None, packs.VersionConflict) as outcome:
            version = change()
    except packs.PackReadOnly as read_only:
        return _discharged(patient, read_only.discharge, refused=refused)
    except packs.PackNeedsEditing as needs:
        return render_template(
            "packs/needs_editing.html",
            patient=patient,
            heading=refused,
            problems=needs.problems,
            restoring=restoring,
        ), 409
    if outcome.saved:
        flash(done(version), "success")
        return redirect(url_for("packs.view", patient_id=patient.id))
    flash(outcome.refusal if outcome.busy else _overtaken(patient, overtaken), "info")
    return redirect(url_for(back_to, patient_id=patient.id))


def _overtaken(patient, then: str) -> str:
    """Why a one-click change was not made: a newer version, said truly (one the user
    saved themself, in another tab or before pressing Back, is not a colleague's)."""
    newest = packs.current_version(packs.pack_for(patient))
    if newest is not None and newest.created_by_id == current_user.id:
        return f"You saved a newer version (version {newest.number}) {then}"
    return f"A colleague saved a newer version {then}"


def _discharged(
    patient, discharge: packs.Discharge | None, *, refused: str, status: int = 409, **shown
):
    """The page that says a change was refused because the patient was discharged
    (when, by whom), with anything typed (``shown``) still in front of the nurse."""
    return render_template(
        "packs/discharged.html",
        patient=patient,
        discharge=discharge or packs.discharge_of(patient),
        heading=refused,
        **shown,
    ), status


@bp.route("/grab-pack/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(patient_id: uuid.UUID):
    patient, pack = _load(patient_id)
    current = packs.current_version(pack)
    if patient.is_discharged:
        return _not_editable(patient, pack)
    if request.method == "GET":
        if (kept := kept_forms.take(current_user, request.path)) is not None:
            # Sent after the sign-out: every entry back, on the version it was based on
            # (Save then merges with any colleague's save since, as for any stale form).
            return _render_edit(patient, grab_pack_form_class()(formdata=kept), current)
        form = editing.new_form(
            packs.starting_data(patient, current), current.number if current else 0
        )
        return _render_edit(patient, form, current)

    form_class = grab_pack_form_class()
    change = editing.requested_change(request.form)
    if change is not None:
        return _change_entries(patient, form_class, change, current)
    form = form_class()
    if not form.validate():
        editing.keep_upload(form, _upload(), patient.id)
        return _render_edit(patient, form, current)
    return _save(patient, form, current)


def _not_editable(patient, pack, discharge: packs.Discharge | None = None):
    """A discharged patient's pack form: opening it is refused (403) and saving it
    conflicts with the discharge (409); either way the page says so, and a form
    that was sent is shown back as what the nurse changed, so nothing is lost
    without a word."""
    if request.method == "GET":
        return _discharged(
            patient, discharge, refused="This grab pack cannot be edited", status=403
        )
    form = grab_pack_form_class()()
    return _discharged(
        patient,
        discharge,
        refused="Your changes were not saved",
        typed=editing.typed_changes(form, pack),
        note=form.change_note.data or "",
        photo_chosen=editing.photo_chosen(_upload()),
    )


def _upload() -> FileStorage | None:
    """The photo file the form sent, if any (an Add or Remove rebuilds the form
    from the text fields alone)."""
    return request.files.get("photo")


def _change_entries(patient, form_class, change, current):
    action, group, index = change
    formdata = (
        editing.without_entry(request.form, group, index) if action == "remove" else request.form
    )
    form = form_class(formdata=formdata)
    if action == "add":
        editing.add_entry(form, group)
    editing.keep_upload(form, _upload(), patient.id)
    return _render_edit(patient, form, current)


def _save(patient, form, current):
    """One call to the save service, its answer turned into a page."""
    try:
        with saving(form) as outcome:
            result = packs.save(patient, current_user, editing.submission(form, patient.id))
    except packs.PackReadOnly as read_only:  # discharged since this request began
        return _not_editable(patient, packs.pack_for(patient), read_only.discharge)
    if outcome.busy:  # the form now says the database was busy; nothing was saved
        editing.after_refusal(form, _upload(), None, patient.id)
        return _render_edit(patient, form, current), 503
    match result:
        case packs.Saved(version=saved) | packs.DoubleClick(version=saved):
            flash(f"Version {saved.number} saved", "success")
            return redirect(url_for("packs.view", patient_id=patient.id))
        case packs.Unchanged():
            flash(NOTHING_CHANGED, "info")
            return redirect(url_for("packs.view", patient_id=patient.id))
        case packs.Conflict() as conflict:
            merged = editing.conflict_form(form, conflict, patient.id)
            return _render_edit(patient, merged, conflict.theirs, conflict=conflict), 409
        case packs.Invalid(errors=errors, photo=photo):
            editing.show_errors(form, errors)
            editing.after_refusal(form, _upload(), photo, patient.id)
            return _render_edit(patient, form, current)


def _render_edit(patient, form, current, conflict=None):
    return render_template(
        "packs/edit.html",
        patient=patient,
        form=form,
        current=current,
        errors=error_list(form),
        conflict=conflict,
    )


# PDFs, by the one way out (``services/delivery``): staff of the patient's ward any
# version; police the current one and the one current when the absence was reported.


@bp.route("/grab-pack.pdf")
@roles_required(*STAFF, Role.POLICE)
def pdf(patient_id: uuid.UUID):
    return _deliver(patient_id, None)


@bp.route("/grab-pack/versions/<int:number>.pdf")
@roles_required(*STAFF, Role.POLICE)
def version_pdf(patient_id: uuid.UUID, number: int):
    return _deliver(patient_id, number)


def _deliver(patient_id: uuid.UUID, number: int | None):
    delivered = delivery.deliver(
        current_user, patient_id, number, remote_addr=request.remote_addr or ""
    )
    db.session.commit()  # the audit row first: nothing leaves unrecorded
    return pdf_response(delivered.content, delivered.filename)
