"""Legal status under the Mental Health Act 1983, with the retake rule of each.

Each status names the rule by which a patient who is absent can (or cannot) be
taken back: ``retake.power_to_retake`` reads it. The rules are a product reading
of the Act; every screen that states the power says the trust's MHA office
confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RetakeRule(StrEnum):
    """How the power to take an absent patient back is worked out for a status."""

    NOT_DETAINED = "not_detained"  # informal: missing, not AWOL; no power
    HOURS = "hours"  # holding powers: a number of hours from a moment
    DAYS_FROM_START = "days_from_start"  # s2: 28 days beginning with admission
    SIX_MONTHS_OR_PERIOD_END = "six_months_or_period_end"  # s18(4): s3, s37, CTO recall, s7
    NOT_RECALLED = "not_recalled"  # CTO: only a recalled patient can be AWOL (s18(2A))
    RESTRICTED = "restricted"  # any time while the restriction lasts (s41(3)(d))
    REMAND = "remand"  # s35, s36, s38: arrest without warrant, back to court
    PLACE_OF_SAFETY = "place_of_safety"  # s135/s136: s138, within the period only


@dataclass(frozen=True)
class LegalStatus:
    key: str
    label: str
    meaning: str
    rule: RetakeRule
    part_iii: bool = False  # criminal-justice sections: report to police at once
    restricted: bool = False  # Ministry of Justice must be told at once
    hours: int = 0  # for hour-counted powers: how long the power lasts
    days: int = 0  # for day-counted periods: how many days, beginning with the start
    start_event: str = "section start"  # what the start moment is, in the Act's words
    other_power: str = ""  # for remand: the power police do have, with its citation
    detained: bool = True  # liable to be detained in hospital

    @property
    def counted_in_hours(self) -> bool:
        return self.rule in (RetakeRule.HOURS, RetakeRule.PLACE_OF_SAFETY)

    @property
    def needs_start_time(self) -> bool:
        """Hour powers run from a moment, to the minute: the start needs a time."""
        return self.counted_in_hours

    @property
    def needs_start(self) -> bool:
        """Powers counted from their start (hours, or s2's 28 days) need its date."""
        return self.rule in (
            RetakeRule.HOURS,
            RetakeRule.PLACE_OF_SAFETY,
            RetakeRule.DAYS_FROM_START,
        )

    @property
    def needs_period_end(self) -> bool:
        """s18(4) statuses, and a CTO that may be recalled: the end of the current
        period (renewals applied) decides how long the power lasts."""
        return self.rule in (RetakeRule.SIX_MONTHS_OR_PERIOD_END, RetakeRule.NOT_RECALLED)


R = RetakeRule
LEGAL_STATUSES: tuple[LegalStatus, ...] = (
    LegalStatus("informal", "Informal", "Voluntary patient", R.NOT_DETAINED, detained=False),
    LegalStatus(
        "s5_4",
        "Section 5(4)",
        "Nurse's holding power (6 hours)",
        R.HOURS,
        hours=6,
        start_event="the nurse's record",
    ),
    LegalStatus(
        "s5_2",
        "Section 5(2)",
        "Doctor's holding power (72 hours)",
        R.HOURS,
        hours=72,
        start_event="the report to the hospital managers",
    ),
    LegalStatus(
        "s4",
        "Section 4",
        "Emergency assessment (72 hours)",
        R.HOURS,
        hours=72,
        start_event="admission",
    ),
    LegalStatus(
        "s2",
        "Section 2",
        "Assessment (28 days)",
        R.DAYS_FROM_START,
        days=28,
        start_event="admission",
    ),
    LegalStatus("s3", "Section 3", "Treatment (6 months, renewable)", R.SIX_MONTHS_OR_PERIOD_END),
    LegalStatus(
        "s35",
        "Section 35",
        "Court remand for report (28 days)",
        R.REMAND,
        part_iii=True,
        other_power="s35(10)",
    ),
    LegalStatus(
        "s36",
        "Section 36",
        "Court remand for treatment (28 days)",
        R.REMAND,
        part_iii=True,
        other_power="s36(8)",
    ),
    LegalStatus(
        "s37",
        "Section 37",
        "Hospital order (6 months, renewable)",
        R.SIX_MONTHS_OR_PERIOD_END,
        part_iii=True,
    ),
    LegalStatus(
        "s38",
        "Section 38",
        "Interim hospital order (12 weeks)",
        R.REMAND,
        part_iii=True,
        other_power="s38(7)",
    ),
    LegalStatus("s37_41", "Section 37/41", "Restricted hospital order", R.RESTRICTED, True, True),
    LegalStatus(
        "s45a", "Section 45A", "Hospital and limitation direction", R.RESTRICTED, True, True
    ),
    LegalStatus("s47_49", "Section 47/49", "Restricted prison transfer", R.RESTRICTED, True, True),
    LegalStatus(
        "s48_49", "Section 48/49", "Restricted urgent prison transfer", R.RESTRICTED, True, True
    ),
    LegalStatus(
        "cto_17a",
        "CTO (section 17A)",
        "Community treatment order, not recalled",
        R.NOT_RECALLED,
        detained=False,
    ),
    LegalStatus(
        "cto_17e",
        "CTO recall (section 17E)",
        "Recalled to hospital from a CTO",
        R.SIX_MONTHS_OR_PERIOD_END,
    ),
    LegalStatus(
        "s7",
        "Guardianship (section 7)",
        "Absent from the residence the guardian requires",
        R.SIX_MONTHS_OR_PERIOD_END,
        detained=False,
    ),
    LegalStatus(
        "s136",
        "Section 136",
        "Removed by police to a place of safety (24 hours)",
        R.PLACE_OF_SAFETY,
        hours=24,
        start_event="arrival at the place of safety",
    ),
    LegalStatus(
        "s135",
        "Section 135",
        "Removed under a warrant to a place of safety (24 hours)",
        R.PLACE_OF_SAFETY,
        hours=24,
        start_event="arrival at the place of safety",
    ),
)

BY_KEY = {status.key: status for status in LEGAL_STATUSES}


def legal_status(key: str | None) -> LegalStatus | None:
    return BY_KEY.get(key or "")


def legal_label(key: str | None) -> str:
    """The status as people read it; "Not recorded" when there is none."""
    status = legal_status(key)
    return status.label if status else "Not recorded"
