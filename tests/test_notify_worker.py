"""The worker that tells policing areas: a real SMTP server (aiosmtpd) and a real
HTTP receiver that checks the signature as the README tells receivers to.

What must hold: an opened episode reaches the inbox and the webhook once, with
no patient identifier; a receiver that was down gets it when it is back; a
worker that dies mid-send sends again with the same idempotency key; a day of
failures gives up, saying why; and the ward's report never depends on any of it.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from grabpack.domain.notifications import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify,
)
from grabpack.extensions import db
from grabpack.models import MissingEpisode, OutboxMessage
from grabpack.models.base import utcnow
from grabpack.notify import webhook
from grabpack.services import notifications
from grabpack.services.notify_worker import LEASE, WorkResult, retry_wait, work, work_once
from tests.factories import FULL_LEGAL, open_for, patient_on
from tests.page_checks import form_fields

SECRET = "a shared secret of at least 32 characters!"
NAME = "Zofia Wiśniewska"
NHS_NUMBER = "9434765919"
INBOX = "mispers@example.police.uk"
PUBLIC_URL = "https://grabpack.example.nhs.uk"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- a real mail server ---------------------------------------------------------------------


class Mailbox:
    """aiosmtpd's handler: keeps every message it accepts."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.raw: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.raw.append(envelope.content)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@dataclass
