"""Public appeal posters: who may make one, the record the ward sees, and every
download audited like a grab-pack PDF.

An officer may make a poster for a patient while ``police_access`` gives them a
reason to see that patient *and* that reason is an open episode: a poster asks
the public to look for someone, so never for a patient who is back. Share links
cannot make one (a public appeal needs an officer with an account, named in the
record and the audit). Making one needs the confirmation that a public appeal has
been authorised and the authorising officer's name or reference.

The poster is built by ``domain.appeal_poster`` from the grab-pack version used,
the episode's allowed facts and the officer's choices; the record keeps the
version number, the choices and when it was made, so every download draws the
same poster again from the stored version, never the live record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from werkzeug.exceptions import Gone, NotFound

from grabpack.domain.appeal_poster import (
    AUTHORISED_BY_LIMIT,
    Poster,
    PosterChoices,
    PosterEpisode,
    build_poster,
    feature_options,
)
from grabpack.domain.clock import london_today
from grabpack.extensions import db
from grabpack.models import AppealPoster, GrabPackVersion, MissingEpisode, Patient, User, Ward
from grabpack.models.base import utcnow
from grabpack.pdf.appeal_poster import render_appeal_poster
from grabpack.pdf.poster_image import render_poster_image
from grabpack.services import audit, police_access
from grabpack.services.grab_packs import current_version, pack_for, version


class AppealEnded(Gone):
    """The episode a made poster was for has closed: the appeal is over, and the
    poster is no longer given out (410, not 404: it existed, and is withdrawn)."""


@dataclass(frozen=True)
class Problem:
    """One reason a poster cannot be made: ``about`` names the argument of ``make``
    to correct (``"authorised"`` or ``"authorised_by"``), or is ``None`` when it is
    about the poster as a whole."""

    about: str | None
    message: str


class PosterRefused(ValueError):
    """The poster cannot be made as asked; ``problems`` holds every reason at once,
    so that the officer can correct them all in one go."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(problem.message for problem in problems))
        self.problems = problems


NOT_AUTHORISED = "Confirm that a public appeal has been authorised"
NO_AUTHORISER = "Enter the authorising officer's name or reference"
AUTHORISER_TOO_LONG = (
    f"The authorising officer's name or reference must be {AUTHORISED_BY_LIMIT} characters or fewer"
)
NO_REFERENCE = (
    "The police reference for this absence is not recorded: ask the ward to add it to "
    "the report, then make the poster"
)
PACK_CHANGED = (
    "The ward changed the grab pack while you were choosing: check the preview again, "
    "then make the poster"
)


@dataclass(frozen=True)
class Draft:
    """What the poster page shows before the poster is made."""

    patient: Patient
    episode: MissingEpisode
    version: GrabPackVersion
    poster: Poster
    feature_options: list[tuple[str, str, str]]  # (key, label, value) for the checkboxes


@dataclass(frozen=True)
class Made:
    """A made poster and the value it draws."""

    record: AppealPoster
    poster: Poster


@dataclass(frozen=True)
class PosterFile:
    content: bytes
    filename: str
    mimetype: str


def episode_facts(episode: MissingEpisode) -> PosterEpisode:
    """The episode's facts a poster may carry, and nothing else of it."""
    return PosterEpisode(
        police_reference=episode.police_reference or "",
        last_seen_at=episode.last_seen_at,
        last_seen_place=episode.last_seen_place or "",
        clothing=episode.clothing or "",
        area=episode.ward.setting.policing_area.name,
    )


def _in_officers_area(officer: User, episode: MissingEpisode) -> bool:
    """Whether the episode's ward is in one of the officer's policing areas, open or
    long closed: the officers who could have made or shared its poster."""
    return (
        db.session.scalar(
            police_access.officer_ward_query(officer).where(Ward.id == episode.ward_id)
        )
        is not None
    )


def _open_episode(officer: User, patient_id: uuid.UUID) -> MissingEpisode:
    """The open episode that lets this officer make a poster, or ``NotFound``."""
    episode = police_access.episode_allowing(officer, patient_id)
    if episode is None or not episode.is_open:
        raise NotFound()
    return episode


def _poster(
    episode: MissingEpisode, shown: GrabPackVersion, choices: PosterChoices, made_at: datetime
) -> Poster:
    photo = shown.photo.content if shown.photo is not None else None
    return build_poster(
        shown.data, episode_facts(episode), choices, london_today(made_at), photo=photo
    )


def draft(officer: User, patient_id: uuid.UUID, choices: PosterChoices) -> Draft:
    """The poster as it would be made now from the current version; ``NotFound``
    when the officer may not make one or the ward has no grab pack."""
    episode = _open_episode(officer, patient_id)
    shown = current_version(pack_for(episode.patient))
    if shown is None:
        raise NotFound()
    options = feature_options(shown.data if isinstance(shown.data, dict) else {})
    offered = {key for key, _label, _value in options}
    choices = PosterChoices(
        choices.name, choices.features & offered, choices.show_area, choices.show_last_seen_place
    )
    return Draft(
        episode.patient, episode, shown, _poster(episode, shown, choices, utcnow()), options
    )


def _tidy(authorised_by: str | None) -> str:
    """The authoriser's name or reference on one line, without stray spaces."""
    return " ".join((authorised_by or "").split())


