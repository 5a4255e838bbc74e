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
    """A review that cannot be shown, with a title and a sentence for the reader."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__(message)
        self.title = title
        self.message = message


def last_full_month(now: datetime) -> Month:
    """The month before the current London month: the one a monthly meeting reviews."""
    return previous_month(month_of(now))


def reviewable_month(text: str, now: datetime) -> Month:
    """``text`` as a month that has begun in London, or ``NoSuchReview`` saying why not."""
    try:
        month = parse_month(text)
    except ValueError as error:
        raise NoSuchReview("That is not a month", str(error)) from None
    if month > month_of(now):
        raise NoSuchReview(
            f"{month.label} has not started yet",
            "A month can be reviewed from its first day. "
            f"The latest full month is {last_full_month(now).label}.",
        )
    if month < EARLIEST:
        raise NoSuchReview(
            f"There is no review of {month.label}",
            f"Reviews start from {EARLIEST.label}.",
        )
    return month


def months_offered(now: datetime, shown: Month) -> list[Month]:
    """The months the page's chooser lists, newest first: this month and the two
    years before it, and the month shown even when it is older."""
    months = [month_of(now)]
    while len(months) < MONTHS_OFFERED:
        months.append(previous_month(months[-1]))
    if shown not in months:
        months.append(shown)
    return months
