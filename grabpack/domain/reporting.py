"""Poor reporting, as facts recorded on an episode when it opens (DOMAIN.md):
no grab pack, pack incomplete, review overdue, photo stale, reported to police
more than an hour after the absence was noticed, s18 expiry not stated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ReportingFacts:
    had_no_pack: bool
    pack_incomplete: bool
    review_overdue: bool
    photo_stale: bool
    s18_expiry_stated: bool
    s18_applies: bool
    minutes_to_report: int | None

    def problems(self, late_after_minutes: int = 60) -> list[str]:
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
        if self.minutes_to_report is not None and self.minutes_to_report > late_after_minutes:
            found.append(f"Reported to police {self.minutes_to_report} minutes after noticed")
        if self.s18_applies and not self.s18_expiry_stated:
            found.append("s18 retake expiry not stated")
        return found


def minutes_between(noticed_at: datetime, reported_at: datetime | None) -> int | None:
    if reported_at is None:
        return None
    return max(0, int((reported_at - noticed_at).total_seconds() // 60))
