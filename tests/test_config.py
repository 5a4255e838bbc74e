"""Settings come from GRABPACK_* variables; production refuses to start without a secret."""

from __future__ import annotations

import subprocess
import sys

import pytest

from grabpack import create_app
from grabpack.config import ConfigError, load_config


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "GRABPACK_ENV",
        "GRABPACK_SECRET_KEY",
        "GRABPACK_DATABASE_URL",
        "GRABPACK_SECURE_COOKIES",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_without_secret_key_refuses_to_start(clean_env, tmp_path):
    with pytest.raises(ConfigError, match="GRABPACK_SECRET_KEY is not set"):
        load_config(tmp_path)


def test_production_with_secret_key_uses_secure_host_cookie(clean_env, tmp_path):
    clean_env.setenv("GRABPACK_SECRET_KEY", "s" * 64)
    config = load_config(tmp_path)
    assert config["SECRET_KEY"] == "s" * 64
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_runs_without_secret_on_instance_sqlite(clean_env, tmp_path):
    clean_env.setenv("GRABPACK_ENV", "development")
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'grabpack.sqlite3'}"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_database_url_comes_from_environment(clean_env, tmp_path):
    clean_env.setenv("GRABPACK_ENV", "development")
    clean_env.setenv("GRABPACK_DATABASE_URL", "postgresql+psycopg://u:p@db/grabpack")
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"].endswith("@db/grabpack")


def test_unknown_environment_is_an_error(clean_env, tmp_path):
    clean_env.setenv("GRABPACK_ENV", "staging")
    with pytest.raises(ConfigError, match="GRABPACK_ENV must be one of"):
        load_config(tmp_path)


def test_malformed_number_names_the_variable(clean_env, tmp_path):
    clean_env.setenv("GRABPACK_ENV", "development")
    clean_env.setenv("GRABPACK_LOCKOUT_MINUTES", "fifteen")
    with pytest.raises(ConfigError, match="GRABPACK_LOCKOUT_MINUTES"):
        load_config(tmp_path)


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


def test_readme_documents_every_setting():
    from pathlib import Path

    from grabpack.config import SETTINGS

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    undocumented = [s.env for s in SETTINGS if f"| `{s.env}` |" not in readme]
    assert undocumented == []
