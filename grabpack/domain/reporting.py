"""Poor reporting on an episode, as the Affinity review counts it: no grab pack,
pack incomplete, review overdue, photo stale, reported to police late after the
absence was noticed, the retake limit not given to police where there is one, and
for a restricted patient the Ministry of Justice not told at once.

Pack facts are recorded when the episode opens, so that later edits cannot
rewrite how well it was reported; the times are judged from the episode's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ReportingPolicy:
    """Product defaults, configurable (``GRABPACK_LATE_REPORT_MINUTES``,
    ``GRABPACK_MOJ_NOTIFY_MINUTES``)."""

    late_report_minutes: int = 60
    moj_notify_minutes: int = 60


DEFAULT_POLICY = ReportingPolicy()


@dataclass(frozen=True)
class ReportingFacts:
    had_no_pack: bool
    pack_incomplete: bool
    review_overdue: bool
    photo_stale: bool
    s18_expiry_stated: bool
    # There is a retake limit for the ward to give police (``RetakePower.limit_to_state``).
    s18_limit_to_state: bool
    minutes_to_report: int | None
    restricted: bool = False
    # Minutes from noticed to the Ministry of Justice being told; when not told yet,
    # minutes from noticed until now (or the return).
    minutes_to_moj: int | None = None
    moj_told: bool = False

    def problems(self, policy: ReportingPolicy = DEFAULT_POLICY) -> list[str]:
        """What a ward can still fix, or a review should note, in plain words."""
        found = []
        if self.had_no_pack:
            found.append("No grab pack")
        else:
            if self.pack_incomplete:
                found.append("Grab pack incomplete")
            if self.review_overdue:
                found.append("Grab pack review overdue")
            if self.photo_stale:
                found.append("Photo out of date or missing")
        if self.reported_late(policy):
            found.append(f"Reported to police {self.minutes_to_report} minutes after noticed")
        if self.s18_not_stated:
            found.append("Police not told until when the patient can be taken back (s18)")
        if moj := self.moj_fault(policy):
            found.append(moj)
        return found

    def reported_late(self, policy: ReportingPolicy = DEFAULT_POLICY) -> bool:
        return self.minutes_to_report is not None and (
            self.minutes_to_report > policy.late_report_minutes
        )

    @property
    def s18_not_stated(self) -> bool:
        """Only where there is a retake limit to state: not for informal, restricted,
        remand or CTO patients who have not been recalled."""
        return self.s18_limit_to_state and not self.s18_expiry_stated

    def moj_fault(self, policy: ReportingPolicy = DEFAULT_POLICY) -> str | None:
        """A restricted patient's absence not told to the Ministry of Justice in time.
        A prompt until then, never a gate on reporting to police."""
        if not self.restricted or self.minutes_to_moj is None:
            return None
        if self.minutes_to_moj <= policy.moj_notify_minutes:
            return None
        if self.moj_told:
            return f"Ministry of Justice told {self.minutes_to_moj} minutes after noticed"
        return f"Ministry of Justice not told within {policy.moj_notify_minutes} minutes"

    @property
    def moj_outstanding(self) -> bool:
        """A restricted patient whose absence the Ministry of Justice has not been told."""
        return self.restricted and not self.moj_told

    def is_poor(self, policy: ReportingPolicy = DEFAULT_POLICY) -> bool:
        return bool(self.problems(policy))


def minutes_between(noticed_at: datetime, reported_at: datetime | None) -> int | None:
    if reported_at is None:
        return None
    return max(0, int((reported_at - noticed_at).total_seconds() // 60))
