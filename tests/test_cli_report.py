"""``grabpack report monthly``: the scheduled job's review of a London month, as a
PDF or a CSV, written whole or not at all, failing in one line."""

from __future__ import annotations

import csv
import io
import os
import stat
import threading
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from grabpack.extensions import db
from grabpack.pdf.fonts import FontsMissing
from grabpack.services.monthly_report_csv import REPORT_COLUMNS
from tests import monthly_month
from tests.conftest import make_app
from tests.monthly_month import EXPECTED, REPEATS
from tests.pdf.conftest import extract, normalise

BEFORE = b"last month's review\n"


@pytest.fixture
def march(app, world) -> dict:
    """The month worked by hand (``tests/monthly_month.py``): March 2026. Returns the
    patients' opaque references by their label."""
    with app.app_context():
        patients = monthly_month.build(world.nurse_a)
        return {label: patient.id.hex[:8].upper() for label, patient in patients.items()}


@pytest.fixture
def earlier(tmp_path) -> Path:
    """A review written last month, which a failed run must leave as it was."""
    output = tmp_path / "reviews" / "review.out"
    output.parent.mkdir()
    output.write_bytes(BEFORE)
    return output


def monthly(runner, *args: str):
    return runner.invoke(args=["report", "monthly", *args])


def one_line(result) -> str:
    """The single line a failed command printed, having exited non-zero."""
    lines = result.stderr.strip().splitlines()
    assert result.exit_code != 0 and len(lines) == 1, (result.exception, result.output)
    return lines[0]


def left_alone(output: Path) -> None:
    assert output.read_bytes() == BEFORE
    assert [p.name for p in output.parent.iterdir()] == [output.name]  # no half-written file


def csv_rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == REPORT_COLUMNS
    return list(reader)


# --- what it writes ----------------------------------------------------------------------------


def test_writes_the_csv_of_every_area(runner, march, earlier):
    result = monthly(runner, "2026-03", "--format", "csv", "--output", str(earlier))
    assert result.exit_code == 0, result.output
    rows = {row["ward_code"]: row for row in csv_rows(earlier.read_text(encoding="utf-8"))}
    assert sorted(rows) == ["WA1", "WA2", "WB1"]
    for ward in rows:
        assert rows[ward]["episodes"] == str(EXPECTED[ward]["episodes"])
        assert rows[ward]["repeat_patients"] == str(EXPECTED[ward]["repeat_patients"])
    assert earlier.stat().st_mode & 0o777 == 0o600  # special-category data
    assert [p.name for p in earlier.parent.iterdir()] == [earlier.name]
    flags = result.stdout.strip()
    assert flags.startswith("Wrote the monthly review of March 2026 (all policing areas) to ")
    assert result.stderr == ""  # no progress bar for a scheduled job's log


def test_one_area_only(runner, march, tmp_path):
    output = tmp_path / "area2.csv"
    result = monthly(
        runner, "2026-03", "--area", "AREA2", "--format", "csv", "--output", str(output)
    )
    assert result.exit_code == 0, result.output
    rows = csv_rows(output.read_text(encoding="utf-8"))
    assert [(row["policing_area"], row["ward_code"]) for row in rows] == [("AREA2", "WB1")]
    assert "(Area Two)" in result.stdout


def test_writes_the_pdf_with_opaque_references_and_no_names(runner, march, tmp_path):
    output = tmp_path / "review.pdf"
    result = monthly(
        runner, "2026-03", "--area", "AREA1", "--format", "pdf", "--output", str(output)
    )
    assert result.exit_code == 0, result.output
    pdf = extract(output.read_bytes())
    text = " ".join(normalise(pdf.raw).split())
    assert "Monthly missing review: March 2026, Area One" in text
    assert all("OFFICIAL-SENSITIVE" in page for page in pdf.pages)
    assert text.index("Flags (") < text.index("Per setting and ward")
    assert "Ward A2" in text and "Ward B (WB1)" not in text  # Area Two's ward is not in it
    assert march["P1"] in text  # P1 is a repeat patient of Ward A2, in Area One
    assert "Patient P1" not in text  # the scheduled job is shown no names
    assert "Reference Ward Setting" in text


def test_csv_to_standard_output(runner, march):
    result = monthly(runner, "2026-03", "--format", "csv", "--output", "-")
    assert result.exit_code == 0, result.output
    assert len(csv_rows(result.stdout)) == 3
    assert "Wrote" not in result.stdout


def test_the_repeat_patients_agree_with_the_episode_export(runner, march, tmp_path):
    """Counted again from ``grabpack export episodes``, independently: a patient is a
    repeat of a ward when an episode from it, noticed in March on London's clock, is
    at least their 3rd noticed in the 90 × 24 hours up to and including it."""
    episodes, review = tmp_path / "episodes.csv", tmp_path / "review.csv"
    assert (
        runner.invoke(
            args=["export", "episodes", "--format", "csv", "--output", str(episodes)]
        ).exit_code
        == 0
    )
    assert monthly(runner, "2026-03", "--format", "csv", "--output", str(review)).exit_code == 0

    london = ZoneInfo("Europe/London")
    noticed = defaultdict(list)
    exported = list(csv.DictReader(io.StringIO(episodes.read_text(encoding="utf-8"))))
    for row in exported:
        noticed[row["patient_id"]].append(datetime.fromisoformat(row["noticed_at"]))
    repeats = defaultdict(set)
    for row in exported:
        at = datetime.fromisoformat(row["noticed_at"])
        local = at.astimezone(london)
        if (local.year, local.month) != (2026, 3):
            continue
        window = [t for t in noticed[row["patient_id"]] if at - timedelta(days=90) <= t <= at]
        if len(window) >= 3:
            repeats[row["ward"]].add(row["patient_id"])

    counted = {ward: len(patients) for ward, patients in repeats.items()}
    reviewed = {
        row["ward_code"]: int(row["repeat_patients"])
        for row in csv_rows(review.read_text(encoding="utf-8"))
        if row["repeat_patients"] != "0"
    }
    assert reviewed == counted
    assert len(set().union(*repeats.values())) == len(REPEATS)  # P1 on two wards, once


