"""What the officer's list shows of each missing patient's current grab pack.

The list is a card per open episode; each card needs a few facts from the current
version (is there a photo, the trust's missing-risk category, the name the patient
is known by). One query for every listed patient, so the list costs the same
number of queries whatever the number of episodes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, select

from grabpack.domain.grab_pack_schema import SECTIONS_BY_KEY, display_value, value_of
from grabpack.extensions import db
from grabpack.models import GrabPack, GrabPackVersion

_RISK_FIELD = next(f for f in SECTIONS_BY_KEY["risk"].fields if f.key == "missing_risk")


@dataclass(frozen=True)
class PackFacts:
    """The current version's facts a card shows."""

    has_photo: bool
    missing_risk: str  # the trust's category as people read it, or ""
    known_as: str  # the preferred name, when it is not the name already shown


def current_pack_facts(patients: dict[uuid.UUID, str]) -> dict[uuid.UUID, PackFacts]:
    """Facts of each patient's current version, by patient id (``patients`` maps an
    id to the name the list shows). A patient with no pack is absent."""
    if not patients:
        return {}
    rows = db.session.execute(
        select(
            GrabPack.patient_id,
            GrabPackVersion.photo_id,
            GrabPackVersion.missing_risk,
            GrabPackVersion.data,
        )
        .join(
            GrabPackVersion,
            and_(
                GrabPackVersion.grab_pack_id == GrabPack.id,
                GrabPackVersion.number == GrabPack.current_version_number,
            ),
        )
        .where(GrabPack.patient_id.in_(list(patients)))
    )
    facts = {}
    for patient_id, photo_id, missing_risk, data in rows:
        preferred = str(value_of(data or {}, "identity", "preferred_name") or "").strip()
        shown = patients[patient_id]
        facts[patient_id] = PackFacts(
            has_photo=photo_id is not None,
            missing_risk=display_value(_RISK_FIELD, missing_risk),
            known_as=preferred if preferred and preferred not in shown else "",
        )
    return facts
