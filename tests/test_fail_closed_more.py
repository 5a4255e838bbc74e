"""More of "everything fails closed": a secret key that is no secret, a misspelt
setting, sign-in limits that lock out a ward at shift change, a month that is not
one, and a method a page does not take."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pytest
from flask import Flask

from grabpack.config import SETTINGS, ConfigError, load_config
from grabpack.extensions import db
from grabpack.models.base import utcnow
from grabpack.reports.months import NoSuchReview, last_full_month, reviewable_month
from tests.conftest import PASSWORD, csrf_token
from tests.oidc_provider import grabpack_settings, through_provider
from tests.test_cli import run_grabpack

ROOT = Path(__file__).parent.parent
MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.upper().startswith("GRABPACK_"):
            monkeypatch.delenv(name)
    return monkeypatch


def refusal(tmp_path) -> str:
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path)
    message = str(refused.value)
    assert "\n" not in message
    return message


# --- 2. A production secret key that is no secret ----------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        " " * 40,
        "\t" * 40,
        " " * 20 + "abcdefghij" + " " * 20,  # 40 characters, 10 of them not blank
        "a" * 32,
        "ab" * 32,
        "0123456789" * 3 + "  ",  # 32 with the spaces, 30 without
        "abababababababababababababababababababab",
    ],
)
def test_production_refuses_a_secret_key_that_is_no_secret(clean_env, tmp_path, key):
    clean_env.setenv("GRABPACK_SECRET_KEY", key)
    message = refusal(tmp_path)
    assert message.startswith("GRABPACK_SECRET_KEY")
    assert MAKE_A_KEY in message
    assert key.strip() not in message or not key.strip()


@pytest.mark.parametrize(
    "key",
    [secrets.token_urlsafe(48), secrets.token_hex(32), " " + secrets.token_urlsafe(48) + "\n"],
)
def test_production_takes_a_random_secret_key(clean_env, tmp_path, key):
    clean_env.setenv("GRABPACK_SECRET_KEY", key)
    assert load_config(tmp_path)["SESSION_COOKIE_SECURE"] is True


def test_a_blank_secret_key_stops_a_command_in_one_line(tmp_path):
    """The finding as reported: ``users unlock`` exited 0 with a key of 40 spaces."""
    result = run_grabpack(
        "users",
        "unlock",
        "x",
        env={"GRABPACK_ENV": "production", "GRABPACK_SECRET_KEY": " " * 40},
        cwd=tmp_path,
    )
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "GRABPACK_SECRET_KEY" in line and MAKE_A_KEY in line


def test_the_readme_says_how_to_make_a_key_the_same_way():
    assert MAKE_A_KEY in (ROOT / "README.md").read_text()


# --- 3. Misspelt settings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "meant"),
    [
        ("GRABPACK_SESION_IDLE_MINUTES", "GRABPACK_SESSION_IDLE_MINUTES"),
        ("GRABPACK_LOGIN_MAX_FAILURE", "GRABPACK_LOGIN_MAX_FAILURES"),
        ("GRABPACK_SECRETKEY", "GRABPACK_SECRET_KEY"),
        ("GRABPACK_DATABASE_URI", "GRABPACK_DATABASE_URL"),
        ("GRABPACK_OIDCPROVIDERS", "GRABPACK_OIDC_PROVIDERS"),
        ("grabpack_log_level", "GRABPACK_LOG_LEVEL"),
    ],
)
def test_a_misspelt_setting_stops_start_up_naming_the_setting_meant(
    clean_env, tmp_path, variable, meant
):
    clean_env.setenv("GRABPACK_ENV", "development")
    clean_env.setenv(variable, "5")
    message = refusal(tmp_path)
    assert message.startswith(f"{variable} is not a grabpack setting")
    assert f"did you mean {meant}?" in message


def test_a_setting_like_nothing_else_is_refused_too(clean_env, tmp_path):
    clean_env.setenv("GRABPACK_ENV", "development")
    clean_env.setenv("GRABPACK_ZZZZ", "1")
    message = refusal(tmp_path)
    assert message.startswith("GRABPACK_ZZZZ is not a grabpack setting")
    assert "did you mean" not in message and "README" in message


def test_a_misspelt_setting_stops_a_command_in_one_line(tmp_path):
    result = run_grabpack(
        "users",
        "unlock",
        "x",
        env={"GRABPACK_ENV": "development", "GRABPACK_SESION_IDLE_MINUTES": "5"},
        cwd=tmp_path,
    )
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "GRABPACK_SESION_IDLE_MINUTES" in line and "GRABPACK_SESSION_IDLE_MINUTES" in line


# The typo the README and the settings' code give as an example of one.
TYPO_EXAMPLES = {"GRABPACK_SESION_IDLE_MINUTES"}


def names_read_in_the_project() -> set[str]:
    """Every whole GRABPACK_* name the code, scripts, tests, CI, benchmarks and README
    mention (not a prefix such as ``GRABPACK_OIDC_``), but this file's typos."""
    names: set[str] = set()
    places = ["grabpack", "scripts", "tests", ".ci", "benchmarks", "README.md"]
    for place in places:
        path = ROOT / place
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            if file.suffix in (".pyc", ".sqlite3", ".png", ".jpg", ".webp", ".pdf"):
                continue
            if file.resolve() == Path(__file__).resolve():
                continue
            try:
                text = file.read_text()
            except UnicodeDecodeError:
                continue
            names.update(re.findall(r"\bGRABPACK_[A-Z0-9_]*[A-Z0-9]\b", text))
    return names - TYPO_EXAMPLES