# --- at a terminal -----------------------------------------------------------------------------


def test_the_current_month_is_written_as_figures_so_far(runner, world, tmp_path):
    from grabpack.domain.monthly_review import month_of
    from grabpack.models.base import utcnow

    month = month_of(utcnow())
    output = tmp_path / "so-far.csv"
    result = monthly(runner, str(month), "--format", "csv", "--output", str(output))
    assert result.exit_code == 0, result.output
    assert f"{month.label} is not over: figures so far" in result.stdout
    assert {row["month_over"] for row in csv_rows(output.read_text())} == {"no"}


def test_a_progress_bar_only_at_a_terminal(runner, march, tmp_path, monkeypatch):
    monkeypatch.setattr("grabpack.cli._is_terminal", lambda stream: True)
    result = monthly(runner, "2026-03", "--format", "csv", "--output", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output
    assert "Monthly review" in result.stderr  # the bar's label (the runner is no terminal)
    assert "Wrote the monthly review" in result.stdout


# --- refusals: one line, a non-zero exit, the earlier file as it was -------------------------


@pytest.mark.parametrize("month", ["2026-13", "2026-7", "July", "2026-00", "26-03", " "])
def test_a_bad_month_is_one_line(runner, world, earlier, month):
    line = one_line(monthly(runner, month, "--format", "pdf", "--output", str(earlier)))
    assert "is not a month: write it as YYYY-MM, like " in line
    left_alone(earlier)


@pytest.mark.parametrize(
    ("month", "said"),
    [
        ("2099-05", "has not started yet"),
        ("9999-12", "has not started yet"),
        ("1999-12", "There is no review before January 2000"),
        ("0001-01", "There is no review before January 2000"),
    ],
)
def test_a_month_the_page_would_not_review_is_one_line(runner, world, earlier, month, said):
    """The same months as the page: none not yet begun (an all-zero review would read
    as a quiet month), none before reviews start (nor a traceback at year 1)."""
    line = one_line(monthly(runner, month, "--format", "csv", "--output", str(earlier)))
    assert said in line
    left_alone(earlier)


def test_an_unknown_area_is_one_line(runner, world, earlier):
    result = monthly(
        runner, "2026-03", "--area", "NOPE", "--format", "csv", "--output", str(earlier)
    )
    assert "No policing area with code 'NOPE'" in one_line(result)
    left_alone(earlier)


def test_a_format_it_does_not_make_is_refused(runner, world, earlier):
    result = monthly(runner, "2026-03", "--format", "xlsx", "--output", str(earlier))
    assert result.exit_code != 0 and "xlsx" in result.stderr
    left_alone(earlier)


def test_a_failure_while_rendering_leaves_the_earlier_file(runner, march, earlier, monkeypatch):
    def no_fonts(report):
        raise FontsMissing(
            "PDF fonts not found: install them with `apt-get install fonts-noto-core`"
        )

    monkeypatch.setattr("grabpack.pdf.monthly_report.render_monthly_report", no_fonts)
    line = one_line(monthly(runner, "2026-03", "--format", "pdf", "--output", str(earlier)))
    assert "apt-get install fonts-noto-core" in line
    left_alone(earlier)


def test_an_unmigrated_database_is_one_line(tmp_path, earlier):
    app = make_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        result = monthly(
            app.test_cli_runner(), "2026-03", "--format", "csv", "--output", str(earlier)
        )
    finally:
        with app.app_context():
            db.engine.dispose()
    assert "grabpack db upgrade" in one_line(result)
    left_alone(earlier)


def test_into_a_missing_folder_says_so(runner, march, tmp_path):
    output = tmp_path / "nowhere" / "review.pdf"
    line = one_line(monthly(runner, "2026-03", "--format", "pdf", "--output", str(output)))
    assert "does not exist" in line and str(output.parent) in line


def test_into_a_named_pipe_writes_into_it_and_leaves_it_a_pipe(runner, march, tmp_path):
    """A scheduled job may hand the review to another program through a pipe (or
    ``/dev/stdout``): written straight in, never replaced by a file of that name."""
    pipe = tmp_path / "review.csv"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    result = monthly(runner, "2026-03", "--format", "csv", "--output", str(pipe))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    assert received and csv_rows(received[0].decode())


def test_through_a_link_writes_the_file_it_names_and_keeps_the_link(runner, march, tmp_path):
    real = tmp_path / "reviews" / "latest.csv"
    real.parent.mkdir()
    real.write_bytes(BEFORE)
    link = tmp_path / "review.csv"
    link.symlink_to(real)
    result = monthly(runner, "2026-03", "--format", "csv", "--output", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real
    assert csv_rows(real.read_text())
    assert [p.name for p in real.parent.iterdir()] == ["latest.csv"]


def test_help_shows_the_usage(runner):
    result = monthly(runner, "--help")
    assert result.exit_code == 0
    assert "YYYY-MM" in result.output and "--area CODE" in result.output
    assert "pdf|csv" in result.output
