"""Which months a reader may ask to review, and the months the page offers.

A month is reviewable from its first London day: the current month shows the
figures so far, a month not yet begun has no review (there is nothing to count,
and a link to it would only ever show zeros).
"""

from __future__ import annotations

from datetime import datetime

from grabpack.domain.monthly_review import Month, month_of, parse_month, previous_month

# The trend reaches eleven months back from the month asked for; well before any
# record grabpack keeps, and far from the calendar's year 1, where it would fail.
EARLIEST = Month(2000, 1)
MONTHS_OFFERED = 24


class NoSuchReview(LookupError):
    """A review that cannot be shown: a title and a sentence for the page, and ``line``,
    the one sentence a command prints (the title with its advice, by default)."""

    def __init__(self, title: str, message: str, line: str | None = None) -> None:
        super().__init__(message)
        self.title = title
        self.message = message
        self.line = line or f"{title}: {message[:1].lower()}{message[1:].rstrip('.')}"


def last_full_month(now: datetime) -> Month:
    """The month before the current London month: the one a monthly meeting reviews."""
    return previous_month(month_of(now))


def reviewable_month(text: str, now: datetime) -> Month:
    """``text`` as a month that has begun in London, or ``NoSuchReview`` saying why not."""
    try:
        month = parse_month(text)
    except ValueError:
        example = last_full_month(now)
        raise NoSuchReview(
            f"{_as_given(text)} is not a month", f"Write it as YYYY-MM, like {example}."
        ) from None
    if month < EARLIEST:  # before the label is made: year 1 would read "January 1"
        before = f"There is no review before {EARLIEST.label}"
        raise NoSuchReview(
            before,
            f"Reviews start from {EARLIEST.label}: choose that month or a later one.",
            line=before,
        )
    if month > month_of(now):
        latest = last_full_month(now).label
        raise NoSuchReview(
            f"{month.label} has not started yet",
            f"A month can be reviewed from its first day. The latest full month is {latest}.",
            line=f"{month.label} has not started yet: the latest full month is {latest}",
        )
    return month


def _as_given(text: object) -> str:
    """What was asked for, repeated only when it is short, printable text: anything
    else (blank, a line break, a page of characters) is "That"."""
    given = text.strip() if isinstance(text, str) else ""
    return given if given and len(given) <= 20 and given.isprintable() else "That"


def months_offered(now: datetime, shown: Month) -> list[Month]:
    """The months the page's chooser lists, newest first: this month and the two
    years before it, and the month shown even when it is older."""
    months = [month_of(now)]
    while len(months) < MONTHS_OFFERED:
        months.append(previous_month(months[-1]))
    if shown not in months:
        months.append(shown)
    return months
