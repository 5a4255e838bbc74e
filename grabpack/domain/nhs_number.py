"""NHS number: ten digits, the last a modulus 11 check digit."""

from __future__ import annotations

import re

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


class InvalidNHSNumber(ValueError):
    """Not a valid NHS number; the message says why in words a nurse can act on."""


def normalise_nhs_number(raw: str) -> str:
    """Return the ten digits of ``raw`` (spaces and hyphens allowed), or raise.

    >>> normalise_nhs_number("943 476 5919")
    '9434765919'
    """
    digits = re.sub(r"[\s-]", "", raw or "")
    if not digits:
        raise InvalidNHSNumber("Enter the NHS number: 10 digits")
    if not digits.isascii() or not digits.isdigit():
        raise InvalidNHSNumber("NHS number must contain only digits")
    if len(digits) != 10:
        raise InvalidNHSNumber("NHS number must be 10 digits")
    expected = check_digit(digits[:9])
    if expected is None or expected != int(digits[9]):
        raise InvalidNHSNumber("Enter a valid NHS number: the check digit does not match")
    return digits


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or ``None`` when no valid number can start so."""
    total = sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True))
    remainder = 11 - (total % 11)
    if remainder == 11:
        return 0
    if remainder == 10:
        return None
    return remainder


def format_nhs_number(digits: str) -> str:
    """Display form, ``943 476 5919``."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
