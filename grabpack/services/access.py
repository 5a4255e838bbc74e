"""Who may see what. Staff see their wards' patients; police only what an open
episode in their area gives them reason to (see the episodes issue)."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from werkzeug.exceptions import Forbidden, NotFound

from grabpack.extensions import db
from grabpack.models import Patient, User, Ward, user_wards


def staff_ward_query(user: User) -> Select:
    """The wards a nurse or ward manager works on, as a SELECT of ids (to use in a query)."""
    return select(user_wards.c.ward_id).where(user_wards.c.user_id == user.id)


def staff_ward_ids(user: User) -> set[int]:
    return set(db.session.scalars(staff_ward_query(user)))


def ward_for_staff(user: User, code: str) -> Ward:
    """The ward with this code if the user works on it: 404 unknown, 403 someone else's."""
    ward = db.session.scalar(select(Ward).where(Ward.code == code.upper()))
    if ward is None:
        raise NotFound()
    if ward.id not in staff_ward_ids(user):
        raise Forbidden()
    return ward


def patient_for_staff(user: User, patient_id: uuid.UUID) -> Patient:
    """A patient on one of the user's wards. Anyone else's is 404: no hint it exists."""
    patient = db.session.get(Patient, patient_id)
    if patient is None or patient.ward_id not in staff_ward_ids(user):
        raise NotFound()
    return patient
