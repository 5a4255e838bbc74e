"""Where each policing area is told of its missing episodes, and the outbox.

``enqueue`` is called by the episode service inside the transaction that opens,
re-grades or closes an episode: one outbox row per active target of the
episode's policing area, committed with the change or not at all. Nothing is
sent here; the worker (``grabpack.services.notify_worker``) sends.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, has_request_context, request
from sqlalchemy import select

from grabpack.domain.episode_schema import PoliceRiskGrade
from grabpack.domain.notifications import EpisodeNotice
from grabpack.extensions import db
from grabpack.models import MissingEpisode, NotificationTarget, OutboxMessage, PolicingArea, User
from grabpack.models.base import utcnow
from grabpack.services.monthly_report import UnknownArea, area_by_code

CHANNELS = ("email", "webhook")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
MIN_SECRET_LENGTH = 32


class TargetError(ValueError):
    """A target refused, with a message fit for the admin who typed it."""


# --- the shared secret, sealed at rest ----------------------------------------------------


def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"grabpack webhook secret",
    ).derive(secret.encode() if isinstance(secret, str) else secret)


def seal_secret(secret: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_key()).encrypt(nonce, secret.encode(), b"webhook")


def unseal_secret(sealed: bytes) -> bytes:
    """The secret to sign with. Raises ``cryptography.exceptions.InvalidTag`` when the
    app's secret key has changed since it was saved (the admin sets it again)."""
    return AESGCM(_key()).decrypt(sealed[:12], sealed[12:], b"webhook")


# --- targets -------------------------------------------------------------------------------


def _area(code: str) -> PolicingArea:
    """The area by its code, whatever the case, as the monthly review finds it."""
    try:
        return area_by_code(code)
    except UnknownArea as unknown:
        raise TargetError(str(unknown)) from None


def add_email(area_code: str, address: str, by: User | None = None) -> NotificationTarget:
    address = address.strip()
    if not EMAIL_RE.fullmatch(address):
        raise TargetError(f"{address!r} is not an email address")
    return _add(_area(area_code), "email", address, None, by)


def add_webhook(
    area_code: str, url: str, secret: str, by: User | None = None, allow_http: bool = False
) -> NotificationTarget:
    """``allow_http`` only for a receiver on this machine (development and tests)."""
    url = url.strip()
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and (allow_http or local)):
        raise TargetError("A webhook URL must start with https://")
    if not parts.hostname or parts.username or parts.password:
        raise TargetError("A webhook URL needs a host and no user name or password in it")
    if len(secret) < MIN_SECRET_LENGTH:
        raise TargetError(f"The shared secret must be at least {MIN_SECRET_LENGTH} characters")
    return _add(_area(area_code), "webhook", url, seal_secret(secret), by)


def _add(
    area: PolicingArea, channel: str, address: str, sealed: bytes | None, by: User | None
) -> NotificationTarget:
    existing = db.session.scalar(
        select(NotificationTarget).where(
            NotificationTarget.policing_area_id == area.id,
            NotificationTarget.channel == channel,
            NotificationTarget.address == address,
            NotificationTarget.active.is_(True),
        )
    )
    if existing is not None:
        if sealed is not None:
            existing.secret_sealed = sealed  # a new secret for the same receiver
        return existing
    target = NotificationTarget(
        policing_area_id=area.id,
        channel=channel,
        address=address,
        secret_sealed=sealed,
        created_by_id=by.id if by else None,
    )
    db.session.add(target)
    db.session.flush()
    return target


def remove(target_id: int) -> NotificationTarget:
    """Stop sending to a target; its sent messages stay for the record."""
    target = db.session.get(NotificationTarget, target_id)
    if target is None or not target.active:
        raise TargetError("No such notification target")
    target.active = False
    return target


def targets_of(area_code: str) -> list[NotificationTarget]:
    return list(
        db.session.scalars(
            select(NotificationTarget)
            .where(
                NotificationTarget.policing_area_id == _area(area_code).id,
                NotificationTarget.active.is_(True),
            )
            .order_by(NotificationTarget.channel, NotificationTarget.address)
        )
    )


# --- the message, and the outbox -----------------------------------------------------------------


def _link(path: str) -> str:
    base = current_app.config.get("PUBLIC_URL") or ""
    if not base and has_request_context():
        base = request.host_url
    return base.rstrip("/") + path


def notice_of(episode: MissingEpisode, event: str, key: str) -> EpisodeNotice:
    """What the area is told: no name, NHS number, date of birth or description."""
    ward = episode.ward
    grade = episode.police_risk_grade
    return EpisodeNotice(
        event=event,
        idempotency_key=key,
        episode_id=str(episode.id),
        policing_area=ward.setting.policing_area.name,
        setting=ward.setting.name,
        ward=ward.name,
        ward_phone=ward.phone_24h,
        kind=episode.kind_enum.label,
        noticed_at=episode.noticed_at,
        police_reference=episode.police_reference or "",
        police_risk_grade=PoliceRiskGrade(grade).label if grade else "",
        power_to_retake=episode.retake_power.headline,
        link=_link(f"/police/episodes/{episode.id}"),
        returned_at=episode.returned_at,
    )


def enqueue(episode: MissingEpisode, event: str, now: datetime | None = None) -> int:
    """One outbox message per active target of the episode's area, in the caller's
    transaction. Returns how many were written."""
    now = now or utcnow()
    area_id = episode.ward.setting.policing_area_id
    targets = db.session.scalars(
        select(NotificationTarget).where(
            NotificationTarget.policing_area_id == area_id, NotificationTarget.active.is_(True)
        )
    ).all()
    for target in targets:
        key = uuid.uuid4()
        db.session.add(
            OutboxMessage(
                idempotency_key=key,
                target_id=target.id,
                episode_id=episode.id,
                event=event,
                payload=notice_of(episode, event, str(key)).as_json(),
                next_attempt_at=now,
            )
        )
    return len(targets)
