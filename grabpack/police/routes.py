"""Police pages: the open missing episodes in the officer's areas, and a patient's
grab pack while (and only while) an episode gives them reason to see it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grabpack.auth.decorators import STAFF, roles_required
from grabpack.domain.clock import london_today
from grabpack.domain.grab_pack_schema import Block, value_of
from grabpack.domain.mental_health_act import legal_status
from grabpack.domain.review import is_photo_stale
from grabpack.domain.triggers import report_at_once
from grabpack.downloads import pdf_response, photo_response
from grabpack.extensions import db
from grabpack.models import MissingEpisode, Role
from grabpack.models.base import utcnow
from grabpack.police import bp
from grabpack.police.briefing import block_rows
from grabpack.police.forms import PosterForm
from grabpack.policies import repeat_rule, review_policy, volume_rule
from grabpack.services import access, appeal_posters, audit, delivery, police_access
from grabpack.services.episodes import episode_for_staff, episodes_of
from grabpack.services.grab_packs import current_version, pack_for
from grabpack.services.live_flags import live_flags
from grabpack.services.police_access import officer_ward_query
from grabpack.services.police_list import current_pack_facts
from grabpack.transactions import saving

# How long a newly noticed episode is marked "New" on the officer's list: long enough
# to be seen across a shift hand-over glance, short enough that the mark still means news.
NEW_FOR = timedelta(minutes=30)


def is_new(episode: MissingEpisode, now: datetime) -> bool:
    """Noticed within the last ``NEW_FOR``: the list highlights it and tags it "New"."""
    return episode.noticed_at >= now - NEW_FOR


def _episode_lists() -> dict:
    """The officer's open and recently closed episodes, with repeat-missing counts,
    what each card shows of the current grab pack, and the live setting flags of the
    wards in the officer's areas."""
    open_now, recently_closed = police_access.episodes_for_officer(current_user)
    repeat = repeat_rule()
    now = utcnow()
    counts = police_access.recent_episode_counts(
        [e.patient_id for e in open_now + recently_closed], repeat.window_start(now)
    )
    return {
        "now": now,
        "open_now": open_now,
        "new_ids": {e.id for e in open_now if is_new(e, now)},
        "recently_closed": recently_closed,
        "repeat": repeat,
        "recent_counts": counts,
        "packs": current_pack_facts({e.patient_id: e.patient.full_name for e in open_now}),
        "live": live_flags(officer_ward_query(current_user), now, volume_rule()),
    }


@bp.route("/")
@roles_required(Role.POLICE)
def home():
    return render_template("police/home.html", **_episode_lists())


@bp.route("/open-episodes")
@roles_required(Role.POLICE)
def open_episodes_fragment():
    """The list alone, fetched every few seconds by the home page so that a new
    episode shows without a manual refresh."""
    return render_template("police/_episodes.html", **_episode_lists())


@bp.route("/episodes/<uuid:episode_id>")
@login_required
def episode(episode_id: uuid.UUID):
    """The link a notification carries. Sign-in first; then the usual rules: an officer
    with a reason to see the episode (the one rule of the police list) goes to the
    patient's page, the episode's ward staff to the episode; anyone else gets 404."""
    role = current_user.role_enum
    if role == Role.POLICE:
        allowed = police_access.episode_for_officer(current_user, episode_id)
        if allowed is not None:
            return redirect(url_for("police.patient", patient_id=allowed.patient_id))
    elif role in STAFF:
        ours = episode_for_staff(access.staff_ward_ids(current_user), episode_id)
        if ours is not None:
            return redirect(url_for("episodes.view", episode_id=ours.id))
    abort(404)


@bp.route("/patients/<uuid:patient_id>")
@roles_required(Role.POLICE)
def patient(patient_id: uuid.UUID):
    episode = police_access.episode_allowing(current_user, patient_id)
    if episode is None:
        abort(404)
    patient = episode.patient
    pack = pack_for(patient)
    version = current_version(pack)
    audit.record(
        "grab_pack.view",
        user=current_user,
        patient_id=patient.id,
        episode_id=episode.id,
        grab_pack_version_number=version.number if version else None,
        remote_addr=request.remote_addr or "",
    )
    db.session.commit()
    # While the patient is missing, the legal status the ward stated when reporting
    # decides Part III, as on the PDF; once they are back, the pack's.
    stated = (episode.legal_status or "") if episode.is_open else None
    data = version.data if version else {}
    today = london_today()
    status = legal_status(stated if stated is not None else value_of(data, "legal", "legal_status"))
    return render_template(
        "police/patient.html",
        patient=patient,
        episode=episode,
        pack=pack,
        version=version,
        recorded_episodes=episodes_of(patient),
        now=utcnow(),
        triggers=report_at_once(data, stated),
        photo_stale=version is not None
        and is_photo_stale(
            version.photo_id is not None, version.photo_taken_on, today, review_policy()
        ),
        briefing={block: block_rows(data, block, today) for block in Block},
        restricted=status if status is not None and status.restricted else None,
        restricted_rows=block_rows(data, Block.RESTRICTED, today, every=True),
        Block=Block,
    )


