"""Where each policing area is told of its missing episodes, and the outbox.

``enqueue`` is called by the episode service inside the transaction that opens,
re-grades or closes an episode: one outbox row per active target of the
episode's policing area, committed with the change or not at all. Nothing is
sent here; the worker (``grabpack.services.notify_worker``) sends.
"""

from __future__ import annotations

import ipaddress
import os
import re
import unicodedata
import uuid
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select

from grabpack.domain.episode_schema import PoliceRiskGrade
from grabpack.domain.notifications import EpisodeNotice
from grabpack.extensions import db
from grabpack.links import external_url
from grabpack.models import MissingEpisode, NotificationTarget, OutboxMessage, PolicingArea, User
from grabpack.models.base import utcnow
from grabpack.services.monthly_report import UnknownArea, area_by_code

CHANNELS = ("email", "webhook")
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
    """An inbox of the area, stored as ``email_address`` gives it back. The same inbox
    twice (whatever the case) is refused: it would be told everything twice."""
    area = _area(area_code)
    address = email_address(address)
    for target in _active(area, "email"):
        if target.address.strip().lower() == address.lower():
            raise TargetError(f"{area.name} is already told at {target.address}")
    return _add(area, "email", address, None, by)


def add_webhook(
    area_code: str, url: str, secret: str, by: User | None = None, allow_http: bool = False
) -> NotificationTarget:
    """A receiver of the area, its URL checked by ``webhook_url`` for this environment.
    The same URL again (scheme and host in any case) is the same receiver: its shared
    secret is replaced. ``allow_http`` (plain http to any host) only outside production."""
    url = webhook_url(url, production=is_production(), allow_http=allow_http)
    if len(secret) < MIN_SECRET_LENGTH:
        raise TargetError(f"The shared secret must be at least {MIN_SECRET_LENGTH} characters")
    area = _area(area_code)
    for target in _active(area, "webhook"):
        if _same_url(target.address, url):
            target.secret_sealed = seal_secret(secret)  # a new secret for the same receiver
            return target
    return _add(area, "webhook", url, seal_secret(secret), by)


def _active(area: PolicingArea, channel: str) -> list[NotificationTarget]:
    """The area's targets on one channel (a handful), compared in Python so rows saved
    before addresses were normalised are found too."""
    return list(
        db.session.scalars(
            select(NotificationTarget).where(
                NotificationTarget.policing_area_id == area.id,
                NotificationTarget.channel == channel,
                NotificationTarget.active.is_(True),
            )
        )
    )


def _add(
    area: PolicingArea, channel: str, address: str, sealed: bytes | None, by: User | None
) -> NotificationTarget:
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


def shown_address(target: NotificationTarget) -> str:
    """An inbox as stored; a webhook without its query string, which may hold a token
    (the admin pages and ``grabpack areas targets`` show the same)."""
    if target.channel == "email":
        return target.address
    try:
        parts = urlsplit(target.address)
    except ValueError:  # a malformed URL saved before URLs were checked
        return target.address.split("?", 1)[0].split("#", 1)[0] + "?…"
    return parts._replace(query="", fragment="").geturl() + ("?…" if parts.query else "")


# --- what an address may be -----------------------------------------------------------------


def is_production() -> bool:
    """Only development and testing relax the webhook rules; anything else is production."""
    return current_app.config.get("GRABPACK_ENV") not in ("development", "testing")


def _has_blank_or_control(text: str) -> bool:
    return any(char.isspace() or unicodedata.category(char) in ("Cc", "Cf") for char in text)


def email_address(address: str) -> str:
    """A plausible inbox, stripped, its domain lower-cased (and in its ASCII form); the
    part before the @ kept as typed. Raises ``TargetError``: "... is not an email address"."""
    address = address.strip()
    if (
        not address
        or address.count("@") != 1
        or _has_blank_or_control(address)
        or any(char in address for char in '<>"(),;:[]\\')
    ):
        raise TargetError(
            f"{address!r} is not an email address: use one like mispers@police.example.org, "
            "with one @ and no spaces, brackets or quotes"
        )
    try:
        checked = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as invalid:
        raise TargetError(f"{address!r} is not an email address: {invalid}") from None
    return checked.ascii_email or checked.normalized


