"""What ``grabpack users`` commands take as text (a name, an email, a password), and
how they refuse what does not fit: one line, a non-zero exit, before any password is
asked for, and nothing saved. The rules live in the user service, so every caller
(the command, the demo, an identity provider's first sign-in) obeys the same ones."""

from __future__ import annotations

import json
import secrets

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import User
from grabpack.services import passwords
from grabpack.services.users import UserError, create_user, set_password
from tests.conftest import PASSWORD
from tests.oidc_provider import grabpack_settings, through_provider

NEW = "new.person@example.nhs.uk"
DEMO = "grabpack-demo-2021"  # noqa: S105 - printed by `grabpack demo` for anyone to use


def create(runner, *args: str, password: str | None = PASSWORD):
    """``users create`` with ``password`` (and a newline) on standard input; ``None``
    gives no standard input at all (``</dev/null``)."""
    return runner.invoke(
        args=["users", "create", *args], input=None if password is None else password + "\n"
    )


def one_line(result) -> str:
    """The single line a refused command printed, having exited non-zero."""
    lines = result.output.strip().splitlines()
    assert result.exit_code != 0 and len(lines) == 1, (result.exit_code, result.output)
    return lines[0]


def stored(app, email: str = NEW) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture
def no_password_asked(monkeypatch):
    def never():
        pytest.fail("asked for a password for a request that was going to be refused")

    monkeypatch.setattr("grabpack.cli._read_password", never)


# --- 1. Names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("N" * 201, "A name must be 200 characters or fewer"),
        ("N" * 5000, "A name must be 200 characters or fewer"),
        ("   ", "Enter the person's full name"),
        ("", "Enter the person's full name"),
        ("Ann\nSmith", "A name must be on one line"),
        ("Ann\tSmith", "A name must be on one line"),
        ("Ann\x00Smith", "A name must be on one line"),
        ("Ann \u202eSmith", "A name must be on one line"),
    ],
)
def test_a_name_that_does_not_fit_is_one_line_before_the_password(
    app, runner, world, no_password_asked, name, said
):
    line = one_line(create(runner, NEW, "--role", "admin", "--name", name))
    assert said in line
    assert len(line) < 200  # never the name itself, repeated
    assert stored(app) is None


def test_a_name_of_two_hundred_characters_is_kept_and_trimmed(app, runner, world):
    name = "Ł" * 200
    result = create(runner, NEW, "--role", "admin", "--name", f"  {name} ")
    assert result.exit_code == 0, result.output
    assert stored(app).full_name == name


def test_no_name_at_all_is_still_allowed(app, runner, world):
    assert create(runner, NEW, "--role", "admin").exit_code == 0
    assert stored(app).full_name == ""


@pytest.mark.parametrize("name", ["x" * 201, " \t ", "Two\nlines"])
def test_the_service_refuses_the_same_names_for_every_caller(app, world, name):
    with app.app_context():
        with pytest.raises(UserError):
            create_user(NEW, "admin", PASSWORD, full_name=name)
        db.session.rollback()
    assert stored(app) is None


def test_an_email_too_long_for_its_column_is_one_short_line(app, runner, world, no_password_asked):
    email = "a" * 250 + "@example.nhs.uk"
    line = one_line(create(runner, email, "--role", "admin"))
    assert "is not a valid email address" in line and "too long" in line
    assert len(line) < 200
    assert stored(app, email) is None


@pytest.mark.parametrize("command", ["unlock", "disable", "enable", "set-password"])
@pytest.mark.parametrize("email", ["nurse.a@example.nhs.uk\nroot", "x" * 5000 + "@example.nhs.uk"])
def test_other_user_commands_answer_odd_emails_in_one_short_line(runner, world, command, email):
    line = one_line(runner.invoke(args=["users", command, email], input=PASSWORD + "\n"))
    assert len(line) < 200


GROUPS = json.dumps({"ward-a-nurses": {"role": "nurse", "wards": ["WA1"]}})


