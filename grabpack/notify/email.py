"""Email to a policing area's inbox: plain text with an HTML alternative, through
the SMTP server named by ``GRABPACK_SMTP_URL``.

The message carries the same facts as the webhook and no patient identifier.
``Message-ID`` and ``Idempotency-Key`` are made from the outbox message's key, so a
message sent twice (a worker that crashed mid-send) is the same message twice
and a mail system or a person can tell.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app, render_template

from grabpack.config import flag
from grabpack.domain.notifications import EVENTS, IDEMPOTENCY_HEADER, EpisodeNotice
from grabpack.notify import SendFailed

TIMEOUT_SECONDS = 10  # to connect, and for each reply before the message is sent
# For the reply once the message is sent: mail relays that scan content take longer
# than 10 s, and giving up then sends the message again, so the inbox has it twice
# (RFC 5321 4.5.3.2.6 allows 10 minutes; the worker's lease allows this much).
DATA_TIMEOUT_SECONDS = 90
SUBJECT_PREFIX = "grabpack: "


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send, read from ``GRABPACK_SMTP_URL`` (already checked at
    start-up by ``grabpack.config.smtp_url``)."""

    host: str
    port: int
    tls: bool  # TLS from the first byte (smtps://)
    starttls: bool
    username: str = ""
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        tls = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname or "",
            port=parts.port or (465 if tls else 25),
            tls=tls,
            starttls=any(flag(word) for word in query.get("starttls", [])),
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )

    def __repr__(self) -> str:  # never the password, in a log or a traceback
        return f"SmtpServer({self.host}:{self.port}, tls={self.tls}, starttls={self.starttls})"


def message_for(notice: EpisodeNotice, to: str, sender: str) -> EmailMessage:
    """The email: subject ``grabpack: <headline>``, text, then HTML (autoescaped)."""
    message = EmailMessage()
    message["Subject"] = SUBJECT_PREFIX + notice.headline
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    domain = sender.rpartition("@")[2] or "grabpack"
    message["Message-ID"] = f"<{notice.idempotency_key}@{domain}>"
    message[IDEMPOTENCY_HEADER] = notice.idempotency_key
    facts = {"notice": notice, "event_text": EVENTS[notice.event]}
    message.set_content(render_template("notifications/episode.txt", **facts))
    message.add_alternative(render_template("notifications/episode.html", **facts), subtype="html")
    return message


def send(notice: EpisodeNotice, to: str) -> None:
    """Send to ``to`` through the configured server, or raise ``SendFailed``."""
    config = current_app.config
    server = SmtpServer.from_url(config["SMTP_URL"])
    message = message_for(notice, to, config["NOTIFY_FROM"])
    try:
        _deliver(server, message)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendFailed(f"SMTP sign-in refused ({exc.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused:
        raise SendFailed("SMTP server refused the address") from None
    except smtplib.SMTPResponseException as exc:
        raise SendFailed(f"SMTP error {exc.smtp_code}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendFailed(f"SMTP {server.host}:{server.port}: {_reason(exc)}") from None


def _deliver(server: SmtpServer, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    if server.tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            server.host, server.port, timeout=TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
    with client:
        if server.starttls:
            client.starttls(context=context)
        if server.username:
            client.login(server.username, server.password)
        if client.sock is not None:
            client.sock.settimeout(DATA_TIMEOUT_SECONDS)
        client.send_message(message)


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
