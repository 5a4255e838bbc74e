"""The monthly review: the whole report for every area beside a bare GROUP BY, on
SQLite and PostgreSQL, in one run.

Builds each database with the real migrations, loads the same synthetic, skewed
data into both (by default 1,000,000 episodes over 300 wards in 60 settings in 12
policing areas, 50,000 patients, 24 London months ending with the last full
month), runs ``ANALYZE``, then times ``monthly_report`` for the last full month
and every area (the scheduled job's scope) beside the floor: a bare
``SELECT ward_id, count(*) FROM missing_episodes GROUP BY ward_id`` over the same
table. The runs take turns (report, floor, report, ...) after a warm-up, so that a
busy spell on a shared machine falls on both alike; figures are medians.

One more run of the report is recorded statement by statement (the SQL the
driver was sent, caught with ``before_cursor_execute``): each distinct statement
is timed on its own and explained (``EXPLAIN QUERY PLAN`` on SQLite,
``EXPLAIN ANALYZE`` on PostgreSQL), so that a miss says which statement to fix.

    .venv/bin/python benchmarks/report.py [--episodes 1000000] [--runs 7]
        [--databases sqlite,postgresql] [--compare FILE]
        [--add-index NAME=COLUMN,COLUMN] [--drop-index NAME] [--plans DIR]
        [--keep DIR | --reuse DIR] [--no-append]

``--compare FILE`` times another version of ``grabpack/services/monthly_report.py``
in turn with the one in the tree, on the same databases, and checks that both give
the same report: an A/B before changing the service. ``--add-index`` and
``--drop-index`` change ``missing_episodes``'s indexes after migrating, to try an
index before writing its migration. ``--keep DIR`` leaves the loaded databases
behind; ``--reuse DIR`` times them again without loading (a full run takes about
ten minutes, most of it generating and loading).

Targets (issue 11), on both databases: the report within 3 times the floor, and
under 1.5 s. PostgreSQL comes from ``scripts/start-postgres``; the benchmark
drops and recreates a database of its own, ``grabpack_bench`` (owned by the test
role), and never touches the test suite's database.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy  # noqa: E402
from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from benchmarks.common import append_to_section, drop_postgres, scratch_postgres  # noqa: E402
from grabpack.domain.mental_health_act import LEGAL_STATUSES  # noqa: E402
from grabpack.domain.monthly_review import Month, month_bounds, month_of, previous_month  # noqa: E402
from grabpack.extensions import db  # noqa: E402
from grabpack.models import (  # noqa: E402
    MissingEpisode,
    Patient,
    PolicingArea,
    Setting,
    Trust,
    User,
    Ward,
)
from grabpack.models.episode_figures import KEPT, refigure_all  # noqa: E402
from grabpack.policies import review_rules  # noqa: E402
from grabpack.services import monthly_report as monthly_report_service  # noqa: E402
from tests.conftest import make_app  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## Monthly review: the whole report beside a bare GROUP BY (`benchmarks/report.py`)"
COMMAND = ".venv/bin/python benchmarks/report.py"
TARGET_RATIO = 3.0
TARGET_SECONDS = 1.5
BENCH_DATABASE = "grabpack_bench"
FLOOR_SQL = "SELECT ward_id, count(*) FROM missing_episodes GROUP BY ward_id"  # noqa: S608


# --- The data: one synthetic, skewed London ----------------------------------------------


@dataclass(frozen=True)
class Shape:
    episodes: int
    patients: int
    wards: int
    settings: int
    areas: int
    months: int
    seed: int = 11

    @property
    def trusts(self) -> int:
        return 9  # London's mental health trusts


@dataclass
class Data:
    """Rows for every table the review reads, in insert order, and what they look like."""

    shape: Shape
    month: Month  # the last full month: the one the report is for
    now: datetime
    areas: list[dict] = field(default_factory=list)
    trusts: list[dict] = field(default_factory=list)
    settings: list[dict] = field(default_factory=list)
    wards: list[dict] = field(default_factory=list)
    user: dict = field(default_factory=dict)
    patients: list[dict] = field(default_factory=list)
    episodes: list[tuple] = field(default_factory=list)  # in EPISODE_COLUMNS order
    description: list[str] = field(default_factory=list)  # what ``describe`` says of it

    def kept(self) -> dict:
        """What a later ``--reuse`` run needs to know of data already loaded."""
        return {
            "shape": dataclasses.asdict(self.shape),
            "now": self.now.isoformat(),
            "description": self.description,
        }

    @classmethod
    def reused(cls, kept: dict) -> Data:
        now = datetime.fromisoformat(kept["now"])
        data = cls(shape=Shape(**kept["shape"]), month=last_full_month(now), now=now)
        data.description = kept["description"]
        return data


# Every column but the figures kept at write time: ``refigure_all`` works those out.
EPISODE_COLUMNS = tuple(
    column.name for column in MissingEpisode.__table__.columns if column.name not in KEPT
)

# The legal position a ward gives, weighted roughly as on London's wards.
LEGAL_WEIGHTS = {
    "s3": 34,
    "s2": 24,
    "informal": 16,
    "s37": 5,
    "s37_41": 5,
    "cto_17e": 3,
    "s5_2": 2,
    "s5_4": 1,
    "s47_49": 2,
    "s45a": 1,
    "s48_49": 1,
    "s35": 1,
    "s36": 1,
    "s38": 1,
    "s136": 1,
    "s4": 1,
    "s7": 1,
}
RESTRICTED = {status.key for status in LEGAL_STATUSES if status.restricted}
DETAINED = {status.key for status in LEGAL_STATUSES if status.detained}
REMAND = {"s35": "s35(10)", "s36": "s36(8)", "s38": "s38(7)"}
GRADES = (None, "very_low", "low", "medium", "high")
GRADE_WEIGHTS = (8, 15, 37, 30, 10)
FOUND = (
    "home",
    "family_or_friends",
    "public_place",
    "transport",
    "hospital",
    "police_custody",
    "returned_to_ward",
    "other",
)
FOUND_BY = ("self_return", "staff", "police", "family", "public", "other")


def last_full_month(now: datetime) -> Month:
    return previous_month(month_of(now))


def months_ending(month: Month, count: int) -> list[Month]:
    months = [month]
    while len(months) < count:
        months.insert(0, previous_month(months[0]))
    return months


def lognormal_weights(rng: random.Random, count: int, sigma: float) -> list[float]:
    return [rng.lognormvariate(0.0, sigma) for _ in range(count)]


def spread(total: int, weights: Sequence[float], rng: random.Random) -> list[int]:
    """``total`` split in proportion to ``weights`` (whole numbers that add up)."""
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    short = total - sum(counts)
    for index in rng.choices(range(len(weights)), weights=weights, k=short):
        counts[index] += 1
    return counts


def generate(shape: Shape, now: datetime) -> Data:
    """Skewed as the protocol says real data is: a patient's rate of going missing is
    lognormal (most go 0 or 1 times in 90 days, a minority 3 and more, a few very
    often), busy wards several times the median ward, patients mostly going missing
    from their own ward (1 in 20 episodes from another ward of the setting: a
    transfer), each during one stay of a few weeks to two years."""
    rng = random.Random(shape.seed)
    month = last_full_month(now)
    months = months_ending(month, shape.months)
    start, end = month_bounds(*months[0])[0], month_bounds(*month)[1]
    data = Data(shape=shape, month=month, now=now)
    made = start - timedelta(days=30)

    data.areas = [
        {"id": i + 1, "code": f"PA{i + 1:02d}", "name": f"Policing area {i + 1:02d}"}
        for i in range(shape.areas)
    ]
    data.trusts = [
        {"id": i + 1, "code": f"T{i + 1:02d}", "name": f"Trust {i + 1:02d}", "is_synthetic": True}
        for i in range(shape.trusts)
    ]
    data.settings = [
        {
            "id": i + 1,
            "code": f"S{i + 1:03d}",
            "name": f"Setting {i + 1:03d}",
            "address": "",
            "postcode": "",
            "trust_id": i % shape.trusts + 1,
            "policing_area_id": i % shape.areas + 1,
        }
        for i in range(shape.settings)
    ]
    data.wards = [
        {
            "id": i + 1,
            "code": f"W{i + 1:04d}",
            "name": f"Ward {i + 1:04d}",
            "phone_24h": "",
            "setting_id": i % shape.settings + 1,
        }
        for i in range(shape.wards)
    ]
    wards_of_setting: dict[int, list[int]] = defaultdict(list)
    for ward in data.wards:
        wards_of_setting[ward["setting_id"]].append(ward["id"])
    data.user = {
        "id": 1,
        "email": "bench.admin@example.nhs.uk",
        "full_name": "Benchmark Administrator",
        "role": "admin",
        "password_hash": "!unusable",
        "active": True,
        "session_token": "benchmark-" + uuid.UUID(int=rng.getrandbits(128)).hex,
        "last_login_at": None,
        "created_at": made,
    }

    ward_weight = lognormal_weights(rng, shape.wards, 0.7)
    span_days = (end - start).total_seconds() / 86400
    stays = []
    for i in range(shape.patients):
        # A stay may begin before the data does or end after it: keep the part inside,
        # so that every month is as busy as any other.
        length = max(14.0, rng.lognormvariate(math.log(150), 0.9))
        offset = rng.uniform(-length, span_days)
        begins = start + timedelta(days=max(0.0, offset))
        length = min(span_days, offset + length) - max(0.0, offset)
        ward_id = rng.choices(range(1, shape.wards + 1), weights=ward_weight)[0]
        stays.append((begins, length, ward_id))
        data.patients.append(
            {
                "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "full_name": f"Patient {i + 1:05d}",
                "date_of_birth": None,
                "nhs_number": None,
                "ward_id": ward_id,
                "admitted_at": begins,
                "discharged_at": None,
                "created_at": begins,
            }
        )
    # Episodes per day of stay: lognormal, capped at one every day and a half.
    rate = lognormal_weights(rng, shape.patients, 1.7)
    for _ in range(4):
        weights = [r * stay[1] for r, stay in zip(rate, stays, strict=True)]
        per_day = shape.episodes / sum(weights)
        rate = [min(r, (1 / 1.5) / per_day) for r in rate]
    counts = spread(shape.episodes, [r * s[1] for r, s in zip(rate, stays, strict=True)], rng)

    legal_keys, legal_weights = list(LEGAL_WEIGHTS), list(LEGAL_WEIGHTS.values())
    for patient, (begins, length, home), count in zip(data.patients, stays, counts, strict=True):
        legal = rng.choices(legal_keys, weights=legal_weights)[0]
        siblings = wards_of_setting[data.wards[home - 1]["setting_id"]]
        for _ in range(count):
            noticed = begins + timedelta(minutes=int(rng.uniform(0, length * 1440)))
            noticed = max(start, min(noticed, end - timedelta(minutes=1)))
            ward_id = rng.choice(siblings) if rng.random() < 0.05 else home
            data.episodes.append(episode_row(rng, patient["id"], ward_id, legal, noticed, now))
    data.episodes.sort(key=lambda row: row[EPISODE_COLUMNS.index("noticed_at")])
    data.description = describe(data)
    return data


def episode_row(
    rng: random.Random,
    patient_id: uuid.UUID,
    ward_id: int,
    legal: str,
    noticed: datetime,
    now: datetime,
) -> tuple:
    """One episode with every column the review reads filled as a ward would."""
    minutes = timedelta(minutes=1)
    on_leave = rng.random() < 0.3
    due_back = noticed - rng.randint(10, 180) * minutes if on_leave else None
    last_seen = (due_back or noticed) - rng.randint(5, 240) * minutes
    if legal in RESTRICTED:
        kind = "escapee" if rng.random() < 0.3 else "awol"
    else:
        kind = "awol" if legal in DETAINED else "missing"
    reported = None
    if rng.random() > 0.02:
        reported = noticed + int(rng.lognormvariate(math.log(25), 0.9)) * minutes
    grade = rng.choices(GRADES, weights=GRADE_WEIGHTS)[0] if reported else None
    away = int(rng.lognormvariate(math.log(360), 1.2)) * minutes
    returned = noticed + away if rng.random() > 0.003 else None
    if returned is not None and returned > now:
        returned = None
    found, by, interview = "", "", None
    if returned is not None:
        found, by = rng.choice(FOUND), rng.choice(FOUND_BY)
        if rng.random() < 0.6:
            interview = returned + rng.randint(30, 2880) * minutes
            interview = interview if interview <= now else None
    if legal in RESTRICTED:
        answer, power = "retake_any_time", "s18, s41(3)(d)"
    elif legal in REMAND:
        answer, power = "other_power", REMAND[legal]
    elif legal in DETAINED:
        answer, power = "retake_until", "s18"
    else:
        answer, power = "no_power", ""
    if rng.random() < 0.05:
        answer = "not_known"
    ends_at = noticed + timedelta(days=28) if answer == "retake_until" else None
    statement = {
        "answer": answer,
        "reason": "Synthetic benchmark episode.",
        "power": power,
        "ends_at": ends_at.isoformat() if ends_at else None,
        "counted_in_hours": False,
        "at_least_until": None,
        "facts": [],
        "cautions": [],
        "missing": [],
    }
    moj = None
    if legal in RESTRICTED and rng.random() < 0.9:
        moj = noticed + int(rng.lognormvariate(math.log(30), 1.0)) * minutes
    no_pack = rng.random() < 0.04
    values = {
        "id": uuid.UUID(int=rng.getrandbits(128), version=4),
        "patient_id": patient_id,
        "ward_id": ward_id,
        "grab_pack_version_number": None if no_pack else rng.randint(1, 6),
        "kind": kind,
        "last_seen_at": last_seen,
        "last_seen_place": "",
        "leave_due_back_at": due_back,
        "noticed_at": noticed,
        "reported_at": reported,
        "police_reference": f"CAD {rng.randint(1000, 9999)}" if reported else "",
        "police_risk_grade": grade,
        "highest_police_risk_grade": grade,  # one grade each: never regraded
        "clothing": "",
        "circumstances": "",
        "ward_and_grounds_searched": True,
        "cctv_checked": rng.random() < 0.7,
        "security_told": rng.random() < 0.8,
        "next_of_kin_contacted": rng.random() < 0.6,
        "legal_status": legal,
        "section_start_on": (noticed - timedelta(days=rng.randint(1, 150))).date()
        if legal in DETAINED
        else None,
        "section_start_time": None,
        "period_ends_on": None,
        "cto_recalled_on": None,
        "detention_ended_on": None,
        "retake_answer": answer,
        "retake_ends_at": ends_at,
        "retake_statement": statement,
        "s18_expiry_stated": rng.random() < 0.85,
        "moj_notified_at": moj,
        "had_no_pack": no_pack,
        "pack_incomplete": not no_pack and rng.random() < 0.1,
        "review_overdue": not no_pack and rng.random() < 0.08,
        "photo_stale": not no_pack and rng.random() < 0.06,
        "returned_at": returned,
        "found_category": found,
        "found_place": "",
        "found_by": by,
        "harm_while_missing": "",
        "prevention_interview_at": interview,
        "opened_by_id": 1,
        "closed_by_id": 1 if returned else None,
        "created_at": noticed + minutes,
    }
    return tuple(values[name] for name in EPISODE_COLUMNS)


def describe(data: Data) -> list[str]:
    """What the data looks like around the report's month: the skew the review is for."""
    noticed = EPISODE_COLUMNS.index("noticed_at")
    start, end = month_bounds(*data.month)
    window_start = end - timedelta(days=90)
    in_window: Counter = Counter()
    per_ward: Counter = Counter()
    in_month = 0
    for row in data.episodes:
        at = row[noticed]
        if window_start <= at < end:
            in_window[row[1]] += 1
        if start <= at < end:
            in_month += 1
            per_ward[row[2]] += 1
    with_any = len(in_window)
    no_more_than_one = data.shape.patients - sum(1 for n in in_window.values() if n >= 2)
    three_or_more = sum(1 for n in in_window.values() if n >= 3)
    ward_counts = sorted(per_ward.get(w["id"], 0) for w in data.wards)
    return [
        f"{len(data.episodes):,} episodes over {data.shape.months} London months "
        f"({months_ending(data.month, data.shape.months)[0]} to {data.month}), "
        f"{len(data.wards)} wards in {len(data.settings)} settings in {len(data.areas)} "
        f"policing areas, {len(data.patients):,} patients.",
        f"{data.month.label} (the report's month): {in_month:,} episodes; per ward "
        f"min {ward_counts[0]}, median {statistics.median(ward_counts):.0f}, "
        f"max {ward_counts[-1]}.",
        f"In the 90 days to its end: {no_more_than_one / data.shape.patients:.0%} of patients "
        f"went missing 0 or 1 times, {three_or_more:,} patients "
        f"({three_or_more / data.shape.patients:.1%}) 3 times or more, "
        f"{with_any:,} at least once; the most by one patient: "
        f"{max(in_window.values(), default=0)}.",
    ]


