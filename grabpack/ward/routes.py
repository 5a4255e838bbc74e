"""Ward staff pages: their wards, a ward's patients, a patient; admission,
transfer and discharge."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from grabpack.auth import kept_forms
from grabpack.auth.decorators import STAFF, roles_required
from grabpack.domain.clock import london_today
from grabpack.downloads import csv_response, date_arg
from grabpack.extensions import db
from grabpack.models import Role
from grabpack.models.base import utcnow
from grabpack.packs.forms import choices
from grabpack.policies import repeat_rule, reporting_policy, review_policy, volume_rule
from grabpack.services import access, audit, audit_views, patients
from grabpack.services.access import staff_ward_query
from grabpack.services.episodes import episodes_of
from grabpack.services.exports import EPISODE_COLUMNS, episode_rows
from grabpack.services.grab_packs import current_version, pack_for
from grabpack.services.live_flags import live_flags
from grabpack.services.ward_dashboard import (
    FILTERS,
    SORTS,
    filtered_rows,
    recently_discharged,
    ward_counts,
    ward_rows,
)
from grabpack.transactions import saving
from grabpack.ward import bp
from grabpack.ward.forms import (
    AdmitForm,
    AuditFilterForm,
    DischargeForm,
    ReadmitForm,
    TransferForm,
)


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
    sort = request.args.get("sort", "name")
    state = request.args.get("state", "")
    today, now = london_today(), utcnow()
    repeat, policy = repeat_rule(), review_policy()
    rows = filtered_rows(
        ward_rows(ward, repeat.window_start(now)),
        today,
        state=state,
        sort=sort,
        repeat=repeat,
        policy=policy,
    )
    return render_template(
        "ward/dashboard.html",
        ward=ward,
        rows=rows,
        counts=ward_counts(ward, today, repeat=repeat, policy=policy, now=now),
        live=live_flags(staff_ward_query(current_user), now, volume_rule()),
        today=today,
        policy=policy,
        repeat=repeat,
        sort=sort if sort in SORTS else "name",
        state=state if state in FILTERS else "",
        filters=FILTERS,
        sorts=SORTS,
    )


@bp.route("/wards/<code>/discharged")
@roles_required(*STAFF)
def discharged(code: str):
    """The ward's latest discharges, so that one made by mistake can be found and undone."""
    ward = access.ward_for_staff(current_user, code)
    return render_template("ward/discharged.html", ward=ward, rows=recently_discharged(ward))


