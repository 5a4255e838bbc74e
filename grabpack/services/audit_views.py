"""Reading the audit trail: who looked at a ward's packs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grabpack.extensions import db
from grabpack.models import AuditEvent, Patient, Ward

PACK_ACCESS_ACTIONS = ("grab_pack.view", "grab_pack.pdf", "share_link.use", "share_link.refused")
PAGE_SIZE = 100


def pack_access_events(ward: Ward, page: int = 1) -> tuple[list[tuple[AuditEvent, str]], bool]:
    """Views and downloads of packs of patients now on the ward, newest first, a page
    at a time (one query), with whether there is a further page."""
    rows = db.session.execute(
        select(AuditEvent, Patient.full_name)
        .join(Patient, AuditEvent.patient_id == Patient.id)
        .where(Patient.ward_id == ward.id, AuditEvent.action.in_(PACK_ACCESS_ACTIONS))
        .options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    return [(event, name) for event, name in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE
