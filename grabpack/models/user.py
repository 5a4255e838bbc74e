"""Users and what they may see: staff are scoped to wards, police to policing areas."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grabpack.extensions import db
from grabpack.models.base import UTCDateTime, created_at_column
from grabpack.models.org import PolicingArea, Ward


class Role(StrEnum):
    NURSE = "nurse"
    WARD_MANAGER = "ward_manager"
    POLICE = "police"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            "nurse": "Nurse",
            "ward_manager": "Ward manager",
            "police": "Police",
            "admin": "Administrator",
        }[self.value]

    @property
    def is_staff(self) -> bool:
        """Ward staff: the roles that keep grab packs and log episodes."""
        return self in (Role.NURSE, Role.WARD_MANAGER)


user_wards = Table(
    "user_wards",
    db.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("ward_id", Integer, ForeignKey("wards.id", ondelete="CASCADE"), primary_key=True),
)

user_policing_areas = Table(
    "user_policing_areas",
    db.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "policing_area_id",
        Integer,
        ForeignKey("policing_areas.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Rotated on sign-out, password change and disable so that every old session dies.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token, unique=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_column()

    wards: Mapped[list[Ward]] = relationship(secondary=user_wards, order_by="Ward.name")
    policing_areas: Mapped[list[PolicingArea]] = relationship(
        secondary=user_policing_areas, order_by="PolicingArea.name"
    )

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def get_id(self) -> str:
        """Flask-Login keeps this in the session: the rotating token, not the row id."""
        return self.session_token

    @property
    def scope_label(self) -> str:
        """What the header shows beside the role: the user's wards or areas."""
        if self.role_enum.is_staff:
            return ", ".join(ward.name for ward in self.wards) or "no ward"
        if self.role_enum is Role.POLICE:
            return ", ".join(area.name for area in self.policing_areas) or "no area"
        return "all organisations"


class SignInThrottle(db.Model):
    """Failed sign-ins for one account from one address (NCSC: throttle, don't lock out).

    Kept in the database so that every worker and server counts the same attempts.
    The pair is stored only as a keyed hash: no email or address in clear here.
    Someone else's failures never end a session or keep the person out from their
    own address.
    """

    __tablename__ = "sign_in_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The account's keyed hash alone, so that an administrator can lift its throttles.
    account_hash: Mapped[str] = mapped_column(String(64), index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OidcIdentity(db.Model):
    """A user's identity at an OpenID Connect provider.

    The provider's subject id (``sub``) is stored at the first sign-in, matched on
    the verified email then; later sign-ins match on it alone, so a changed email
    at the provider still finds the account. One identity per user per provider,
    and one user per subject. Never a token.
    """

    __tablename__ = "oidc_identities"
    __table_args__ = (
        UniqueConstraint("provider", "subject"),
        UniqueConstraint("user_id", "provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))  # the name in GRABPACK_OIDC_PROVIDERS
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