@bp.route("/wards/<code>/patients/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def admit(code: str):
    ward = access.ward_for_staff(current_user, code)
    kept = kept_forms.take(current_user, request.path) if request.method == "GET" else None
    # Entries sent after a sign-out (or from a page older than this session) go back.
    form = AdmitForm(formdata=kept) if kept is not None else AdmitForm()
    if form.validate_on_submit():
        with saving(None, patients.PatientError) as outcome:
            patient = patients.admit(
                ward,
                current_user,
                full_name=form.full_name.data,
                date_of_birth=form.date_of_birth.data,
                nhs_number=form.nhs_number.data or None,
            )
        if outcome.saved:
            # No names in flash messages: they travel in the (readable) session cookie.
            flash(f"Patient admitted to {ward.name}", "success")
            return redirect(url_for("ward.patient", patient_id=patient.id))
        # The one refusal is a registered number; a busy database is the form's.
        (form.form_errors if outcome.busy else form.nhs_number.errors).append(outcome.refusal)
    return render_template("ward/admit.html", ward=ward, form=form)


def _transfer_form(patient) -> TransferForm:
    form = TransferForm()
    wards = patients.transfer_destinations(patient)
    form.ward.choices = choices([("", "Choose a ward")] + [(w.code, w.label) for w in wards])
    return form


@bp.route("/patients/<uuid:patient_id>")
@roles_required(*STAFF)
def patient(patient_id: uuid.UUID):
    patient = access.patient_for_staff(current_user, patient_id)
    pack = pack_for(patient)
    episodes = episodes_of(patient)
    return render_template(
        "ward/patient.html",
        patient=patient,
        pack=pack,
        version=current_version(pack),
        episodes=episodes,
        today=london_today(),
        transfer_form=_transfer_form(patient),
        transfer_refusal=patients.transfer_refusal(patient),
        readmit_form=ReadmitForm(),
    )


@bp.route("/patients/<uuid:patient_id>/transfer", methods=["POST"])
@roles_required(*STAFF)
def transfer(patient_id: uuid.UUID):
    patient = access.patient_for_staff(current_user, patient_id)
    form = _transfer_form(patient)
    if not form.validate_on_submit():
        flash(
            form.ward.errors[0] if form.ward.errors else "Choose the ward to transfer to", "error"
        )
        return redirect(url_for("ward.patient", patient_id=patient.id))
    with saving(None, patients.PatientError) as outcome:
        to_ward = patients.transfer(patient, form.ward.data, current_user)
    if not outcome.saved:
        flash(outcome.refusal, "error")
        return redirect(url_for("ward.patient", patient_id=patient.id))
    flash(
        f"Patient transferred to {to_ward.label}. Their grab pack went with them and is "
        "due for review.",
        "success",
    )
    return redirect(url_for("ward.index"))


@bp.route("/patients/<uuid:patient_id>/discharge", methods=["GET", "POST"])
@roles_required(*STAFF)
def discharge(patient_id: uuid.UUID):
    """A page that says what discharge does and asks to confirm; refused, with the
    reason and no button, while the patient is missing."""
    patient = access.patient_for_staff(current_user, patient_id)
    if patient.is_discharged:
        return redirect(url_for("ward.patient", patient_id=patient.id))
    form = DischargeForm()
    refusal = patients.discharge_refusal(patient)
    status = 409 if refusal and request.method == "POST" else 200
    if refusal is None and form.validate_on_submit():
        with saving(None, patients.PatientError) as outcome:
            patients.discharge(patient, current_user)
        if outcome.saved:
            flash("Patient discharged. Their grab pack is kept, read-only.", "success")
            return redirect(url_for("ward.patient", patient_id=patient.id))
        flash(outcome.refusal, "error")  # the page asks again, with the reason
        status = 503 if outcome.busy else 409
    return render_template(
        "ward/discharge.html", patient=patient, form=form, refusal=refusal
    ), status


@bp.route("/patients/<uuid:patient_id>/readmit", methods=["POST"])
@roles_required(Role.WARD_MANAGER)
def readmit(patient_id: uuid.UUID):
    """Undo a discharge: a ward manager's decision, audited."""
    patient = access.patient_for_staff(current_user, patient_id)
    if ReadmitForm().validate_on_submit():
        with saving(None, patients.PatientError) as outcome:
            patients.readmit(patient, current_user)
        if outcome.saved:
            flash(
                f"Patient re-admitted to {patient.ward.name}. Their grab pack can be "
                "edited again and is due for review.",
                "success",
            )
        else:
            flash(outcome.refusal, "error")
    return redirect(url_for("ward.patient", patient_id=patient.id))


def _audit_filter_form(ward) -> AuditFilterForm:
    form = AuditFilterForm(formdata=request.args or None)
    form.patient.choices = [("", "Any patient")] + [
        (str(pid), name) for pid, name in audit_views.ward_patients(ward)
    ]
    form.user.choices = [("", "Anyone")] + [
        (str(user.id), f"{user.full_name or user.email} · {user.role_enum.label}")
        for user in audit_views.ward_viewers(ward)
    ]
    form.action.choices = [("", "Anything")] + list(audit_views.ACTION_LABELS.items())
    return form


@bp.route("/wards/<code>/audit")
@roles_required(Role.WARD_MANAGER)
def audit_log(code: str):
    """Who viewed or downloaded this ward's packs, when, and under which episode;
    narrowed by patient, person, action and dates."""
    ward = access.ward_for_staff(current_user, code)
    page = max(1, request.args.get("page", 1, type=int))
    form = _audit_filter_form(ward)
    events, has_more = [], False
    if form.validate():
        only = audit_views.AuditFilter(
            patient_id=uuid.UUID(form.patient.data) if form.patient.data else None,
            user_id=int(form.user.data) if form.user.data else None,
            action=form.action.data or None,
            from_day=form.from_date.data,
            to_day=form.to_date.data,
        )
        events, has_more = audit_views.pack_access_events(ward, page=page, only=only)
    filter_args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "ward/audit.html",
        ward=ward,
        form=form,
        filtered=bool(filter_args),
        filter_args=filter_args,
        labels=audit_views.ACTION_LABELS,
        events=events,
        page=page,
        has_more=has_more,
    )


@bp.route("/wards/<code>/episodes.csv")
@roles_required(Role.WARD_MANAGER)
def episodes_csv(code: str):
    ward = access.ward_for_staff(current_user, code)
    start, end = date_arg("from"), date_arg("to")
    rows = episode_rows(start, end, ward_ids=[ward.id], policy=reporting_policy())
    audit.record("export.episodes", user=current_user, ward=ward.code)
    db.session.commit()  # recorded, or no file: a failure here is the error page
    return csv_response(EPISODE_COLUMNS, rows, f"missing-episodes-{ward.code.lower()}.csv")
