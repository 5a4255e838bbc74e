"""Building the printed grab pack from a stored version (never the live record)."""

from __future__ import annotations

from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import GrabPackVersion, MissingEpisode, Patient
from grabpack.models.base import utcnow
from grabpack.pdf.grab_pack import (
    GrabPackSnapshot,
    MissingHistoryLine,
    OpenEpisodeFacts,
    render_grab_pack,
)
from grabpack.services.episodes import FOUND_CATEGORIES
from grabpack.services.grab_packs import pack_for

HISTORY_LINES = 30


def _open_facts(episode: MissingEpisode | None) -> OpenEpisodeFacts | None:
    if episode is None or not episode.is_open:
        return None
    return OpenEpisodeFacts(
        kind=episode.kind_enum.label,
        noticed_at=episode.noticed_at,
        last_seen_at=episode.last_seen_at,
        last_seen_place=episode.last_seen_place,
        clothing=episode.clothing,
        circumstances=episode.circumstances,
        police_reference=episode.police_reference,
        s18_expires_on=episode.s18_expires_on,
        police_risk_grade=episode.risk_grade_label or None,
    )


def _history(patient: Patient) -> list[MissingHistoryLine]:
    episodes = db.session.scalars(
        select(MissingEpisode)
        .where(MissingEpisode.patient_id == patient.id)
        .order_by(MissingEpisode.noticed_at.desc())
        .limit(HISTORY_LINES)
    )
    return [
        MissingHistoryLine(
            noticed_at=e.noticed_at,
            kind=e.kind_enum.label,
            returned_at=e.returned_at,
            found_where=", ".join(
                filter(None, (FOUND_CATEGORIES.get(e.found_category, ""), e.found_place))
            ),
        )
        for e in episodes
    ]


def grab_pack_pdf(
    patient: Patient,
    version: GrabPackVersion,
    generated_for: str,
    episode: MissingEpisode | None = None,
) -> bytes:
    """The PDF of one stored version, with Part 2 facts when ``episode`` is open."""
    pack = pack_for(patient)
    is_current = pack is not None and pack.current_version_number == version.number
    ward = patient.ward
    snapshot = GrabPackSnapshot(
        patient_id=str(patient.id),
        version=version.number,
        data=version.data,
        reviewed_on=version.reviewed_on,
        review_due_on=(
            pack.review_due_on if is_current and pack.review_due_on else version.review_due_on
        ),
        saved_by=version.created_by.full_name or version.created_by.email,
        ward=ward.name,
        setting=ward.setting.name,
        ward_phone=ward.phone_24h,
        generated_for=generated_for,
        generated_at=utcnow(),
        photo_jpeg=version.photo.content if version.photo is not None else None,
        photo_taken_on=version.photo_taken_on,
        missing_history=_history(patient),
        open_episode=_open_facts(episode),
    )
    return render_grab_pack(snapshot)


def pdf_filename(patient: Patient, version_number: int) -> str:
    """No name in the file name: an opaque fragment and the version."""
    return f"grab-pack-{patient.id.hex[:8]}-v{version_number}.pdf"
