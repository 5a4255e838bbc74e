"""Links that leave grabpack follow GRABPACK_PUBLIC_URL, never the request's headers.

Found by an operations tester: behind a proxy (PROXY_HOPS=1) a report-missing
request carrying `X-Forwarded-Host: evil.example` put
`https://evil.example/police/episodes/<id>` into the notice police receive. A
share link (whose token is the key to the pack) was built the same way. With
GRABPACK_PUBLIC_URL set, every such link starts with it, whatever the request says."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grabpack.domain.notifications import EpisodeNotice
from grabpack.extensions import db
from grabpack.models import OutboxMessage
from grabpack.services import notifications
from tests.factories import FULL_LEGAL, open_for, patient_on
from tests.page_checks import form_fields

PUBLIC = "https://grabpack.example.nhs.uk"
FORGED = {"X-Forwarded-Host": "evil.example"}


@pytest.fixture
def app_config() -> dict:
    return {"PUBLIC_URL": PUBLIC, "PROXY_HOPS": 1}


def test_a_share_link_starts_with_the_public_address(app, client, auth, world):
    with app.app_context():
        patient = patient_on("WA1", "Link Check", FULL_LEGAL, world.nurse_a)
        episode_id = open_for(patient, world.nurse_a).id
        db.session.commit()
    auth.login(world.nurse_a)
    page = client.get(f"/episodes/{episode_id}", headers=FORGED).text
    token = re.search(r'id="share-csrf"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        f"/episodes/{episode_id}/share", data={"csrf_token": token}, headers=FORGED
    )
    url = re.search(r'id="share-url">([^<]+)<', response.text).group(1)
    assert url.startswith(f"{PUBLIC}/share/"), url
    assert "evil.example" not in response.text


def test_the_notice_to_police_links_to_the_public_address(app, client, auth, world):
    with app.app_context():
        notifications.add_email(world.area_a, "mispers@example.police.uk")
        patient_id = patient_on("WA1", "Notice Check", FULL_LEGAL, world.nurse_a).id
        db.session.commit()
    auth.login(world.nurse_a)
    url = f"/patients/{patient_id}/episodes/new"
    page = client.get(url, headers=FORGED).text
    fields = {
        **form_fields(page, url),
        "kind": "awol",
        "noticed_at-day": "1",
        "noticed_at-month": "12",
        "noticed_at-year": "2026",
        "noticed_at-time": "12:00",
        "last_seen_at-day": "1",
        "last_seen_at-month": "12",
        "last_seen_at-year": "2026",
        "last_seen_at-time": "11:00",
    }
    assert client.post(url, data=fields, headers=FORGED).status_code == 302
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
    link = EpisodeNotice.from_json(message.payload).link
    assert link.startswith(f"{PUBLIC}/police/episodes/"), link
