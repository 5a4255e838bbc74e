"""Load and concurrency: 20 people on gunicorn at once, on SQLite and PostgreSQL.

For each database: a fresh database (SQLite in a temporary folder; PostgreSQL
``grabpack_load``, dropped and made again, from ``scripts/start-postgres``) built
with the real migrations and filled through the app's own services (the demo
London of ``grabpack demo``, then one account per simulated person made with
``create_user``); then gunicorn serving ``grabpack.wsgi:app`` with production
settings, sync workers, one per core. Simulated people, each a thread with its
own connection and session cookie, sign in through ``/login`` (CSRF token and
all), then act until the time is up, pausing 0.5-2 s between actions as people do:

- nurses open their ward, a pack, its edit form, change a field and save (each
  on packs of their own);
- two nurses race on one pack: both open the form (so both are based on the same
  version), then both press Save at once; the one answered with a conflict page
  saves the merged form it was given, as a nurse would;
- police officers poll the open-episode list, open a patient and download the PDF;
- ward managers open the monthly review.

Sign-in comes before the clock starts (timed apart), and each kind of page is
asked for a few times on every worker first (fonts, templates and connections
loaded: a server that has been up a while). It prints requests per second, p50 and
p99 per route as the people saw them and as gunicorn's access log timed them
(``%(D)s``: request read to response sent), the CPU seconds gunicorn's workers
used (from ``/proc``: server time well above CPU time per request means waiting
for a core, not work), the count of 5xx, and the versions check, made against the
database afterwards: every save answered "Version N saved" is version N with that
save's content (else *lost*); no content from one submission is in two versions,
no submission id twice, no version number twice (else *duplicated*); a race never
ends with both saved on the same version (the second would have overwritten the
first: *lost*); a save answered with a conflict saved nothing (else *conflict
saved*).

A second run, without pauses, finds the saturation point of PDF downloads: an
officer's session downloading the PDF at 1, 2, 4, ... connections at once until
p99 passes 500 ms; beside it, the same gunicorn serving the static file nearest
the PDF's size (the app serves static files only from ``static/``, which this
benchmark does not write to), at the same connection counts.

    .venv/bin/python benchmarks/load.py [--seconds 60] [--users 20]
        [--databases sqlite,postgresql] [--step-seconds 8] [--workers CORES]
        [--no-append]

For a short run: ``--seconds 10 --users 8 --databases sqlite --step-seconds 2
--no-append`` (about a minute).

Settings a load run must set, and why: ``GRABPACK_LOGIN_RATE_LIMIT`` (20 sign-ins
a minute per client address by default) is raised, because every simulated person
comes from 127.0.0.1, where real people come from many addresses; everything else
is as in production (``GRABPACK_ENV=production``, ``__Host-`` ``Secure`` cookies,
sent back by hand over plain http to loopback, argon2id at its default cost, so
sign-in is slow on purpose and is timed apart from the targets). The failed
sign-in throttle (``GRABPACK_LOGIN_MAX_FAILURES``) never triggers: every password
is right.

Targets (issue 14): zero 5xx, zero lost or duplicated versions, p99 under 150 ms for
pages and PDFs (every GET but sign-in). The machine has 2 cores shared with other
work; the load generator runs on the same cores as the server, so its latencies
are worse than a server of its own would give.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import sqlalchemy  # noqa: E402
from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from benchmarks.common import append_to_section, drop_postgres, scratch_postgres  # noqa: E402
from grabpack.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from grabpack.domain.monthly_review import nearest_rank  # noqa: E402
from grabpack.extensions import db  # noqa: E402
from grabpack.models import (  # noqa: E402
    GrabPack,
    GrabPackVersion,
    MissingEpisode,
    Patient,
    PolicingArea,
    Setting,
    Ward,
)
from grabpack.services.users import create_user  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.test_gunicorn import free_port  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## Load: 20 people on gunicorn, and PDF saturation (`benchmarks/load.py`)"
COMMAND = ".venv/bin/python benchmarks/load.py"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
LOAD_DATABASE = "grabpack_load"
SECRET_KEY = "load-benchmark-only-" + "k" * 44
PASSWORD = DEMO_PASSWORD  # synthetic accounts on a throwaway database
TARGET_P99_MS = 150.0
SATURATION_P99_MS = 500.0
PAUSE = (0.5, 2.0)
NAMES = {
    "manager": ("ward manager", "ward managers"),
    "police": ("officer", "officers"),
    "racer": ("racing nurse", "racing nurses"),
    "nurse": ("nurse", "nurses"),
}
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SAVED_RE = re.compile(r"Version (\d+) saved")
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"
SERVERS: dict[str, int] = {}  # base URL: gunicorn's master process id
SERVER_ENV = {
    "GRABPACK_ENV": "production",
    "GRABPACK_SECRET_KEY": SECRET_KEY,
    "GRABPACK_LOG_LEVEL": "WARNING",
    # Every simulated person signs in from 127.0.0.1; real people come from many addresses.
    "GRABPACK_LOGIN_RATE_LIMIT": "10000 per minute",
}


# --- The people -------------------------------------------------------------------------


@dataclass
class Person:
    kind: str  # nurse, racer, police, manager
    email: str
    wards: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    patients: list[str] = field(default_factory=list)  # packs of their own (nurses)


@dataclass
class Cast:
    people: list[Person]
    race_patient: str
    pdf_patient: str  # a patient police may see, for the saturation run
    pdf_officer: str
    described: str


def mix(users: int) -> dict[str, int]:
    """How many of each kind: half nurses (two of them racing), three tenths police,
    one tenth managers."""
    managers = max(1, users // 10)
    police = max(1, users * 3 // 10)
    racers = 2 if users - managers - police >= 3 else 0
    return {
        "manager": managers,
        "police": police,
        "racer": racers,
        "nurse": users - managers - police - racers,
    }


def seed(app: Flask, users: int) -> Cast:
    """Migrate, load the demo through its loader, and make one account per person
    through the user service: no two simulated people share an account (signing out
    ends every session of an account, and audit rows name one person each)."""
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_demo()
        wards = db.session.scalars(select(Ward).order_by(Ward.code)).all()
        writable: dict[str, list[str]] = defaultdict(list)
        rows = db.session.execute(
            select(Ward.code, Patient.id)
            .join(Patient, Patient.ward_id == Ward.id)
            .join(GrabPack, GrabPack.patient_id == Patient.id)
            .where(Patient.discharged_at.is_(None), GrabPack.current_version_number > 0)
            .order_by(Ward.code, Patient.id)
        ).all()
        for code, patient_id in rows:
            writable[code].append(str(patient_id))
        open_rows = db.session.execute(
            select(Setting.policing_area_id, MissingEpisode.patient_id)
            .join(Ward, Ward.id == MissingEpisode.ward_id)
            .join(Setting, Setting.id == Ward.setting_id)
            .where(MissingEpisode.returned_at.is_(None))
        ).all()
        area_codes = dict(db.session.execute(select(PolicingArea.id, PolicingArea.code)).all())
        busy_areas = Counter(area_codes[area] for area, _ in open_rows)
        missing_by_area: dict[str, list[str]] = defaultdict(list)
        for area, patient_id in open_rows:
            missing_by_area[area_codes[area]].append(str(patient_id))

        counts = mix(users)
        ward_codes = [w.code for w in wards if len(writable[w.code]) >= 4]
        people: list[Person] = []
        race_ward = max(ward_codes, key=lambda c: len(writable[c]))
        race_patient = writable[race_ward].pop(0)
        for i in range(counts["racer"]):
            people.append(Person("racer", f"load.racer.{i + 1}@example.nhs.uk", (race_ward,)))
        for i in range(counts["nurse"]):
            people.append(
                Person(
                    "nurse",
                    f"load.nurse.{i + 1}@example.nhs.uk",
                    (ward_codes[i % len(ward_codes)],),
                )
            )
        # Each nurse's own packs: the ward's patients dealt out among its nurses.
        by_ward: dict[str, list[Person]] = defaultdict(list)
        for person in people:
            if person.kind == "nurse":
                by_ward[person.wards[0]].append(person)
        for code, nurses in by_ward.items():
            for index, patient_id in enumerate(writable[code]):
                nurses[index % len(nurses)].patients.append(patient_id)
        areas = [code for code, _ in busy_areas.most_common()] or sorted(area_codes.values())
        for i in range(counts["police"]):
            people.append(
                Person(
                    "police",
                    f"load.officer.{i + 1}@example.police.uk",
                    areas=(areas[i % len(areas)],),
                )
            )
        for i in range(counts["manager"]):
            managed = tuple(ward_codes[i :: max(1, counts["manager"])][:4])
            people.append(Person("manager", f"load.manager.{i + 1}@example.nhs.uk", managed))
        for person in people:
            create_user(
                person.email,
                {"racer": "nurse", "manager": "ward_manager"}.get(person.kind, person.kind),
                PASSWORD,
                ward_codes=person.wards,
                area_codes=person.areas,
                full_name=f"Load {person.kind.title()} {person.email.split('.')[2].split('@')[0]}",
            )
        db.session.commit()
        patients = db.session.scalar(select(sqlalchemy.func.count(Patient.id)))
        episodes = db.session.scalar(select(sqlalchemy.func.count(MissingEpisode.id)))
        db.engine.dispose()
    described = (
        f"the demo London ({patients} patients, {episodes} episodes, {len(open_rows)} open); "
        + ", ".join(f"{n} {NAMES[k][n != 1]}" for k, n in counts.items())
    )
    officer = next(p for p in people if p.kind == "police")
    pdf_patient = missing_by_area[officer.areas[0]][0] if missing_by_area else race_patient
    return Cast(people, race_patient, pdf_patient, officer.email, described)


# --- HTTP: a client that keeps its one cookie and times every request -------------------


def route_of(method: str, path: str) -> str:
    path = path.split("?", 1)[0]
    path = UUID_RE.sub("<id>", path)
    path = re.sub(r"^/wards/[^/]+", "/wards/<code>", path)
    path = re.sub(r"/monthly/\d{4}-\d{2}", "/monthly/<month>", path)
    return f"{method} {path}"


class Stats:
    """Every request's route, status and milliseconds, from every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: list[tuple[str, int, float, float]] = []  # route, status, ms, at
        self.faults: list[str] = []
        self.examples: dict[str, tuple[str, str]] = {}  # GET route: (cookie, path) that worked

    def add(self, route: str, status: int, ms: float, body: str = "") -> None:
        with self.lock:
            self.samples.append((route, status, ms, time.monotonic()))
            if status >= 500 and len(self.faults) < 10:
                self.faults.append(f"{route} -> {status}: {first_line(body)}")