@bp.route("/patients/<uuid:patient_id>/photo")
@roles_required(Role.POLICE)
def photo(patient_id: uuid.UUID):
    """The current version's photo, by the same rule as the PDF (``services/delivery``)."""
    return photo_response(delivery.photo(current_user, patient_id))


# --- the public appeal poster ----------------------------------------------------------


@bp.route("/patients/<uuid:patient_id>/appeal-poster", methods=["GET", "POST"])
@roles_required(Role.POLICE)
def poster(patient_id: uuid.UUID):
    """The officer's choices with a preview of exactly what will be printed; "Make
    the poster" records it (with the authorisation) and leads to the downloads."""
    form = PosterForm()
    valid = request.method == "POST" and form.validate()
    draft = appeal_posters.draft(current_user, patient_id, form.choices())
    form.offer_features(draft.feature_options)
    if request.method == "POST" and request.form.get("action") == "make":
        made = _make_poster(form, draft) if valid else None
        if made is not None:
            return redirect(url_for("police.poster_made", poster_id=made.record.public_id))
        if not valid:  # the form's own errors, and every reason the service gives too
            form.show_refusals(appeal_posters.refusals(draft, **form.authorisation()))
    form.version.data = str(draft.version.number)  # what this preview shows
    return render_template(
        "police/poster.html",
        form=form,
        draft=draft,
        poster=draft.poster,
        photo_url=url_for("police.photo", patient_id=patient_id),
    )


def _make_poster(form: PosterForm, draft: appeal_posters.Draft) -> appeal_posters.Made | None:
    """Make and commit the poster; if it cannot be made, every reason is put on the
    form at once (each at its field), and ``None``."""
    offered = {key for key, _label, _value in draft.feature_options}
    try:
        with saving(form) as outcome:
            made = appeal_posters.make(
                current_user,
                draft.patient.id,
                form.choices(offered),
                **form.authorisation(),
                remote_addr=request.remote_addr or "",
            )
    except appeal_posters.PosterRefused as refused:
        form.show_refusals(refused.problems)
        return None
    return made if outcome.saved else None


@bp.errorhandler(appeal_posters.AppealEnded)
def appeal_ended(error: appeal_posters.AppealEnded):
    """A poster whose episode has closed: say the appeal is over (and to take the
    poster down), not "page not found", which would send the officer looking."""
    return render_template("police/appeal_poster_ended.html"), 410


@bp.route("/appeal-posters/<uuid:poster_id>")
@roles_required(Role.POLICE)
def poster_made(poster_id: uuid.UUID):
    made = appeal_posters.made(current_user, poster_id)
    return render_template(
        "police/poster_made.html",
        record=made.record,
        poster=made.poster,
        photo_url=url_for("police.poster_photo", poster_id=poster_id),
    )


@bp.route("/appeal-posters/<uuid:poster_id>/photo")
@roles_required(Role.POLICE)
def poster_photo(poster_id: uuid.UUID):
    """The photo of the grab-pack version the poster was made from."""
    return photo_response(appeal_posters.photo_of(current_user, poster_id))


@bp.route("/appeal-posters/<uuid:poster_id>.<any(pdf, png):kind>")
@roles_required(Role.POLICE)
def poster_file(poster_id: uuid.UUID, kind: str):
    """The poster as a PDF or a square PNG: audited, then sent (never cached)."""
    got = appeal_posters.deliver(
        current_user, poster_id, kind, remote_addr=request.remote_addr or ""
    )
    db.session.commit()
    if kind == "pdf":
        return pdf_response(got.content, got.filename)
    return Response(
        got.content,
        mimetype=got.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{got.filename}"'},
    )