# --- Building each database ---------------------------------------------------------------


def bench_app(url: str) -> Flask:
    """The app with production settings on ``url`` (the review's thresholds as shipped)."""
    return make_app(
        url,
        GRABPACK_ENV="production",
        SECRET_KEY="benchmark-only-" + "k" * 40,
        PASSWORD_HASH_PROFILE="RFC_9106_LOW_MEMORY",  # noqa: S106 (a profile's name)
    )


def load(
    app: Flask, data: Data, ddl: Sequence[str] = (), chunk: int = 20_000
) -> tuple[float, float]:
    """Migrate (then ``ddl``: indexes tried before a migration adds them), then load
    every row in bulk and work out the figures kept at write time for them (a bulk
    load bypasses the flush that keeps them); seconds for the episodes alone, and for
    their kept figures."""
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            for statement in ddl:
                connection.execute(text(statement))
        session = db.session
        session.execute(insert(PolicingArea), data.areas)
        session.execute(insert(Trust), data.trusts)
        session.execute(insert(Setting), data.settings)
        session.execute(insert(Ward), data.wards)
        session.execute(insert(User), [data.user])
        for first in range(0, len(data.patients), chunk):
            session.execute(insert(Patient), data.patients[first : first + chunk])
        session.commit()
        started = time.perf_counter()
        if db.engine.dialect.name == "postgresql":
            copy_episodes(data)
        else:
            table = MissingEpisode.__table__
            with db.engine.begin() as connection:
                for first in range(0, len(data.episodes), chunk):
                    rows = data.episodes[first : first + chunk]
                    connection.execute(
                        insert(table),
                        [dict(zip(EPISODE_COLUMNS, row, strict=True)) for row in rows],
                    )
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        with db.engine.begin() as connection:
            refigure_all(connection)
        refigured = time.perf_counter() - started
        analyse()
        db.engine.dispose()
    return loaded, refigured


