"""A mail relay that takes its time to accept a message is not sent it twice.

Found by an operations tester: a relay that scans content answered 12 s after the
message; the 10 s timeout fired, the worker retried, and the police inbox had the
same notice twice. The reply after the message now has its own, longer wait."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import OutboxMessage
from grabpack.notify import email as email_sender
from grabpack.services import notifications
from grabpack.services.notify_worker import WorkResult, work_once
from tests.factories import FULL_LEGAL, open_for, patient_on
from tests.test_notify_worker import INBOX, PUBLIC_URL, Mailbox, MailServer, free_port


class SlowMailbox(Mailbox):
    """Takes ``delay`` seconds to answer once the message is in."""

    delay = 1.5

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def app_config(smtp_port) -> dict:
    return {"SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "PUBLIC_URL": PUBLIC_URL}


def test_a_slow_answer_after_the_message_is_one_delivery(app, world, smtp_port, monkeypatch):
    # The same shape as in production (10 s to connect and each reply, 90 s after
    # the message), scaled down so the test takes seconds.
    monkeypatch.setattr(email_sender, "TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(email_sender, "DATA_TIMEOUT_SECONDS", 5)
    server = MailServer(smtp_port, mailbox=SlowMailbox())
    server.start()
    try:
        with app.app_context():
            notifications.add_email(world.area_a, INBOX)
            open_for(
                patient_on(world.ward_a, "Slow Relay", FULL_LEGAL, world.nurse_a), world.nurse_a
            )
            db.session.commit()
            assert work_once() == WorkResult(sent=1)
            assert work_once() == WorkResult()
            assert db.session.scalar(select(OutboxMessage.status)) == "sent"
        assert len(server.mailbox.messages) == 1
    finally:
        server.stop()
