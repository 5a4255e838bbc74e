"""What any computation of the monthly review on request must do, each part at its
least, beside the floor: is "within 3 times the floor" (issue 11) reachable at all?

``benchmarks/report.py`` times grabpack's review; this times the least each part
of the review could cost, on the databases a ``report.py --keep DIR`` run left:

* **the month's episodes, read once**: one ``GROUP BY ward_id`` over the month's
  range reading every column the review's figures come from (``count(column)``, so
  each is read and nothing else is worked out): the counts, kinds, grades, where
  found and by whom, prevention interviews and the seven reporting faults;
* **distinct patients** per setting and in total (a ward's come with its counts);
* **the order statistics**: one rank of each of the two measures (minutes to
  report, time missing) per level (ward, setting, all), in SQL: a median alone
  (the review also needs the 90th percentile) by PostgreSQL's ``percentile_disc``,
  by a ``row_number`` window on SQLite, which has no ordered-set aggregate;
* **the trend**: the twelve months' episodes counted per ward, a range of the
  ``noticed_at`` index each;
* **the repeat patients**: one row per patient with a repeat episode in the month
  (the kept counts at or over the rule), grouped in SQL, then in Python their rows
  and flags, built with the domain's own types and reasons.

Every part is a lower bound (one pass, less than the review needs of it, nothing
joined that the part does not need, no row handed to Python but the repeat
patients); their sum is what the review could cost at best if it were computed
when asked for. Figures are medians of ``--runs``, the parts and the floor
taking turns.

    .venv/bin/python benchmarks/report.py --keep /tmp/bench --no-append   # once: loads
    .venv/bin/python benchmarks/report_parts.py --reuse /tmp/bench [--runs 7]
        [--databases sqlite,postgresql] [--no-append]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Select, func, literal, select, union_all  # noqa: E402

from benchmarks.common import append_to_section, scratch_postgres  # noqa: E402
from benchmarks.report import (  # noqa: E402
    BENCH_DATABASE,
    SECTION,
    TARGET_RATIO,
    Data,
    bench_app,
    floor_statement,
    measure,
    run_statement,
)
from grabpack.domain.episode_schema import PoliceRiskGrade  # noqa: E402
from grabpack.domain.monthly_review import (  # noqa: E402
    RepeatPatient,
    RepeatPatientRow,
    high_risk_repeat_flag,
    month_bounds,
    repeat_flag,
    trailing_months,
)
from grabpack.extensions import db  # noqa: E402
from grabpack.models import MissingEpisode, Ward  # noqa: E402
from grabpack.models.episode_figures import GRADE_OF_RANK  # noqa: E402
from grabpack.policies import review_rules  # noqa: E402

COMMAND = ".venv/bin/python benchmarks/report_parts.py"
E = MissingEpisode.__table__

# Every column a figure of the review is worked out from (services/monthly_report).
READ = (
    "id", "patient_id", "kind", "police_risk_grade", "found_category", "found_by",
    "prevention_interview_at", "reported_at", "returned_at", "had_no_pack",
    "pack_incomplete", "review_overdue", "photo_stale", "s18_expiry_stated",
    "legal_status", "moj_notified_at", "retake_answer", "retake_statement",
    "minutes_to_report", "minutes_missing",
)  # fmt: skip
MEASURES = ("minutes_to_report", "minutes_missing")


def in_range(statement: Select, start: datetime, end: datetime) -> Select:
    return statement.where(E.c.noticed_at >= start, E.c.noticed_at < end)


def parts(data: Data) -> dict[str, Callable[[], Any]]:
    """Each part of the review at its least, as a job to time."""
    start, end = month_bounds(*data.month)
    setting = select(Ward.id, Ward.setting_id).subquery()
    jobs: dict[str, Callable[[], Any]] = {
        "the month's episodes, read once": run_statement(
            in_range(
                select(E.c.ward_id, *(func.count(E.c[name]) for name in READ)), start, end
            ).group_by(E.c.ward_id)
        ),
        "distinct patients per setting and in total": run_statement(
            in_range(
                select(setting.c.setting_id, func.count(E.c.patient_id.distinct()))
                .join(setting, setting.c.id == E.c.ward_id)
                .group_by(setting.c.setting_id),
                start,
                end,
            ).union_all(in_range(select(0, func.count(E.c.patient_id.distinct())), start, end))
        ),
    }
    postgres = db.engine.dialect.name == "postgresql"
    for name in MEASURES:
        value = E.c[name]
        levels = (("ward", E.c.ward_id), ("setting", setting.c.setting_id), ("all", literal(0)))
        for level, key in levels:
            month = in_range(
                select(key.label("key"), value.label("value")).join(
                    setting, setting.c.id == E.c.ward_id
                ),
                start,
                end,
            ).where(value.is_not(None))
            ranking = ranked(month.subquery(), postgres)
            jobs[f"{name} ranked per {level}"] = run_statement(ranking)
    trend = [
        in_range(select(E.c.ward_id, func.count()), *month_bounds(*each)).group_by(E.c.ward_id)
        for each in (*trailing_months(data.month, 11), data.month)
    ]
    jobs["the trend's twelve months"] = run_statement(union_all(*trend))
    jobs["the repeat patients: rows and flags"] = lambda: repeat_rows(start, end)
    return jobs


def ranked(month: Any, postgres: bool) -> Select:
    """The median's rank found per key: PostgreSQL's ordered-set aggregate (one sort
    per key, nothing else); SQLite has none, so a ``row_number`` window, the least
    ranking it can do in SQL."""
    if postgres:
        middle = func.percentile_disc(0.5).within_group(month.c.value)
        return select(month.c.key, middle).group_by(month.c.key)
    rank = func.row_number().over(partition_by=month.c.key, order_by=month.c.value)
    ranks = select(month.c.key, rank.label("rank")).subquery()
    return select(ranks.c.key, func.max(ranks.c.rank)).group_by(ranks.c.key)


def repeat_rows(start: datetime, end: datetime) -> list:
    """The month's repeat episodes out, one row per patient (the newest), and their
    flags: what the review must hand over for its repeat-patient list."""
    rule = review_rules().repeat
    statement = in_range(
        select(
            E.c.patient_id,
            func.min(E.c.ward_id),
            func.max(E.c.noticed_at),
            func.max(E.c.window_episodes),
            func.max(E.c.window_top_grade),
        )
        .where(E.c.window_episodes >= rule.episodes)
        .group_by(E.c.patient_id),
        start,
        end,
    )
    found = db.session.execute(statement).all()
    db.session.remove()
    flags = []
    for patient_id, ward_id, noticed_at, count, rank in found:
        grade = PoliceRiskGrade(GRADE_OF_RANK[rank]) if rank else None
        row = RepeatPatientRow(patient_id, str(ward_id), "", "", count, noticed_at, grade)
        repeat = RepeatPatient(count, noticed_at, grade)
        subject = f"Patient {row.reference}"
        flags.append(repeat_flag(rule, subject, repeat))
        flags.append(high_risk_repeat_flag(rule, subject, repeat))
    return flags


def timed(url: str, data: Data, runs: int) -> dict[str, float]:
    app = bench_app(url)
    with app.app_context():
        jobs = {"floor": run_statement(floor_statement()), **parts(data)}
        found = measure(jobs, runs)
        db.engine.dispose()
    return found


def entry(results: dict[str, dict[str, float]], data: Data, argv: list[str]) -> str:
    names = [name for name in next(iter(results.values())) if name != "floor"]
    databases = list(results)
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M UTC}: the parts at their least",
        "",
        f"`{' '.join([COMMAND, *argv])}` (medians of the runs, the parts and the floor taking "
        f"turns; load average at the start {os.getloadavg()[0]:.1f}; the data "
        f"`report.py --keep` loaded at {data.now:%H:%M} on {data.now:%Y-%m-%d}: "
        f"{data.description[0]})",
        "",
        "| part | " + " | ".join(f"{d} ms" for d in databases) + " |",
        "| --- | " + " | ".join("---:" for _ in databases) + " |",
    ]
    for name in names:
        cells = " | ".join(f"{results[d][name] * 1000:.1f}" for d in databases)
        lines.append(f"| {name} | {cells} |")
    sums = {d: sum(results[d][n] for n in names) for d in databases}
    floors = {d: results[d]["floor"] for d in databases}
    lines += [
        "| **sum: the review at best** | "
        + " | ".join(f"**{sums[d] * 1000:.0f}**" for d in databases)
        + " |",
        "| the floor | " + " | ".join(f"{floors[d] * 1000:.1f}" for d in databases) + " |",
        f"| {TARGET_RATIO:.0f} times the floor | "
        + " | ".join(f"{TARGET_RATIO * floors[d] * 1000:.0f}" for d in databases)
        + " |",
        "| the sum / the floor | "
        + " | ".join(f"{sums[d] / floors[d]:.1f}x" for d in databases)
        + " |",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", type=Path, required=True, help="a report.py --keep folder")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    kept = args.reuse / "bench.json"
    if not kept.exists():
        raise SystemExit(f"{kept} is missing: run benchmarks/report.py --keep {args.reuse} first")
    data = Data.reused(json.loads(kept.read_text()))
    wanted = [name.strip().lower() for name in args.databases.split(",")]
    results: dict[str, dict[str, float]] = {}
    if "sqlite" in wanted:
        results["SQLite"] = timed(f"sqlite:///{args.reuse / 'bench.sqlite3'}", data, args.runs)
    if "postgresql" in wanted:
        url = scratch_postgres(BENCH_DATABASE, fresh=False)
        results["PostgreSQL"] = timed(url, data, args.runs)
    text = entry(results, data, sys.argv[1:])
    print(text)
    if not args.no_append:
        append_to_section(SECTION, text)


if __name__ == "__main__":
    main()