def copy_episodes(data: Data) -> None:
    """PostgreSQL: the episodes through ``COPY`` (psycopg adapts each value)."""
    from psycopg.types.json import Json

    statement_at = EPISODE_COLUMNS.index("retake_statement")
    columns = ", ".join(EPISODE_COLUMNS)
    with db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        copy_in = f"COPY missing_episodes ({columns}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(copy_in) as copy:
            for row in data.episodes:
                row = list(row)
                row[statement_at] = Json(row[statement_at])
                copy.write_row(row)
        raw.commit()


def analyse() -> None:
    """Statistics for the planner, as a database in use would have them. PostgreSQL
    also gets its visibility map (``VACUUM``), which autovacuum keeps in real use and
    index-only scans need."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))


# --- Timing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Implementation:
    """A module with ``monthly_report`` and ``ReportScope``: the service in the tree, or
    another version of it to compare (``--compare FILE``)."""

    name: str
    module: ModuleType

    @property
    def file(self) -> str:
        return str(Path(self.module.__file__).resolve())

    def run(self, data: Data):
        scope = self.module.ReportScope.everything()
        report = self.module.monthly_report(data.month, scope, review_rules(), now=data.now)
        db.session.remove()
        return report


def implementations(compare: Path | None) -> list[Implementation]:
    found = [Implementation("grabpack", monthly_report_service)]
    if compare is not None:
        spec = importlib.util.spec_from_file_location("compared_monthly_report", compare)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        found.append(Implementation(f"{compare.name} (compared)", module))
    return found


def floor_statement(month: Month | None = None) -> sqlalchemy.Select:
    """The floor: episodes per ward over the whole table (``month``: over one month,
    for scale)."""
    statement = select(MissingEpisode.ward_id, func.count()).group_by(MissingEpisode.ward_id)
    if month is not None:
        start, end = month_bounds(*month)
        statement = statement.where(
            MissingEpisode.noticed_at >= start, MissingEpisode.noticed_at < end
        )
    return statement


def run_statement(statement) -> Callable[[], Any]:
    def run():
        rows = db.session.execute(statement).all()
        db.session.remove()
        return rows

    return run


def seconds(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure(jobs: dict[str, Callable[[], Any]], runs: int) -> dict[str, float]:
    """Median seconds per job after one warm-up each, the jobs taking turns."""
    for job in jobs.values():
        job()
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(runs):
        for name, job in jobs.items():
            times[name].append(seconds(job))
    return {name: statistics.median(values) for name, values in times.items()}


@dataclass
class Statement:
    name: str
    sql: str
    parameters: Any
    seconds: float = 0.0
    plan: list[str] = field(default_factory=list)


@contextmanager
def statements_sent(source_file: str) -> Iterator[list[Statement]]:
    """Every statement sent while in the block, named after the functions of
    ``source_file`` that sent it, from ``monthly_report`` in (and the ``level`` it was
    for, where there is one)."""
    caught: list[Statement] = []

    def before(conn, cursor, sql, parameters, context, executemany):
        path, level = [], None
        for frame, _ in traceback.walk_stack(None):
            name = frame.f_code.co_name
            if frame.f_code.co_filename != source_file or name.startswith("<"):
                continue
            if name == "monthly_report":
                break
            path.insert(0, name)
            arguments = frame.f_code.co_varnames[: frame.f_code.co_argcount]
            if level is None and "level" in arguments:
                level = frame.f_locals["level"]
        label = " > ".join(path) or "?"
        caught.append(Statement(f"{label} ({level})" if level else label, sql, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield caught
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def statement_by_statement(implementation: Implementation, data: Data, runs: int):
    """Each statement one report sends: timed alone (median of ``runs``) and explained."""
    with statements_sent(implementation.file) as caught:
        implementation.run(data)
    postgres = db.engine.dialect.name == "postgresql"
    with db.engine.connect() as connection:
        for statement in caught:

            def execute(sql=statement.sql, parameters=statement.parameters):
                return connection.exec_driver_sql(sql, parameters).all()

            execute()
            statement.seconds = statistics.median(seconds(execute) for _ in range(runs))
            explain = "EXPLAIN ANALYZE " if postgres else "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(explain + statement.sql, statement.parameters)
            if postgres:
                statement.plan = [row[0] for row in rows]
            else:
                statement.plan = sqlite_plan(rows.all())
        connection.rollback()
    return caught


def sqlite_plan(rows: Sequence[tuple]) -> list[str]:
    """``EXPLAIN QUERY PLAN`` rows (id, parent, _, detail) as an indented tree."""
    depth = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


PLAN_WORDS = re.compile(
    r"SCAN|SEARCH|MATERIALIZE|TEMP B-TREE|Scan|Join|Nested Loop|SubPlan|CTE |-> +Sort|Execution"
)
COSTS = re.compile(r"\(cost=[^)]*\) ")


def relevant(plan: list[str], limit: int = 18) -> list[str]:
    """The lines of a plan that say how rows are found (scans, indexes, joins,
    subqueries), without PostgreSQL's cost estimates (the actual times stay)."""
    lines = [COSTS.sub("", line.rstrip()) for line in plan if PLAN_WORDS.search(line)]
    return lines[:limit] + ([f"... ({len(lines) - limit} more)"] if len(lines) > limit else [])


