"""The ``grabpack`` commands: every way they can be asked, right and wrong, and how
they fail: in one line, changing nothing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from grabpack.cli import main
from grabpack.config import ConfigError
from grabpack.extensions import db
from grabpack.models import Patient, User
from grabpack.models.base import utcnow
from grabpack.services import patients
from grabpack.services.passwords import verify_password
from grabpack.services.patients import PatientError
from tests.conftest import PASSWORD, POSTGRES_URL, make_app
from tests.factories import patient_on, staff


def create(runner, *args, password=PASSWORD):
    return runner.invoke(args=["users", "create", *args], input=password + "\n")


def user(app, email):
    with app.app_context():
        found = db.session.scalar(select(User).where(User.email == email))
        if found is not None:
            found.ward_codes = [w.code for w in found.wards]
            found.area_codes = [a.code for a in found.policing_areas]
        return found


def test_creates_nurse_on_wards_with_password_from_stdin(app, runner, world):
    result = create(
        runner,
        "New.Nurse@Example.NHS.uk",
        "--role",
        "nurse",
        "--ward",
        "wa1",
        "--ward",
        "WB1",
        "--name",
        "Łucja Nowak",
    )
    assert result.exit_code == 0, result.output
    assert "Created nurse new.nurse@example.nhs.uk" in result.output
    created = user(app, "new.nurse@example.nhs.uk")
    assert created.ward_codes == ["WA1", "WB1"]
    assert created.full_name == "Łucja Nowak"
    assert verify_password(created.password_hash, PASSWORD)
    assert PASSWORD not in created.password_hash


def test_creates_police_user_on_areas(app, runner, world):
    result = create(runner, "pc@example.police.uk", "--role", "police", "--area", "AREA2")
    assert result.exit_code == 0, result.output
    assert user(app, "pc@example.police.uk").area_codes == ["AREA2"]


def test_created_user_can_sign_in(app, runner, world, auth):
    create(runner, "x@example.nhs.uk", "--role", "ward_manager", "--ward", "WA1")
    assert auth.login("x@example.nhs.uk").status_code == 302


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["a@example.nhs.uk", "--role", "nurse", "--ward", "NOPE"], "Unknown ward code: NOPE"),
        (
            ["a@example.nhs.uk", "--role", "police", "--area", "X9"],
            "Unknown policing area code: X9",
        ),
        (["a@example.nhs.uk", "--role", "chief"], "Invalid value for '--role'"),
        (["a@example.nhs.uk", "--role", "nurse"], "needs at least one --ward"),
        (["a@example.nhs.uk", "--role", "police", "--ward", "WA1"], "needs at least one --area"),
        (["a@example.nhs.uk", "--role", "admin", "--ward", "WA1"], "not scoped"),
        (["not-an-email", "--role", "admin"], "is not a valid email address"),
        (["nurse.a@example.nhs.uk", "--role", "admin"], "already exists"),
        (["NURSE.A@example.nhs.uk", "--role", "admin"], "already exists"),
    ],
)
def test_refuses_bad_requests_with_one_clear_line(app, runner, world, args, message):
    result = create(runner, *args)
    assert result.exit_code != 0
    assert message in result.output
    if "already exists" not in message:
        assert user(app, args[0]) is None


def test_refuses_short_password(app, runner, world):
    result = create(runner, "b@example.nhs.uk", "--role", "admin", password="short")
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    assert user(app, "b@example.nhs.uk") is None


def test_password_is_never_an_argument(runner, world):
    result = runner.invoke(
        args=["users", "create", "c@example.nhs.uk", "--role", "admin", "--password", PASSWORD]
    )
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_users_create_help_lists_options(runner):
    result = runner.invoke(args=["users", "create", "--help"])
    assert "--ward CODE" in result.output and "--area CODE" in result.output


def test_unlock_lifts_the_sign_in_throttle(app, runner, world, auth):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login(world.nurse_a, "wrong password")
    assert auth.login(world.nurse_a).status_code == 429  # even the right password waits
    result = runner.invoke(args=["users", "unlock", world.nurse_a.upper()])
    assert result.exit_code == 0 and "Unlocked nurse.a@example.nhs.uk" in result.output
    assert auth.login(world.nurse_a).status_code == 302


def test_set_password_changes_it_and_ends_sessions(app, runner, world, auth, client):
    auth.login(world.nurse_a)
    assert client.get("/wards/WA1").status_code == 200
    result = runner.invoke(
        args=["users", "set-password", world.nurse_a], input="a brand new passphrase\n"
    )
    assert result.exit_code == 0
    assert client.get("/wards/WA1").status_code == 302  # the old session is over
    assert auth.login(world.nurse_a).status_code == 200  # old password refused
    assert auth.login(world.nurse_a, "a brand new passphrase").status_code == 302


def test_disable_ends_sessions_and_enable_restores(app, runner, world, auth, client):
    auth.login(world.police_a)
    assert runner.invoke(args=["users", "disable", world.police_a]).exit_code == 0
    assert client.get("/police/").status_code == 302
    assert auth.login(world.police_a).status_code == 200  # refused while disabled
    assert runner.invoke(args=["users", "enable", world.police_a]).exit_code == 0
    assert auth.login(world.police_a).status_code == 302


@pytest.mark.parametrize("command", ["unlock", "disable", "enable", "set-password"])
def test_user_commands_name_an_unknown_email(runner, world, command):
    result = runner.invoke(args=["users", command, "nobody@example.nhs.uk"], input=PASSWORD + "\n")
    assert result.exit_code == 1
    assert "No user with email nobody@example.nhs.uk" in result.output


def test_set_password_refuses_a_short_one(runner, world):
    result = runner.invoke(args=["users", "set-password", world.nurse_a], input="short\n")
    assert result.exit_code == 1 and "at least 12 characters" in result.output


# --- Commands that leave nothing half-done, and say what is wrong in one line ---

GRABPACK = str(Path(sys.executable).with_name("grabpack"))
BEFORE = "an export from last week\n"


def run_grabpack(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """The installed ``grabpack`` script, with only ``env`` for settings."""
    return subprocess.run(
        [GRABPACK, *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), **env},
        cwd=cwd,
        input="",
        check=False,
    )


@pytest.fixture
def grabpack(monkeypatch):
    """Run the ``grabpack`` group itself (with --debug and one-line errors) on an app."""
    monkeypatch.setenv("FLASK_DEBUG", "0")  # --debug sets it; put it back after
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")

    def run(app, *args: str, input: str | None = None):
        return app.test_cli_runner().invoke(main, list(args), input=input)

    return run


def one_line(result) -> str:
    """The single line a failed command printed, having exited 1."""
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1, (result.exception, result.output)
    return lines[0]


@pytest.fixture
def unmigrated_app(tmp_path):
    """An app on an empty SQLite database that no migration has touched."""
    app = make_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def earlier_export(tmp_path) -> Path:
    output = tmp_path / "out" / "episodes.csv"
    output.parent.mkdir()
    output.write_text(BEFORE)
    return output


def export_to(output: Path | str) -> list[str]:
    return ["export", "episodes", "--format", "csv", "--output", str(output)]


def nothing_beside(output: Path) -> None:
    assert [p.name for p in output.parent.iterdir()] == [output.name]


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"GRABPACK_ENV": "production"},
        {"GRABPACK_ENV": "development", "GRABPACK_LOG_LEVEL": "shouting"},
    ],
)
def test_help_works_with_no_configuration(tmp_path, env):
    result = run_grabpack("--help", env=env, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""
    for command in ("db", "demo", "export", "retention", "run", "users"):
        assert f"\n  {command} " in result.stdout, command
    assert "--debug" in result.stdout


def test_command_help_works_with_no_configuration(tmp_path):
    result = run_grabpack("users", "create", "--help", env={}, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert "--ward CODE" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["a@example.nhs.uk", "--role", "nurse", "--ward", "NOPE"], "Unknown ward code: NOPE"),
        (
            ["a@example.nhs.uk", "--role", "police", "--area", "X9"],
            "Unknown policing area code: X9",
        ),
        (["a@example.nhs.uk", "--role", "nurse"], "needs at least one --ward"),
        (["a@example.nhs.uk", "--role", "police", "--ward", "WA1"], "needs at least one --area"),
        (["a@example.nhs.uk", "--role", "admin", "--area", "AREA1"], "not scoped"),
        (["not-an-email", "--role", "admin"], "is not a valid email address"),
        (["NURSE.A@example.nhs.uk", "--role", "admin"], "already exists"),
    ],
)
def test_users_create_checks_everything_before_asking_for_a_password(
    runner, world, monkeypatch, args, message
):
    def never():
        pytest.fail("asked for a password for a request that was going to be refused")

    monkeypatch.setattr("grabpack.cli._read_password", never)
    result = create(runner, *args)
    assert result.exit_code == 1
    assert message in result.output


def test_export_replaces_the_file_only_when_complete(app, grabpack, world, earlier_export):
    result = grabpack(app, *export_to(earlier_export))
    assert result.exit_code == 0, result.output
    assert earlier_export.read_text().startswith("episode_id,patient_id,ward,")
    assert earlier_export.stat().st_mode & 0o777 == 0o600  # special-category data
    nothing_beside(earlier_export)


def test_export_from_an_unmigrated_database_leaves_the_file_alone(
    unmigrated_app, grabpack, earlier_export
):
    line = one_line(grabpack(unmigrated_app, *export_to(earlier_export)))
    assert "not migrated" in line and "grabpack db upgrade" in line
    assert earlier_export.read_text() == BEFORE
    nothing_beside(earlier_export)


def test_a_database_migrations_behind_is_not_migrated(tmp_path, grabpack, earlier_export):
    from flask_migrate import upgrade

    app = make_app(f"sqlite:///{tmp_path / 'behind.sqlite3'}")
    with app.app_context():
        upgrade(revision="0002")
    try:
        line = one_line(grabpack(app, *export_to(earlier_export)))
    finally:
        with app.app_context():
            db.engine.dispose()
    assert "not migrated" in line and "0002" in line
    assert earlier_export.read_text() == BEFORE


def test_export_from_an_unreachable_database_leaves_the_file_alone(
    tmp_path, grabpack, earlier_export
):
    folder = tmp_path / "mounted"
    folder.mkdir()
    app = make_app(f"sqlite:///{folder / 'grabpack.sqlite3'}")
    folder.rmdir()  # the volume went away after start-up
    line = one_line(grabpack(app, *export_to(earlier_export)))
    assert "Cannot reach the database" in line and "GRABPACK_DATABASE_URL" in line
    assert earlier_export.read_text() == BEFORE
    nothing_beside(earlier_export)


def test_debug_shows_the_whole_traceback(tmp_path, grabpack, earlier_export):
    from sqlalchemy.exc import OperationalError

    folder = tmp_path / "mounted"
    folder.mkdir()
    app = make_app(f"sqlite:///{folder / 'grabpack.sqlite3'}")
    folder.rmdir()
    result = grabpack(app, "--debug", *export_to(earlier_export))
    assert result.exit_code == 1
    assert isinstance(result.exception, OperationalError)


def test_export_into_a_missing_folder_says_so(app, grabpack, tmp_path):
    line = one_line(grabpack(app, *export_to(tmp_path / "nowhere" / "episodes.csv")))
    assert "does not exist" in line and str(tmp_path / "nowhere") in line


@pytest.fixture
def unwritable_folder(tmp_path) -> Path:
    """A folder this user cannot create files in (root ignores modes: use /sys)."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o500)
    return folder


