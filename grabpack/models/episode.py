"""Missing episodes: Part 2 of the protocol, what is known only when someone goes missing.

The facts are declared in ``grabpack.domain.episode_schema``; each declared field
is a column here of the same name. An episode never writes to the grab pack. It
records the pack version current when it opened, the legal position as the ward
stated it then, the power to retake worked out from it (what police are told),
and the reporting-quality facts as they stood, so that later edits to the pack
cannot rewrite how well it was reported.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from grabpack.domain.episode_schema import EpisodeKind, PoliceRiskGrade
from grabpack.domain.mental_health_act import legal_label
from grabpack.domain.monthly_review import highest_grade
from grabpack.domain.retake import RetakePower, absence_began
from grabpack.extensions import db
from grabpack.models.base import UTCDateTime, created_at_column
from grabpack.models.org import Ward
from grabpack.models.patient import Patient

# The monthly review's figures, kept when an episode is written (``episode_figures``),
# with the patient they belong to: the columns its covering indexes carry.
KEPT_COLUMNS = (
    "patient_id",
    "minutes_to_report",
    "minutes_missing",
    "window_episodes",
    "window_top_grade",
)


class MissingEpisode(db.Model):
    __tablename__ = "missing_episodes"
    __table_args__ = (
        # A ward's episodes by time; a month's episodes, and the trend's counts per ward.
        # Both carry the figures kept for the monthly review, so that its statements
        # read the index alone: SQLite walks the wards (the first), PostgreSQL the
        # month's range (the second); benchmarks/RESULTS.md has the plans.
        Index("ix_missing_episodes_ward_noticed_kept", "ward_id", "noticed_at", *KEPT_COLUMNS),
        Index(
            "ix_missing_episodes_noticed_ward_kept", "noticed_at", "ward_id", *KEPT_COLUMNS, "id"
        ),
        # The repeat rule's window, and the highest grade in it, from the index alone.
        Index(
            "ix_missing_episodes_patient_noticed_grade",
            "patient_id",
            "noticed_at",
            "police_risk_grade",
        ),
        Index("ix_missing_episodes_returned_at", "returned_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    # The ward at the time: a later transfer must not move the episode.
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    grab_pack_version_number: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))

    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_seen_place: Mapped[str] = mapped_column(String(500), default="")
    leave_due_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    noticed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    police_reference: Mapped[str] = mapped_column(String(50), default="")
    police_risk_grade: Mapped[str | None] = mapped_column(String(10))
    # The highest grade police ever gave this episode: the monthly review's
    # high-risk repeat counts a grade lowered later (set by ``_kept_highest``).
    highest_police_risk_grade: Mapped[str | None] = mapped_column(String(10))
    clothing: Mapped[str] = mapped_column(Text, default="")
    circumstances: Mapped[str] = mapped_column(Text, default="")

    ward_and_grounds_searched: Mapped[bool] = mapped_column(Boolean, default=False)
    cctv_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    security_told: Mapped[bool] = mapped_column(Boolean, default=False)
    next_of_kin_contacted: Mapped[bool] = mapped_column(Boolean, default=False)

    # The legal position as the ward stated it when reporting (it wins over the pack).
    legal_status: Mapped[str] = mapped_column(String(20), default="")
    section_start_on: Mapped[date | None] = mapped_column(Date)
    section_start_time: Mapped[time | None] = mapped_column(Time)
    period_ends_on: Mapped[date | None] = mapped_column(Date)
    cto_recalled_on: Mapped[date | None] = mapped_column(Date)
    detention_ended_on: Mapped[date | None] = mapped_column(Date)
    # The power to retake worked out from it: what police are told (``RetakePower``).
    retake_answer: Mapped[str] = mapped_column(String(20), default="not_known")
    retake_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retake_statement: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    s18_expiry_stated: Mapped[bool] = mapped_column(Boolean, default=False)
    moj_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Reporting quality at opening (``domain.reporting``: "poor reporting").
    had_no_pack: Mapped[bool] = mapped_column(Boolean, default=False)
    pack_incomplete: Mapped[bool] = mapped_column(Boolean, default=False)
    review_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_stale: Mapped[bool] = mapped_column(Boolean, default=False)

    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    found_category: Mapped[str] = mapped_column(String(30), default="")
    found_place: Mapped[str] = mapped_column(String(500), default="")
    found_by: Mapped[str] = mapped_column(String(20), default="")
    harm_while_missing: Mapped[str] = mapped_column(Text, default="")
    prevention_interview_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Kept when the episode is written (``models.episode_figures``), read by the monthly
    # review: whole minutes noticed to reported and went to returned, and the patient's
    # episodes in the repeat window ending at this one with the highest grade among them.
    minutes_to_report: Mapped[int | None] = mapped_column(Integer)
    minutes_missing: Mapped[int | None] = mapped_column(Integer)
    window_episodes: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    window_top_grade: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")

    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()

    patient: Mapped[Patient] = relationship()
    ward: Mapped[Ward] = relationship()
    risk_grades: Mapped[list[RiskGradeChange]] = relationship(
        back_populates="episode", order_by="RiskGradeChange.recorded_at"
    )

    @validates("police_risk_grade")
    def _kept_highest(self, _key: str, grade: str | None) -> str | None:
        """Each grade given raises the highest one the episode has had, never lowers it."""
        highest = highest_grade((self.highest_police_risk_grade, grade))
        self.highest_police_risk_grade = highest.value if highest else None
        return grade

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    @property
    def absence_began_at(self) -> datetime | None:
        """When the patient went: the end of leave they did not return from, else when
        last seen. What "missing since" means to police, not when it was noticed."""
        return absence_began(self.last_seen_at, self.leave_due_back_at)

    @property
    def kind_enum(self) -> EpisodeKind:
        return EpisodeKind(self.kind)

    @property
    def risk_grade_label(self) -> str:
        grade = self.police_risk_grade
        return PoliceRiskGrade(grade).label if grade else ""

    @property
    def legal_label(self) -> str:
        return legal_label(self.legal_status)

    @property
    def retake_power(self) -> RetakePower:
        """What police were told about taking the patient back (stored, not recomputed)."""
        return RetakePower.from_record(self.retake_statement)

    def set_retake_power(self, power: RetakePower) -> None:
        self.retake_statement = power.to_record()
        self.retake_answer = power.answer.value
        self.retake_ends_at = power.ends_at


class RiskGradeChange(db.Model):
    """Each police risk grade given during an episode, kept as history."""

    __tablename__ = "risk_grade_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missing_episodes.id"), index=True)
    grade: Mapped[str] = mapped_column(String(10))
    recorded_at: Mapped[datetime] = created_at_column()
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    episode: Mapped[MissingEpisode] = relationship(back_populates="risk_grades")

    @property
    def label(self) -> str:
        return PoliceRiskGrade(self.grade).label


class ShareLink(db.Model):
    """A link ward staff give an officer without an account, for one open episode.

    Only a hash of the token is stored; the link shows the PDF only after the
    episode's police reference is entered, and dies when the episode closes.
    """

    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("missing_episodes.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    use_count: Mapped[int] = mapped_column(Integer, default=0)
    # Wrong police references typed, counted in the database (every worker sees them);
    # the link is disabled at the configured number.
    wrong_references: Mapped[int] = mapped_column(Integer, default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    episode: Mapped[MissingEpisode] = relationship()
