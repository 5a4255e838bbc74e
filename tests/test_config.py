"""Settings come from GRABPACK_* variables, are checked at start-up, and fail closed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grabpack import create_app
from grabpack.config import SETTINGS, ConfigError, load_config

README = Path(__file__).parent.parent / "README.md"


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("GRABPACK_"):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def development(clean_env):
    """Development settings: no secret key needed, so one variable can be tried at a time."""
    clean_env.setenv("GRABPACK_ENV", "development")
    return clean_env


def refusal(tmp_path, overrides=None) -> str:
    """The one line that stops start-up."""
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path, overrides)
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_production_without_secret_key_refuses_to_start(clean_env, tmp_path):
    with pytest.raises(ConfigError, match="GRABPACK_SECRET_KEY is not set"):
        load_config(tmp_path)


def test_production_with_secret_key_uses_secure_host_cookie(clean_env, tmp_path):
    clean_env.setenv("GRABPACK_SECRET_KEY", "0123456789abcdef" * 4)
    config = load_config(tmp_path)
    assert config["SECRET_KEY"] == "0123456789abcdef" * 4
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_a_short_secret_key_without_showing_it(clean_env, tmp_path):
    clean_env.setenv("GRABPACK_SECRET_KEY", "hunter2hunter2")
    message = refusal(tmp_path)
    assert message.startswith("GRABPACK_SECRET_KEY")
    assert "32" in message and "hunter2" not in message


def test_development_runs_without_secret_on_instance_sqlite(development, tmp_path):
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'grabpack.sqlite3'}"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_database_url_comes_from_environment(development, tmp_path):
    development.setenv("GRABPACK_DATABASE_URL", "postgresql+psycopg://u:p@db/grabpack")
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"].endswith("@db/grabpack")


def test_unknown_environment_is_an_error(clean_env, tmp_path):
    clean_env.setenv("GRABPACK_ENV", "staging")
    message = refusal(tmp_path)
    assert message.startswith("GRABPACK_ENV")
    assert "production" in message and "development" in message and "testing" in message


def test_malformed_number_names_the_variable(development, tmp_path):
    development.setenv("GRABPACK_LOCKOUT_MINUTES", "fifteen")
    assert refusal(tmp_path).startswith("GRABPACK_LOCKOUT_MINUTES")


def test_every_default_passes_its_own_check(development, tmp_path):
    config = load_config(tmp_path)
    for setting in SETTINGS:
        if setting.default is not None and setting.env != "GRABPACK_ENV":
            assert config[setting.key] == setting.default, setting.env


# A value that must stop start-up, and a word of what the line says is allowed.
REFUSED = [
    ("GRABPACK_RETENTION_YEARS", "0", "20"),
    ("GRABPACK_RETENTION_YEARS", "-1", "20"),
    ("GRABPACK_RETENTION_YEARS", "19", "GRABPACK_RETENTION_BELOW_LEGAL_MINIMUM"),
    ("GRABPACK_RETENTION_YEARS", "twenty", "whole number"),
    ("GRABPACK_RETENTION_YEARS", "100000", "200"),
    ("GRABPACK_RETENTION_BELOW_LEGAL_MINIMUM", "maybe", "yes"),
    ("GRABPACK_LOGIN_RATE_LIMIT", "lots", "20 per minute"),
    ("GRABPACK_LOGIN_RATE_LIMIT", "0 per minute", "20 per minute"),
    ("GRABPACK_LOG_LEVEL", "verbose", "INFO"),
    ("GRABPACK_SESSION_IDLE_MINUTES", "-5", "1 to"),
    ("GRABPACK_SESSION_IDLE_MINUTES", "0", "1 to"),
    ("GRABPACK_LOGIN_MAX_FAILURES", "0", "1 to 100"),
    ("GRABPACK_LOCKOUT_MINUTES", "0", "1 to 1440"),
    ("GRABPACK_LOCKOUT_MINUTES", "100000", "1 to 1440"),
    ("GRABPACK_SHARE_LINK_MAX_WRONG_REFERENCES", "0", "1 to 50"),
    ("GRABPACK_SHARE_LINK_MAX_WRONG_REFERENCES", "51", "1 to 50"),
    ("GRABPACK_SHARE_LINK_HOURS", "0", "1 to"),
    ("GRABPACK_POLICE_GRACE_HOURS", "-1", "0 to"),
    ("GRABPACK_PROXY_HOPS", "-1", "0 to"),
    ("GRABPACK_MAX_UPLOAD_MB", "0", "1 to"),
    ("GRABPACK_SQLITE_BUSY_SECONDS", "nan", "number"),
    ("GRABPACK_SQLITE_BUSY_SECONDS", "-1", "number"),
    ("GRABPACK_REVIEW_DAYS", "0", "1 to"),
    ("GRABPACK_REPEAT_EPISODES", "1", "2 to"),
    ("GRABPACK_SECURE_COOKIES", "ture", "yes"),
    ("GRABPACK_PASSWORD_HASH_PROFILE", "FASTEST", "RFC_9106_LOW_MEMORY"),
    ("GRABPACK_PASSWORD_HASH_PROFILE", "cheapest", "testing"),
    ("GRABPACK_RATELIMIT_STORAGE_URI", "redis-please", "memory://"),
    ("GRABPACK_DATABASE_URL", "nonsense", "postgresql+psycopg://"),
    ("GRABPACK_DATABASE_URL", "mysql://u:p@db/grabpack", "postgresql+psycopg://"),
    ("GRABPACK_SMTP_URL", "mail.example.org:587", "smtp://"),
    ("GRABPACK_SMTP_URL", "http://mail.example.org", "smtps://"),
    ("GRABPACK_SMTP_URL", "smtp://mail.example.org:587?starttls=perhaps", "starttls="),
    ("GRABPACK_NOTIFY_FROM", "grabpack at trust", "an email address"),
    ("GRABPACK_PUBLIC_URL", "grabpack.example.nhs.uk", "https://"),
    ("GRABPACK_PUBLIC_URL", "ftp://grabpack.example.nhs.uk", "https://"),
]


@pytest.mark.parametrize(("variable", "value", "allowed"), REFUSED)
def test_a_bad_setting_stops_start_up_with_one_line(
    development, tmp_path, variable, value, allowed
):
    development.setenv(variable, value)
    message = refusal(tmp_path)
    assert message.startswith(variable), message
    assert allowed in message, message


@pytest.mark.parametrize(
    "url",
    [
        "postgres://grabpack:hunter2@db/grabpack",
        "postgresql+nodriver://grabpack:hunter2@db/grabpack",
        "postgresql+psycopg://grabpack:hunter2@db:port/grabpack",
    ],
)
def test_a_bad_database_url_never_shows_its_password(development, tmp_path, url):
    development.setenv("GRABPACK_DATABASE_URL", url)
    message = refusal(tmp_path)
    assert message.startswith("GRABPACK_DATABASE_URL")
    assert "hunter2" not in message


def test_a_sqlite_file_in_a_missing_folder_is_refused(development, tmp_path):
    development.setenv("GRABPACK_DATABASE_URL", f"sqlite:///{tmp_path}/nowhere/grabpack.sqlite3")
    assert "does not exist" in refusal(tmp_path)


def test_log_level_in_any_case_starts(development, tmp_path):
    development.setenv("GRABPACK_LOG_LEVEL", "info")
    development.setenv("GRABPACK_DATABASE_URL", f"sqlite:///{tmp_path}/grabpack.sqlite3")
    app = create_app()
    assert app.config["LOG_LEVEL"] == "INFO"


def test_a_command_runs_with_a_lower_case_log_level(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GRABPACK_ENV": "development",
        "GRABPACK_DATABASE_URL": f"sqlite:///{tmp_path}/grabpack.sqlite3",
        "GRABPACK_LOG_LEVEL": "info",
    }
    result = subprocess.run(
        [str(Path(sys.executable).with_name("grabpack")), "routes"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "/healthz" in result.stdout


def test_retention_below_the_legal_minimum_needs_the_second_setting(development, tmp_path):
    development.setenv("GRABPACK_RETENTION_YEARS", "8")
    development.setenv("GRABPACK_RETENTION_BELOW_LEGAL_MINIMUM", "yes")
    config = load_config(tmp_path)
    assert config["RETENTION_YEARS"] == 8
    assert config["RETENTION_BELOW_LEGAL_MINIMUM"] is True


def test_not_even_the_second_setting_allows_zero_retention(development, tmp_path):
    development.setenv("GRABPACK_RETENTION_YEARS", "0")
    development.setenv("GRABPACK_RETENTION_BELOW_LEGAL_MINIMUM", "yes")
    assert refusal(tmp_path).startswith("GRABPACK_RETENTION_YEARS")


@pytest.mark.parametrize(
    "overrides",
    [
        {"RETENTION_YEARS": 0},
        {"RETENTION_YEARS": 19},
        {"LOGIN_RATE_LIMIT": "lots"},
        {"LOGIN_MAX_FAILURES": 0},
        {"SESSION_IDLE_MINUTES": -5},
        {"RATELIMIT_STORAGE_URI": "redis-please"},
        {"LOG_LEVEL": "chatty"},
        {"SECURE_COOKIES": "perhaps"},
        {"SHARE_LINK_MAX_WRONG_REFERENCES": True},
    ],
)
def test_overrides_go_through_the_same_checks(development, tmp_path, overrides):
    refusal(tmp_path, overrides)


def test_overrides_in_python_types_are_accepted(development, tmp_path):
    config = load_config(
        tmp_path,
        {"SQLITE_BUSY_SECONDS": 1, "SECURE_COOKIES": True, "LOG_LEVEL": "warning"},
    )
    assert config["SQLITE_BUSY_SECONDS"] == 1.0
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["LOG_LEVEL"] == "WARNING"


def test_share_link_wrong_references_setting(development, tmp_path):
    assert load_config(tmp_path)["SHARE_LINK_MAX_WRONG_REFERENCES"] == 5
    development.setenv("GRABPACK_SHARE_LINK_MAX_WRONG_REFERENCES", "3")
    assert load_config(tmp_path)["SHARE_LINK_MAX_WRONG_REFERENCES"] == 3


def test_create_app_fails_fast_in_production(clean_env):
    with pytest.raises(ConfigError):
        create_app()


def test_cli_without_secret_exits_non_zero_with_one_line(clean_env, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "grabpack.cli",
            "users",
            "create",
            "x@example.nhs.uk",
            "--role",
            "admin",
        ],
        capture_output=True,
        text=True,
        env=env,
        input="",
        check=False,
    )
    assert result.returncode != 0
    assert "GRABPACK_SECRET_KEY is not set" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("variable", "value"), [("GRABPACK_RETENTION_YEARS", "0"), ("GRABPACK_LOG_LEVEL", "loud")]
)
def test_cli_with_a_bad_setting_exits_with_one_line(tmp_path, variable, value):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GRABPACK_ENV": "development",
        "GRABPACK_DATABASE_URL": f"sqlite:///{tmp_path}/grabpack.sqlite3",
        variable: value,
    }
    result = subprocess.run(
        [str(Path(sys.executable).with_name("grabpack")), "retention", "purge", "--dry-run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert variable in result.stderr


def readme_row(setting) -> str:
    return f"| `{setting.env}` | {setting.shown_default} | {setting.allowed} | {setting.help} |"


def test_readme_documents_every_setting():
    """The README's table is the settings as declared: name, default, what is allowed
    (the same words start-up uses to refuse a value) and meaning."""
    lines = set(README.read_text().splitlines())
    undocumented = [s.env for s in SETTINGS if readme_row(s) not in lines]
    assert undocumented == []


def test_readme_lists_no_setting_that_does_not_exist():
    declared = {s.env for s in SETTINGS}
    rows = [line for line in README.read_text().splitlines() if line.startswith("| `GRABPACK_")]
    assert {row.split("`")[1] for row in rows} == declared


def test_database_errors_never_repeat_the_values_sent(development, tmp_path):
    """A failed statement's message reaches logs and terminals: it must not carry a
    patient's name or any other value."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from grabpack.extensions import db

    development.setenv("GRABPACK_DATABASE_URL", f"sqlite:///{tmp_path}/grabpack.sqlite3")
    app = create_app()
    with app.app_context():
        with pytest.raises(OperationalError) as failed:
            db.session.execute(text("SELECT * FROM nowhere WHERE name = :n"), {"n": "Aisha Rahman"})
        db.session.rollback()
        db.engine.dispose()
    assert "Aisha Rahman" not in str(failed.value)


def test_a_bad_smtp_url_never_shows_its_password(development, tmp_path):
    development.setenv("GRABPACK_SMTP_URL", "smtp://grabpack:hunter2@mail:port")
    message = refusal(tmp_path)
    assert message.startswith("GRABPACK_SMTP_URL") and "hunter2" not in message


def test_mail_settings_are_read_from_the_environment(development, tmp_path):
    development.setenv("GRABPACK_SMTP_URL", "smtp://u:p@mail.example.org:587?starttls=yes")
    development.setenv("GRABPACK_NOTIFY_FROM", "grabpack@trust.nhs.uk")
    development.setenv("GRABPACK_PUBLIC_URL", "https://grabpack.trust.nhs.uk/")
    config = load_config(tmp_path)
    assert config["SMTP_URL"] == "smtp://u:p@mail.example.org:587?starttls=yes"
    assert config["NOTIFY_FROM"] == "grabpack@trust.nhs.uk"
    assert config["PUBLIC_URL"] == "https://grabpack.trust.nhs.uk"
