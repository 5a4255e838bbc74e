"""Patients on wards. The opaque UUID is the only patient identifier in URLs."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grabpack.extensions import db
from grabpack.models.base import UTCDateTime, created_at_column, utcnow
from grabpack.models.org import Ward


class Patient(db.Model):
    """A person admitted to a ward.

    ``full_name``, ``date_of_birth`` and ``nhs_number`` are the registration
    record the ward lists by; the grab pack's identity section is the versioned
    profile, and saving a pack version keeps these in step with it.
    """

    __tablename__ = "patients"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    full_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    # Validated by its check digit before it gets here (grabpack.domain.nhs_number).
    nhs_number: Mapped[str | None] = mapped_column(String(10), unique=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"), index=True)
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_column()

    ward: Mapped[Ward] = relationship()

    @property
    def is_discharged(self) -> bool:
        return self.discharged_at is not None
