"""The worker that empties the outbox: ``grabpack notify work``.

One message at a time, it claims the message (``claimed_until`` a lease ahead,
committed *before* anything is sent), sends it by its target's channel, then
marks it sent or records the failure and when to try again. A worker that dies
mid-send leaves its claim to expire; the next pass sends the message again with
the same idempotency key, and the receiver drops the duplicate. Failing for
more than a day makes a message ``dead``: it stays on the outbox page, with
its last error, for an admin to see.

The episode was saved long before any of this: nothing here can block or roll
back a ward's report.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from flask import current_app
from sqlalchemy import or_, select, update

from grabpack.domain.notifications import EpisodeNotice
from grabpack.extensions import db
from grabpack.models import NotificationTarget, OutboxMessage
from grabpack.models.base import utcnow
from grabpack.notify import SendFailed, short
from grabpack.notify import email as email_channel
from grabpack.notify import webhook as webhook_channel
from grabpack.services.notifications import (
    DEFAULT_PORTS,
    TargetError,
    address_refused,
    email_address,
    is_production,
    unseal_secret,
    webhook_url,
)

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=3)  # longer than the slowest send (10 s + 10 s + 90 s for an email)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=30)
GIVE_UP_AFTER = timedelta(hours=24)
TARGET_REMOVED = "Not sent: the target was removed before the message went"


@dataclass
class WorkResult:
    """What one pass did, for ``--once`` to print and a cron log to keep."""

    sent: int = 0
    failed: int = 0  # will be tried again
    dead: int = 0  # given up

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.dead

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.failed} failed (to be tried again), {self.dead} given up"


class NoMailServer(RuntimeError):
    """Production without ``GRABPACK_SMTP_URL``: email would be lost, so the worker
    does not start."""


def check_can_send() -> None:
    """Refuse to start where email cannot go anywhere: production without a mail
    server while some area is to be told by email. An area told only by webhook
    needs no mail server (an email target added later fails, and says why, in the
    outbox)."""
    if current_app.config.get("SMTP_URL") or not is_production():
        return
    emailed = select(NotificationTarget.id).where(
        NotificationTarget.channel == "email", NotificationTarget.active.is_(True)
    )
    if db.session.scalar(emailed.limit(1)) is not None:
        raise NoMailServer(
            "GRABPACK_SMTP_URL is not set: in production the worker will not start without a "
            "mail server (e.g. smtp://user:password@mail.example.org:587?starttls=yes)"
        )


def retry_wait(attempts: int) -> timedelta:
    """30 s after the first failure, doubling each time, never more than 30 minutes."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def work_once(now: datetime | None = None, stop: threading.Event | None = None) -> WorkResult:
    """Send every message due at ``now`` (the clock when ``None``), one at a time,
    until none is due or ``stop`` is set. ``now`` fixed is for tests."""
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    result = WorkResult()
    while stop is None or not stop.is_set():
        message = _claim(clock())
        if message is None:
            break
        outcome = _handle(message, clock)
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def work(stop: threading.Event | None = None, poll_seconds: float = 5.0) -> None:
    """Keep the outbox empty until ``stop`` is set (SIGTERM, SIGINT): a pass, then a
    wait of ``poll_seconds`` when nothing was due. A pass that fails (the database
    gone for a moment) is logged and tried again after the wait."""
    stop = stop or threading.Event()
    log.info("Notification worker started")
    while not stop.is_set():
        try:
            result = work_once(stop=stop)
        except Exception:
            db.session.rollback()
            log.exception("Notification pass failed; trying again in %s s", poll_seconds)
            result = WorkResult()
        finally:
            db.session.remove()
        if result.handled:
            log.info("Notifications: %s", result)
        else:
            stop.wait(poll_seconds)
    log.info("Notification worker stopped")


