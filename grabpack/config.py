"""Settings, read once from ``GRABPACK_*`` environment variables.

Production is the default: a missing secret key is a start-up error, never a
silent fallback. Development and testing relax only what they must.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("production", "development", "testing")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def flag(raw: str) -> bool:
    """An on/off variable: 1, true, yes or on (any case) mean on."""
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Setting:
    """One ``GRABPACK_*`` variable: its Flask key, default and meaning (for the README)."""

    env: str
    key: str
    default: Any
    cast: Callable[[str], Any] = str
    help: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "GRABPACK_ENV",
        "GRABPACK_ENV",
        "production",
        str,
        "`production`, `development` or `testing`. Only production insists on a secret key "
        "and `Secure` cookies.",
    ),
    Setting(
        "GRABPACK_SECRET_KEY",
        "SECRET_KEY",
        None,
        str,
        "Signs sessions and CSRF tokens. Required in production; use 32+ random bytes.",
    ),
    Setting(
        "GRABPACK_DATABASE_URL",
        "SQLALCHEMY_DATABASE_URI",
        None,
        str,
        "SQLAlchemy URL. Default: a SQLite file `grabpack.sqlite3` in the instance folder. "
        "PostgreSQL: `postgresql+psycopg://user:pass@host/db`.",
    ),
    Setting(
        "GRABPACK_SESSION_IDLE_MINUTES",
        "SESSION_IDLE_MINUTES",
        30,
        int,
        "Signed-in users are signed out after this many minutes without a request.",
    ),
    Setting(
        "GRABPACK_LOGIN_MAX_FAILURES",
        "LOGIN_MAX_FAILURES",
        5,
        int,
        "Failed sign-ins in a row before an account is locked.",
    ),
    Setting(
        "GRABPACK_LOCKOUT_MINUTES",
        "LOCKOUT_MINUTES",
        15,
        int,
        "How long a locked account stays locked.",
    ),
    Setting(
        "GRABPACK_LOGIN_RATE_LIMIT",
        "LOGIN_RATE_LIMIT",
        "20 per minute",
        str,
        "Sign-in attempts per client address (Flask-Limiter syntax); over it: 429.",
    ),
    Setting(
        "GRABPACK_RATELIMIT_STORAGE_URI",
        "RATELIMIT_STORAGE_URI",
        "memory://",
        str,
        "Where rate-limit counters live. Use `redis://...` when running several servers.",
    ),
    Setting(
        "GRABPACK_MAX_UPLOAD_MB",
        "MAX_UPLOAD_MB",
        10,
        int,
        "Largest request body accepted (photos); larger gives a 413 page.",
    ),
    Setting(
        "GRABPACK_PASSWORD_HASH_PROFILE",
        "PASSWORD_HASH_PROFILE",
        "RFC_9106_LOW_MEMORY",
        str,
        "argon2-cffi parameter profile for password hashes (argon2id, 64 MiB by default).",
    ),
    Setting(
        "GRABPACK_SECURE_COOKIES",
        "SECURE_COOKIES",
        False,
        flag,
        "Force `Secure` cookies outside production (e.g. a staging site on HTTPS).",
    ),
    Setting(
        "GRABPACK_PROXY_HOPS",
        "PROXY_HOPS",
        0,
        int,
        "Reverse proxies in front of the app (e.g. 1 behind nginx): trust that many "
        "`X-Forwarded-*` hops for client address and HTTPS.",
    ),
    Setting(
        "GRABPACK_SQLITE_BUSY_SECONDS",
        "SQLITE_BUSY_SECONDS",
        15.0,
        float,
        "SQLite only: how long a save waits for another writer before saying the "
        "database is busy (the form is shown again with every entry kept).",
    ),
    Setting(
        "GRABPACK_REVIEW_DAYS_HIGH_RISK",
        "REVIEW_DAYS_HIGH_RISK",
        7,
        int,
        "A pack is due for review this many days after its last review when the trust "
        "rates the patient high risk of going missing.",
    ),
    Setting(
        "GRABPACK_REVIEW_DAYS", "REVIEW_DAYS", 28, int, "Days between reviews for every other pack."
    ),
    Setting(
        "GRABPACK_PHOTO_STALE_DAYS",
        "PHOTO_STALE_DAYS",
        183,
        int,
        "A photo older than this (or undated) is shown as out of date.",
    ),
    Setting(
        "GRABPACK_POLICE_GRACE_HOURS",
        "POLICE_GRACE_HOURS",
        72,
        int,
        "Police keep access to a pack this long after its episode closes "
        "(for the prevention interview).",
    ),
    Setting(
        "GRABPACK_POLICE_REFRESH_SECONDS",
        "POLICE_REFRESH_SECONDS",
        15,
        int,
        "How often the police list of open episodes checks for new ones.",
    ),
    Setting(
        "GRABPACK_SHARE_LINK_HOURS",
        "SHARE_LINK_HOURS",
        24,
        int,
        "A share link for an officer without an account expires after this many hours, "
        "or when the episode closes if sooner.",
    ),
    Setting(
        "GRABPACK_LATE_REPORT_MINUTES",
        "LATE_REPORT_MINUTES",
        60,
        int,
        "Reporting to police later than this after the absence was noticed counts as "
        "poor reporting.",
    ),
    Setting(
        "GRABPACK_MOJ_NOTIFY_MINUTES",
        "MOJ_NOTIFY_MINUTES",
        60,
        int,
        "A restricted patient's absence not told to the Ministry of Justice within this "
        "many minutes of being noticed counts as poor reporting (a prompt, never a gate).",
    ),
    Setting(
        "GRABPACK_REPEAT_EPISODES",
        "REPEAT_EPISODES",
        3,
        int,
        "A patient with this many missing episodes in the window is flagged as a "
        "repeat (no national definition exists).",
    ),
    Setting(
        "GRABPACK_REPEAT_WINDOW_DAYS",
        "REPEAT_WINDOW_DAYS",
        90,
        int,
        "The rolling window, in days, for repeat missing.",
    ),
    Setting(
        "GRABPACK_RETENTION_YEARS",
        "RETENTION_YEARS",
        20,
        int,
        "`grabpack retention purge` deletes patients discharged longer ago than this "
        "(Records Management Code of Practice 2021: 20 years for mental health).",
    ),
    Setting("GRABPACK_LOG_LEVEL", "LOG_LEVEL", "INFO", str, "Python logging level."),
)


def load_config(instance_path: str | Path, overrides: dict[str, Any] | None = None) -> dict:
    """Build the Flask config mapping from the environment plus ``overrides``.

    ``overrides`` (used by tests and tools) wins over the environment. Raises
    ``ConfigError`` with a one-line fix when a required value is missing.
    """
    overrides = dict(overrides or {})
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = os.environ.get(setting.env)
        if raw is None or raw == "":
            config[setting.key] = setting.default
            continue
        try:
            config[setting.key] = setting.cast(raw)
        except ValueError as exc:
            raise ConfigError(
                f"{setting.env}={raw!r} is not a valid {setting.cast.__name__}"
            ) from exc
    config.update(overrides)

    environment = config["GRABPACK_ENV"]
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            f"GRABPACK_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}"
        )
    if not config.get("SECRET_KEY"):
        if environment == "production":
            raise ConfigError(
                "GRABPACK_SECRET_KEY is not set: generate one with "
                "`python -c 'import secrets; print(secrets.token_hex(32))'` and export it"
            )
        config["SECRET_KEY"] = f"insecure-{environment}-key"
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        database = Path(instance_path) / "grabpack.sqlite3"
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"

    secure_cookies = environment == "production" or bool(config["SECURE_COOKIES"])
    config.setdefault("TESTING", environment == "testing")
    config.update(
        SESSION_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="__Host-grabpack" if secure_cookies else "grabpack",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        MAX_CONTENT_LENGTH=config["MAX_UPLOAD_MB"] * 1024 * 1024,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(
            config["SQLALCHEMY_DATABASE_URI"], config["SQLITE_BUSY_SECONDS"]
        ),
        WTF_CSRF_TIME_LIMIT=None,  # the session's idle timeout bounds a token's life
        RATELIMIT_HEADERS_ENABLED=True,
    )
    for key, value in overrides.items():
        if key.startswith(("SESSION_", "WTF_", "RATELIMIT_")):
            config[key] = value
    return config


def engine_options(url: str, sqlite_busy_seconds: float = 15.0) -> dict[str, Any]:
    """Connection options per backend: SQLite waits on a briefly locked file."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": sqlite_busy_seconds}}
    return {"pool_pre_ping": True}
