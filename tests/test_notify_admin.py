"""Admins choose where each policing area is told of its missing episodes and watch
the outbox; the link in a message leads each reader to what they may see; the
officer's list marks an episode noticed in the last half hour as new."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import AuditEvent, MissingEpisode, NotificationTarget, OutboxMessage
from grabpack.models.base import utcnow
from grabpack.services import notifications
from tests.conftest import csrf_token
from tests.factories import FULL_LEGAL, close, open_for, patient_on
from tests.test_query_counts import counted

SECRET = "s3cret-shared-with-the-receiver-0123456789"
HOOK = "https://receiver.example.police.uk/grabpack?token=abc123"


def _token_for(page: str, action: str) -> str:
    """The CSRF token of the form posting to ``action`` (forms carry prefixed tokens)."""
    form = page.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    return re.search(r'name="([^"]*csrf_token)"[^>]*value="([^"]+)"', form).group(2)


def add_email(client, area: str, address: str):
    page = client.get("/admin/areas").text
    action = f"/admin/areas/{area}/email"
    return client.post(
        action,
        data={
            f"{area}-email-csrf_token": _token_for(page, action),
            f"{area}-email-address": address,
        },
    )


def add_webhook(client, area: str, url: str, secret: str):
    page = client.get("/admin/areas").text
    action = f"/admin/areas/{area}/webhook"
    return client.post(
        action,
        data={
            f"{area}-webhook-csrf_token": _token_for(page, action),
            f"{area}-webhook-url": url,
            f"{area}-webhook-secret": secret,
        },
    )


def _targets(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(NotificationTarget).where(NotificationTarget.active.is_(True))
        ).all()
        return sorted((t.policing_area.code, t.channel, t.address) for t in rows)


def _audit(app, prefix: str = "notify_target.") -> list[tuple[str, dict]]:
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)
        ).all()
        return [(e.action, e.detail) for e in events]


# --- who may manage them --------------------------------------------------------------------


@pytest.mark.parametrize("user", ["nurse_a", "manager_a", "police_a"])
@pytest.mark.parametrize("path", ["/admin/areas", "/admin/outbox"])
def test_only_admins_see_the_notification_pages(app, client, auth, world, user, path):
    auth.login(getattr(world, user))
    assert client.get(path).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, world):
    response = client.get("/admin/areas")
    assert response.status_code == 302 and "/login" in response.location


def test_others_cannot_add_a_target_even_with_a_valid_token(app, client, auth, world):
    auth.login(world.manager_a)
    page = client.get("/", follow_redirects=True).text
    response = client.post(
        f"/admin/areas/{world.area_a}/email",
        data={"csrf_token": csrf_token(page), f"{world.area_a}-email-address": "x@example.org"},
    )
    assert response.status_code == 403
    assert _targets(app) == []


# --- adding and removing ----------------------------------------------------------------------


def test_an_admin_adds_an_email_address_and_sees_it_listed_under_its_area(app, client, auth, world):
    auth.login(world.admin)
    page = client.get("/admin/areas").text
    assert "Area One" in page and "Area Two" in page
    assert page.count("is not told of its missing episodes") == 2
    response = add_email(client, world.area_a, "mispers@example.police.uk")
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Area One will be emailed at mispers@example.police.uk" in page
    area_one = page.split('id="area-AREA1"')[1].split('id="area-AREA2"')[0]
    assert "mispers@example.police.uk" in area_one
    assert _targets(app) == [("AREA1", "email", "mispers@example.police.uk")]
    assert _audit(app) == [
        (
            "notify_target.add",
            {
                "area": "AREA1",
                "channel": "email",
                "target_id": 1,
                "to": "mispers@example.police.uk",
            },
        )
    ]


def test_a_webhook_secret_is_never_shown_again_nor_audited(app, client, auth, world):
    auth.login(world.admin)
    response = add_webhook(client, world.area_b, HOOK, SECRET)
    assert response.status_code == 302
    pages = [client.get(response.location).text, client.get("/admin/areas").text]
    with app.app_context():
        target = db.session.scalar(select(NotificationTarget))
        target_id = target.id
        open_for(patient_on(world.ward_b, "Hook Test", FULL_LEGAL, world.nurse_b), world.nurse_b)
        db.session.commit()
    pages.append(client.get("/admin/outbox").text)
    assert 'data-message-status="pending"' in pages[-1]
    for page in pages:
        assert SECRET not in page
        assert "token=abc123" not in page
    assert "will not be shown again" in pages[0]
    row = pages[1].split(f'data-target="{target_id}"')[1].split("</tr>")[0]
    assert "Secret saved" in row and "https://receiver.example.police.uk/grabpack?…" in row
    assert 'type="password"' in pages[1]
    ((action, detail),) = _audit(app)
    assert action == "notify_target.add"
    assert detail == {
        "area": "AREA2",
        "channel": "webhook",
        "target_id": target_id,
        "to": "receiver.example.police.uk",
    }
    assert SECRET not in str(detail) and "token" not in str(detail)


@pytest.mark.parametrize(
    ("channel", "values", "message", "field"),
    [
        ("email", ("",), "Enter the email address to tell", "AREA1-email-address"),
        ("email", ("not an address",), "is not an email address", "AREA1-email-address"),
        ("webhook", ("", SECRET), "Enter the webhook URL", "AREA1-webhook-url"),
        (
            "webhook",
            ("http://receiver.example.police.uk/hook", SECRET),
            "A webhook URL must start with https://",
            "AREA1-webhook-url",
        ),
        ("webhook", (HOOK, ""), "Enter the shared secret", "AREA1-webhook-secret"),
        (
            "webhook",
            (HOOK, "too short"),
            "The shared secret must be at least 32 characters",
            "AREA1-webhook-secret",
        ),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_at_the_top(
    app, client, auth, world, channel, values, message, field
):
    auth.login(world.admin)
    if channel == "email":
        response = add_email(client, world.area_a, *values)
    else:
        response = add_webhook(client, world.area_a, *values)
    assert response.status_code == 200  # the page again, as every form here does
    page = response.text
    assert "There is a problem" in page
    assert f'href="#{field}"' in page  # the summary links to the field to fix
    assert page.count(message) == 2  # in the summary and beside the field
    assert "<title>Error:" in page
    if channel == "webhook" and values[1]:
        assert values[1] not in page  # a typed secret is not put back into the page
    assert _targets(app) == []
    assert _audit(app) == []


def test_an_admin_removes_a_target_and_messages_stop_being_queued_for_it(app, client, auth, world):
    auth.login(world.admin)
    add_email(client, world.area_a, "mispers@example.police.uk")
    add_webhook(client, world.area_a, HOOK, SECRET)
    with app.app_context():
        email_id = db.session.scalar(
            select(NotificationTarget.id).where(NotificationTarget.channel == "email")
        )
    page = client.get("/admin/areas").text
    assert 'Stop telling<span class="nhsuk-u-visually-hidden"> Area One at mispers@' in page
    response = client.post(
        f"/admin/areas/targets/{email_id}/remove", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Area One will no longer be told at mispers@example.police.uk" in page
    assert _targets(app) == [("AREA1", "webhook", HOOK)]
    assert _audit(app)[-1] == (
        "notify_target.remove",
        {
            "area": "AREA1",
            "channel": "email",
            "target_id": email_id,
            "to": "mispers@example.police.uk",
        },
    )
    again = client.post(
        f"/admin/areas/targets/{email_id}/remove", data={"csrf_token": csrf_token(page)}
    )
    assert again.status_code == 404
    with app.app_context():
        episode = open_for(
            patient_on(world.ward_a, "After", FULL_LEGAL, world.nurse_a), world.nurse_a
        )
        db.session.commit()
        channels = db.session.scalars(
            select(NotificationTarget.channel)
            .join(OutboxMessage, OutboxMessage.target_id == NotificationTarget.id)
            .where(OutboxMessage.episode_id == episode.id)
        ).all()
    assert channels == ["webhook"]


def test_removing_without_the_form_token_changes_nothing(app, client, auth, world):
    auth.login(world.admin)
    add_email(client, world.area_a, "mispers@example.police.uk")
    response = client.post("/admin/areas/targets/1/remove", data={})
    assert response.status_code == 400
    assert _targets(app) == [("AREA1", "email", "mispers@example.police.uk")]


# --- the outbox -------------------------------------------------------------------------------


@pytest.fixture
def outbox(app, world):
    """Area one's episode told by email (sent) and webhook (given up); area two's by
    email (pending)."""
    with app.app_context():
        notifications.add_email(world.area_a, "mispers@example.police.uk")
        notifications.add_webhook(world.area_a, HOOK, SECRET)
        notifications.add_email(world.area_b, "control@example.police.uk")
        db.session.flush()
        open_for(
            patient_on(world.ward_a, "Zofia Wiśniewska", FULL_LEGAL, world.nurse_a), world.nurse_a
        )
        open_for(patient_on(world.ward_b, "Other Area", FULL_LEGAL, world.nurse_b), world.nurse_b)
        db.session.flush()
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        sent, dead, _pending = messages
        sent.status, sent.attempts, sent.sent_at = "sent", 1, utcnow()
        dead.status, dead.attempts, dead.last_error = "dead", 9, "connection refused by receiver"
        db.session.commit()


def test_the_outbox_shows_each_message_with_its_state_and_counts(app, client, auth, world, outbox):
    auth.login(world.admin)
    page = client.get("/admin/outbox").text
    assert "Pending: 1" in page and "Sent: 1" in page and "Given up: 1" in page
    assert page.count('data-message-status="') == 3
    assert "connection refused by receiver" in page
    assert "Ward A, Site One" in page and "Ward B, Site Two" in page
    assert "Reported missing" in page
    assert "Zofia" not in page and "Wiśniewska" not in page  # no patient data
    assert SECRET not in page and "token=abc123" not in page


@pytest.mark.parametrize(("status", "count"), [("pending", 1), ("sent", 1), ("dead", 1)])
def test_the_outbox_filters_by_state(app, client, auth, world, outbox, status, count):
    auth.login(world.admin)
    page = client.get(f"/admin/outbox?status={status}").text
    assert page.count(f'data-message-status="{status}"') == count
    assert page.count('data-message-status="') == count


def test_an_unknown_state_shows_everything(app, client, auth, world, outbox):
    auth.login(world.admin)
    page = client.get("/admin/outbox?status=bogus").text
    assert page.count('data-message-status="') == 3


def test_the_admin_pages_issue_as_many_queries_whatever_the_numbers(
    app, client, auth, world, outbox
):
    auth.login(world.admin)

    def queries(path: str) -> int:
        with counted(app) as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    few = {path: queries(path) for path in ("/admin/outbox", "/admin/areas")}
    with app.app_context():
        for n in range(6):
            notifications.add_email(world.area_b, f"extra{n}@example.police.uk")
        db.session.flush()
        for n in range(6):
            open_for(
                patient_on(world.ward_b, f"More {n}", FULL_LEGAL, world.nurse_b), world.nurse_b
            )
        db.session.commit()
    assert {path: queries(path) for path in few} == few


# --- the link a message carries -----------------------------------------------------------------


@pytest.fixture
def episodes(app, world) -> dict[str, tuple[str, str]]:
    """(episode id, patient id) for an open episode on each ward and one on ward A
    closed long ago."""
    with app.app_context():
        found = {}
        for key, ward, author in (
            ("a", world.ward_a, world.nurse_a),
            ("b", world.ward_b, world.nurse_b),
        ):
            episode = open_for(patient_on(ward, f"Patient {key}", FULL_LEGAL, author), author)
            found[key] = (str(episode.id), str(episode.patient_id))
        old = open_for(
            patient_on(world.ward_a, "Long Ago", FULL_LEGAL, world.nurse_a),
            world.nurse_a,
            hours_ago=300,
        )
        close(old, world.nurse_a, hours_ago=200)
        found["old"] = (str(old.id), str(old.patient_id))
        db.session.commit()
    return found


def test_the_link_asks_a_signed_out_reader_to_sign_in_then_comes_back(client, world, episodes):
    path = f"/police/episodes/{episodes['a'][0]}"
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.location and "police" in response.location


def test_after_signing_in_an_officer_lands_on_the_patient(client, auth, world, episodes):
    episode_id, patient_id = episodes["a"]
    path = f"/police/episodes/{episode_id}"
    next_url = client.get(path).location
    page = client.get(next_url)
    response = client.post(
        next_url,
        data={
            "email": world.police_a,
            "password": "correct horse battery staple",
            "csrf_token": csrf_token(page.text),
        },
    )
    assert response.location.endswith(path)
    assert client.get(path).location.endswith(f"/police/patients/{patient_id}")


@pytest.mark.parametrize(
    ("user", "episode", "expected"),
    [
        ("police_a", "a", "/police/patients/{patient}"),
        ("police_a", "b", 404),  # another area
        ("police_a", "old", 404),  # closed beyond the grace window
        ("police_b", "b", "/police/patients/{patient}"),
        ("nurse_a", "a", "/episodes/{episode}"),
        ("manager_a", "a", "/episodes/{episode}"),
        ("nurse_a", "b", 404),  # another ward
        ("nurse_b", "b", "/episodes/{episode}"),
        ("admin", "a", 404),
    ],
)
def test_the_link_leads_each_reader_by_the_usual_rules(
    client, auth, world, episodes, user, episode, expected
):
    episode_id, patient_id = episodes[episode]
    auth.login(getattr(world, user))
    response = client.get(f"/police/episodes/{episode_id}")
    if expected == 404:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response.location.endswith(expected.format(patient=patient_id, episode=episode_id))
        assert client.get(response.location).status_code == 200


def test_an_unknown_episode_is_404(client, auth, world):
    auth.login(world.police_a)
    assert client.get("/police/episodes/00000000-0000-4000-8000-000000000000").status_code == 404


# --- "New" on the police list ---------------------------------------------------------------------


def _card(page: str, name: str) -> str:
    start = page.rindex('<li class="app-episode-card', 0, page.index(name))
    return page[start : page.index("</li>", start)]


def test_an_episode_noticed_in_the_last_half_hour_is_marked_new(app, client, auth, world):
    with app.app_context():
        open_for(
            patient_on(world.ward_a, "Fresh Case", FULL_LEGAL, world.nurse_a),
            world.nurse_a,
            hours_ago=0.2,
        )
        open_for(
            patient_on(world.ward_a, "Older Case", FULL_LEGAL, world.nurse_a),
            world.nurse_a,
            hours_ago=0.75,
        )
        db.session.commit()
    auth.login(world.police_a)
    for path in ("/police/", "/police/open-episodes"):  # the page and its refresh
        page = client.get(path).text
        fresh, older = _card(page, "Fresh Case"), _card(page, "Older Case")
        assert "app-episode-card--new" in fresh and ">New</strong>" in fresh
        assert "app-episode-card--new" not in older and ">New</strong>" not in older


def test_the_new_mark_wears_off(app, client, auth, world):
    with app.app_context():
        episode = open_for(
            patient_on(world.ward_a, "Fresh Case", FULL_LEGAL, world.nurse_a),
            world.nurse_a,
            hours_ago=0.2,
        )
        db.session.commit()
        episode_id = episode.id
    auth.login(world.police_a)
    assert ">New</strong>" in _card(client.get("/police/open-episodes").text, "Fresh Case")
    with app.app_context():
        db.session.get(MissingEpisode, episode_id).noticed_at = utcnow() - timedelta(minutes=31)
        db.session.commit()
    assert ">New</strong>" not in _card(client.get("/police/open-episodes").text, "Fresh Case")
