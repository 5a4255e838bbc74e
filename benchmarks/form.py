"""The grab-pack edit form: milliseconds of server time per GET, typical and maximal pack.

Builds a migrated SQLite database in a temporary folder, a ward, a nurse and two
patients through the real services (a typical pack, and a maximal one: every
field filled, 20 contacts, places and medicines), signs in through the real form
and times ``GET /patients/<id>/grab-pack/edit`` with Flask's test client and
production settings: the whole request (session, permission check, queries, form,
template), no network. The pack view is timed beside it for scale, and the same
pages through the design system's own macros (the form as it was) for a before
and after from one run on the same machine.

    .venv/bin/python benchmarks/form.py [--runs 200] [--reference-runs 20]
                                        [--profile] [--no-append]

Target: the typical pack's form under 30 ms (median of the runs) on the 2-core
machine class; on a shared machine whose load is above its cores, read the
ratios (form / pack view, before / now). ``--profile`` prints cProfile's top
functions for five typical renders instead of timing.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from jinja2 import ChoiceLoader, DictLoader  # noqa: E402

from benchmarks.common import append_to_section  # noqa: E402
from grabpack import freeze_start_up_objects  # noqa: E402
from grabpack.extensions import db  # noqa: E402
from tests.conftest import PASSWORD, csrf_token, make_app  # noqa: E402
from tests.pdf import samples  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## Edit form: server time of the grab-pack edit page (`benchmarks/form.py`)"
COMMAND = ".venv/bin/python benchmarks/form.py"
TARGET_MS = 30.0
NURSE = "nurse.bench@example.nhs.uk"
OURS = "ours"
BEFORE = "design-system macros"
VIEW = "typical, pack view (for scale)"


def production_app(folder: Path, design_system_macros: bool = False) -> Flask:
    """The app with production settings, as served: quiet undefined names, `Secure`
    cookies (hence the HTTPS scheme of the client), the real password hashing.
    ``design_system_macros`` renders the form's fields as before this benchmark's
    change, through nhsuk-frontend-jinja's own macros (the reference markup that
    tests/test_form_markup.py compares ours with), for a before and after in one run."""
    app = make_app(
        f"sqlite:///{folder / 'bench.sqlite3'}",
        GRABPACK_ENV="production",
        SECRET_KEY="benchmark-only-" + "k" * 40,
        PASSWORD_HASH_PROFILE="RFC_9106_LOW_MEMORY",  # noqa: S106 (a profile's name)
    )
    if design_system_macros:
        from tests.test_form_markup import DESIGN_SYSTEM_CHANGE_NOTE, DESIGN_SYSTEM_FIELD

        ours = (ROOT / "templates" / "packs" / "_fields.html").read_text()
        shown = ours[ours.index("{#- The read-only value") :]  # the pack view's macro, as it is
        fields = DESIGN_SYSTEM_FIELD + DESIGN_SYSTEM_CHANGE_NOTE + shown
        reference = DictLoader({"packs/_fields.html": fields})
        app.jinja_env.loader = ChoiceLoader([reference, app.jinja_env.loader])
    return app


def build(folder: Path) -> dict[str, str]:
    """A fresh migrated database holding a nurse, a typical and a maximal pack; the
    pages to time."""
    from grabpack.models import PolicingArea, Setting, Trust, Ward
    from grabpack.services.users import create_user
    from tests.factories import patient_on

    app = production_app(folder)
    with app.app_context():
        upgrade()
        trust = Trust(code="TT1", name="Bench Trust")
        area = PolicingArea(code="AREA1", name="Area One")
        site = Setting(code="S1", name="Site One", trust=trust, policing_area=area)
        db.session.add(Ward(code="WA1", name="Ward A", setting=site, phone_24h="020 7946 0001"))
        db.session.flush()
        create_user(NURSE, "nurse", PASSWORD, ward_codes=["WA1"], full_name="Nurse Bench")
        maximal = samples.maximal_data()
        maximal["identity"]["nhs_number"] = "9876543210"  # the typical pack has the other
        patients = {
            "typical": patient_on("WA1", "Typical", samples.typical_data(), NURSE),
            "maximal": patient_on("WA1", "Maximal", maximal, NURSE),
        }
        db.session.commit()
        urls = {name: f"/patients/{p.id}/grab-pack/edit" for name, p in patients.items()}
        urls[VIEW] = f"/patients/{patients['typical'].id}/grab-pack"
        db.engine.dispose()
    return urls


def signed_in(app: Flask):
    """A test client of ``app`` with the nurse signed in through the real form."""
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    page = client.get("/login")
    client.post(
        "/login", data={"email": NURSE, "password": PASSWORD, "csrf_token": csrf_token(page.text)}
    )
    return client


Figures = dict[str, tuple[float, float, int]]  # page: (wall ms, CPU ms, bytes)


def timed(client, url: str) -> tuple[float, float]:
    start, start_cpu = time.perf_counter(), time.process_time()
    client.get(url)
    return (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000


def measure(clients: dict[str, object], urls: dict[str, str], runs: dict[str, int]) -> dict:
    """Per client and page: median milliseconds, wall clock and this process's CPU
    time (which other work on a shared machine disturbs less), and the page's size.
    After a warm-up, the runs take turns in rounds (a share of each client's runs of
    every page per round), so a busy spell on the machine falls on all alike."""
    sizes: dict[str, dict[str, int]] = {name: {} for name in clients}
    for name, client in clients.items():
        for page, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, (name, page, response.status_code)
            sizes[name][page] = len(response.data)
    wall = {name: {page: [] for page in urls} for name in clients}
    cpu = {name: {page: [] for page in urls} for name in clients}
    rounds = min(runs.values())
    for _ in range(rounds):
        for name, client in clients.items():
            for page, url in urls.items():
                for _ in range(max(1, runs[name] // rounds)):
                    elapsed, used = timed(client, url)
                    wall[name][page].append(elapsed)
                    cpu[name][page].append(used)
    return {
        name: {
            page: (
                statistics.median(wall[name][page]),
                statistics.median(cpu[name][page]),
                sizes[name][page],
            )
            for page in urls
        }
        for name in clients
    }


def profile(client, url: str) -> None:
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"Calls per render: {stats.total_calls // 5:,}")
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


def report(figures: dict[str, Figures], runs: int, reference_runs: int) -> str:
    ours, before = figures[OURS], figures[BEFORE]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {now}",
        "",
        f"`{COMMAND} --runs {runs} --reference-runs {reference_runs}` (Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}; production settings, SQLite, Flask's test client, one "
        "client; medians of the runs; load average at the start "
        f"{os.getloadavg()[0]:.1f})",
        "",
        "| page | HTML KB | ms (wall) | ms (CPU) | through the design-system macros: "
        "ms (wall) | ms (CPU) | before / now (CPU) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page, (ms, cpu_ms, size) in ours.items():
        old_ms, old_cpu, _ = before[page]
        lines.append(
            f"| {page} | {size / 1024:.0f} | {ms:.1f} | {cpu_ms:.1f} | {old_ms:.1f} | "
            f"{old_cpu:.1f} | {old_cpu / cpu_ms:.1f}x |"
        )
    typical = ours["typical"][0]
    verdict = "met" if typical < TARGET_MS else "NOT met"
    lines += [
        "",
        f"Typical pack's edit form: {typical:.1f} ms wall (target under {TARGET_MS:.0f} ms: "
        f"{verdict}); {typical / ours[VIEW][0]:.2f}x the pack view.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reference-runs", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        urls = build(Path(folder))
        clients = {
            OURS: signed_in(production_app(Path(folder))),
            BEFORE: signed_in(production_app(Path(folder), design_system_macros=True)),
        }
        freeze_start_up_objects()  # as grabpack.wsgi does once the app is built
        if args.profile:
            profile(clients[OURS], urls["typical"])
            return
        runs = {OURS: args.runs, BEFORE: args.reference_runs}
        text = report(measure(clients, urls, runs), args.runs, args.reference_runs)
    print(text)
    if load > (os.cpu_count() or 1):
        print(f"(The machine was busy: load average {load:.1f}. Compare the ratios.)")
    if not args.no_append:
        append_to_section(SECTION, text)


if __name__ == "__main__":
    main()
