"""Test data made through the same services as real use, so versions and audit rows exist."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import Patient, User, Ward
from grabpack.models.base import utcnow
from grabpack.services import episodes
from grabpack.services.grab_packs import save_version

FULL_LEGAL = {
    "legal": {
        "legal_status": "s3",
        "section_start_on": "2026-09-01",
        "section_expires_on": "2027-02-28",
    }
}


def staff(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def patient_on(ward_code: str, name: str, data: dict | None = None, author: str = "") -> Patient:
    ward = db.session.scalar(select(Ward).where(Ward.code == ward_code))
    patient = Patient(full_name=name, ward_id=ward.id)
    db.session.add(patient)
    db.session.flush()
    if data is not None:
        save_version(patient, {"identity": {"full_name": name}, **data}, staff(author), based_on=0)
    return patient


def open_for(
    patient: Patient,
    author: str,
    hours_ago: float = 1,
    report_after_minutes: float | None = 15,
    **fields,
):
    """Report ``patient`` missing through the service, as the form would: the legal
    position as the pack records it unless ``fields`` say otherwise."""
    noticed = utcnow().replace(microsecond=0) - timedelta(hours=hours_ago)
    reported = (
        noticed + timedelta(minutes=report_after_minutes)
        if report_after_minutes is not None
        else None
    )
    values = {
        **episodes.opening_defaults(patient),
        "kind": "awol",
        "noticed_at": noticed,
        "last_seen_at": noticed - timedelta(minutes=20),
        "last_seen_place": "Garden gate",
        "reported_at": reported,
        "police_reference": "CAD 1234/23NOV",
        **fields,
    }
    confirmed = values.pop("kind_confirmed", False)
    return episodes.open_episode(patient, staff(author), values, kind_confirmed=confirmed)


def close(episode, author: str, hours_ago: float) -> None:
    episodes.close_episode(
        episode,
        staff(author),
        {"returned_at": utcnow() - timedelta(hours=hours_ago), "found_category": "home"},
    )
