"""UK postcodes: normalised and checked for format only (not that they exist)."""

from __future__ import annotations

import re

POSTCODE_RE = re.compile(
    r"^(GIR 0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKS-UW]"
    r"|[A-HK-Y][0-9][ABEHMNPRV-Y]) [0-9][ABD-HJLNP-UW-Z]{2})$"
)


class InvalidPostcode(ValueError):
    pass


def normalise_postcode(raw: str) -> str:
    """Upper case with one space before the inward code: ``e1 4dg`` -> ``E1 4DG``."""
    compact = re.sub(r"\s+", "", raw or "").upper()
    if len(compact) < 5:
        raise InvalidPostcode("Enter a full UK postcode, like E1 4DG")
    candidate = f"{compact[:-3]} {compact[-3:]}"
    if not POSTCODE_RE.match(candidate):
        raise InvalidPostcode("Enter a real UK postcode, like E1 4DG")
    return candidate