def _claim(now: datetime) -> OutboxMessage | None:
    """The next due message, claimed and committed, or ``None``.

    The conditional UPDATE is the claim on both databases: of two workers that
    picked the same row, only one changes it. On PostgreSQL ``SKIP LOCKED`` also
    lets them pick different rows without waiting on each other.
    """
    due = (
        select(OutboxMessage.id)
        .where(*_claimable(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    while (message_id := db.session.scalar(due)) is not None:
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, *_claimable(now))
            .values(claimed_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if claimed.rowcount == 1:
            return db.session.get(OutboxMessage, message_id)
    db.session.rollback()
    return None


def _claimable(now: datetime) -> tuple:
    return (
        OutboxMessage.status == "pending",
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def _handle(message: OutboxMessage, clock: Callable[[], datetime]) -> str:
    """Send one claimed message and record what happened; returns the outcome's name."""
    target = message.target
    if target is None or not target.active:
        return _give_up(message, TARGET_REMOVED, clock())
    try:
        _send(message, target, clock())
    except TargetError as refused:  # saved before targets were checked: it will never do
        return _give_up(
            message, f"Not sent: {refused}; remove the target and add it again", clock()
        )
    except SendFailed as exc:
        return _failed(message, str(exc), clock())
    except Exception as exc:
        log.exception("Notification %s failed unexpectedly", message.id)
        return _failed(message, f"Unexpected error in grabpack ({type(exc).__name__})", clock())
    message.status = "sent"
    message.sent_at = clock()
    message.claimed_until = None
    message.attempts += 1
    message.last_error = ""
    db.session.commit()
    return "sent"


def _send(message: OutboxMessage, target: NotificationTarget, now: datetime) -> None:
    notice = EpisodeNotice.from_json(message.payload)
    if target.channel == "webhook":
        url = _checked_url(target.address)
        webhook_channel.send(notice, url, _secret(target), now)
    elif target.channel == "email":
        to = email_address(target.address)
        if current_app.config.get("SMTP_URL"):
            email_channel.send(notice, to)
        elif is_production():
            raise SendFailed("GRABPACK_SMTP_URL is not set")
        else:
            log.info(
                "Email not sent (no GRABPACK_SMTP_URL): %r for episode %s",
                notice.headline,
                notice.episode_id,
            )
    else:
        raise SendFailed(f"Unknown channel {target.channel!r}")


def _checked_url(address: str) -> str:
    """The target's URL checked again as when it is saved (it may have been saved before
    the checks, or in another environment), and in production where its host leads:
    every address the name resolves to must be one a webhook may go to. Raises
    ``TargetError`` for a URL that will never do, ``SendFailed`` for a name that leads
    somewhere refused (which may change: it is tried again)."""
    production = is_production()
    url = webhook_url(address, production=production)
    if not production:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        found = socket.getaddrinfo(
            host, parts.port or DEFAULT_PORTS[parts.scheme], type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError) as exc:
        raise SendFailed(f"Webhook unreachable: cannot resolve {host} ({exc})") from None
    for *_, sockaddr in found:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        refused = address_refused(ip, production=True)
        if refused:
            raise SendFailed(f"Not sent: {host} resolves to {ip}, and {refused}")
    return url


def _secret(target: NotificationTarget) -> bytes:
    try:
        return unseal_secret(target.secret_sealed or b"")
    except (InvalidTag, ValueError):
        raise SendFailed(
            "The webhook's shared secret cannot be read (the app's secret key changed?): "
            "set the webhook again"
        ) from None


def _failed(message: OutboxMessage, reason: str, now: datetime) -> str:
    message.attempts += 1
    if now - message.created_at >= GIVE_UP_AFTER:
        return _give_up(message, reason, now)
    message.last_error = short(reason)
    message.next_attempt_at = now + retry_wait(message.attempts)
    message.claimed_until = None
    db.session.commit()
    log.warning("Notification %s not sent (attempt %s): %s", message.id, message.attempts, reason)
    return "failed"


def _give_up(message: OutboxMessage, reason: str, now: datetime) -> str:
    message.status = "dead"
    message.last_error = short(reason)
    message.claimed_until = None
    db.session.commit()
    log.error("Notification %s given up: %s", message.id, reason)
    return "dead"
