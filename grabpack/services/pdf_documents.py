"""Building the printed grab pack from a stored version (never the live record)."""

from __future__ import annotations

from sqlalchemy import select

from grabpack.domain.clock import london_today
from grabpack.domain.episode_schema import FIELDS_BY_KEY, display, shown_rows
from grabpack.domain.review import is_photo_stale
from grabpack.extensions import db
from grabpack.models import GrabPackVersion, MissingEpisode, Patient
from grabpack.models.base import utcnow
from grabpack.pdf.grab_pack import (
    GrabPackSnapshot,
    MissingHistoryLine,
    OpenEpisodeFacts,
    ReturnedFacts,
    render_grab_pack,
)
from grabpack.policies import review_policy
from grabpack.services.grab_packs import pack_for

HISTORY_LINES = 30

_FOUND_CATEGORY = FIELDS_BY_KEY["found_category"]


def _rows(
    episode: MissingEpisode, sections: tuple[str, ...], **which
) -> tuple[tuple[str, str], ...]:
    """(label, value as printed) for the fields of ``sections`` the episode has a value for."""
    return tuple((label, value) for label, value in shown_rows(episode, sections, **which) if value)


def _open_facts(episode: MissingEpisode | None) -> OpenEpisodeFacts | None:
    """Part 2 as police were given it, read from the episode declaration."""
    if episode is None or not episode.is_open:
        return None
    return OpenEpisodeFacts(
        kind=episode.kind_enum.label,
        noticed_at=episode.noticed_at,
        retake=episode.retake_power,
        # The box's title gives the kind and time noticed; the legal facts have a block.
        rows=_rows(episode, ("absence", "police"), for_police=True, skip=("kind", "noticed_at")),
        legal_status=episode.legal_status or "",
        legal_label=episode.legal_label,
        legal_rows=_rows(episode, ("legal",), skip=("legal_status",)),
    )


def _returned_facts(episode: MissingEpisode | None) -> ReturnedFacts | None:
    """The episode that gave police access, once the patient is back (its grace
    hours): page 1 says they returned."""
    if episode is None or episode.is_open or episode.returned_at is None:
        return None
    return ReturnedFacts(episode.kind_enum.label, episode.noticed_at, episode.returned_at)


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
                filter(None, (display(_FOUND_CATEGORY, e.found_category), e.found_place))
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
    has_photo = version.photo is not None
    now = utcnow()
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
        generated_at=now,
        photo_jpeg=version.photo.content if has_photo else None,
        photo_taken_on=version.photo_taken_on,
        photo_stale=is_photo_stale(
            has_photo, version.photo_taken_on, london_today(now), review_policy()
        ),
        missing_history=_history(patient),
        open_episode=_open_facts(episode),
        returned=_returned_facts(episode),
    )
    return render_grab_pack(snapshot)


def pdf_filename(patient: Patient, version_number: int) -> str:
    """No name in the file name: an opaque fragment and the version."""
    return f"grab-pack-{patient.id.hex[:8]}-v{version_number}.pdf"
