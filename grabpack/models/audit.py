"""The audit trail: who did what to which patient's data, and under which episode.

Append-only. The migration installs database triggers that refuse UPDATE and
DELETE on this table, so not even a bug or a console session can rewrite it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grabpack.extensions import db
from grabpack.models.base import created_at_column
from grabpack.models.user import User


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_patient_at", "patient_id", "at"),
        Index("ix_audit_events_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = created_at_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # e.g. "login", "login_failed", "grab_pack.view", "grab_pack.pdf".
    action: Mapped[str] = mapped_column(String(50))
    # Plain ids, no foreign keys: the trail outlives what it points at.
    patient_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    grab_pack_version_number: Mapped[int | None] = mapped_column(Integer)
    remote_addr: Mapped[str] = mapped_column(String(45), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship()
