"""Dates as the wards live them: Europe/London, whatever the server's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_today(now: datetime | None = None) -> date:
    """Today's date in London (at 00:30 BST it is already tomorrow's date in London)."""
    return (now or datetime.now(UTC)).astimezone(LONDON).date()
