"""Administrators manage accounts and where each policing area is told of its missing
episodes, and watch the outbox; they are not given patient data."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from grabpack.admin import bp
from grabpack.admin.forms import EmailTargetForm, RemoveTargetForm, email_form, webhook_form
from grabpack.auth.decorators import roles_required
from grabpack.domain.notifications import EVENTS
from grabpack.downloads import csv_response, date_arg
from grabpack.extensions import db
from grabpack.models import NotificationTarget, OutboxMessage, PolicingArea, Role, User
from grabpack.policies import reporting_policy
from grabpack.services import audit, notifications
from grabpack.services.exports import AUDIT_COLUMNS, EPISODE_COLUMNS, audit_rows, episode_rows
from grabpack.services.notifications import TargetError


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


# --- where each policing area is told of its missing episodes ---------------------------


def _areas_page(failed: tuple[str, FlaskForm] | None = None) -> str:
    """Every area with its targets (two queries whatever the numbers), a blank form per
    area and channel, or the form that failed, with its errors, in its place."""
    areas = db.session.scalars(select(PolicingArea).order_by(PolicingArea.name)).all()
    targets = db.session.scalars(
        select(NotificationTarget)
        .where(NotificationTarget.active.is_(True))
        .order_by(NotificationTarget.channel, NotificationTarget.address)
    ).all()
    by_area: dict[int, list[NotificationTarget]] = {area.id: [] for area in areas}
    for target in targets:
        by_area.setdefault(target.policing_area_id, []).append(target)
    forms = {}
    for area in areas:
        forms[area.code] = {
            "email": email_form(area.code, formdata=None),
            "webhook": webhook_form(area.code, formdata=None),
        }
    if failed is not None:
        code, form = failed
        forms[code]["email" if isinstance(form, EmailTargetForm) else "webhook"] = form
    return render_template(
        "admin/areas.html",
        areas=areas,
        targets=by_area,
        forms=forms,
        failed=failed[1] if failed else None,
        shown_address=notifications.shown_address,
    )


def _area_or_404(code: str) -> PolicingArea:
    area = db.session.scalar(select(PolicingArea).where(PolicingArea.code == code))
    if area is None:
        abort(404)
    return area


def _audit_target(action: str, target: NotificationTarget, area: PolicingArea) -> None:
    """Area, channel and where to, but never the secret; of a webhook only its host,
    since a URL's path or query may itself carry a token."""
    where = target.address if target.channel == "email" else _host_of(target.address)
    audit.record(
        action,
        user=current_user,
        area=area.code,
        channel=target.channel,
        target_id=target.id,
        to=where or "",
    )


def _host_of(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:  # a malformed URL saved before URLs were checked
        return None


@bp.route("/areas")
@roles_required(Role.ADMIN)
def areas():
    return _areas_page()


@bp.route("/areas/<code>/email", methods=["POST"])
@roles_required(Role.ADMIN)
def add_email(code: str):
    area = _area_or_404(code)
    form = email_form(area.code)
    if form.validate():
        try:
            target = notifications.add_email(area.code, form.address.data, by=current_user)
        except TargetError as refused:
            form.address.errors.append(str(refused))
        else:
            _audit_target("notify_target.add", target, area)
            db.session.commit()
            flash(f"{area.name} will be emailed at {target.address}", "success")
            return redirect(url_for("admin.areas", _anchor=f"area-{area.code}"))
    return _areas_page((area.code, form))


@bp.route("/areas/<code>/webhook", methods=["POST"])
@roles_required(Role.ADMIN)
def add_webhook(code: str):
    area = _area_or_404(code)
    form = webhook_form(area.code)
    if form.validate():
        known = {target.id for target in notifications.targets_of(area.code)}
        try:
            target = notifications.add_webhook(
                area.code, form.url.data, form.secret.data, by=current_user
            )
        except TargetError as refused:
            field = form.secret if str(refused).startswith("The shared secret") else form.url
            field.errors.append(str(refused))
        else:
            _audit_target("notify_target.add", target, area)
            db.session.commit()
            if target.id in known:
                saved = (
                    f"{area.name} is already told at this webhook: its shared secret is replaced"
                )
            else:
                saved = f"{area.name}'s webhook is saved"
            flash(f"{saved}. The shared secret is stored and will not be shown again.", "success")
            return redirect(url_for("admin.areas", _anchor=f"area-{area.code}"))
    return _areas_page((area.code, form))


@bp.route("/areas/targets/<int:target_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def remove_target(target_id: int):
    if not RemoveTargetForm().validate():
        abort(400)
    try:
        target = notifications.remove(target_id)
    except TargetError:
        abort(404)
    area = target.policing_area
    _audit_target("notify_target.remove", target, area)
    db.session.commit()
    flash(f"{area.name} will no longer be told at {notifications.shown_address(target)}", "success")
    return redirect(url_for("admin.areas", _anchor=f"area-{area.code}"))


# --- the outbox ------------------------------------------------------------------------------

OUTBOX_LIMIT = 200
OUTBOX_STATUSES = ("pending", "sent", "dead")


@bp.route("/outbox")
@roles_required(Role.ADMIN)
def outbox():
    """The latest messages, newest first, and how many are in each state: three queries
    however long the outbox."""
    status = request.args.get("status", "")
    status = status if status in OUTBOX_STATUSES else ""
    counts = dict.fromkeys(OUTBOX_STATUSES, 0)
    counts.update(
        db.session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
                OutboxMessage.status
            )
        ).all()
    )
    query = (
        select(OutboxMessage)
        .options(joinedload(OutboxMessage.target).joinedload(NotificationTarget.policing_area))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(OUTBOX_LIMIT)
    )
    if status:
        query = query.where(OutboxMessage.status == status)
    messages = db.session.scalars(query).all()
    return render_template(
        "admin/outbox.html",
        messages=messages,
        counts=counts,
        status=status,
        statuses=OUTBOX_STATUSES,
        limit=OUTBOX_LIMIT,
        events=EVENTS,
        shown_address=notifications.shown_address,
    )
