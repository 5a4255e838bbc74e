"""Public appeal posters police made: who, for which episode, from which grab-pack
version, on whose authority and with which choices. The ward sees that one was
made; the poster itself is drawn again from this record whenever it is downloaded."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grabpack.extensions import db
from grabpack.models.base import UTCDateTime, utcnow
from grabpack.models.episode import MissingEpisode
from grabpack.models.patient import Patient
from grabpack.models.user import User


class AppealPoster(db.Model):
    __tablename__ = "appeal_posters"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The poster in URLs and file names: ``id`` counts the posters made trust-wide.
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missing_episodes.id"), index=True)
    grab_pack_version_number: Mapped[int] = mapped_column(Integer)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The authorising officer's name or reference, as the officer typed it.
    authorised_by: Mapped[str] = mapped_column(String(100))
    # ``domain.appeal_poster.PosterChoices.to_record()``.
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    patient: Mapped[Patient] = relationship()
    episode: Mapped[MissingEpisode] = relationship(
        backref=db.backref("appeal_posters", order_by="AppealPoster.made_at")
    )
    made_by: Mapped[User] = relationship()