# --- The run --------------------------------------------------------------------------------


@dataclass
class Outcome:
    database: str
    implementation: str
    version: str
    load_seconds: float
    refigure_seconds: float
    report: float
    floor: float
    month_floor: float
    statements: list[Statement]
    flags: int
    repeat_patients: int
    episodes_in_month: int
    same_as_first: bool = True

    @property
    def ratio(self) -> float:
        return self.report / self.floor

    @property
    def met(self) -> bool:
        return self.ratio <= TARGET_RATIO and self.report < TARGET_SECONDS


def bench(
    name: str,
    url: str,
    data: Data,
    runs: int,
    versions: list[Implementation],
    ddl: Sequence[str] = (),
) -> list[Outcome]:
    """Load (unless reused), then time each implementation's report beside the floor,
    all taking turns; check that every implementation gives the same report."""
    app = bench_app(url)
    loaded = refigured = math.nan
    if data.episodes:
        print(f"{name}: migrating and loading ...", flush=True)
        loaded, refigured = load(app, data, ddl)
        print(
            f"{name}: episodes loaded in {loaded:.1f} s, kept figures worked out in "
            f"{refigured:.1f} s; timing ...",
            flush=True,
        )
    with app.app_context():
        version = db.session.execute(
            text("SHOW server_version" if name == "PostgreSQL" else "SELECT sqlite_version()")
        ).scalar()
        reports = [dataclasses.asdict(v.run(data)) for v in versions]
        jobs = {v.name: lambda v=v: v.run(data) for v in versions}
        jobs["floor"] = run_statement(floor_statement())
        jobs["month floor"] = run_statement(floor_statement(data.month))
        medians = measure(jobs, runs)
        outcomes = []
        for v, report in zip(versions, reports, strict=True):
            outcomes.append(
                Outcome(
                    database=name,
                    implementation=v.name,
                    version=str(version),
                    load_seconds=loaded,
                    refigure_seconds=refigured,
                    report=medians[v.name],
                    floor=medians["floor"],
                    month_floor=medians["month floor"],
                    statements=statement_by_statement(v, data, max(3, runs // 2)),
                    flags=len(report["flags"]),
                    repeat_patients=report["total"]["repeat_patients"],
                    episodes_in_month=report["total"]["episodes"],
                    same_as_first=report == reports[0],
                )
            )
        db.engine.dispose()
    return outcomes


def loaded(seconds_: float) -> str:
    return "(reused)" if math.isnan(seconds_) else f"{seconds_:.1f}"


def summary(outcomes: list[Outcome], data: Data, args: argparse.Namespace) -> str:
    import psycopg

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    databases = list(dict.fromkeys(o.database for o in outcomes))
    compared = len({o.implementation for o in outcomes}) > 1
    versions = ", ".join(
        [f"Python {platform.python_version()}", f"SQLAlchemy {sqlalchemy.__version__}"]
        + [f"{o.database} {o.version}" for o in outcomes if o.implementation == "grabpack"]
        + ([f"psycopg {psycopg.__version__}"] if "PostgreSQL" in databases else [])
        + [f"{os.cpu_count()} CPUs", f"{platform.system()} {platform.release()}"]
    )
    lines = [
        f"### {when}",
        "",
        f"`{' '.join([COMMAND, *sys.argv[1:]])}` ({versions}; migrations to "
        f"{args.head}{', then its index changes' if args.add_index or args.drop_index else ''}"
        f"; medians of {args.runs} runs after a warm-up, taking turns; load "
        f"average at the start {args.load:.1f})",
        "",
        *(f"- {line}" for line in data.description),
        "",
        "| database | report | episodes loaded in s | kept figures worked out in s | report s "
        "| floor s | report / floor | month's floor s | statements | repeat patients | flags "
        "| targets |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for o in outcomes:
        same = "" if o.same_as_first else " (DIFFERENT report)"
        lines.append(
            f"| {o.database} | {o.implementation}{same} | {loaded(o.load_seconds)} | "
            f"{loaded(o.refigure_seconds)} | {o.report:.3f} | {o.floor:.3f} | {o.ratio:.1f}x | "
            f"{o.month_floor:.3f} | "
            f"{len(o.statements)} | {o.repeat_patients:,} | {o.flags:,} | "
            f"{'met' if o.met else 'NOT met'} |"
        )
    lines += [
        "",
        f"Targets: the report within {TARGET_RATIO:.0f}x the floor and under "
        f"{TARGET_SECONDS} s, on both databases. The floor is `{FLOOR_SQL}` over the "
        "whole table; the month's floor adds the month's `noticed_at` range."
        + (" Every compared report was checked equal to grabpack's." if compared else ""),
    ]
    names = list(dict.fromkeys(o.implementation for o in outcomes))
    for implementation in names:
        lines += statement_table(
            implementation, [o for o in outcomes if o.implementation == implementation]
        )
    # The plans of the last one only: the compared version, when there is one.
    lines += ["", f"Plans of {names[-1]}'s statements (how rows are found):", ""]
    for o in outcomes:
        if o.implementation == names[-1]:
            lines += [f"{o.database}:", "", "```", *plan_lines(o.statements), "```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def statement_table(implementation: str, outcomes: list[Outcome]) -> list[str]:
    """One row per statement the report sends (the same statements on each database)."""
    lines = [
        "",
        f"{implementation}, statement by statement (each run alone; ms, median):",
        "",
        "| statement | " + " | ".join(f"{o.database} ms" for o in outcomes) + " |",
        "| --- | " + " | ".join("---:" for _ in outcomes) + " |",
    ]
    for index, statement in enumerate(outcomes[0].statements):
        cells = [
            f"{o.statements[index].seconds * 1000:.1f}" if index < len(o.statements) else "-"
            for o in outcomes
        ]
        lines.append(f"| `{statement.name}` | " + " | ".join(cells) + " |")
    total = " | ".join(f"{sum(s.seconds for s in o.statements) * 1000:.1f}" for o in outcomes)
    return [*lines, f"| sum | {total} |"]


def plan_lines(statements: list[Statement]) -> list[str]:
    lines: list[str] = []
    seen: set[str] = set()
    for statement in statements:
        shown = "\n".join(relevant(statement.plan))
        if shown in seen:
            continue
        seen.add(shown)
        lines += [f"-- {statement.name} ({statement.seconds * 1000:.0f} ms)", shown]
    return lines


def keep_plans(folder: Path, outcomes: list[Outcome]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for o in outcomes:
        name = f"{o.database}-{o.implementation.split()[0]}".lower()
        with open(folder / f"{name}.txt", "w", encoding="utf-8") as out:
            for statement in o.statements:
                out.write(f"-- {statement.name}: {statement.seconds * 1000:.1f} ms\n")
                out.write(statement.sql + "\n")
                out.write(f"-- parameters: {json.dumps(statement.parameters, default=str)}\n")
                out.write("\n".join(statement.plan) + "\n\n")


NAME = re.compile(r"[a-z_][a-z0-9_]*")


def index_changes(added: Sequence[str], dropped: Sequence[str]) -> list[str]:
    """``--add-index`` and ``--drop-index`` as DDL, the same on both databases."""
    ddl = []
    for name in dropped:
        if not NAME.fullmatch(name):
            raise SystemExit(f"not an index name: {name!r}")
        ddl.append(f"DROP INDEX {name}")
    for spec in added:
        name, _, columns = spec.partition("=")
        names = [name, *columns.split(",")]
        if not columns or not all(NAME.fullmatch(part) for part in names):
            raise SystemExit(f"give an index as NAME=COLUMN,COLUMN, not {spec!r}")
        ddl.append(f"CREATE INDEX {name} ON missing_episodes ({', '.join(names[1:])})")
    return ddl


def migration_head() -> str:
    from alembic.script import ScriptDirectory

    return ", ".join(sorted(ScriptDirectory(str(ROOT / "migrations")).get_heads()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--patients", type=int, default=50_000)
    parser.add_argument("--wards", type=int, default=300)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=7, help="timed reports per database")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--compare",
        type=Path,
        help="another version of grabpack/services/monthly_report.py: timed in turn with "
        "the one in the tree, its reports checked equal",
    )
    parser.add_argument(
        "--add-index",
        action="append",
        default=[],
        metavar="NAME=COLUMN,COLUMN",
        help="after migrating, add this index on missing_episodes (try one before a migration)",
    )
    parser.add_argument(
        "--drop-index", action="append", default=[], metavar="NAME", help="after migrating"
    )
    parser.add_argument("--plans", type=Path, help="write every statement and its whole plan here")
    parser.add_argument("--no-append", action="store_true", help=f"do not append to {RESULTS}")
    parser.add_argument(
        "--keep", type=Path, help="keep the SQLite file here, and the PostgreSQL database"
    )
    parser.add_argument(
        "--reuse", type=Path, help="time the databases a --keep run left here (no loading)"
    )
    args = parser.parse_args()
    args.load = os.getloadavg()[0]
    args.head = migration_head()
    ddl = index_changes(args.add_index, args.drop_index)
    versions = implementations(args.compare)
    shape = Shape(
        episodes=args.episodes,
        patients=args.patients,
        wards=args.wards,
        settings=max(1, args.wards // 5),
        areas=max(1, args.wards // 25),
        months=args.months,
    )
    if args.reuse:
        data = Data.reused(json.loads((args.reuse / "bench.json").read_text()))
    else:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        started = time.perf_counter()
        data = generate(shape, now)
        print(f"generated in {time.perf_counter() - started:.1f} s")
    print("\n".join(data.description), flush=True)

    outcomes = []
    wanted = [name.strip().lower() for name in args.databases.split(",")]
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.reuse or args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        if "sqlite" in wanted:
            path = folder / "bench.sqlite3"
            if not args.reuse:
                path.unlink(missing_ok=True)
            outcomes += bench("SQLite", f"sqlite:///{path}", data, args.runs, versions, ddl)
        if "postgresql" in wanted:
            url = scratch_postgres(BENCH_DATABASE, fresh=not args.reuse)
            outcomes += bench("PostgreSQL", url, data, args.runs, versions, ddl)
            if not (args.keep or args.reuse):
                drop_postgres(BENCH_DATABASE, make_url(url).port)
        if args.keep:
            (args.keep / "bench.json").write_text(json.dumps(data.kept()))
    text_ = summary(outcomes, data, args)
    print(text_)
    if args.plans:
        keep_plans(args.plans, outcomes)
    if not args.no_append:
        append_to_section(SECTION, text_)


if __name__ == "__main__":
    main()
