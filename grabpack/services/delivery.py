"""Every grab pack that leaves the building, by one path.

``deliver`` takes who is asking (ward staff, a police officer, or a share link
whose police reference was just typed), the patient and an optional version
number. It decides access, chooses the version, renders the PDF and records one
``grab_pack.pdf`` audit row naming exactly the version it rendered and the
episode it was given under, all in the caller's transaction: the caller commits,
then sends. ``photo`` answers the same access question for the photo shown on a
page (the page's own view is the audited event).

What each may fetch:

- ward staff of the patient's ward: any version (the current one by default);
  the open episode, if there is one, is printed on page 1 and named in the audit;
- police: while an episode in their area gives them reason to look, the current
  version (what a live search needs: clothing and risk change), and the version
  that was current when the absence was reported (``episode.grab_pack_version_number``),
  labelled as such on the paper; any other version is 404;
- a share link: the current version, under the link's episode.

Anything else is a 404, with no hint that the patient or version exists.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from werkzeug.exceptions import NotFound

from grabpack.models import (
    GrabPack,
    GrabPackVersion,
    MissingEpisode,
    Patient,
    Photo,
    Role,
    ShareLink,
    User,
)
from grabpack.services import access, audit, police_access, share_links
from grabpack.services.episodes import open_episode_for
from grabpack.services.grab_packs import current_version, pack_for, version
from grabpack.services.pdf_documents import grab_pack_pdf, pdf_filename

Viewer = User | ShareLink


@dataclass(frozen=True)
class Delivered:
    """A rendered grab pack, and what the audit row says was given."""

    content: bytes
    filename: str
    version_number: int
    episode: MissingEpisode | None


@dataclass(frozen=True)
class _Grant:
    """Why this viewer may have this patient's pack, and which versions."""

    patient: Patient
    episode: MissingEpisode | None
    via: str  # "ward", "police" or "share_link": the audit's code for the way out
    any_version: bool
    generated_for: str
    user: User | None = None
    share_link: ShareLink | None = None

    def allows(self, shown: GrabPackVersion, pack: GrabPack) -> bool:
        return (
            self.any_version
            or shown.number == pack.current_version_number
            or shown.number == self.reported_version
        )

    @property
    def reported_version(self) -> int | None:
        """The version that was current when the absence was reported (police only)."""
        if self.via != "police" or self.episode is None:
            return None
        return self.episode.grab_pack_version_number


def deliver(
    viewer: Viewer, patient_id: uuid.UUID, number: int | None = None, *, remote_addr: str = ""
) -> Delivered:
    """The PDF of the patient's grab pack for ``viewer``, with its audit row added to
    the session; ``NotFound`` when the viewer may not have it or it does not exist.

    ``number`` is a version number (``None``: the current version). A share link
    must already have been opened with its police reference.
    """
    grant = _grant(viewer, patient_id)
    pack, shown = _chosen(grant, number)
    content = grab_pack_pdf(grant.patient, shown, _generated_for(grant, shown, pack), grant.episode)
    detail: dict = {"via": grant.via}
    if grant.share_link is not None:
        detail["share_link_id"] = grant.share_link.id
    if shown.number != pack.current_version_number:
        detail["not_current"] = True
    audit.record(
        "grab_pack.pdf",
        user=grant.user,
        patient_id=grant.patient.id,
        episode_id=grant.episode.id if grant.episode is not None else None,
        grab_pack_version_number=shown.number,
        remote_addr=remote_addr,
        **detail,
    )
    return Delivered(
        content=content,
        filename=pdf_filename(grant.patient, shown.number),
        version_number=shown.number,
        episode=grant.episode,
    )


def photo(viewer: Viewer, patient_id: uuid.UUID, number: int | None = None) -> Photo:
    """The photo of a version the viewer may see (the current one by default), or
    ``NotFound``."""
    _pack, shown = _chosen(_grant(viewer, patient_id), number)
    if shown.photo is None:
        raise NotFound()
    return shown.photo


def _grant(viewer: Viewer, patient_id: uuid.UUID) -> _Grant:
    if isinstance(viewer, ShareLink):
        return _share_link_grant(viewer, patient_id)
    role = viewer.role_enum
    who = f"{viewer.full_name or viewer.email} ({role.label})"
    if role.is_staff:
        patient = access.patient_for_staff(viewer, patient_id)
        return _Grant(
            patient=patient,
            episode=open_episode_for(patient),
            via="ward",
            any_version=True,
            generated_for=who,
            user=viewer,
        )
    if role is Role.POLICE:
        episode = police_access.episode_allowing(viewer, patient_id)
        if episode is None:
            raise NotFound()
        return _Grant(
            patient=episode.patient,
            episode=episode,
            via="police",
            any_version=False,
            generated_for=who,
            user=viewer,
        )
    raise NotFound()


def _share_link_grant(link: ShareLink, patient_id: uuid.UUID) -> _Grant:
    if not share_links.usable(link) or link.episode.patient_id != patient_id:
        raise NotFound()
    episode = link.episode
    return _Grant(
        patient=episode.patient,
        episode=episode,
        via="share_link",
        any_version=False,
        generated_for=f"Officer with share link (ref {episode.police_reference})",
        share_link=link,
    )


def _chosen(grant: _Grant, number: int | None) -> tuple[GrabPack, GrabPackVersion]:
    pack = pack_for(grant.patient)
    if pack is None:
        raise NotFound()
    shown = current_version(pack) if number is None else version(pack, number)
    if shown is None or not grant.allows(shown, pack):
        raise NotFound()
    return pack, shown


def _generated_for(grant: _Grant, shown: GrabPackVersion, pack: GrabPack) -> str:
    """Who the paper is for and, for any version but the current one, which it is
    (kept short: it is the footer line of every page)."""
    current = pack.current_version_number
    if shown.number == current:
        return grant.generated_for
    if shown.number == grant.reported_version:
        reported = "current when reported missing"
        return f"{grant.generated_for}: version {shown.number} ({reported}; now {current})"
    return f"{grant.generated_for}: version {shown.number} (not current; now {current})"
