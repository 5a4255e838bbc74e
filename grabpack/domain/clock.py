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


_ZONE = re.compile(r"\s*(?<![a-z])(?P<zone>BST|GMT)\s*$", re.IGNORECASE)


def split_zone(typed: str) -> tuple[str, str]:
    """``"01:10 GMT"`` as ``("01:10", "GMT")``; a time typed without a zone as
    ``(typed, "")``. The zone only chooses between the two 01:xx of October."""
    match = _ZONE.search(typed)
    if not match:
        return typed, ""
    return typed[: match.start()], match["zone"].upper()


def _happened(typed: datetime) -> bool:
    """A London clock showed this (naive) date and time at least once."""
    first = typed.replace(tzinfo=LONDON, fold=0)
    return first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) == typed


def shown_twice(clock_time: datetime) -> bool:
    """A London clock showed this date and time twice: October's hour after 01:00, first
    in BST, then in GMT. ``clock_time`` is naive, or on London's clock (its zone is
    ignored)."""
    typed = clock_time.replace(tzinfo=None)
    first, second = typed.replace(tzinfo=LONDON, fold=0), typed.replace(tzinfo=LONDON, fold=1)
    return _happened(typed) and first.utcoffset() != second.utcoffset()


def read_london_clock(day: date, at: time, zone: str = "") -> datetime:
    """A time read off a London clock on ``day``, as aware UTC, or ``ValueError``
    saying why no moment fits, in words a nurse can act on.

    Twice a year the clock lies: in March 01:00-01:59 never happens (01:00 GMT is
    followed by 02:00 BST), and in October 01:00-01:59 happens twice (BST, then
    GMT). Guessing would tell police a time the nurse did not type (01:30 silently
    read as 02:30) or put an hour between two times that were minutes apart, so a
    time that never happened is refused, and one that happened twice needs its
    zone (``01:10 GMT``). A zone given for any other time must be London's then.
    """
    typed = datetime.combine(day, at)
    first, second = typed.replace(tzinfo=LONDON, fold=0), typed.replace(tzinfo=LONDON, fold=1)
    clock = f"{at:%H:%M} on {long_date(day)}"
    if not _happened(typed):
        raise ValueError(
            f"{clock} did not happen in London: the clocks went forward from 01:00 to 02:00. "
            "Enter the time the clock showed, like 02:30"
        )
    twice = shown_twice(typed)
    if twice and not zone:
        raise ValueError(
            f"{clock} happened twice in London: the clocks went back from 02:00 to 01:00. "
            f"Add BST for the first or GMT for the second, like {at:%H:%M} GMT"
        )
    chosen = second if twice and zone == "GMT" else first
    if zone and chosen.tzname() != zone:
        raise ValueError(f"London was on {chosen.tzname()} at {clock}, not {zone}")
    return chosen.astimezone(UTC)