@pytest.mark.parametrize(
    ("name", "kept"),
    [("Bank\nNurse", None), ("B" * 200, "B" * 200), ("   ", ""), (" Bank Nurse ", "Bank Nurse")],
)
def test_an_identity_providers_name_obeys_the_same_rules(
    app, app_factory, world, nhs, met, name, kept
):
    """Provisioning makes the account through the user service: a name it would refuse
    from the command is refused here too (no account is made), and a blank one is
    no name."""
    provisioning = app_factory(
        **grabpack_settings(nhs, met, OIDC_NHS_PROVISION="yes", OIDC_NHS_GROUPS=GROUPS)
    )
    nhs.sign_in_as("bank.nurse@example.nhs.uk", name=name, groups=["ward-a-nurses"])
    through_provider(provisioning.test_client(), nhs, "/login/oidc/nhs")
    made = stored(app, "bank.nurse@example.nhs.uk")
    if kept is None:
        assert made is None
    else:
        assert made is not None and made.full_name == kept


# --- 6. No password given -----------------------------------------------------------------


@pytest.mark.parametrize("given", [None, "", "\r"])
def test_no_password_on_standard_input_says_so(app, runner, world, given):
    line = one_line(create(runner, NEW, "--role", "admin", password=given))
    assert line == "Error: No password given: type it when asked, or pipe it in"
    assert stored(app) is None


def test_set_password_with_no_standard_input_says_so(app, runner, world):
    result = runner.invoke(args=["users", "set-password", world.nurse_a], input=None)
    assert "No password given: type it when asked, or pipe it in" in one_line(result)


# --- 8. Passwords a person must not choose ----------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        NEW,
        NEW.upper(),
        "new.person-is-my-password",
        "My NEW.PERSON password",
    ],
)
def test_a_password_made_of_the_email_is_refused(app, runner, world, password):
    line = one_line(create(runner, NEW, "--role", "admin", password=password))
    assert "must not contain the email address" in line
    assert password not in line
    assert stored(app) is None


def test_set_password_refuses_a_password_made_of_the_email(app, runner, world):
    result = runner.invoke(
        args=["users", "set-password", world.nurse_a], input=f"{world.nurse_a}!\n"
    )
    assert "must not contain the email address" in one_line(result)


def test_a_short_local_part_does_not_rule_out_every_password(app, runner, world):
    """``jo@`` would refuse half the dictionary: only a local part of three or more."""
    assert passwords.password_problem("enjoy a long walk", "jo@example.nhs.uk") is None
    assert passwords.password_problem("anna-is-back-again", "anna@example.nhs.uk") is not None


def test_the_public_demo_password_is_the_demos(app):
    from grabpack.demo import DEMO_PASSWORD

    assert passwords.PUBLIC_DEMO_PASSWORD == DEMO_PASSWORD == DEMO


@pytest.fixture
def production(app_factory, world):
    return app_factory(
        GRABPACK_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        PASSWORD_HASH_PROFILE="RFC_9106_LOW_MEMORY",
    )


@pytest.mark.parametrize("password", [DEMO, DEMO.upper() + "!"])
def test_the_public_demo_password_is_refused_in_production(app, production, password):
    runner = production.test_cli_runner()
    line = one_line(create(runner, NEW, "--role", "admin", password=password))
    assert "demo" in line and password not in line
    assert stored(app) is None
    result = runner.invoke(args=["users", "set-password", "nurse.a@example.nhs.uk"], input=password)
    assert "demo" in one_line(result)


def test_the_demo_password_is_still_the_demos_outside_production(app, runner, world):
    """``grabpack demo`` (development, and the tests) makes its accounts through the
    same service with the password it prints."""
    assert create(runner, NEW, "--role", "admin", password=DEMO).exit_code == 0


def test_grabpack_demo_is_refused_in_production_in_one_line(app, production):
    line = one_line(production.test_cli_runner().invoke(args=["demo"]))
    assert "GRABPACK_ENV" in line
    with production.app_context():
        assert db.session.scalar(select(User)) is not None  # the world's, untouched
        assert db.session.scalar(select(User).where(User.email.like("%demo%"))) is None


def test_set_password_service_refuses_the_email_too(app, world):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == world.nurse_a))
        with pytest.raises(UserError, match="email address"):
            set_password(user, "xx" + world.nurse_a)