def test_no_name_the_project_uses_is_refused(clean_env, tmp_path):
    """Each setting, and the test suite's own variables, start cleanly; provider
    variables (``GRABPACK_OIDC_<NAME>_*``) are left to their own, stricter, check."""
    used = {n for n in names_read_in_the_project() if not n.startswith("GRABPACK_OIDC_")}
    used -= {"GRABPACK_OIDC_PROVIDERS"}
    assert {"GRABPACK_TEST_DATABASE_URL", "GRABPACK_TEST_REDIS_URL"} <= used
    assert {s.env for s in SETTINGS} - {"GRABPACK_OIDC_PROVIDERS"} <= used
    for name in sorted(used):
        clean_env.setenv(name, "")  # an empty value is "not set": only the name is judged
    clean_env.setenv("GRABPACK_ENV", "development")
    load_config(tmp_path)


def test_the_test_suites_own_variables_are_not_settings_but_are_allowed(clean_env, tmp_path):
    clean_env.setenv("GRABPACK_ENV", "development")
    clean_env.setenv("GRABPACK_TEST_DATABASE_URL", "postgresql+psycopg://u:p@db/test")
    clean_env.setenv("GRABPACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    load_config(tmp_path)


# --- 4. Only failed sign-ins count towards the per-address limit ---------------------------------


ACCOUNTS = [f"shift.nurse.{n}@example.nhs.uk" for n in range(10)]


@pytest.fixture
def shift(app: Flask, world) -> list[str]:
    from grabpack.services.users import create_user

    with app.app_context():
        for email in ACCOUNTS:
            create_user(email, "nurse", PASSWORD, ward_codes=[world.ward_a])
        db.session.commit()
    return ACCOUNTS


def sign_in(app: Flask, email: str, password: str = PASSWORD) -> int:
    """One person's sign-in from the ward's one address (a new browser each time)."""
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    ).status_code


def test_a_shift_change_behind_one_address_is_never_refused(app, shift):
    """25 correct sign-ins in a minute from one address (the trust's NAT), ten
    accounts in turn: every one gets in, under the default limit of 20 a minute."""
    assert app.config["LOGIN_RATE_LIMIT"] == "20 per minute"
    statuses = [sign_in(app, shift[n % len(shift)]) for n in range(25)]
    assert statuses == [302] * 25


