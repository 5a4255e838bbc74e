"""Two app servers behind a load balancer: two gunicorn instances on different
ports, one PostgreSQL database, rate-limit counters in Redis. Each request of one
person may land on either server; every rule must hold as if there were one.

Needs ``GRABPACK_TEST_DATABASE_URL`` (PostgreSQL) and ``GRABPACK_TEST_REDIS_URL``
(``scripts/test`` sets both; ``scripts/start-redis`` prints the second). Skipped on
SQLite; without Redis skipped, except under ``CI=true``, where it fails.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from grabpack.domain.clock import LONDON
from grabpack.extensions import db
from grabpack.models import GrabPackVersion, MissingEpisode
from grabpack.models.base import utcnow
from tests.conftest import PASSWORD, POSTGRES_URL, csrf_token
from tests.factories import FULL_LEGAL, open_for, patient_on
from tests.page_checks import form_fields as page_form_fields
from tests.test_gunicorn import GUNICORN, NO_CONTROL, Server, _wait_until_healthy, free_port
from tests.test_packs import form_fields as pack_form_fields

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="two servers share one PostgreSQL database (set GRABPACK_TEST_DATABASE_URL); "
    "a SQLite file belongs to one machine",
)

REDIS_URL = os.environ.get("GRABPACK_TEST_REDIS_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
SECRET_KEY = secrets.token_hex(32)  # one key, shared by both servers
RATE_LIMIT = 5  # sign-in attempts a minute per address, across both servers
MAX_FAILURES = 3  # failures for one account from one address before refusal


@pytest.fixture
def redis_url() -> str:
    """The test Redis URL, answering; otherwise skip (fail in CI)."""
    import redis

    problem = ""
    if not REDIS_URL:
        problem = "GRABPACK_TEST_REDIS_URL is not set (scripts/start-redis prints it)"
    else:
        try:
            with redis.Redis.from_url(REDIS_URL, socket_timeout=2) as client:
                client.ping()
        except redis.RedisError as error:
            problem = f"Redis at GRABPACK_TEST_REDIS_URL does not answer ({type(error).__name__})"
    if problem and IN_CI:
        pytest.fail(f"{problem}: CI runs the two-server tests")
    if problem:
        pytest.skip(problem)
    return REDIS_URL


def start_gunicorn(database_url: str, redis_url: str) -> Server:
    """One production server: its own port, the shared database, key and Redis,
    behind one proxy (so the client address is the one the proxy reports)."""
    port = free_port()
    env = {
        **os.environ,
        "GRABPACK_ENV": "production",
        "GRABPACK_SECRET_KEY": SECRET_KEY,
        "GRABPACK_DATABASE_URL": database_url,
        "GRABPACK_RATELIMIT_STORAGE_URI": redis_url,
        "GRABPACK_PROXY_HOPS": "1",
        "GRABPACK_LOGIN_RATE_LIMIT": f"{RATE_LIMIT} per minute",
        "GRABPACK_LOGIN_MAX_FAILURES": str(MAX_FAILURES),
        "GRABPACK_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(  # noqa: S603 (our own gunicorn)
        [GUNICORN, *NO_CONTROL, "--workers", "1", "--bind", f"127.0.0.1:{port}"]
        + ["grabpack.wsgi:app"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return Server(f"http://127.0.0.1:{port}", process)


@dataclass
class Pair:
    a: str
    b: str


@pytest.fixture
def servers(redis_url, database_url, world) -> Iterator[Pair]:
    """Two servers, started side by side, stopped on the way out."""
    started = [start_gunicorn(database_url, redis_url) for _ in range(2)]
    try:
        for server in started:
            _wait_until_healthy(server)
        yield Pair(started[0].base, started[1].base)
    finally:
        for server in started:
            server.process.terminate()
        for server in started:
            if server.process.stdout and not server.process.stdout.closed:
                server.output = server.process.communicate(timeout=20)[0].decode()


def new_address() -> str:
    """An address no other test (or earlier run, within the limit's minute) used."""
    return str(ipaddress.IPv4Address("198.18.0.0") + secrets.randbelow(2**17))


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Device:
    """One person's browser: one session cookie, sent to whichever server the
    balancer picks, from one address (as the proxy reports it). Redirects are
    not followed, so each answer is looked at."""

    address: str
    cookie: str = ""

    def request(self, server: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(f"{server}{path}", data=body)
        request.add_header("X-Forwarded-For", self.address)
        if self.cookie:
            request.add_header("Cookie", self.cookie)
        try:
            response = urllib.request.build_opener(NoRedirects).open(request, timeout=20)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for set_cookie in response.headers.get_all("Set-Cookie") or []:
                self.cookie = set_cookie.split(";", 1)[0]
            return response.status, response.read().decode(), response.headers["Location"] or ""

    def get(self, server: str, path: str) -> tuple[int, str, str]:
        return self.request(server, path)

    def post(self, server: str, path: str, data: dict) -> tuple[int, str, str]:
        return self.request(server, path, data)


def sign_in(device: Device, page_from: str, post_to: str, email: str, password: str = PASSWORD):
    """The sign-in page from one server, the form posted to the other."""
    _status, page, _ = device.get(page_from, "/login")
    data = {"email": email, "password": password, "csrf_token": csrf_token(page)}
    return device.post(post_to, "/login", data)


def test_a_session_made_on_one_server_is_honoured_and_ended_on_the_other(servers, world):
    nurse = Device(new_address())
    status, _, location = sign_in(nurse, servers.a, servers.a, world.nurse_a)
    assert (status, location) == (302, "/")
    assert nurse.get(servers.b, "/")[2] == "/wards"  # made on A, known on B
    assert nurse.get(servers.b, "/wards/WA1")[0] == 200
    copy = Device(nurse.address, nurse.cookie)  # the same cookie in a second tab
    assert copy.get(servers.b, "/wards/WA1")[0] == 200
    _, page, _ = nurse.get(servers.b, "/wards/WA1")
    status, _, location = nurse.post(servers.a, "/logout", {"csrf_token": csrf_token(page)})
    assert (status, location) == (302, "/login")
    for device in (nurse, copy):  # signed out on A: over on B, every copy of it
        status, _, location = device.get(servers.b, "/wards/WA1")
        assert status == 302 and location.startswith("/login")


def test_failed_sign_ins_on_one_server_count_on_the_other(servers, world):
    """grabpack's own throttle (in the database): failures for one account from
    one address, spread over both servers, refuse that address on either."""
    attacker = new_address()
    for server in (servers.a, servers.b, servers.a):
        status, page, _ = sign_in(Device(attacker), server, server, world.nurse_a, "wrong one")
        assert status == 200 and "Enter a correct email address and password" in page
    for server in (servers.b, servers.a):  # the right password, but refused on both
        status, page, _ = sign_in(Device(attacker), server, server, world.nurse_a)
        assert status == 429 and "Wait 15 minutes" in page
    # the nurse, from her own PC, signs in on either server
    assert sign_in(Device(new_address()), servers.b, servers.b, world.nurse_a)[0] == 302


def test_the_sign_in_rate_limit_counts_across_both_servers_in_redis(servers, world):
    """Flask-Limiter's per-address limit: each attempt a different (unknown)
    account, so only the shared counter in Redis can refuse the sixth."""
    import redis

    address = new_address()
    statuses = []
    for attempt in range(RATE_LIMIT + 1):
        page_from, post_to = (servers.a, servers.b) if attempt % 2 else (servers.b, servers.a)
        email = f"nobody.{attempt}@example.nhs.uk"
        status, page, _ = sign_in(Device(address), page_from, post_to, email, "wrong one")
        statuses.append(status)
    assert statuses == [200] * RATE_LIMIT + [429]
    assert "Too many requests" in page
    assert sign_in(Device(new_address()), servers.a, servers.b, world.nurse_a)[0] == 302
    with redis.Redis.from_url(REDIS_URL) as client:
        assert [key for key in client.scan_iter(f"*{address}*")], "no counter in Redis"


def test_an_old_form_saved_on_one_server_after_a_save_on_the_other_is_a_conflict(
    app, servers, world
):
    with app.app_context():
        patient_id = str(patient_on(world.ward_a, "Chidi Okafor", {}, world.nurse_a).id)
        db.session.commit()
    nurse = Device(new_address())
    assert sign_in(nurse, servers.a, servers.b, world.nurse_a)[0] == 302
    edit = f"/patients/{patient_id}/grab-pack/edit"
    tab_on_b = pack_form_fields(nurse.get(servers.b, edit)[1])
    tab_on_a = pack_form_fields(nurse.get(servers.a, edit)[1])
    assert nurse.post(servers.a, edit, {**tab_on_a, "identity-gender": "Male"})[0] == 302
    status, page, _ = nurse.post(servers.b, edit, {**tab_on_b, "identity-first_language": "Igbo"})
    assert status == 409  # a conflict, not a lost edit
    merged = pack_form_fields(page)
    assert merged["identity-gender"] == "Male"
    assert merged["identity-first_language"] == "Igbo"
    assert versions(app) == 2
    assert nurse.post(servers.b, edit, merged)[0] == 302  # saving the merge keeps both
    assert versions(app) == 3
    with app.app_context():
        latest = db.session.scalars(
            select(GrabPackVersion).order_by(GrabPackVersion.number.desc())
        ).first()
        assert latest.data["identity"]["gender"] == "Male"
        assert latest.data["identity"]["first_language"] == "Igbo"


def versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(GrabPackVersion.id)))


