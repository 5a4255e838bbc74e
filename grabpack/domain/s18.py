"""When the power to retake an absent patient (Mental Health Act s18) runs out.

The Code of Practice asks the reporting clinician to state this date to police,
not leave them to work it out. This is a product reading of the Act and its
table in DOMAIN.md: every screen that shows it says the trust's legal rules apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from grabpack.domain.mental_health_act import legal_status

CAUTION = "Calculated from the recorded section dates: confirm with the trust's MHA office."

# Sections that may be retaken only within the period of detention itself.
_PERIOD = {
    "s5_4": timedelta(hours=6),
    "s5_2": timedelta(hours=72),
    "s4": timedelta(hours=72),
    "s2": timedelta(days=28),
    "s35": timedelta(days=28),
    "s36": timedelta(days=28),
    "s38": timedelta(weeks=12),
}
# Treatment sections: the later of six months from the first day of absence and
# the end of the current period of detention.
_SIX_MONTHS_OR_END = {"s3", "s37", "cto_17a", "cto_17e"}


@dataclass(frozen=True)
class S18Expiry:
    """``on`` is the last day the patient can be retaken; ``no_limit`` for restricted
    patients; ``not_applicable`` for informal patients, who are missing, not AWOL."""

    on: date | None
    no_limit: bool = False
    not_applicable: bool = False
    unknown_reason: str = ""

    @property
    def summary(self) -> str:
        if self.not_applicable:
            return "Not applicable: informal patient (missing, not AWOL)"
        if self.no_limit:
            return "No expiry: restricted patient, may be retaken at any time"
        if self.on is None:
            return f"Not known: {self.unknown_reason}"
        return f"{self.on:%-d %B %Y}"


def s18_expiry(
    status_key: str | None,
    section_start: date | None,
    section_end: date | None,
    first_day_absent: date,
) -> S18Expiry:
    status = legal_status(status_key)
    if status is None:
        return S18Expiry(None, unknown_reason="no legal status recorded in the grab pack")
    if not status.detained:
        return S18Expiry(None, not_applicable=True)
    if status.restricted:
        return S18Expiry(None, no_limit=True)
    if status.key in _PERIOD:
        if section_end is not None:
            return S18Expiry(section_end)
        if section_start is None:
            return S18Expiry(None, unknown_reason="section start date not recorded")
        return S18Expiry(section_start + _PERIOD[status.key])
    if status.key in _SIX_MONTHS_OR_END:
        six_months = _add_months(first_day_absent, 6)
        return S18Expiry(max(six_months, section_end) if section_end else six_months)
    return S18Expiry(None, unknown_reason=f"no rule for {status.label}")


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):  # 31 August + 6 months -> 28/29 February
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")