def refusals(
    drafted: Draft, *, authorised: bool, authorised_by: str, previewed_version: int | None
) -> list[Problem]:
    """Every reason this draft cannot be made a poster yet, the poster's own first,
    then the fields' in page order; empty when it can be. One rule for ``make`` and
    for a form that already has errors of its own, so all are shown at once."""
    authorised_by = _tidy(authorised_by)
    problems = []
    if not drafted.poster.police_reference:
        problems.append(Problem(None, NO_REFERENCE))
    if previewed_version != drafted.version.number:
        problems.append(Problem(None, PACK_CHANGED))
    if not authorised:
        problems.append(Problem("authorised", NOT_AUTHORISED))
    if not authorised_by:
        problems.append(Problem("authorised_by", NO_AUTHORISER))
    elif len(authorised_by) > AUTHORISED_BY_LIMIT:
        problems.append(Problem("authorised_by", AUTHORISER_TOO_LONG))
    return problems


def make(
    officer: User,
    patient_id: uuid.UUID,
    choices: PosterChoices,
    *,
    authorised: bool,
    authorised_by: str,
    previewed_version: int | None,
    remote_addr: str = "",
) -> Made:
    """Record a poster and its audit row in the caller's transaction (the caller
    commits); ``PosterRefused`` says what is missing, ``NotFound`` as ``draft``."""
    drafted = draft(officer, patient_id, choices)
    authorised_by = _tidy(authorised_by)
    if problems := refusals(
        drafted,
        authorised=authorised,
        authorised_by=authorised_by,
        previewed_version=previewed_version,
    ):
        raise PosterRefused(problems)
    offered = {key for key, _label, _value in drafted.feature_options}
    kept = PosterChoices(
        choices.name, choices.features & offered, choices.show_area, choices.show_last_seen_place
    )
    now = utcnow()
    record = AppealPoster(
        patient_id=drafted.patient.id,
        episode_id=drafted.episode.id,
        grab_pack_version_number=drafted.version.number,
        made_by_id=officer.id,
        authorised_by=authorised_by,
        choices=kept.to_record(),
        made_at=now,
    )
    db.session.add(record)
    db.session.flush()
    _audit("appeal_poster.make", officer, record, remote_addr)
    return Made(record, _poster(drafted.episode, drafted.version, kept, now))


def made(officer: User, poster_id: uuid.UUID) -> Made:
    """A made poster (by its ``public_id``), drawn again from its record, while its
    episode is open, for an officer of the area it is missing from. ``AppealEnded``
    once that episode has closed (an officer of the area may have the link on their
    phone, and should take the poster down); ``NotFound`` for anyone else."""
    record = db.session.scalar(select(AppealPoster).where(AppealPoster.public_id == poster_id))
    if record is None or not _in_officers_area(officer, record.episode):
        raise NotFound()
    episode = record.episode
    if not episode.is_open:
        raise AppealEnded()
    shown = version(pack_for(episode.patient), record.grab_pack_version_number)
    if shown is None:
        raise NotFound()
    choices = PosterChoices.from_record(record.choices)
    return Made(record, _poster(episode, shown, choices, record.made_at))


def photo_of(officer: User, poster_id: uuid.UUID):
    """The photo of the version a made poster used, or ``NotFound``."""
    record = made(officer, poster_id).record
    shown = version(pack_for(record.patient), record.grab_pack_version_number)
    if shown is None or shown.photo is None:
        raise NotFound()
    return shown.photo


def deliver(officer: User, poster_id: uuid.UUID, kind: str, *, remote_addr: str = "") -> PosterFile:
    """The poster as a PDF (``kind="pdf"``) or a square PNG (``"png"``), with its
    audit row added to the session (the caller commits, then sends)."""
    if kind not in ("pdf", "png"):
        raise NotFound()
    got = made(officer, poster_id)
    record = got.record
    if kind == "pdf":
        content, mimetype = render_appeal_poster(got.poster), "application/pdf"
    else:
        content, mimetype = render_poster_image(got.poster), "image/png"
    _audit(f"appeal_poster.{kind}", officer, record, remote_addr)
    return PosterFile(content, poster_filename(record, kind), mimetype)


def _audit(action: str, officer: User, record: AppealPoster, remote_addr: str) -> None:
    """Like a grab-pack PDF's: the patient, the episode that allowed it and the
    version used (never the authorising officer's name)."""
    audit.record(
        action,
        user=officer,
        patient_id=record.patient_id,
        episode_id=record.episode_id,
        grab_pack_version_number=record.grab_pack_version_number,
        remote_addr=remote_addr,
        appeal_poster_id=str(record.public_id),
        via="police",
    )


def poster_filename(record: AppealPoster, kind: str) -> str:
    """No name in the file name: opaque fragments of the patient's and the poster's ids."""
    return f"appeal-poster-{record.patient_id.hex[:8]}-{record.public_id.hex[:8]}.{kind}"


def posters_of(episode: MissingEpisode) -> list[AppealPoster]:
    return list(
        db.session.scalars(
            select(AppealPoster)
            .where(AppealPoster.episode_id == episode.id)
            .order_by(AppealPoster.made_at)
        )
    )
