"""A form that arrived after its sender's session had ended, kept to be put back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from grabpack.extensions import db
from grabpack.models.base import UTCDateTime, created_at_column


class KeptForm(db.Model):
    """What a nurse typed and sent after the idle sign-out, held for a short time.

    The entries are encrypted with a key derived from a random token that lives only
    in the sender's session cookie; the row holds a hash of that token, so neither a
    copy of the database nor of the cookie alone can read them. ``user_id`` is the
    person whose session it was, when the server still knew (otherwise the first
    person to sign in in that browser claims it). Rows are deleted when put back,
    when someone else signs in with the token, and after ``expires_at``.
    """

    __tablename__ = "kept_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(String(500))  # where the form was sent
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
