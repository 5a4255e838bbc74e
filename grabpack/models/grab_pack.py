"""Grab packs, their immutable numbered versions, and photos.

A version is never updated after insert. The pack row holds only the number of
its current version: bumping it with ``WHERE current_version_number = :seen`` is
how a save detects that a colleague saved first.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grabpack.extensions import db
from grabpack.models.base import created_at_column
from grabpack.models.patient import Patient
from grabpack.models.user import User


class GrabPack(db.Model):
    __tablename__ = "grab_packs"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), unique=True)
    current_version_number: Mapped[int] = mapped_column(Integer, default=0)
    # When the next review is due: the current version's date, brought forward by
    # events that call for a review at once (transfer, an episode closing).
    review_due_on: Mapped[date | None] = mapped_column(Date)
    review_due_reason: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime] = created_at_column()

    patient: Mapped[Patient] = relationship(backref=db.backref("grab_pack", uselist=False))


class Photo(db.Model):
    """Image bytes after re-encoding with metadata stripped; stored once per content hash."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    media_type: Mapped[str] = mapped_column(String(30))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = created_at_column()


class GrabPackVersion(db.Model):
    """One save of a grab pack: the whole pack as it stood, never edited afterwards.

    ``data`` follows the declaration in ``grabpack.domain.grab_pack_schema``. The
    few columns beside it are derived from ``data`` at save time so that ward
    lists and reports can filter in SQL.
    """

    __tablename__ = "grab_pack_versions"
    __table_args__ = (
        UniqueConstraint("grab_pack_id", "number", name="uq_grab_pack_versions_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grab_pack_id: Mapped[int] = mapped_column(ForeignKey("grab_packs.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id"))
    photo_taken_on: Mapped[date | None] = mapped_column(Date)
    # "edit", "review" (reviewed, no changes) or "restore".
    kind: Mapped[str] = mapped_column(String(20), default="edit")
    change_note: Mapped[str] = mapped_column(String(500), default="")
    # "restore" versions name the version they brought back.
    restored_from: Mapped[int | None] = mapped_column(Integer)
    # The form's one-time id: a double-clicked Save finds its first version here.
    submission_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    missing_risk: Mapped[str | None] = mapped_column(String(10))
    reviewed_on: Mapped[date] = mapped_column(Date)
    review_due_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()

    grab_pack: Mapped[GrabPack] = relationship()
    photo: Mapped[Photo | None] = relationship()
    created_by: Mapped[User] = relationship()
