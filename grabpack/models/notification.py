"""Telling a policing area that a patient has gone missing: where to tell it, and the
outbox of messages waiting to be sent.

Messages are written in the same transaction as the episode change that causes
them, and sent later by the worker (``grabpack notify work``): a channel that is
down can never block or roll back a ward's report. A message carries no patient
identifier (``grabpack.domain.notifications``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grabpack.extensions import db
from grabpack.models.base import UTCDateTime, created_at_column
from grabpack.models.org import PolicingArea


class NotificationTarget(db.Model):
    """An inbox or a webhook of one policing area. A webhook's shared secret is kept
    encrypted with a key derived from the app's secret key, and never shown again."""

    __tablename__ = "notification_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    policing_area_id: Mapped[int] = mapped_column(ForeignKey("policing_areas.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # "email" or "webhook"
    address: Mapped[str] = mapped_column(String(2000))  # an email address or an https URL
    secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()

    policing_area: Mapped[PolicingArea] = relationship()


class OutboxMessage(db.Model):
    """One message for one target about one change to one episode.

    ``status`` is ``pending`` (waiting, or waiting to be tried again at
    ``next_attempt_at``), ``sent`` or ``dead`` (given up after a day of failures).
    A worker claims a message by setting ``claimed_until`` in the future; a worker
    that crashes mid-send leaves the claim to expire, and the message is sent again
    with the same ``idempotency_key`` so the receiver can drop the duplicate.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    target_id: Mapped[int] = mapped_column(ForeignKey("notification_targets.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missing_episodes.id"), index=True)
    event: Mapped[str] = mapped_column(String(20))  # a key of domain.notifications.EVENTS
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    target: Mapped[NotificationTarget] = relationship()
