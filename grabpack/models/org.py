"""Organisations: NHS trusts, policing areas, settings (hospital sites) and wards."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grabpack.extensions import db


class Trust(db.Model):
    """An NHS trust (or independent provider) that runs settings."""

    __tablename__ = "trusts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Set only by `grabpack demo`: lets the demo tell its own data from real data.
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)

    settings: Mapped[list[Setting]] = relationship(back_populates="trust", order_by="Setting.name")


class PolicingArea(db.Model):
    """A local policing area (Met basic command unit). Police users are scoped to these."""

    __tablename__ = "policing_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    settings: Mapped[list[Setting]] = relationship(back_populates="policing_area")


class Setting(db.Model):
    """A hospital site. Every setting lies in exactly one policing area."""

    __tablename__ = "settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    postcode: Mapped[str] = mapped_column(String(8), default="")
    trust_id: Mapped[int] = mapped_column(ForeignKey("trusts.id"), index=True)
    policing_area_id: Mapped[int] = mapped_column(ForeignKey("policing_areas.id"), index=True)

    trust: Mapped[Trust] = relationship(back_populates="settings")
    policing_area: Mapped[PolicingArea] = relationship(back_populates="settings")
    wards: Mapped[list[Ward]] = relationship(back_populates="setting", order_by="Ward.name")


class Ward(db.Model):
    """An inpatient ward. Ward staff are scoped to wards."""

    __tablename__ = "wards"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone_24h: Mapped[str] = mapped_column(String(30), default="")
    setting_id: Mapped[int] = mapped_column(ForeignKey("settings.id"), index=True)

    setting: Mapped[Setting] = relationship(back_populates="wards")

    @property
    def label(self) -> str:
        return f"{self.name}, {self.setting.name}"