def first_line(body: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
    return text[:200]


class Client:
    """Just enough of a browser: one session cookie (``__Host-`` and ``Secure``: sent
    by hand, as ``http.cookiejar`` will not over plain http), redirects followed one
    hop at a time so that each is timed under its own route."""

    def __init__(self, base: str, stats: Stats | None) -> None:
        self.base, self.stats = base, stats
        self.http = requests.Session()
        self.cookie = ""

    def close(self) -> None:
        self.http.close()

    def go(self, method: str, path: str, data=None, follow: bool = True) -> tuple[int, str, str]:
        """(status, body, final path)."""
        while True:
            headers = {"Cookie": self.cookie} if self.cookie else {}
            started = time.perf_counter()
            try:
                response = self.http.request(
                    method, self.base + path, data=data, headers=headers,
                    allow_redirects=False, timeout=60,
                )  # fmt: skip
                body = response.content
            except requests.RequestException as error:
                if self.stats:
                    self.stats.add(route_of(method, path), 599, 0.0, repr(error))
                return 599, "", path
            ms = (time.perf_counter() - started) * 1000
            for cookie in response.raw.headers.getlist("Set-Cookie"):
                self.cookie = cookie.split(";", 1)[0]
            is_text = response.headers.get("Content-Type", "").startswith("text/")
            text = body.decode("utf-8", "replace") if is_text else ""
            if self.stats:
                route = route_of(method, path)
                self.stats.add(route, response.status_code, ms, text)
                if method == "GET" and response.status_code == 200:
                    self.stats.examples.setdefault(route, (self.cookie, path))
            if (
                follow
                and response.status_code in (301, 302, 303)
                and "Location" in response.headers
            ):
                location = response.headers["Location"]
                path = location.removeprefix(self.base)
                method, data = "GET", None
                continue
            if not is_text:
                text = body[:4].decode("latin-1")  # enough to see %PDF
            return response.status_code, text, path

    def sign_in(self, email: str) -> None:
        status, page, _ = self.go("GET", "/login")
        token = csrf(page)
        status, page, path = self.go(
            "POST", "/login", {"email": email, "password": PASSWORD, "csrf_token": token}
        )
        if status != 200 or path.startswith("/login"):
            raise RuntimeError(f"sign-in as {email} failed: {status} {path} {first_line(page)}")


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if not match:
        raise RuntimeError(f"no CSRF token on the page: {first_line(page)}")
    return match.group(1)


class FormReader(HTMLParser):
    """What a browser would post from the form posting to ``action``: (name, value)
    pairs, in order, checked boxes and selected options only."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.pairs = action, []
        self.inside = self.done = False
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.done and a.get("action", "").split("#")[0] == self.action:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "file", "button"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append([name, a.get("value", "on")])
            else:
                self.pairs.append([name, a.get("value", "")])
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
            self.pairs.append(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self.select:
            chosen = [v for v, on in self.options if on] or [v for v, _ in self.options[:1]]
            self.pairs.extend([self.select, v] for v in chosen)
            self.select = None
        elif tag == "textarea":
            if self.textarea is not None and self.textarea[1].startswith("\n"):
                self.textarea[1] = self.textarea[1][1:]  # HTML drops the first newline
            self.textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_pairs(page: str, action: str) -> list[list[str]]:
    reader = FormReader(action)
    reader.feed(page)
    reader.close()
    if not reader.done:
        raise RuntimeError(f"no form posting to {action}: {first_line(page)}")
    return reader.pairs


def with_values(pairs: list[list[str]], **values: str) -> list[tuple[str, str]]:
    out = [(name, values.pop(name) if name in values else value) for name, value in pairs]
    return out + [(name, value) for name, value in values.items()] + [("save", "1")]


def value_of(pairs: list[list[str]], name: str) -> str:
    return next((value for key, value in pairs if key == name), "")


# --- What the people do ----------------------------------------------------------------


@dataclass
class Attempt:
    """One press of Save, and how it was answered."""

    person: str
    patient_id: str
    submission_id: str
    marker: str
    based_on: int
    status: int
    outcome: str  # saved, conflict, unchanged, refused, error
    number: int | None = None
    race: int | None = None


@dataclass
class Run:
    base: str
    stats: Stats
    deadline: float
    attempts: list[Attempt] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server_cpu: float = 0.0  # CPU seconds gunicorn's workers used while the people acted
    client_cpu: float = 0.0  # and this load generator
    cpu_ms: dict[str, float] = field(default_factory=dict)  # server CPU a page, one at a time

    def record(self, attempt: Attempt) -> None:
        with self.lock:
            self.attempts.append(attempt)

    def over(self) -> bool:
        return time.monotonic() >= self.deadline


def pause(rng: random.Random, run: Run) -> None:
    time.sleep(max(0.0, min(rng.uniform(*PAUSE), run.deadline - time.monotonic())))


def save(client: Client, run: Run, person: Person, patient_id: str, page: str, race=None):
    """Change a field, put a unique marker in it and in the change note, press Save."""
    action = f"/patients/{patient_id}/grab-pack/edit"
    pairs = form_pairs(page, action)
    marker = f"load-{secrets.token_hex(6)}"
    data = with_values(
        pairs,
        **{
            "clothing-possessions": f"Travelcard and a phone ({marker})",
            "change_note": f"Checked on the ward ({marker})",
        },
    )
    status, body, path = client.go("POST", action, data)
    saved = SAVED_RE.search(body) if status == 200 else None
    if saved and path.endswith("/grab-pack"):
        outcome, number = "saved", int(saved.group(1))
    elif status == 409:
        outcome, number = "conflict", None
    elif "Nothing has changed" in body:
        outcome, number = "unchanged", None
    elif status >= 500:
        outcome, number = "error", None
    else:
        outcome, number = "refused", None
    run.record(
        Attempt(
            person.email, patient_id, value_of(pairs, "submission_id"), marker,
            int(value_of(pairs, "based_on") or 0), status, outcome, number, race,
        )
    )  # fmt: skip
    return outcome, body


def nurse(client: Client, run: Run, person: Person, rng: random.Random) -> None:
    packs = list(person.patients)
    rng.shuffle(packs)
    turn = 0
    while not run.over():
        patient_id = packs[turn % len(packs)]
        turn += 1
        client.go("GET", f"/wards/{person.wards[0]}")
        pause(rng, run)
        client.go("GET", f"/patients/{patient_id}/grab-pack")
        pause(rng, run)
        status, page, _ = client.go("GET", f"/patients/{patient_id}/grab-pack/edit")
        pause(rng, run)
        if status == 200 and not run.over():
            save(client, run, person, patient_id, page)
            pause(rng, run)


def racer(
    client: Client, run: Run, person: Person, rng: random.Random, patient_id: str,
    barrier: threading.Barrier,
) -> None:  # fmt: skip
    """Open the form together (both based on one version), press Save together; the
    one answered with a conflict saves the merged form, as a nurse would. Both pass
    the same three barriers every round, so their round numbers agree."""
    round_number = 0
    while not run.over():
        try:
            barrier.wait(timeout=30)
            status, page, _ = client.go("GET", f"/patients/{patient_id}/grab-pack/edit")
            pause(rng, run)
            barrier.wait(timeout=30)
            round_number += 1
            outcome, body = None, ""
            if status == 200 and not run.over():
                outcome, body = save(client, run, person, patient_id, page, race=round_number)
            barrier.wait(timeout=30)  # both answered before the merged form is sent
            if outcome == "conflict" and not run.over():
                pause(rng, run)
                save(client, run, person, patient_id, body)
            pause(rng, run)
        except threading.BrokenBarrierError:
            return


def police(client: Client, run: Run, person: Person, rng: random.Random) -> None:
    client.go("GET", "/police/")
    while not run.over():
        pause(rng, run)
        status, page, _ = client.go("GET", "/police/open-episodes")
        patients = sorted(set(re.findall(r"/police/patients/(" + UUID_RE.pattern + ")", page)))
        if not patients or rng.random() < 0.5:
            continue
        patient_id = rng.choice(patients)
        pause(rng, run)
        client.go("GET", f"/police/patients/{patient_id}")
        pause(rng, run)
        status, head, _ = client.go("GET", f"/patients/{patient_id}/grab-pack.pdf")
        if status == 200 and head != "%PDF":
            run.errors.append(f"the PDF for an officer did not start with %PDF: {head!r}")


def manager(client: Client, run: Run, person: Person, rng: random.Random) -> None:
    while not run.over():
        client.go("GET", f"/wards/{person.wards[0]}")
        pause(rng, run)
        client.go("GET", "/reports/monthly")
        pause(rng, run)


def drive(
    base: str, cast: Cast, seconds: float, workers: int, access: Path, seed_: int = 14
) -> tuple[Run, float, Stats, tuple[int, int]]:
    """Every person signs in (timed apart), every worker is warmed up (fonts, templates,
    connections: a server that has been up a while), then all act together for
    ``seconds``. Also returns the access log's lines written while they acted."""
    sign_ins = Stats()
    clients = []
    for person in cast.people:
        client = Client(base, sign_ins)
        client.sign_in(person.email)
        clients.append(client)
    warmed: set[str] = set()
    for person, client in zip(cast.people, clients, strict=True):
        if person.kind in warmed:
            continue
        warmed.add(person.kind)
        if person.kind == "police":
            paths = ["/police/", f"/patients/{cast.pdf_patient}/grab-pack.pdf"]
        elif person.kind == "manager":
            paths = [f"/reports/monthly/{last_month()}"]
        else:
            patient = (person.patients or [cast.race_patient])[0]
            paths = [f"/wards/{person.wards[0]}", f"/patients/{patient}/grab-pack",
                     f"/patients/{patient}/grab-pack/edit"]  # fmt: skip
        for path in paths:
            hammer(base, client.cookie, path, workers, 0.0, at_least=2 * workers)
    first = line_count(access)
    cpu = (server_cpu_seconds(base), time.process_time())
    stats = Stats()
    for client in clients:
        client.stats = stats
    run = Run(base, stats, deadline=time.monotonic() + seconds)
    barrier = threading.Barrier(sum(p.kind == "racer" for p in cast.people) or 1)
    threads = []
    for index, (person, client) in enumerate(zip(cast.people, clients, strict=True)):
        rng = random.Random(seed_ * 1000 + index)
        if person.kind == "racer":
            args = (client, run, person, rng, cast.race_patient, barrier)
            target: Callable = racer
        else:
            target = {"nurse": nurse, "police": police, "manager": manager}[person.kind]
            args = (client, run, person, rng)
        threads.append(threading.Thread(target=guarded(target, run), args=args, daemon=True))
    started = time.monotonic()
    run.deadline = started + seconds
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    barrier.abort()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = max(time.monotonic(), max((s[3] for s in stats.samples), default=0)) - started
    run.server_cpu = server_cpu_seconds(base) - cpu[0]
    run.client_cpu = time.process_time() - cpu[1]
    run.cpu_ms = cpu_per_route(base, stats.examples)
    for client in clients:
        client.close()
    return run, elapsed, sign_ins, (first, line_count(access))


def server_cpu_seconds(base: str) -> float:
    """CPU seconds (user and system) used so far by gunicorn's workers, from /proc."""
    master = SERVERS[base]
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # the parent's id
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def cpu_per_route(base: str, examples: dict[str, tuple[str, str]], times: int = 10) -> dict:
    """Server CPU milliseconds per request of each page, asked for one at a time: what
    a page costs, whatever else the machine is doing (10 ms clock ticks, hence
    ``times`` requests a page)."""
    costs = {}
    with requests.Session() as http:
        for route, (cookie, path) in sorted(examples.items()):
            before = server_cpu_seconds(base)
            for _ in range(times):
                http.get(base + path, headers={"Cookie": cookie}, timeout=60, allow_redirects=False)
            costs[route] = (server_cpu_seconds(base) - before) * 1000 / times
    return costs


def line_count(path: Path) -> int:
    with open(path, "rb") as lines:
        return sum(1 for _ in lines)


def last_month() -> str:
    from grabpack.domain.monthly_review import month_of, previous_month

    return str(previous_month(month_of(datetime.now(UTC))))


def guarded(target: Callable, run: Run) -> Callable:
    def body(*args) -> None:
        try:
            target(*args)
        except Exception:  # noqa: BLE001 - reported, and the other people go on
            run.errors.append(traceback.format_exc(limit=3))

    return body


# --- The versions check, against the database ------------------------------------------


@dataclass
class Check:
    saves: Counter
    lost: list[str]
    duplicated: list[str]
    conflict_saved: list[str]
    races: int
    races_one_saved: int


def check_versions(app: Flask, attempts: list[Attempt]) -> Check:
    patients = {uuid.UUID(a.patient_id) for a in attempts}
    with app.app_context():
        rows = db.session.execute(
            select(GrabPack.patient_id, GrabPack.current_version_number, GrabPackVersion)
            .join(GrabPackVersion, GrabPackVersion.grab_pack_id == GrabPack.id)
            .where(GrabPack.patient_id.in_(patients))
        ).all()
        versions: dict[str, list[tuple[int, str | None, str]]] = defaultdict(list)
        current: dict[str, int] = {}
        for patient_id, current_number, version in rows:
            possessions = (version.data.get("clothing") or {}).get("possessions") or ""
            versions[str(patient_id)].append(
                (version.number, version.submission_id, f"{version.change_note} {possessions}")
            )
            current[str(patient_id)] = current_number
        db.engine.dispose()
    lost, duplicated, conflict_saved = [], [], []
    for patient_id, kept in versions.items():
        numbers = [number for number, _, _ in kept]
        if sorted(numbers) != list(range(1, len(numbers) + 1)) or current[patient_id] != max(
            numbers
        ):
            duplicated.append(f"{patient_id}: version numbers {sorted(numbers)}")
        submissions = Counter(s for _, s, _ in kept if s)
        duplicated += [
            f"{patient_id}: submission {s} in {n} versions" for s, n in submissions.items() if n > 1
        ]
    for attempt in attempts:
        kept = versions.get(attempt.patient_id, [])
        holding = [number for number, _, text in kept if attempt.marker in text]
        if len(holding) > 1:
            duplicated.append(f"{attempt.patient_id}: one save's content in versions {holding}")
        if attempt.outcome == "saved" and attempt.number not in holding:
            lost.append(f"{attempt.patient_id}: 'Version {attempt.number} saved' is not there")
        if attempt.outcome in ("conflict", "unchanged", "refused") and holding:
            conflict_saved.append(
                f"{attempt.patient_id}: answered {attempt.outcome} ({attempt.status}), "
                f"yet saved as version {holding}"
            )
    by_race: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        if attempt.race is not None:
            by_race[attempt.race].append(attempt)
    one_saved = 0
    for race, pair in by_race.items():
        outcomes = sorted(a.outcome for a in pair)
        same_base = len({a.based_on for a in pair}) == 1
        if outcomes == ["saved", "saved"] and same_base:
            lost.append(f"race {race}: both saved on version {pair[0].based_on}")
        if outcomes == ["conflict", "saved"]:
            one_saved += 1
    return Check(
        Counter(a.outcome for a in attempts), lost, duplicated, conflict_saved,
        len(by_race), one_saved,
    )  # fmt: skip


# --- PDF saturation, beside a static file ----------------------------------------------


@dataclass
class Step:
    connections: int
    rate: float
    p50: float
    p99: float
    errors: int


def hammer(
    base: str, cookie: str, path: str, connections: int, seconds: float, at_least: int = 0
) -> Step:
    """``connections`` clients asking for ``path`` back to back for ``seconds`` (and
    ``at_least`` times in all)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def one() -> None:
        with requests.Session() as http:
            while time.monotonic() < deadline or len(latencies) < at_least:
                started = time.perf_counter()
                try:
                    response = http.get(
                        base + path, headers={"Cookie": cookie}, timeout=60, allow_redirects=False
                    )
                    ok = response.status_code == 200 and bool(response.content)
                except requests.RequestException:
                    ok = False
                ms = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(ms)
                    errors[0] += not ok

    started = time.monotonic()
    threads = [threading.Thread(target=one, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return Step(
        connections, len(latencies) / elapsed, percentile(latencies, 50),
        percentile(latencies, 99), errors[0],
    )  # fmt: skip


def saturation(
    base: str, cast: Cast, step_seconds: float, workers: int
) -> tuple[list[Step], list[Step], str, int, int]:
    """PDF downloads by one officer's session at 1, 2, 4, ... connections at once, until
    p99 passes 500 ms (from as many connections as workers on: below that, a miss is
    the machine's, not the server's saturation), each step beside a static file."""
    client = Client(base, None)
    client.sign_in(cast.pdf_officer)
    pdf_path = f"/patients/{cast.pdf_patient}/grab-pack.pdf"
    response = client.http.get(base + pdf_path, headers={"Cookie": client.cookie}, timeout=60)
    pdf_size = len(response.content)
    assert response.content[:4] == b"%PDF", response.status_code
    candidates = [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    static = min(candidates, key=lambda p: abs(p.stat().st_size - pdf_size))
    static_path = "/static/" + static.relative_to(ROOT / "static").as_posix()
    pdfs, statics = [], []
    connections = 1
    while connections <= 64:
        pdfs.append(hammer(base, client.cookie, pdf_path, connections, step_seconds))
        statics.append(hammer(base, "", static_path, connections, step_seconds))
        print(
            f"  {connections:>3} at once: PDF {pdfs[-1].rate:6.1f}/s p99 {pdfs[-1].p99:7.1f} ms; "
            f"static {statics[-1].rate:7.1f}/s p99 {statics[-1].p99:7.1f} ms",
            flush=True,
        )
        if pdfs[-1].p99 > SATURATION_P99_MS and connections >= workers:
            break
        connections *= 2
    client.close()
    return pdfs, statics, static_path, pdf_size, static.stat().st_size


# --- Servers and databases -------------------------------------------------------------


@contextmanager
def gunicorn(database_url: str, workers: int, log: Path, access: Path) -> Iterator[str]:
    """gunicorn as in production; its access log gives each request's server time
    (``%(D)s``, microseconds from request read to response sent)."""
    port = free_port()
    env = {**os.environ, **SERVER_ENV, "GRABPACK_DATABASE_URL": database_url}
    with open(log, "wb") as out:
        process = subprocess.Popen(  # noqa: S603 (ours)
            [
                GUNICORN, "--no-control-socket", "--workers", str(workers),
                "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
                "--access-logfile", str(access), "--access-logformat", ACCESS_FORMAT,
                "grabpack.wsgi:app",
            ],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(f"{base}/healthz", timeout=2).close()
                    break
                except requests.RequestException:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"gunicorn did not start: {log.read_text()}") from None
                    time.sleep(0.2)
            SERVERS[base] = process.pid
            yield base
        finally:
            SERVERS.pop(base, None)
            process.terminate()
            process.wait(timeout=30)


def seeding_app(url: str) -> Flask:
    """The app that fills the throwaway database: a development one, since production
    refuses the demo's public password, which every simulated person signs in with."""
    return make_app(
        url,
        GRABPACK_ENV="development",
        SECRET_KEY=SECRET_KEY,
        PASSWORD_HASH_PROFILE="RFC_9106_LOW_MEMORY",  # noqa: S106 (a profile's name)
    )


# --- Figures ---------------------------------------------------------------------------


def percentile(values: list[float], p: int) -> float:
    """By nearest rank, as the monthly review's (``monthly_review.nearest_rank``)."""
    found = nearest_rank(values, p)
    return math.nan if found is None else found


@dataclass
class Outcome:
    database: str
    version: str
    cast: Cast
    run: Run
    elapsed: float
    sign_ins: Stats
    check: Check
    pdfs: list[Step]
    statics: list[Step]
    static_path: str
    pdf_size: int
    static_size: int
    server_errors: list[str]
    server_ms: dict[str, list[float]]

    @property
    def fives(self) -> int:
        return sum(status >= 500 for _, status, _, _ in self.run.stats.samples)

    def targeted(self) -> list[tuple[str, list[float]]]:
        routes: dict[str, list[float]] = defaultdict(list)
        for route, _status, ms, _ in self.run.stats.samples:
            routes[route].append(ms)
        return sorted(routes.items())

    def worst_get_p99(self) -> float:
        return max(
            (percentile(ms, 99) for route, ms in self.targeted() if route.startswith("GET")),
            default=math.nan,
        )

    def saturation_point(self) -> Step | None:
        under = [s for s in self.pdfs if s.p99 <= SATURATION_P99_MS]
        return max(under, key=lambda s: s.rate) if under else None

    def met(self) -> bool:
        c = self.check
        return (
            self.fives == 0
            and not c.lost
            and not c.duplicated
            and not c.conflict_saved
            and self.worst_get_p99() < TARGET_P99_MS
        )


def bench(name: str, url: str, args: argparse.Namespace, folder: Path) -> Outcome:
    print(f"{name}: seeding (migrations, the demo, {args.users} accounts)", flush=True)
    app = seeding_app(url)
    cast = seed(app, args.users)
    with app.app_context():
        version = db.session.execute(sqlalchemy.text(
            "select sqlite_version()" if url.startswith("sqlite") else "show server_version"
        )).scalar()  # fmt: skip
        db.engine.dispose()
    log = folder / f"gunicorn-{name.lower()}.log"
    access = folder / f"access-{name.lower()}.log"
    with gunicorn(url, args.workers, log, access) as base:
        print(f"{name}: {args.users} people for {args.seconds} s on {base}", flush=True)
        run, elapsed, sign_ins, (first, last) = drive(
            base, cast, args.seconds, args.workers, access
        )
        print(f"{name}: PDF saturation, {args.step_seconds} s a step", flush=True)
        if args.step_seconds > 0:
            pdfs, statics, static_path, pdf_size, static_size = saturation(
                base, cast, args.step_seconds, args.workers
            )
        else:
            pdfs, statics, static_path, pdf_size, static_size = [], [], "", 0, 0
    server_errors = [
        line for line in log.read_text(errors="replace").splitlines()
        if "Traceback" in line or "ERROR" in line or "CRITICAL" in line
    ][:10]  # fmt: skip
    server_ms: dict[str, list[float]] = defaultdict(list)
    with open(access, encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines):
            parts = line.split()
            if first <= number < last and len(parts) == 4 and parts[3].isdigit():
                server_ms[route_of(parts[0], parts[1])].append(int(parts[3]) / 1000)
    check = check_versions(app, run.attempts)
    return Outcome(
        name, str(version), cast, run, elapsed, sign_ins, check, pdfs, statics,
        static_path, pdf_size, static_size, server_errors, server_ms,
    )  # fmt: skip


def summary(outcomes: list[Outcome], args: argparse.Namespace) -> str:
    import psycopg

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    import gunicorn as gunicorn_package

    versions = ", ".join(
        [
            f"Python {platform.python_version()}",
            f"gunicorn {gunicorn_package.__version__}",
            f"SQLAlchemy {sqlalchemy.__version__}",
            *(f"{o.database} {o.version}" for o in outcomes),
            f"psycopg {psycopg.__version__}",
            f"{os.cpu_count()} CPUs",
            f"{platform.system()} {platform.release()}",
        ]
    )
    lines = [
        f"### {when}",
        "",
        f"`{' '.join([COMMAND, *sys.argv[1:]])}` ({versions}; {args.workers} sync workers; "
        f"load average at the start {args.load:.1f}, at the end {os.getloadavg()[0]:.1f}; "
        "the load generator shares the cores)",
        "",
    ]
    for o in outcomes:
        samples = o.run.stats.samples
        c = o.check
        lines += [
            f"**{o.database}**: {o.cast.described}. {len(samples)} requests in {o.elapsed:.1f} s: "
            f"**{len(samples) / o.elapsed:.1f} requests/s**; **{o.fives} 5xx**; saves "
            + ", ".join(f"{n} {k}" for k, n in sorted(c.saves.items()))
            + f"; races {c.races} ({c.races_one_saved} answered one saved, one conflict); "
            f"**{len(c.lost)} lost, {len(c.duplicated)} duplicated** versions, "
            f"{len(c.conflict_saved)} answered conflict yet saved. "
            f"gunicorn's workers used {o.run.server_cpu:.1f} CPU s "
            f"({o.run.server_cpu / o.elapsed * 100:.0f}% of one core; "
            f"{o.run.server_cpu / max(1, len(samples)) * 1000:.0f} ms a request on average), "
            f"this load generator {o.run.client_cpu:.1f} CPU s.",
            "",
            "| route | requests | p50 ms | p99 ms | max ms | server p50 ms | server p99 ms "
            "| server CPU ms, one at a time | statuses |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        statuses: dict[str, Counter] = defaultdict(Counter)
        for route, status, _, _ in samples:
            statuses[route][status] += 1
        for route, ms in o.targeted():
            shown = ", ".join(f"{s}×{n}" for s, n in sorted(statuses[route].items()))
            server = o.server_ms.get(route, [])
            cpu = f"{o.run.cpu_ms[route]:.0f}" if route in o.run.cpu_ms else ""
            lines.append(
                f"| `{route}` | {len(ms)} | {percentile(ms, 50):.0f} | {percentile(ms, 99):.0f} "
                f"| {max(ms):.0f} | {percentile(server, 50):.0f} | {percentile(server, 99):.0f} "
                f"| {cpu} | {shown} |"
            )
        signs = [ms for route, _, ms, _ in o.sign_ins.samples if route == "POST /login"]
        lines += [
            f"| `POST /login` (before the clock; argon2id, not a target) | {len(signs)} | "
            f"{percentile(signs, 50):.0f} | {percentile(signs, 99):.0f} | "
            f"{max(signs, default=math.nan):.0f} | | | | |",
            "",
        ]
        worst = o.worst_get_p99()
        versions_met = not (c.lost or c.duplicated or c.conflict_saved)
        lines.append(
            f"Targets: zero 5xx ({'met' if o.fives == 0 else 'NOT met'}), zero lost or "
            f"duplicated versions ({'met' if versions_met else 'NOT met'}), "
            f"p99 under {TARGET_P99_MS:.0f} ms for every page and PDF (worst GET p99 "
            f"{worst:.0f} ms: {'met' if worst < TARGET_P99_MS else 'NOT met'})."
        )
        for problem in (*c.lost, *c.duplicated, *c.conflict_saved, *o.run.stats.faults,
                        *o.run.errors, *o.server_errors)[:12]:  # fmt: skip
            lines.append(f"- {problem.strip()}")
        if o.pdfs:
            point = o.saturation_point()
            lines += [
                "",
                f"PDF saturation (no pauses, {args.step_seconds} s a step; the PDF is "
                f"{o.pdf_size / 1024:.0f} KB, the static file `{o.static_path}` "
                f"{o.static_size / 1024:.0f} KB, the nearest in size in `static/`):",
                "",
                "| at once | PDF/s | PDF p50 ms | PDF p99 ms | static/s | static p50 ms "
                "| static p99 ms |",
                "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for pdf, static in zip(o.pdfs, o.statics, strict=True):
                lines.append(
                    f"| {pdf.connections} | {pdf.rate:.1f} | {pdf.p50:.0f} | {pdf.p99:.0f} | "
                    f"{static.rate:.1f} | {static.p50:.0f} | {static.p99:.0f} |"
                )
            if point:
                static = next(s for s in o.statics if s.connections == point.connections)
                lines += [
                    "",
                    f"Saturation point: **{point.rate:.1f} PDFs/s** at {point.connections} at "
                    f"once (p99 {point.p99:.0f} ms, under {SATURATION_P99_MS:.0f} ms), beside "
                    f"**{static.rate:.1f} static files/s** from the same gunicorn "
                    f"({static.rate / point.rate:.0f}x).",
                ]
            else:
                lines += ["", f"PDF p99 was over {SATURATION_P99_MS:.0f} ms even one at a time."]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


INTRODUCTION = """\
gunicorn (`grabpack.wsgi:app`, production settings, sync workers, one per core) on
a fresh database holding the demo London, driven by simulated people, each a thread
with its own account, connection and cookie, signing in through `/login` and
pausing 0.5-2 s between actions: nurses opening their ward, a pack and its edit
form and saving a change (packs of their own), two nurses racing on one pack (both
open the form, both press Save at once; the one given the conflict page saves the
merged form), officers polling the open-episode list, opening a patient and
downloading the PDF, ward managers opening the monthly review. Afterwards the
database is checked: every "Version N saved" is version N with that save's
content; no content, submission or version number twice; no race in which both
were saved on the same version. Then, without pauses, PDF downloads at 1, 2, 4, ...
connections until p99 passes 500 ms, beside a static file of about the PDF's size
from the same gunicorn. The load generator runs on the same 2 cores as the server
(and other sessions' work), so latencies are worse than a server of its own would
give. Each route is also timed by gunicorn's access log (server p50 and p99: from
request read to response sent), and each page's server CPU is measured one request
at a time afterwards (from `/proc`): a server time well above the CPU time is time
spent waiting for a core.

Targets (issue 14): zero 5xx, zero lost or duplicated versions, p99 under 150 ms
for pages and PDFs. Re-run with:

    .venv/bin/python benchmarks/load.py --seconds 60 --users 20
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the people act")
    parser.add_argument("--users", type=int, default=20, help="simulated people (at least 3)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--step-seconds", type=float, default=8.0,
        help="seconds per step of the PDF saturation run (0: skip it)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-append", action="store_true", help=f"do not append to {RESULTS}")
    args = parser.parse_args()
    if args.users < 3:
        parser.error("--users must be at least 3")
    args.load = os.getloadavg()[0]
    wanted = [name.strip().lower() for name in args.databases.split(",")]
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="grabpack-load-") as temporary:
        folder = Path(temporary)
        if "sqlite" in wanted:
            outcomes.append(bench("SQLite", f"sqlite:///{folder / 'load.sqlite3'}", args, folder))
        if "postgresql" in wanted:
            url = scratch_postgres(LOAD_DATABASE)
            try:
                outcomes.append(bench("PostgreSQL", url, args, folder))
            finally:
                drop_postgres(LOAD_DATABASE, make_url(url).port)
    text_ = summary(outcomes, args)
    print(text_)
    if not args.no_append:
        append_to_section(SECTION, text_, INTRODUCTION)


if __name__ == "__main__":
    main()
