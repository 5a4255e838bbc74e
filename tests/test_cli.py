"""`grabpack users create`: every way it can be asked, right and wrong."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import User
from grabpack.services.passwords import verify_password
from tests.conftest import PASSWORD


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


def test_unlock_lets_a_locked_user_sign_in(app, runner, world, auth):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login(world.nurse_a, "wrong password")
    assert "locked" in auth.login(world.nurse_a).text
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
