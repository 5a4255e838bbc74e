"""Share links: one open episode's PDF for an officer without an account.

The token is random and shown once; only its SHA-256 is stored. The link works
only after the episode's police reference is typed, dies when the episode
closes or the link expires or is revoked, and every use is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update

from grabpack.extensions import db
from grabpack.models import MissingEpisode, ShareLink, User
from grabpack.models.base import utcnow
from grabpack.services import audit


class ShareLinkError(ValueError):
    pass


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(
    episode: MissingEpisode, author: User, hours: int, now: datetime | None = None
) -> tuple[ShareLink, str]:
    """A new link and its token (the only time the token exists in clear)."""
    if not episode.is_open:
        raise ShareLinkError("Links can only be shared while the patient is missing")
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        episode_id=episode.id,
        token_hash=token_hash(token),
        created_by_id=author.id,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.session.add(link)
    db.session.flush()
    audit.record(
        "share_link.create",
        user=author,
        patient_id=episode.patient_id,
        episode_id=episode.id,
        share_link_id=link.id,
    )
    return link, token


def find_link(token: str) -> ShareLink | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token)))


class Ended(StrEnum):
    """Why a real link stopped working. Its holder may be told: the token is random
    and was given to them, so the reason says nothing about the patient."""

    REVOKED = "revoked"
    DISABLED = "disabled"  # too many wrong police references
    CLOSED = "closed"  # the missing episode it was for has closed
    EXPIRED = "expired"


def why_ended(link: ShareLink, now: datetime | None = None) -> Ended | None:
    """Why this link no longer works, or ``None`` while it does. A ward's own act
    (revoking) is named before the link's guard, the episode and the clock."""
    if link.revoked_at is not None:
        return Ended.REVOKED
    if link.disabled_at is not None:
        return Ended.DISABLED
    if not link.episode.is_open:
        return Ended.CLOSED
    if link.expires_at <= (now or utcnow()):
        return Ended.EXPIRED
    return None


def usable(link: ShareLink | None, now: datetime | None = None) -> bool:
    return link is not None and why_ended(link, now) is None


def _normal_reference(reference: str) -> str:
    return re.sub(r"[\s/\\-]", "", reference or "").upper()


def reference_matches(link: ShareLink, entered: str) -> bool:
    expected = _normal_reference(link.episode.police_reference)
    return bool(expected) and hmac.compare_digest(expected, _normal_reference(entered))


def record_use(
    link: ShareLink,
    remote_addr: str,
    succeeded: bool,
    max_wrong: int = 5,
    now: datetime | None = None,
) -> None:
    """Count a use, or a wrong reference; at ``max_wrong`` wrong references the link
    is disabled (the ward sees it on the episode page and can make a new one).

    Counted in the database with one UPDATE, so every worker and server sees every
    guess: a police reference has only a few unknown digits. The audit row records
    the reference check and names no pack version: a PDF given through the link is
    recorded by ``delivery.deliver`` with the version it rendered.
    """
    if succeeded:
        link.use_count += 1
    else:
        _count_wrong_reference(link, max_wrong, now or utcnow())
    audit.record(
        "share_link.use" if succeeded else "share_link.refused",
        patient_id=link.episode.patient_id,
        episode_id=link.episode_id,
        remote_addr=remote_addr,
        share_link_id=link.id,
    )
    if link.disabled_at is not None and not succeeded:
        audit.record(
            "share_link.disabled",
            patient_id=link.episode.patient_id,
            episode_id=link.episode_id,
            share_link_id=link.id,
            wrong_references=link.wrong_references,
        )


def _count_wrong_reference(link: ShareLink, max_wrong: int, now: datetime) -> None:
    db.session.execute(
        update(ShareLink)
        .where(ShareLink.id == link.id)
        .values(wrong_references=ShareLink.wrong_references + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(ShareLink)
        .where(
            ShareLink.id == link.id,
            ShareLink.wrong_references >= max_wrong,
            ShareLink.disabled_at.is_(None),
        )
        .values(disabled_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(link, ["wrong_references", "disabled_at"])


def revoke(link: ShareLink, author: User, now: datetime | None = None) -> None:
    link.revoked_at = now or utcnow()
    audit.record(
        "share_link.revoke",
        user=author,
        patient_id=link.episode.patient_id,
        episode_id=link.episode_id,
        share_link_id=link.id,
    )
