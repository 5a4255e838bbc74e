"""Notification targets are checked when saved, and again when sent: a URL that
cannot be requested, an address that is not an inbox, the same inbox or receiver
twice, and (in production) a webhook to this machine or a link-local address are
refused with a reason; the targets list hides a webhook's query as the page does."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import NotificationTarget, OutboxMessage, PolicingArea
from grabpack.models.base import utcnow
from grabpack.services import notifications
from grabpack.services.notifications import TargetError
from grabpack.services.notify_worker import work_once
from tests.factories import FULL_LEGAL, open_for, patient_on
from tests.test_cli import one_line
from tests.test_cli_notify import grabpack  # noqa: F401 - the fixture
from tests.test_notify_admin import add_email, add_webhook

SECRET = "a shared secret of at least 32 characters!"

BAD_URLS = [
    ("https://a b.com/", "spaces or control characters"),
    ("https://x.com:abc/", "port must be a number from 1 to 65535"),
    ("https://x.com:99999/", "port must be a number from 1 to 65535"),
    ("https://x.com:0/", "port must be a number from 1 to 65535"),
    ("https://exa\tmple.com/hook", "spaces or control characters"),
    ("https://example.com/a\x00b", "spaces or control characters"),
    ("https:///hook", "needs a host"),
    ("https://[::1/hook", "must be a valid URL"),
    ("https://-bad-.example.org/", "not a valid host name"),
    ("https://example..org/", "not a valid host name"),
    ("https://exämple.org/", "plain ASCII"),
    ("ftp://example.org/", "must start with https://"),
]

BAD_EMAILS = [
    "<script>alert(1)</script>@x.com",
    "a@b",
    "a b@x.com",
    "a@@x.com",
    "a@x.com>",
    '"quoted"@x.com',
    "mispers@met.police.uk\r\nBcc: x@y.org",
]


@pytest.fixture
def production(app_factory):
    return app_factory(
        GRABPACK_ENV="production",
        SECRET_KEY="0123456789abcdef" * 4,
        PASSWORD_HASH_PROFILE="RFC_9106_LOW_MEMORY",
    )


def _rows(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(NotificationTarget).where(NotificationTarget.active.is_(True))
        ).all()
        return sorted((t.policing_area.code, t.channel, t.address) for t in rows)


# --- 1. checked when saved --------------------------------------------------------------------


@pytest.mark.parametrize(("url", "says"), BAD_URLS)
def test_a_webhook_url_that_cannot_be_requested_is_refused(app, world, url, says):
    with app.app_context(), pytest.raises(TargetError, match=says):
        notifications.add_webhook(world.area_a, url, SECRET)
    assert _rows(app) == []


@pytest.mark.parametrize("address", BAD_EMAILS)
def test_an_address_that_is_not_an_inbox_is_refused(app, world, address):
    with app.app_context(), pytest.raises(TargetError, match="is not an email address"):
        notifications.add_email(world.area_a, address)
    assert _rows(app) == []


@pytest.mark.parametrize("url", ["https://a b.com/", "https://x.com:abc/", "https://x.com:99999/"])
def test_the_admin_form_shows_why_a_webhook_url_is_refused(app, client, auth, world, url):
    auth.login(world.admin)
    response = add_webhook(client, world.area_a, url, SECRET)
    assert response.status_code == 200
    assert "Error: Where policing areas are told" in response.text
    assert "A webhook URL" in response.text
    assert _rows(app) == []


def test_the_admin_form_shows_why_an_email_address_is_refused(app, client, auth, world):
    auth.login(world.admin)
    response = add_email(client, world.area_a, "<script>alert(1)</script>@x.com")
    assert response.status_code == 200
    assert "is not an email address" in response.text
    assert "<script>alert(1)</script>" not in response.text  # escaped, never markup
    assert _rows(app) == []


@pytest.mark.parametrize(
    "args",
    [
        ("--webhook", "https://x.com:abc/"),
        ("--webhook", "https://a b.com/"),
        ("--email", "<script>alert(1)</script>@x.com"),
    ],
)
def test_the_command_refuses_in_one_line(app, world, grabpack, args):  # noqa: F811
    refused = grabpack(app, "areas", "notify", "AREA1", *args, input=SECRET + "\n")
    assert "A webhook URL" in one_line(refused) or "is not an email address" in one_line(refused)
    assert _rows(app) == []


def test_a_bad_url_saved_earlier_is_given_up_at_once_with_the_reason(app, world):
    with app.app_context():
        db.session.add(
            NotificationTarget(
                policing_area_id=_area_id(world.area_a),
                channel="webhook",
                address="https://x.com:abc/",
                secret_sealed=notifications.seal_secret(SECRET),
            )
        )
        open_for(patient_on(world.ward_a, "Test Patient", FULL_LEGAL, world.nurse_a), world.nurse_a)
        db.session.commit()
        assert work_once().dead == 1
        message = db.session.scalar(select(OutboxMessage))
        assert message.status == "dead"
        assert "port must be a number from 1 to 65535" in message.last_error


# --- 2. the same inbox or receiver once --------------------------------------------------------


def test_the_same_inbox_by_case_is_refused_and_the_domain_stored_lower_case(app, world):
    with app.app_context():
        first = notifications.add_email(world.area_a, "  MISPERS@Met.Police.UK ")
        assert first.address == "MISPERS@met.police.uk"
        db.session.commit()
        with pytest.raises(TargetError, match="already told at MISPERS@met.police.uk"):
            notifications.add_email(world.area_a, "mispers@met.police.uk")
        db.session.rollback()
        notifications.add_email(world.area_b, "mispers@met.police.uk")  # another area: fine
        db.session.commit()
    assert _rows(app) == [
        ("AREA1", "email", "MISPERS@met.police.uk"),
        ("AREA2", "email", "mispers@met.police.uk"),
    ]


def test_the_admin_form_says_the_inbox_is_already_told(app, client, auth, world):
    auth.login(world.admin)
    assert add_email(client, world.area_a, "mispers@met.police.uk").status_code == 302
    again = add_email(client, world.area_a, "MISPERS@Met.Police.UK ")
    assert again.status_code == 200
    assert "Area One is already told at mispers@met.police.uk" in again.text
    assert _rows(app) == [("AREA1", "email", "mispers@met.police.uk")]


def test_an_inbox_stored_before_the_check_is_still_found_by_case(app, world):
    with app.app_context():
        db.session.add(
            NotificationTarget(
                policing_area_id=_area_id(world.area_a),
                channel="email",
                address="Mispers@MET.police.uk",
            )
        )
        db.session.commit()
        with pytest.raises(TargetError, match="already told"):
            notifications.add_email(world.area_a, "mispers@met.police.uk")


def test_the_same_receiver_by_case_is_one_target_with_the_new_secret(app, world):
    new_secret = "another shared secret, also 32 characters or more"
    with app.app_context():
        first = notifications.add_webhook(
            world.area_a, "HTTPS://Control.Example.Police.UK:443/hook", SECRET
        )
        assert first.address == "https://control.example.police.uk/hook"
        db.session.commit()
        again = notifications.add_webhook(
            world.area_a, "https://control.example.police.uk/hook", new_secret
        )
        db.session.commit()
        assert again.id == first.id
        assert notifications.unseal_secret(again.secret_sealed) == new_secret.encode()
        other_path = notifications.add_webhook(
            world.area_a, "https://control.example.police.uk/Hook", SECRET
        )
        assert other_path.id != first.id  # a path is case-sensitive: another receiver
        db.session.commit()
    assert [row[2] for row in _rows(app)] == [
        "https://control.example.police.uk/Hook",
        "https://control.example.police.uk/hook",
    ]


def test_the_admin_page_says_the_secret_was_replaced(app, client, auth, world):
    auth.login(world.admin)
    add_webhook(client, world.area_a, "https://control.example.police.uk/hook", SECRET)
    again = add_webhook(client, world.area_a, "HTTPS://Control.Example.Police.UK/hook", SECRET)
    assert again.status_code == 302
    page = client.get(again.location).text
    assert "already told at this webhook: its shared secret is replaced" in page
    assert len(_rows(app)) == 1


# --- 3. no webhook to this machine in production ----------------------------------------------

NEVER_IN_PRODUCTION = [
    "http://127.0.0.1:6379/",
    "http://[::1]:5101/admin/users",
    "https://127.0.0.1/hook",
    "https://127.9.9.9/hook",
    "https://[::1]/hook",
    "https://localhost:5000/hook",
    "https://api.localhost/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://2130706433/hook",
    "https://0x7f.1/hook",
    "https://0177.0.0.1/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://[fe80::1]/hook",
    "https://0.0.0.0/hook",
    "https://[::]/hook",
    "https://224.0.0.1/hook",
    "http://receiver.example.police.uk/hook",
]


@pytest.mark.parametrize("url", NEVER_IN_PRODUCTION)
def test_production_refuses_webhooks_to_this_machine_and_link_local(production, world, url):
    with production.app_context():
        with pytest.raises(TargetError, match="A webhook URL"):
            notifications.add_webhook(world.area_a, url, SECRET)
        with pytest.raises(TargetError):
            notifications.add_webhook(world.area_a, url, SECRET, allow_http=True)
    assert _rows(production) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hook?token=abc",
        "https://172.16.4.2/hook",
        "https://192.168.1.20:8443/hook",
        "https://[fd12:3456::1]/hook",
        "https://control.example.police.uk/hook",
    ],
)
def test_production_allows_https_to_private_networks(production, world, url):
    with production.app_context():
        notifications.add_webhook(world.area_a, url, SECRET)
        db.session.commit()
    assert len(_rows(production)) == 1


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:6379/", True),
        ("http://[::1]:5101/hook", True),
        ("http://localhost:5000/hook", True),
        ("https://127.0.0.1/hook", True),
        ("http://receiver.example.org/hook", False),
        ("http://10.0.0.5/hook", False),
        ("https://169.254.169.254/latest/meta-data", False),
        ("https://0.0.0.0/hook", False),
    ],
)
def test_development_and_tests_allow_http_to_this_machine_only(app, world, url, allowed):
    with app.app_context():
        if allowed:
            notifications.add_webhook(world.area_a, url, SECRET)
        else:
            with pytest.raises(TargetError, match="A webhook URL"):
                notifications.add_webhook(world.area_a, url, SECRET)


class Listener:
    """Counts whatever reaches it: nothing must, from a production worker."""

    def __init__(self):
        self.hits = 0
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                listener.hits += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def listener():
    running = Listener()
    yield running
    running.close()


def _area_id(code: str) -> int:
    return db.session.scalar(select(PolicingArea.id).where(PolicingArea.code == code))


def _saved_earlier_then_reported(production, world, url: str) -> None:
    """A target saved before these checks (straight into the table), then a report."""
    with production.app_context():
        db.session.add(
            NotificationTarget(
                policing_area_id=_area_id(world.area_a),
                channel="webhook",
                address=url,
                secret_sealed=notifications.seal_secret(SECRET),
            )
        )
        open_for(patient_on(world.ward_a, "Test Patient", FULL_LEGAL, world.nurse_a), world.nurse_a)
        db.session.commit()


@pytest.mark.parametrize(
    "template", ["http://127.0.0.1:{port}/hook", "https://127.0.0.1:{port}/hook"]
)
def test_a_production_worker_never_sends_to_this_machine(production, world, listener, template):
    _saved_earlier_then_reported(production, world, template.format(port=listener.port))
    with production.app_context():
        result = work_once()
        message = db.session.scalar(select(OutboxMessage))
        assert result.dead == 1 and message.status == "dead"
        assert "Not sent" in message.last_error
    assert listener.hits == 0


def test_a_production_worker_checks_where_a_name_leads(production, world, listener, monkeypatch):
    """A name that resolves to this machine is refused too, at send time."""
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "receiver.example.police.uk":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    _saved_earlier_then_reported(
        production, world, f"https://receiver.example.police.uk:{listener.port}/hook"
    )
    with production.app_context():
        assert work_once().failed == 1
        message = db.session.scalar(select(OutboxMessage))
        assert message.status == "pending"
        assert "resolves to 127.0.0.1" in message.last_error
        assert message.next_attempt_at > utcnow() + timedelta(seconds=20)
    assert listener.hits == 0


# --- 4. the query is a secret on the command line too ----------------------------------------


def test_the_targets_list_hides_a_webhooks_query(app, world, grabpack):  # noqa: F811
    url = "https://control.example.police.uk/hook?token=abc123"
    added = grabpack(app, "areas", "notify", "AREA1", "--webhook", url, input=SECRET + "\n")
    assert added.exit_code == 0, added.output
    listed = grabpack(app, "areas", "targets", "AREA1")
    assert listed.exit_code == 0
    assert "abc123" not in listed.output
    assert "\twebhook\thttps://control.example.police.uk/hook?…\n" in listed.output
