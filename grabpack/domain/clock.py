"""Dates as the wards live them: Europe/London, whatever the server's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
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


_TIME_OF_DAY = re.compile(
    r"(?P<hour>\d{1,2})(?:\s*[:.h]?\s*(?P<minute>\d{2}))?(?:\s*(?P<half>[ap])\.?\s*m\.?)?",
    re.IGNORECASE,
)


def parse_time_of_day(text: str) -> time:
    """A time as people type it on a ward: ``22:00``, ``22.00``, ``2200``, ``10pm``,
    ``10:30 p.m.``. Raises ``ValueError`` for anything else (``25:00``, ``10``)."""
    match = _TIME_OF_DAY.fullmatch(text.strip())
    if not match:
        raise ValueError(f"not a time of day: {text!r}")
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(f"not a time of day: {text!r}")
        hour = hour % 12 + (12 if half == "p" else 0)
    elif match["minute"] is None:
        raise ValueError(f"a time needs its minutes: {text!r}")
    return time(hour, minute)  # ValueError for 24:00, 10:75


def time_text(value: time | None) -> str:
    """``22:00``: the 24-hour clock, as the NHS style guide writes times."""
    return f"{value:%H:%M}" if value else ""
