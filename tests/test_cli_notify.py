"""``grabpack areas notify|targets`` and ``grabpack notify work``: the secret never on
the command line or the screen, one line for every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import NotificationTarget, OutboxMessage
from grabpack.models.base import utcnow
from grabpack.services.notify_worker import GIVE_UP_AFTER
from tests.factories import FULL_LEGAL, open_for, patient_on
from tests.test_cli import one_line

SECRET = "a shared secret of at least 32 characters!"
HOOK = "https://receiver.example.police.uk/grabpack"


@pytest.fixture
def grabpack(monkeypatch):
    """The ``grabpack`` group itself (one-line errors) on an app."""
    from grabpack.cli import main

    monkeypatch.setenv("FLASK_DEBUG", "0")
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")

    def run(app, *args: str, input: str | None = None):
        return app.test_cli_runner().invoke(main, list(args), input=input)

    return run


def test_a_webhook_is_added_with_the_secret_from_stdin_and_never_shown(app, world, grabpack):
    added = grabpack(app, "areas", "notify", "area1", "--webhook", HOOK, input=SECRET + "\n")
    assert added.exit_code == 0, added.output
    assert "Added webhook target" in added.output and "will not be shown again" in added.output
    listed = grabpack(app, "areas", "targets", "AREA1")
    assert HOOK in listed.output and "webhook" in listed.output
    for output in (added.output, listed.output):
        assert SECRET not in output
    with app.app_context():
        target = db.session.scalar(select(NotificationTarget))
        assert SECRET.encode() not in target.secret_sealed


def test_an_email_target_is_added_listed_and_removed(app, world, grabpack):
    added = grabpack(app, "areas", "notify", "AREA1", "--email", "mispers@example.police.uk")
    assert added.exit_code == 0, added.output
    with app.app_context():
        target_id = db.session.scalar(select(NotificationTarget.id))
    listed = grabpack(app, "areas", "targets", "AREA1")
    assert listed.output == f"{target_id}\temail\tmispers@example.police.uk\n"

    removed = grabpack(app, "areas", "notify", "AREA1", "--remove", str(target_id))
    assert removed.exit_code == 0 and f"Removed email target {target_id}" in removed.output
    assert "told of nothing yet" in grabpack(app, "areas", "targets", "AREA1").output


def test_a_target_of_another_area_is_not_removed(app, world, grabpack):
    grabpack(app, "areas", "notify", "AREA1", "--email", "mispers@example.police.uk")
    with app.app_context():
        target_id = db.session.scalar(select(NotificationTarget.id))
    refused = grabpack(app, "areas", "notify", "AREA2", "--remove", str(target_id))
    assert f"Policing area AREA2 has no target {target_id}" in one_line(refused)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("areas", "notify", "NOWHERE", "--email", "a@example.org"), "No policing area"),
        (("areas", "notify", "NOWHERE", "--webhook", HOOK), "No policing area"),
        (("areas", "targets", "NOWHERE"), "No policing area"),
        (("areas", "notify", "AREA1", "--email", "not an address"), "is not an email address"),
        (("areas", "notify", "AREA1", "--webhook", "http://example.org/h"), "https://"),
        (("areas", "notify", "AREA1", "--remove", "99"), "has no target 99"),
    ],
)
def test_refusals_are_one_line(app, world, grabpack, args, says):
    refused = grabpack(app, *args, input=SECRET + "\n")
    assert says in one_line(refused)
    assert SECRET not in refused.output
    with app.app_context():
        assert db.session.scalar(select(NotificationTarget)) is None


def test_a_short_secret_is_refused_without_repeating_it(app, world, grabpack):
    refused = grabpack(app, "areas", "notify", "AREA1", "--webhook", HOOK, input="hunter2\n")
    assert "at least 32 characters" in one_line(refused)
    assert "hunter2" not in refused.output


def test_one_of_email_webhook_or_remove_is_needed(app, world, grabpack):
    result = grabpack(app, "areas", "notify", "AREA1")
    assert result.exit_code == 2 and "Give one of --email" in result.output


def test_work_once_prints_what_it_did(app, world, grabpack):
    grabpack(app, "areas", "notify", "AREA1", "--email", "mispers@example.police.uk")
    grabpack(app, "areas", "notify", "AREA1", "--email", "control@example.police.uk")
    with app.app_context():
        open_for(patient_on(world.ward_a, "Test Patient", FULL_LEGAL, world.nurse_a), world.nurse_a)
        db.session.commit()
    first = grabpack(app, "notify", "work", "--once")
    assert first.exit_code == 0, first.output
    assert first.output == "Notifications: 2 sent, 0 failed (to be tried again), 0 given up.\n"
    again = grabpack(app, "notify", "work", "--once")
    assert again.output.startswith("Notifications: 0 sent")


def test_production_without_a_mail_server_refuses_to_start(app_factory, world, grabpack):
    production = app_factory(
        GRABPACK_ENV="production",
        SECRET_KEY="0123456789abcdef" * 4,
        PASSWORD_HASH_PROFILE="RFC_9106_LOW_MEMORY",
    )
    grabpack(production, "areas", "notify", "AREA1", "--email", "mispers@example.police.uk")
    for args in (("notify", "work"), ("notify", "work", "--once")):
        assert "GRABPACK_SMTP_URL is not set" in one_line(grabpack(production, *args))


# --- for cron: a pass that could not send says so in its exit status -----------------------
# Found by an operations tester: "0 sent, 0 failed, 1 given up" exited 0, so cron told
# nobody; and production refused to start without a mail server even where every area
# is told by webhook only.

UNREACHABLE = "http://127.0.0.1:9/grabpack"  # the discard port: nothing answers


def report_missing(app, world) -> None:
    with app.app_context():
        open_for(patient_on(world.ward_a, "Cron Check", FULL_LEGAL, world.nurse_a), world.nurse_a)
        db.session.commit()


def test_a_pass_that_could_not_send_exits_non_zero(app, world, grabpack):
    grabpack(app, "areas", "notify", "AREA1", "--webhook", UNREACHABLE, input=SECRET + "\n")
    report_missing(app, world)
    result = grabpack(app, "notify", "work", "--once")
    assert result.output == "Notifications: 0 sent, 1 failed (to be tried again), 0 given up.\n"
    assert result.exit_code == 1


def test_a_pass_that_gave_up_exits_non_zero(app, world, grabpack):
    grabpack(app, "areas", "notify", "AREA1", "--webhook", UNREACHABLE, input=SECRET + "\n")
    report_missing(app, world)
    with app.app_context():
        for message in db.session.query(OutboxMessage):
            message.created_at = utcnow() - GIVE_UP_AFTER - timedelta(minutes=1)
        db.session.commit()
    result = grabpack(app, "notify", "work", "--once")
    assert result.output.endswith("0 sent, 0 failed (to be tried again), 1 given up.\n")
    assert result.exit_code == 1


def test_production_told_only_by_webhook_needs_no_mail_server(app_factory, world, grabpack):
    production = app_factory(
        GRABPACK_ENV="production",
        SECRET_KEY="0123456789abcdef" * 4,
        PASSWORD_HASH_PROFILE="RFC_9106_LOW_MEMORY",
    )
    added = grabpack(
        production,
        "areas",
        "notify",
        "AREA1",
        "--webhook",
        "https://receiver.example.police.uk/grabpack",
        input=SECRET + "\n",
    )
    assert added.exit_code == 0, added.output
    result = grabpack(production, "notify", "work", "--once")
    assert result.exit_code == 0, result.output
    assert result.output == "Notifications: 0 sent, 0 failed (to be tried again), 0 given up.\n"