class MailServer:
    port: int
    mailbox: Mailbox = field(default_factory=Mailbox)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mail_server(smtp_port):
    """The area's mail server, not yet started (a test starts it, or leaves it down)."""
    server = MailServer(smtp_port)
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp_port) -> dict:
    return {"SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "PUBLIC_URL": PUBLIC_URL}


# --- a real webhook receiver --------------------------------------------------------------------


@dataclass
class Delivery:
    key: str
    verified: bool
    body: bytes


class Receiver:
    """An HTTP server that checks each request as a receiver should (``verify`` with
    its own clock), and answers as the test says: ``ok``, ``unavailable`` (503) or
    ``drop`` (records the request, then closes the connection without answering)."""

    def __init__(self):
        self.mode = "ok"
        self.deliveries: list[Delivery] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.mode == "unavailable":
                    self.send_response(503)
                    self.end_headers()
                    return
                verified = verify(
                    SECRET.encode(),
                    self.headers[TIMESTAMP_HEADER],
                    self.headers[SIGNATURE_HEADER],
                    body,
                    datetime.now(UTC),
                )
                receiver.deliveries.append(
                    Delivery(self.headers[IDEMPOTENCY_HEADER], verified, body)
                )
                if receiver.mode == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(204 if verified else 401)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/grabpack"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        if not self.thread.is_alive():
            return
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    @property
    def keys(self) -> list[str]:
        return [delivery.key for delivery in self.deliveries]


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def area_a_told(app, world, receiver):
    with app.app_context():
        notifications.add_email(world.area_a, INBOX)
        notifications.add_webhook(world.area_a, receiver.url, SECRET)
        db.session.commit()


def report_missing(app, world) -> tuple[str, str]:
    """A ward reports a patient missing through the service; (episode id, patient id)."""
    with app.app_context():
        patient = patient_on(world.ward_a, NAME, FULL_LEGAL, world.nurse_a)
        patient.nhs_number = NHS_NUMBER
        episode = open_for(patient, world.nurse_a, police_reference="CAD 4321/02DEC26")
        db.session.commit()
        return str(episode.id), str(patient.id)


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        for message in messages:
            message.channel = message.target.channel
        db.session.expunge_all()
        return messages


def pass_at(app, now: datetime | None = None) -> WorkResult:
    with app.app_context():
        try:
            return work_once(now)
        finally:
            db.session.remove()


def all_text(message: email.message.EmailMessage, raw: bytes) -> str:
    """Everything a reader or a mail log could see: raw, headers and decoded parts."""
    parts = [raw.decode("utf-8", "replace"), str(message["Subject"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


# --- the tests --------------------------------------------------------------------------------


def test_an_opened_episode_reaches_the_inbox_and_the_webhook_once(
    app, world, area_a_told, mail_server, receiver
):
    mail_server.start()
    episode_id, patient_id = report_missing(app, world)

    assert pass_at(app).sent == 2
    assert pass_at(app).handled == 0  # a second pass finds nothing to send

    keys = {m.channel: str(m.idempotency_key) for m in outbox(app)}
    assert [m.status for m in outbox(app)] == ["sent", "sent"]
    [mail] = mail_server.mailbox.messages
    assert (
        mail["Subject"].strip()  # Python's parser keeps the space of a folded header
        == "grabpack: AWOL reported missing from Ward A, Site One (CAD 4321/02DEC26)"
    )
    assert mail["To"] == INBOX and mail[IDEMPOTENCY_HEADER] == keys["email"]
    assert mail["Message-ID"] == f"<{keys['email']}@localhost>"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    link = f"{PUBLIC_URL}/police/episodes/{episode_id}"
    assert link in text and f'href="{link}"' in html
    assert "Police risk grade: not graded yet" in text and "Can be taken back" in text

    [delivery] = receiver.deliveries
    assert delivery.verified and delivery.key == keys["webhook"]
    body = json.loads(delivery.body)
    assert body["event"] == "opened" and body["ward"] == "Ward A" and body["link"] == link

    seen = all_text(mail, mail_server.mailbox.raw[0]) + delivery.body.decode()
    for identifier in (NAME, "Zofia", "Wiśniewska", "Wi\\u015b", NHS_NUMBER, patient_id):
        assert identifier not in seen


def test_html_email_escapes_what_it_shows(app, world, area_a_told, mail_server):
    mail_server.start()
    with app.app_context():
        patient = patient_on(world.ward_a, NAME, FULL_LEGAL, world.nurse_a)
        open_for(patient, world.nurse_a, police_reference="<b>CAD 1</b> & co")
        db.session.commit()
    pass_at(app)
    [mail] = mail_server.mailbox.messages
    assert "&lt;b&gt;CAD 1&lt;/b&gt; &amp; co" in mail.get_body(("html",)).get_content()
    assert "Police reference: <b>CAD 1</b> & co" in mail.get_body(("plain",)).get_content()


def test_a_receiver_that_is_down_gets_the_message_when_it_is_back(
    app, world, area_a_told, mail_server, receiver
):
    receiver.mode = "unavailable"  # and the mail server is not started
    report_missing(app, world)
    start = utcnow()

    assert pass_at(app, start) == WorkResult(failed=2)
    failed = {m.channel: m for m in outbox(app)}
    assert failed["webhook"].last_error == "Webhook answered HTTP 503"
    assert failed["email"].last_error.startswith("SMTP 127.0.0.1:")
    assert all(m.next_attempt_at == start + timedelta(seconds=30) for m in failed.values())
    assert all(SECRET not in m.last_error for m in failed.values())

    assert pass_at(app, start + timedelta(seconds=10)).handled == 0  # not due yet

    receiver.mode = "ok"
    mail_server.start()
    assert pass_at(app, start + timedelta(seconds=31)) == WorkResult(sent=2)
    assert len(mail_server.mailbox.messages) == 1 and len(receiver.deliveries) == 1
    assert receiver.deliveries[0].verified
    assert [(m.status, m.attempts, m.last_error) for m in outbox(app)] == [("sent", 2, "")] * 2


class WorkerKilled(BaseException):
    """Stands for the process dying: nothing in the worker catches it."""


def test_a_worker_that_dies_mid_send_sends_again_with_the_same_key(
    app, world, area_a_told, mail_server, receiver, monkeypatch
):
    mail_server.start()
    really_send = webhook.send

    def send_then_die(*args, **kwargs):
        really_send(*args, **kwargs)
        raise WorkerKilled

    monkeypatch.setattr(webhook, "send", send_then_die)
    report_missing(app, world)
    start = utcnow()
    with pytest.raises(WorkerKilled), app.app_context():
        work_once(start)
    # A new process: the email went; the webhook was received, but never marked sent.
    monkeypatch.setattr(webhook, "send", really_send)
    stuck = {m.channel: m for m in outbox(app)}
    assert stuck["email"].status == "sent"
    assert stuck["webhook"].status == "pending"
    assert stuck["webhook"].claimed_until == start + LEASE

    assert pass_at(app, start + timedelta(minutes=1)).handled == 0  # the claim still holds
    assert pass_at(app, start + LEASE + timedelta(seconds=1)) == WorkResult(sent=1)

    key = str(stuck["webhook"].idempotency_key)
    assert receiver.keys == [key, key]  # twice, with the same key: the receiver drops one
    assert all(delivery.verified for delivery in receiver.deliveries)
    assert len(mail_server.mailbox.messages) == 1


def test_a_receiver_that_drops_the_connection_is_sent_again_with_the_same_key(
    app, world, area_a_told, mail_server, receiver
):
    mail_server.start()
    receiver.mode = "drop"
    report_missing(app, world)
    start = utcnow()
    assert pass_at(app, start) == WorkResult(sent=1, failed=1)
    [hook] = [m for m in outbox(app) if m.channel == "webhook"]
    assert hook.last_error.startswith("Webhook")

    receiver.mode = "ok"
    assert pass_at(app, start + timedelta(seconds=31)) == WorkResult(sent=1)
    assert receiver.keys == [str(hook.idempotency_key)] * 2


def test_after_a_day_of_failures_a_message_is_given_up_with_its_last_error(
    app, world, area_a_told, receiver
):
    receiver.close()  # nothing listens on its port now; nor on the mail server's
    report_missing(app, world)
    start = utcnow()
    assert pass_at(app, start).failed == 2
    assert pass_at(app, start + timedelta(hours=23)).failed == 2
    assert pass_at(app, start + timedelta(hours=24, minutes=1)) == WorkResult(dead=2)

    dead = {m.channel: m for m in outbox(app)}
    assert all(m.status == "dead" and m.attempts == 3 for m in dead.values())
    assert dead["webhook"].last_error.startswith("Webhook unreachable")
    assert dead["email"].last_error.startswith("SMTP 127.0.0.1:")
    assert pass_at(app, start + timedelta(days=3)).handled == 0  # never tried again


def test_the_wait_doubles_from_30_seconds_up_to_30_minutes():
    waits = [retry_wait(attempt).total_seconds() for attempt in range(1, 9)]
    assert waits == [30, 60, 120, 240, 480, 960, 1800, 1800]


def test_the_wards_report_is_saved_when_every_channel_fails(
    app, client, auth, world, area_a_told, receiver
):
    receiver.mode = "unavailable"  # and no mail server at all
    with app.app_context():
        patient_id = patient_on(world.ward_a, NAME, FULL_LEGAL, world.nurse_a).id
        db.session.commit()
    auth.login(world.nurse_a)
    new = f"/patients/{patient_id}/episodes/new"
    seen = (utcnow() - timedelta(minutes=30)).astimezone(ZoneInfo("Europe/London"))
    data = {
        **form_fields(client.get(new).text, new),
        "kind": "awol",
        "last_seen_at-day": seen.day,
        "last_seen_at-month": seen.month,
        "last_seen_at-year": seen.year,
        "last_seen_at-time": seen.strftime("%H:%M"),
        "last_seen_place": "Garden gate",
    }
    response = client.post(new, data=data)
    assert response.status_code == 302, response.text

    assert pass_at(app).failed == 2  # every channel down
    assert "AWOL" in client.get(response.headers["Location"]).text
    with app.app_context():
        [episode] = db.session.scalars(select(MissingEpisode)).all()
        assert episode.patient_id == patient_id and episode.returned_at is None
    assert [m.status for m in outbox(app)] == ["pending", "pending"]


def test_a_message_for_a_removed_target_is_given_up_saying_so(app, world, area_a_told, receiver):
    report_missing(app, world)
    with app.app_context():
        for target in notifications.targets_of(world.area_a):
            notifications.remove(target.id)
        db.session.commit()
    assert pass_at(app) == WorkResult(dead=2)
    assert {m.last_error for m in outbox(app)} == {
        "Not sent: the target was removed before the message went"
    }
    assert receiver.deliveries == []


def test_without_a_mail_server_outside_production_email_is_only_logged(
    app_factory, app, world, caplog
):
    quiet = app_factory(PUBLIC_URL=PUBLIC_URL)  # testing, no GRABPACK_SMTP_URL
    with quiet.app_context():
        notifications.add_email(world.area_a, INBOX)
        db.session.commit()
    episode_id, patient_id = report_missing(quiet, world)
    with caplog.at_level(logging.INFO, logger="grabpack.services.notify_worker"):
        assert pass_at(quiet) == WorkResult(sent=1)
    logged = caplog.text
    assert "AWOL reported missing from Ward A, Site One" in logged and episode_id in logged
    for identifier in (NAME, NHS_NUMBER, patient_id):
        assert identifier not in logged


def test_the_long_running_worker_stops_when_told(app, world, area_a_told, mail_server, receiver):
    mail_server.start()
    report_missing(app, world)
    stop = threading.Event()
    with app.app_context():
        runner = threading.Thread(target=lambda: _work_in(app, stop))
        runner.start()
        for _ in range(600):  # until both arrive (a minute at most, not a timing assert)
            if len(receiver.deliveries) + len(mail_server.mailbox.messages) == 2:
                break
            stop.wait(0.1)
        stop.set()
        runner.join(timeout=30)
    assert not runner.is_alive()
    assert [m.status for m in outbox(app)] == ["sent", "sent"]


def _work_in(app, stop: threading.Event) -> None:
    with app.app_context():
        work(stop, poll_seconds=0.1)
