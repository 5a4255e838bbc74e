"""Small pieces of English that pages and documents share, so that a number reads
the same wherever it is shown. Plain Python, no Flask."""

from __future__ import annotations


def ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``12th``, ``13th``, ``21st``,
    ``101st``, ``111th``: the suffix follows the last digit, except that numbers
    ending 11, 12 and 13 take ``th`` (as they are said: "eleventh")."""
    if number < 0:
        raise ValueError("an ordinal counts from 0")
    if number % 100 in (11, 12, 13):
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
