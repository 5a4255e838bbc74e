"""Plans: what is decided about a patient before anything is saved.

Who they are, their pack state, and when they went missing are fixed first, for
every patient, so that the mix holds exactly; writing then replays each year in
time order and draws an episode's details from the pack as it stood that day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from grabpack.demo.data.clinical import KINDS, Kind
from grabpack.demo.data.london import WardSpec
from grabpack.demo.data.people import Heritage
from grabpack.models import Patient


@dataclass(frozen=True)
class SavedVersion:
    """What the demo remembers of a version it saved: enough to decide the next steps."""

    review_due_on: date
    missing_risk: str


@dataclass
class PlannedEpisode:
    """When a patient was missing, and when the ward closed the episode on the system.

    ``closed_at`` follows the return by minutes, or comes after the police prevention
    interview (``interview_at``) when the ward waited for it; the service records the
    interview only when the episode closes.
    """

    noticed_at: datetime
    returned_at: datetime | None
    closed_at: datetime | None = None
    interview_at: datetime | None = None
    story: str = ""  # the legal story it shows (``grabpack.demo.stories``), if any


@dataclass
class Plan:
    """One patient: who they are, what happens to them, and the versions saved so far."""

    patient: Patient
    ward: WardSpec
    heritage: Heritage
    gender: str
    latin_name: str
    alias: str
    admitted: datetime
    spike: bool
    discharged: datetime | None = None
    state: str = "complete"  # none, draft, complete or overdue
    open_episode: bool = False
    episode_mode: str = "none"
    legal: list[tuple[datetime, str]] = field(default_factory=list)
    cto_began: date | None = None  # for a patient recalled from a CTO: when the CTO was made
    story: str = ""  # a legal story every demo shows (``grabpack.demo.stories``)
    story_at: datetime | None = None  # when the story's absence was noticed
    risk: str = "low"
    risk_change: tuple[datetime, str] | None = None
    s17_leave: str = "none"
    episodes: list[PlannedEpisode] = field(default_factory=list)
    versions: list[SavedVersion] = field(default_factory=list)
    profile: dict = field(default_factory=dict)

    @property
    def kind(self) -> Kind:
        return KINDS[self.ward.kind]

    @property
    def end(self) -> datetime:
        """The last moment the patient was on the ward, or could be if still there."""
        return self.discharged or datetime.max.replace(tzinfo=UTC)

    @property
    def current(self) -> SavedVersion | None:
        """The pack's current version: the history is written in time order."""
        return self.versions[-1] if self.versions else None

    @property
    def closed_episodes(self) -> list[PlannedEpisode]:
        return [episode for episode in self.episodes if episode.returned_at is not None]

    def risk_at(self, at: datetime) -> str:
        """The trust's missing-risk category at ``at``."""
        if self.risk_change is not None and self.risk_change[0] <= at:
            return self.risk_change[1]
        return self.risk