def test_an_episode_closed_on_one_server_ends_police_access_on_the_other_after_the_grace(
    app, servers, world
):
    with app.app_context():
        patient = patient_on(world.ward_a, "Siobhán Ní Bhriain", FULL_LEGAL, world.nurse_a)
        episode_uuid = open_for(patient, world.nurse_a, hours_ago=3).id
        episode_id = str(episode_uuid)
        patient_id = str(patient.id)
        db.session.commit()
        grace = timedelta(hours=app.config["POLICE_GRACE_HOURS"])
    officer = Device(new_address())
    assert sign_in(officer, servers.b, servers.b, world.police_a)[0] == 302
    police_view = f"/police/patients/{patient_id}"
    assert officer.get(servers.b, police_view)[0] == 200  # missing now

    nurse = Device(new_address())
    assert sign_in(nurse, servers.a, servers.a, world.nurse_a)[0] == 302
    close = f"/episodes/{episode_id}/close"
    returned = (utcnow() - timedelta(minutes=10)).astimezone(LONDON)
    data = {
        **page_form_fields(nurse.get(servers.a, f"/episodes/{episode_id}")[1], close),
        "returned_at-day": str(returned.day),
        "returned_at-month": str(returned.month),
        "returned_at-year": str(returned.year),
        "returned_at-time": f"{returned:%H:%M}",
        "found_category": "home",
    }
    assert nurse.post(servers.a, close, data)[0] == 302
    with app.app_context():
        assert db.session.get(MissingEpisode, episode_uuid).returned_at is not None
    assert officer.get(servers.b, police_view)[0] == 200  # within the grace window

    with app.app_context():  # the grace window passes, as time would
        episode = db.session.get(MissingEpisode, episode_uuid)
        episode.returned_at -= grace
        db.session.commit()
    assert officer.get(servers.b, police_view)[0] == 404
    assert officer.get(servers.a, police_view)[0] == 404