def test_failed_sign_ins_still_meet_the_limit_after_successful_ones(app_factory, shift):
    limited = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    assert [sign_in(limited, email) for email in shift[:5]] == [302] * 5
    wrong = [sign_in(limited, f"nobody.{n}@example.nhs.uk", "wrong password") for n in range(4)]
    assert wrong == [200, 200, 200, 429]
    assert sign_in(limited, shift[0]) == 429  # over the limit, even the right password waits


def test_sign_ins_with_an_identity_provider_count_only_when_refused(app_factory, world, nhs, met):
    limited = app_factory(**grabpack_settings(nhs, met), LOGIN_RATE_LIMIT="3 per minute")
    for _ in range(5):  # five people in turn, one address: each gets in
        nhs.sign_in_as(world.nurse_a)
        response = through_provider(limited.test_client(), nhs, "/login/oidc/nhs")
        assert response.status_code == 302 and response.headers["Location"] == "/"
    forged = "/login/oidc/nhs/callback?code=forged&state=forged"
    statuses = [limited.test_client().get(forged).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]  # refused (back to /login, saying why), then 429


# --- 5. Months that cannot be reviewed, in one clean sentence --------------------------------


def test_a_month_before_reviews_start_is_named_plainly():
    with pytest.raises(NoSuchReview) as refused:
        reviewable_month("0001-01", utcnow())
    assert refused.value.title == "There is no review before January 2000"
    assert refused.value.line == "There is no review before January 2000"


def test_a_month_that_is_not_one_is_one_sentence():
    example = last_full_month(utcnow())
    with pytest.raises(NoSuchReview) as refused:
        reviewable_month("2026-13", utcnow())
    assert refused.value.line == f"2026-13 is not a month: write it as YYYY-MM, like {example}"
    assert refused.value.title == "2026-13 is not a month"


@pytest.mark.parametrize(
    ("month", "line"),
    [
        ("0001-01", "Error: There is no review before January 2000"),
        ("1999-12", "Error: There is no review before January 2000"),
        ("2026-13", "Error: 2026-13 is not a month: write it as YYYY-MM, like {last}"),
        ("x" * 500, "Error: That is not a month: write it as YYYY-MM, like {last}"),
    ],
)
def test_report_monthly_says_one_clean_line(runner, world, tmp_path, month, line):
    result = runner.invoke(
        args=["report", "monthly", month, "--format", "csv", "--output", str(tmp_path / "r.csv")]
    )
    assert result.exit_code == 1
    assert result.output.strip() == line.format(last=last_full_month(utcnow()))


@pytest.mark.parametrize(
    ("month", "title", "message"),
    [
        (
            "0001-01",
            "There is no review before January 2000",
            "Reviews start from January 2000",
        ),
        ("2026-13", "2026-13 is not a month", "Write it as YYYY-MM, like {last}"),
    ],
)
def test_the_page_says_the_same(client, auth, world, month, title, message):
    auth.login(world.manager_a)
    response = client.get(f"/reports/monthly/{month}")
    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in response.text
    assert message.format(last=last_full_month(utcnow())) in response.text


# --- 7. A method a page does not take --------------------------------------------------------


def test_a_get_on_a_post_only_route_is_a_styled_405(client, auth, world):
    auth.login(world.nurse_a)
    response = client.get("/logout")
    assert response.status_code == 405
    assert response.headers["Allow"].replace(" ", "").split(",").count("POST") == 1
    assert "<h1>This page cannot be opened that way</h1>" in response.text
    assert "Go to the start page" in response.text
    assert 'class="nhsuk-header' in response.text


def test_every_post_only_route_answers_a_get_with_the_styled_405(app, client, auth, world):
    auth.login(world.nurse_a)
    post_only = [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" not in rule.methods and "POST" in rule.methods
    ]
    assert post_only
    for rule in post_only:
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        response = client.get(path)
        if response.status_code == 404:  # a converter that refuses "1"
            continue
        assert response.status_code == 405, path
        assert "POST" in response.headers["Allow"], path
        assert "Go to the start page" in response.text, path
