"""Legal status under the Mental Health Act 1983, as DOMAIN.md tabulates it.

Retake rules are a product reading of the Act: every screen that shows an s18
expiry also says that the trust's legal rules apply.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LegalStatus:
    key: str
    label: str
    meaning: str
    part_iii: bool = False  # criminal-justice sections: report to police at once
    restricted: bool = False  # Ministry of Justice must be told
    detained: bool = True  # leaving without leave is AWOL, not "missing"


LEGAL_STATUSES: tuple[LegalStatus, ...] = (
    LegalStatus("informal", "Informal", "Voluntary patient", detained=False),
    LegalStatus("s5_4", "Section 5(4)", "Nurse's holding power (6 hours)"),
    LegalStatus("s5_2", "Section 5(2)", "Doctor's holding power (72 hours)"),
    LegalStatus("s4", "Section 4", "Emergency assessment (72 hours)"),
    LegalStatus("s2", "Section 2", "Assessment (28 days)"),
    LegalStatus("s3", "Section 3", "Treatment (6 months, renewable)"),
    LegalStatus("s35", "Section 35", "Court remand for report (28 days)", part_iii=True),
    LegalStatus("s36", "Section 36", "Court remand for treatment (28 days)", part_iii=True),
    LegalStatus("s37", "Section 37", "Hospital order (6 months, renewable)", part_iii=True),
    LegalStatus("s38", "Section 38", "Interim hospital order (12 weeks)", part_iii=True),
    LegalStatus("s37_41", "Section 37/41", "Restricted hospital order", True, True),
    LegalStatus("s47_49", "Section 47/49", "Restricted prison transfer", True, True),
    LegalStatus("s48_49", "Section 48/49", "Restricted urgent prison transfer", True, True),
    LegalStatus("cto_17a", "CTO (section 17A)", "Community treatment order"),
    LegalStatus("cto_17e", "CTO recall (section 17E)", "Recalled to hospital from a CTO"),
)

BY_KEY = {status.key: status for status in LEGAL_STATUSES}


def legal_status(key: str | None) -> LegalStatus | None:
    return BY_KEY.get(key or "")