def test_export_into_a_folder_it_cannot_write_says_so(app, grabpack, unwritable_folder):
    line = one_line(grabpack(app, *export_to(unwritable_folder / "episodes.csv")))
    assert "permission" in line.lower() and str(unwritable_folder) in line


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's file lock")
def test_a_locked_database_is_one_line_and_changes_nothing(
    app_factory, grabpack, world, database_url
):
    from tests.test_concurrency import hold_sqlite_write_lock

    impatient = app_factory(SQLITE_BUSY_SECONDS=0.2)
    holder = hold_sqlite_write_lock(database_url.removeprefix("sqlite:///"), 2)
    try:
        result = grabpack(
            impatient, "users", "create", "late@example.nhs.uk", "--role", "admin", input=PASSWORD
        )
    finally:
        holder.join()
    assert "busy" in one_line(result)
    assert user(impatient, "late@example.nhs.uk") is None


def test_unreachable_postgres_is_one_line_and_keeps_the_file(tmp_path, earlier_export):
    pytest.importorskip("psycopg")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        "GRABPACK_ENV": "development",
        "GRABPACK_DATABASE_URL": f"postgresql+psycopg://grabpack:hunter2@127.0.0.1:{port}/gp",
    }
    result = run_grabpack(*export_to(earlier_export), env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Cannot reach the database" in result.stderr and "hunter2" not in result.stderr
    assert earlier_export.read_text() == BEFORE
    nothing_beside(earlier_export)

    debugged = run_grabpack("--debug", *export_to(earlier_export), env=env, cwd=tmp_path)
    assert debugged.returncode == 1 and "Traceback" in debugged.stderr


def test_a_bad_database_url_is_one_line_without_its_password(tmp_path):
    env = {"GRABPACK_ENV": "development", "GRABPACK_DATABASE_URL": "postgres://u:hunter2@db/gp"}
    result = run_grabpack("users", "unlock", "x@example.nhs.uk", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "GRABPACK_DATABASE_URL" in result.stderr and "hunter2" not in result.stderr


# --- Retention: nothing inside the legal period goes without the explicit override ---


@dataclass
class Discharged:
    yesterday: uuid.UUID
    nineteen_years_ago: uuid.UUID
    twenty_one_years_ago: uuid.UUID


def years_ago(years: float):
    return utcnow() - timedelta(days=round(365.25 * years))


@pytest.fixture
def discharged(app, world) -> Discharged:
    with app.app_context():
        nurse = staff(world.nurse_a)
        made = []
        for name, when in [
            ("Yesterday", utcnow() - timedelta(days=1)),
            ("Nineteen", years_ago(19)),
            ("Twenty One", years_ago(21)),
        ]:
            patient = patient_on(world.ward_a, name, {}, world.nurse_a)
            patients.discharge(patient, nurse, now=when)
            made.append(patient.id)
        db.session.commit()
        return Discharged(*made)


def kept(app, *patient_ids) -> bool:
    with app.app_context():
        return all(db.session.get(Patient, pid) is not None for pid in patient_ids)


def test_purge_deletes_only_beyond_twenty_years(app, runner, discharged):
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert kept(app, discharged.yesterday, discharged.nineteen_years_ago)
    assert not kept(app, discharged.twenty_one_years_ago)


def test_dry_run_shows_which_patients_would_go(app, runner, discharged):
    result = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert str(discharged.twenty_one_years_ago) in result.output
    assert str(discharged.yesterday) not in result.output
    assert str(discharged.nineteen_years_ago) not in result.output
    assert kept(app, *vars(discharged).values())


@pytest.mark.parametrize("years", ["1", "5", "19"])
def test_years_below_the_legal_minimum_are_refused(app, runner, discharged, years):
    result = runner.invoke(args=["retention", "purge", "--years", years])
    assert result.exit_code == 1
    assert "legal minimum" in result.output
    assert "GRABPACK_RETENTION_BELOW_LEGAL_MINIMUM" in result.output
    assert kept(app, *vars(discharged).values())


@pytest.mark.parametrize("years", ["0", "-1", "100000"])
def test_years_out_of_any_range_are_refused(app, runner, discharged, years):
    result = runner.invoke(args=["retention", "purge", "--years", years])
    assert result.exit_code == 2
    assert kept(app, *vars(discharged).values())


@pytest.mark.parametrize("years", ["0", "-1", "1", "19"])
def test_no_retention_setting_can_purge_inside_the_legal_period(
    app, discharged, database_url, monkeypatch, years
):
    from click.testing import CliRunner

    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    env = {
        "GRABPACK_ENV": "testing",
        "GRABPACK_DATABASE_URL": database_url,
        "GRABPACK_LOG_LEVEL": "WARNING",
        "GRABPACK_RETENTION_YEARS": years,
    }
    result = CliRunner().invoke(main, ["retention", "purge"], env=env)
    assert "GRABPACK_RETENTION_YEARS" in one_line(result)
    assert kept(app, *vars(discharged).values())


@pytest.mark.parametrize("years", [0, -1, 1, 19])
def test_no_override_to_create_app_can_purge_inside_the_legal_period(app_factory, years):
    with pytest.raises(ConfigError, match="GRABPACK_RETENTION_YEARS"):
        app_factory(RETENTION_YEARS=years)


@pytest.mark.parametrize("years", [0, -1, 1, 19])
def test_the_purge_service_itself_refuses_the_legal_period(app, discharged, years):
    with app.app_context(), pytest.raises(PatientError, match="legal minimum"):
        patients.purge_expired(years, dry_run=False)
    assert kept(app, *vars(discharged).values())


def test_the_explicit_override_allows_a_shorter_period(app_factory, discharged):
    shorter = app_factory(RETENTION_BELOW_LEGAL_MINIMUM=True)
    result = shorter.test_cli_runner().invoke(args=["retention", "purge", "--years", "5"])
    assert result.exit_code == 0, result.output
    assert kept(shorter, discharged.yesterday)
    assert not kept(shorter, discharged.nineteen_years_ago)
    assert not kept(shorter, discharged.twenty_one_years_ago)


def test_set_password_names_an_unknown_email_before_asking(runner, world, monkeypatch):
    monkeypatch.setattr("grabpack.cli._read_password", lambda: pytest.fail("asked"))
    result = runner.invoke(args=["users", "set-password", "nobody@example.nhs.uk"])
    assert result.exit_code == 1
    assert "No user with email nobody@example.nhs.uk" in result.output


def test_purge_deletes_photos_never_saved_after_a_week(app, runner, world):
    """A photo chosen on a form that came back (a conflict, an Add, a mistake) is
    stored to carry into the next save; one never saved with a version is deleted
    by the purge once a week old, never one a version uses, nor a recent one."""
    import io

    from PIL import Image

    from grabpack.models import Photo
    from grabpack.services.grab_packs import save_version
    from grabpack.services.photos import store_photo

    def jpeg(shade: int) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (60, 80), (shade, shade, shade)).save(buffer, "JPEG")
        return buffer.getvalue()

    with app.app_context():
        old_day = utcnow() - timedelta(days=8)
        stale, recent, used = (store_photo(jpeg(shade)) for shade in (10, 120, 240))
        patient = patient_on(world.ward_a, "Photo Kept")
        save_version(
            patient, {"identity": {"full_name": "Photo Kept"}}, staff(world.nurse_a),
            based_on=0, photo=used,
        )  # fmt: skip
        stale.created_at = used.created_at = old_day
        db.session.commit()
        ids = {"stale": stale.id, "recent": recent.id, "used": used.id}
    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert "1 photo never saved with a grab pack" in dry.output
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 photo never saved with a grab pack" in result.output
    with app.app_context():
        left = set(db.session.scalars(select(Photo.id)))
    assert ids["stale"] not in left and {ids["recent"], ids["used"]} <= left