_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def address_refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, production: bool) -> str:
    """Why a webhook may not be sent to ``ip`` (empty when it may). Private networks
    (10/8, 172.16/12, 192.168/16, fc00::/7) are allowed: an area's control system may
    sit on one. This machine is refused in production; link-local (169.254/16, where
    cloud metadata lives, and fe80::/10), unspecified, multicast and reserved always."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified or ip in ipaddress.ip_network("0.0.0.0/8"):
        return f"{ip} is not a receiver's address (it means this machine)"
    if ip.is_link_local:
        return f"{ip} is link-local (never a receiver's address)"
    if ip.is_multicast or (ip.is_reserved and not ip.is_loopback):
        return f"{ip} is a multicast or reserved address"
    if ip.is_loopback and production:
        return f"{ip} is this machine (allowed only in development and tests)"
    return ""


def webhook_url(url: str, production: bool, allow_http: bool = False) -> str:
    """The URL as stored: checked, its scheme and host lower-cased, a default port and
    a fragment dropped, an empty path made ``/``. Raises ``TargetError`` ("A webhook
    URL ...") for a URL that cannot be requested or may not be, in this environment:
    https only in production, to a host that is not this machine nor link-local;
    outside production plain http to this machine (or anywhere with ``allow_http``).
    Only a literal address is checked here; the worker checks where a name leads."""
    url = url.strip()
    if _has_blank_or_control(url):
        raise TargetError("A webhook URL must not contain spaces or control characters")
    if not url.isascii():
        raise TargetError(
            "A webhook URL must be plain ASCII: percent-encode other characters, and write "
            "an international host name in its xn-- form"
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        raise TargetError(
            "A webhook URL must be a valid URL (check any [ ] around an IPv6 address)"
        ) from None
    try:
        port = parts.port
    except ValueError:  # not a number, or more than 65535
        port = 0
    if port == 0:
        raise TargetError("A webhook URL's port must be a number from 1 to 65535")
    if parts.scheme not in ("https", "http"):
        raise TargetError("A webhook URL must start with https://")
    if not parts.hostname or "@" in parts.netloc:
        raise TargetError("A webhook URL needs a host and no user name or password in it")
    host, ip = _host(parts.hostname, parts.netloc)
    loopback = ip.is_loopback if ip is not None else _loopback_name(host)
    if parts.scheme == "http" and (production or not (loopback or allow_http)):
        raise TargetError(
            "A webhook URL must start with https:// (plain http only to this machine, "
            "in development and tests)"
        )
    refused = address_refused(ip, production) if ip is not None else ""
    if not refused and loopback and production:
        refused = f"{host} is this machine (allowed only in development and tests)"
    if refused:
        raise TargetError(f"A webhook URL may not point there: {refused}")
    netloc = f"[{ip}]" if isinstance(ip, ipaddress.IPv6Address) else host
    if port is not None and port != DEFAULT_PORTS[parts.scheme]:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


DEFAULT_PORTS = {"https": 443, "http": 80}


def _host(
    host: str, netloc: str
) -> tuple[str, ipaddress.IPv4Address | ipaddress.IPv6Address | None]:
    """The host, lower-case, and its address when it is one. A name must be one a
    resolver takes as a name: labels of letters, digits and hyphens, the last not all
    digits (``2130706433``, ``0x7f.1`` or ``0177.0.0.1`` would reach 127.0.0.1)."""
    if "[" in netloc:
        try:
            return host, ipaddress.IPv6Address(host)
        except ValueError:
            raise TargetError(
                f"A webhook URL's host [{host}] is not a valid IPv6 address"
            ) from None
    try:
        return host, ipaddress.IPv4Address(host)
    except ValueError:
        pass
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise TargetError(f"A webhook URL's host {host!r} is not a valid host name")
    return host, None


def _loopback_name(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.endswith(".localhost")


def _same_url(stored: str, url: str) -> bool:
    """Whether a stored webhook is the receiver at ``url`` (already normalised): the
    stored one is normalised by the same rule, leniently (it may predate the checks,
    or have been saved in another environment); one that fails them is compared as
    it is."""
    try:
        return webhook_url(stored, production=False, allow_http=True) == url
    except TargetError:
        return stored.strip() == url


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
        link=external_url(f"/police/episodes/{episode.id}"),
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
