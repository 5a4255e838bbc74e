"""Dates as the wards live them: Europe/London, whatever the server's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_today(now: datetime | None = None) -> date:
    """Today's date in London (at 00:30 BST it is already tomorrow's date in London)."""
    return (now or datetime.now(UTC)).astimezone(LONDON).date()


def to_london(moment: datetime) -> datetime:
    """A stored time on London's clock (GMT or BST as the date says); naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON)


def long_date(value: date | None) -> str:
    """``1 March 2027``, as the NHS style guide writes dates; empty for none."""
    return f"{value.day} {value:%B %Y}" if value else ""


def age_on(born: date | str | None, today: date) -> int | None:
    """Whole years old on ``today``; ``None`` for an unknown or impossible birth date."""
    try:
        birth = born if isinstance(born, date) else date.fromisoformat(str(born))
    except ValueError:
        return None
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return years if years >= 0 else None
