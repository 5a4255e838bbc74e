"""Settings, read once from ``GRABPACK_*`` environment variables, and checked.

Production is the default: a missing secret key is a start-up error, never a
silent fallback. Development and testing relax only what they must.

Every value is checked for type and range beside its declaration in
``SETTINGS``, because a setting read wrongly fails open in silence (a rate limit
that does not parse is no limit; a retention of 0 years purges today's
discharges). A bad value stops start-up with one line naming the variable and
what it allows; the README's table is the same declarations, row for row.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("production", "development", "testing")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# argon2-cffi's named parameter profiles; the cheapest is for tests only.
PASSWORD_HASH_PROFILES = ("RFC_9106_LOW_MEMORY", "RFC_9106_HIGH_MEMORY", "PRE_21_2", "CHEAPEST")
TEST_ONLY_PROFILE = "CHEAPEST"
SECRET_KEY_MIN_LENGTH = 32
# Fewer different characters than this is a key someone typed or repeated ("aaaa...",
# "abab..."), not a random one: a random key of 32 or more has far more.
SECRET_KEY_MIN_DISTINCT = 10
MAKE_A_KEY = "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
# Variables the test suite and its scripts read (tests/conftest.py,
# tests/test_two_servers.py, scripts/test): not settings, but not typos either.
TEST_VARIABLES = frozenset({"GRABPACK_TEST_DATABASE_URL", "GRABPACK_TEST_REDIS_URL"})

# Mental health records are kept 20 years after treatment ends (Records Management
# Code of Practice 2021). Shorter needs GRABPACK_RETENTION_BELOW_LEGAL_MINIMUM=yes.
LEGAL_MINIMUM_RETENTION_YEARS = 20
MAXIMUM_RETENTION_YEARS = 200

ON_WORDS = frozenset({"1", "true", "yes", "on"})
OFF_WORDS = frozenset({"0", "false", "no", "off"})


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


class Refused(ValueError):
    """A check's refusal; its message says what to do, and ends the error line."""


def flag(raw: str) -> bool:
    """An on/off variable: yes/no, on/off, true/false or 1/0, in any case.

    Anything else is refused rather than read as off: a typo must not switch a
    protection off.
    """
    word = raw.strip().lower()
    if word in ON_WORDS:
        return True
    if word in OFF_WORDS:
        return False
    raise ValueError(raw)


@dataclass(frozen=True)
class OneOf:
    """A check for one word from a list, in any case; gives back the list's spelling
    (``info`` is ``INFO``, which Python's logging needs)."""

    choices: tuple[str, ...]

    def __call__(self, value: str) -> str:
        for choice in self.choices:
            if value.strip().casefold() == choice.casefold():
                return choice
        raise Refused(f"use one of {self.allowed}")

    @property
    def allowed(self) -> str:
        return ", ".join(f"`{choice}`" for choice in self.choices) + " (any case)"


RATE_ALLOWED = "a rate such as `20 per minute` (Flask-Limiter syntax; `;` between several)"


def rate_limit(value: str) -> str:
    """A rate read by ``limits``, the parser Flask-Limiter itself uses: one it cannot
    read would otherwise leave sign-in with no limit at all."""
    from limits import parse_many

    try:
        rates = parse_many(value)
    except ValueError:
        rates = []
    if not rates or any(rate.amount < 1 for rate in rates):
        raise Refused(f"use {RATE_ALLOWED}")
    return value.strip()


STORAGE_ALLOWED = "`memory://` (one server) or a shared store, e.g. `redis://host:6379`"


def storage_uri(value: str) -> str:
    """A storage Flask-Limiter can use (its ``limits`` package's synchronous schemes)."""
    from limits.storage import SCHEMES

    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in SCHEMES or scheme.startswith("async+"):
        raise Refused(f"use {STORAGE_ALLOWED}")
    return value.strip()


DATABASE_ALLOWED = "`sqlite:///PATH` or `postgresql+psycopg://USER:PASSWORD@HOST/DB`"
DATABASE_BACKENDS = ("sqlite", "postgresql")


def database_url(value: str) -> str:
    """A URL for one of the two databases grabpack is tested on, whose driver is
    installed and, for a SQLite file, whose folder exists: found at start-up, not
    at the first request. Messages never repeat the URL (it may hold a password)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        raise Refused(f"it is not a database URL; use {DATABASE_ALLOWED}") from None
    if url.get_backend_name() not in DATABASE_BACKENDS:
        raise Refused(f"use {DATABASE_ALLOWED}")
    try:
        url.get_dialect().import_dbapi()
    except (ImportError, NoSuchModuleError):
        raise Refused(
            f"its driver `{url.get_driver_name()}` is not installed; "
            f"use `postgresql+psycopg://...` with `pip install 'grabpack[postgres]'`"
        ) from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folder = Path(url.database).parent
        if not folder.is_dir():
            raise Refused(f"the folder {folder} does not exist; create it first")
    return value


SMTP_ALLOWED = (
    "`smtp://[USER:PASSWORD@]HOST[:PORT][?starttls=yes]` or `smtps://[USER:PASSWORD@]HOST[:PORT]`"
)
SMTP_SCHEMES = ("smtp", "smtps")


def smtp_url(value: str) -> str:
    """The mail server the notification worker sends through. Messages never repeat
    the URL (it may hold a password)."""
    from urllib.parse import parse_qs, urlsplit

    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise Refused(f"use {SMTP_ALLOWED}") from None
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise Refused(f"use {SMTP_ALLOWED}")
    for word in parse_qs(parts.query).get("starttls", []):
        try:
            flag(word)
        except ValueError:
            raise Refused("starttls= takes `yes` or `no`") from None
    return value.strip()


EMAIL_FROM_ALLOWED = "an email address, e.g. `grabpack@trust.nhs.uk`"


def email_address(value: str) -> str:
    """A sender address with one @ and no spaces or line breaks (it goes in a header)."""
    value = value.strip()
    local, at, domain = value.partition("@")
    if not (local and at and domain) or any(c.isspace() for c in value) or "@" in domain:
        raise Refused(f"use {EMAIL_FROM_ALLOWED}")
    return value


PUBLIC_URL_ALLOWED = "an `https://` (or `http://`) address, e.g. `https://grabpack.trust.nhs.uk`"


def public_url(value: str) -> str:
    """The address officers open links at; without it a link would name whatever host
    the worker guessed."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise Refused(f"use {PUBLIC_URL_ALLOWED}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"use {PUBLIC_URL_ALLOWED}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise Refused(f"use {PUBLIC_URL_ALLOWED}")
    return value.strip().rstrip("/")


OIDC_PROVIDERS_ALLOWED = (
    "provider names (a letter, then letters or digits) separated by commas, e.g. `nhs,met`"
)
OIDC_NAME = re.compile(r"^[a-z][a-z0-9]{0,19}$")


def oidc_provider_names(value: str) -> tuple[str, ...]:
    """The identity providers to offer, each set up by ``GRABPACK_OIDC_<NAME>_*``."""
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    if not all(OIDC_NAME.match(name) for name in names):
        raise Refused(f"use {OIDC_PROVIDERS_ALLOWED}")
    if len(set(names)) != len(names):
        raise Refused("a provider is named twice")
    return tuple(names)


@dataclass(frozen=True)
class Setting:
    """One ``GRABPACK_*`` variable: its Flask key, default, what it allows and what
    it means. The README's table is made of these fields (a test compares them).

    Numbers are held to ``minimum``..``maximum``; ``check`` refuses (``Refused``)
    or normalises anything else. ``allowed_text`` says what is allowed where the
    range or check cannot say it alone. A ``secret`` value is never repeated in a
    message.
    """

    env: str
    key: str
    default: Any
    cast: Callable[[str], Any] = str
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    check: Callable[[Any], Any] | None = None
    allowed_text: str = ""
    default_text: str = ""
    secret: bool = False

    @property
    def allowed(self) -> str:
        """What the README's *allowed* column says."""
        if self.allowed_text:
            return self.allowed_text
        if isinstance(self.check, OneOf):
            return self.check.allowed
        if self.cast is flag:
            return "`yes` or `no`"
        return f"{self.minimum:g} to {self.maximum:g}"

    @property
    def shown_default(self) -> str:
        """The default as the README's table shows it."""
        if self.default_text:
            return self.default_text
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        if isinstance(self.default, float):
            return f"`{self.default:g}`"
        return f"`{self.default}`"

    @property
    def advice(self) -> str:
        """What to do, ending the line that refuses a value."""
        if self.cast is int:
            return f"use a whole number from {self.allowed}"
        if self.cast is float:
            return f"use a number from {self.allowed}"
        return f"use {self.allowed}"

    def parse(self, given: Any) -> Any:
        """``given`` (the environment's text, or an override's Python value) as this
        setting's value, or ``ConfigError`` naming the variable and what it allows."""
        try:
            value = self.cast(_as_text(given))
            if self.check is not None:
                value = self.check(value)
            if not self._in_range(value):
                raise ValueError(value)
        except (TypeError, ValueError) as exc:
            reason = str(exc) if isinstance(exc, Refused) else self.advice
            shown = "" if self.secret else f"={given!r}"
            raise ConfigError(f"{self.env}{shown} is not allowed: {reason}") from None
        return value

    def _in_range(self, value: Any) -> bool:
        """Written so that NaN, which compares false with everything, is out of range."""
        if self.minimum is not None and not value >= self.minimum:
            return False
        return self.maximum is None or value <= self.maximum


def _as_text(given: Any) -> str:
    """Overrides pass through the same parsing as the environment's text."""
    if isinstance(given, str):
        return given
    if isinstance(given, bool | int | float):
        return str(given)
    raise TypeError(f"{type(given).__name__} is not a setting value")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "GRABPACK_ENV",
        "GRABPACK_ENV",
        "production",
        help="Which rules apply. Only production insists on a secret key and `Secure` cookies.",
        check=OneOf(ENVIRONMENTS),
    ),
    Setting(
        "GRABPACK_SECRET_KEY",
        "SECRET_KEY",
        None,
        help=f"Signs sessions and CSRF tokens. Required in production: make one with {MAKE_A_KEY}.",
        allowed_text=f"{SECRET_KEY_MIN_LENGTH} or more characters, at least "
        f"{SECRET_KEY_MIN_DISTINCT} of them different (production)",
        default_text="none",
        secret=True,
    ),
    Setting(
        "GRABPACK_DATABASE_URL",
        "SQLALCHEMY_DATABASE_URI",
        None,
        help="Where the data lives (an SQLAlchemy URL). A SQLite file's folder must exist; "
        "PostgreSQL needs `pip install 'grabpack[postgres]'`.",
        check=database_url,
        allowed_text=DATABASE_ALLOWED,
        default_text="SQLite file in `instance/`",
        secret=True,
    ),
    Setting(
        "GRABPACK_SESSION_IDLE_MINUTES",
        "SESSION_IDLE_MINUTES",
        30,
        int,
        "Signed-in users are signed out after this many minutes without a request.",
        minimum=1,
        maximum=720,
    ),
    Setting(
        "GRABPACK_SESSION_MAX_HOURS",
        "SESSION_MAX_HOURS",
        12,
        int,
        "However active, a session ends this many hours after signing in (a form being "
        "typed keeps a session alive, but never past this).",
        minimum=1,
        maximum=24,
    ),
    Setting(
        "GRABPACK_KEPT_FORM_MINUTES",
        "KEPT_FORM_MINUTES",
        60,
        int,
        "A form sent after its session ended is kept (encrypted) this long, to be put "
        "back after the sender signs in again.",
        minimum=5,
        maximum=1440,
    ),
    Setting(
        "GRABPACK_LOGIN_MAX_FAILURES",
        "LOGIN_MAX_FAILURES",
        5,
        int,
        "Failed sign-ins for one account from one address before that address is refused "
        "for that account (throttling, not an account lockout; see Signing in).",
        minimum=1,
        maximum=100,
    ),
    Setting(
        "GRABPACK_LOCKOUT_MINUTES",
        "LOCKOUT_MINUTES",
        15,
        int,
        "How long a refused address waits before it may try that account again.",
        minimum=1,
        maximum=1440,
    ),
    Setting(
        "GRABPACK_LOGIN_RATE_LIMIT",
        "LOGIN_RATE_LIMIT",
        "20 per minute",
        help="Failed sign-in attempts per client address (a sign-in that works does not "
        "count); over it: 429.",
        check=rate_limit,
        allowed_text=RATE_ALLOWED,
    ),
    Setting(
        "GRABPACK_RATELIMIT_STORAGE_URI",
        "RATELIMIT_STORAGE_URI",
        "memory://",
        help="Where rate-limit counters live. Use `redis://...` when running several servers.",
        check=storage_uri,
        allowed_text=STORAGE_ALLOWED,
        secret=True,
    ),
    Setting(
        "GRABPACK_MAX_UPLOAD_MB",
        "MAX_UPLOAD_MB",
        10,
        int,
        "Largest request body accepted (photos); larger gives a 413 page.",
        minimum=1,
        maximum=100,
    ),
    Setting(
        "GRABPACK_PASSWORD_HASH_PROFILE",
        "PASSWORD_HASH_PROFILE",
        "RFC_9106_LOW_MEMORY",
        help="argon2-cffi parameter profile for password hashes (the default is argon2id "
        "with 64 MiB).",
        check=OneOf(PASSWORD_HASH_PROFILES),
        allowed_text=f"{OneOf(PASSWORD_HASH_PROFILES).allowed}; `{TEST_ONLY_PROFILE}` "
        "only when testing",
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
        "Reverse proxies in front of the app (e.g. `1` behind nginx): trust that many "
        "`X-Forwarded-*` hops for client address and HTTPS.",
        minimum=0,
        maximum=5,
    ),
    Setting(
        "GRABPACK_SQLITE_BUSY_SECONDS",
        "SQLITE_BUSY_SECONDS",
        15.0,
        float,
        "SQLite only: how long a save waits for another writer before saying the "
        "database is busy (the form is shown again with every entry kept).",
        minimum=0.1,
        maximum=600,
    ),
    Setting(
        "GRABPACK_REVIEW_DAYS_HIGH_RISK",
        "REVIEW_DAYS_HIGH_RISK",
        7,
        int,
        "A pack is due for review this many days after its last review when the trust "
        "rates the patient high risk of going missing.",
        minimum=1,
        maximum=365,
    ),
    Setting(
        "GRABPACK_REVIEW_DAYS",
        "REVIEW_DAYS",
        28,
        int,
        "Days between reviews for every other pack. A change of legal status or "
        "missing-risk category, a transfer or a closed missing episode makes a review "
        "due at once.",
        minimum=1,
        maximum=365,
    ),
    Setting(
        "GRABPACK_PHOTO_STALE_DAYS",
        "PHOTO_STALE_DAYS",
        183,
        int,
        "A photo older than this (or undated) is shown as out of date.",
        minimum=1,
        maximum=3650,
    ),
    Setting(
        "GRABPACK_POLICE_GRACE_HOURS",
        "POLICE_GRACE_HOURS",
        72,
        int,
        "Police keep access to a pack this long after its episode closes "
        "(for the prevention interview).",
        minimum=0,
        maximum=168,
    ),
    Setting(
        "GRABPACK_POLICE_REFRESH_SECONDS",
        "POLICE_REFRESH_SECONDS",
        15,
        int,
        "How often the police list of open episodes checks for new ones (no manual "
        "refresh needed).",
        minimum=1,
        maximum=300,
    ),
    Setting(
        "GRABPACK_SHARE_LINK_HOURS",
        "SHARE_LINK_HOURS",
        24,
        int,
        "A share link for an officer without an account expires after this many hours, "
        "or when the episode closes if sooner.",
        minimum=1,
        maximum=72,
    ),
    Setting(
        "GRABPACK_SHARE_LINK_MAX_WRONG_REFERENCES",
        "SHARE_LINK_MAX_WRONG_REFERENCES",
        5,
        int,
        "A share link is disabled after this many wrong police references; the ward is "
        "told on the episode page.",
        minimum=1,
        maximum=50,
    ),
    Setting(
        "GRABPACK_LATE_REPORT_MINUTES",
        "LATE_REPORT_MINUTES",
        60,
        int,
        "Reporting to police later than this after the absence was noticed counts as "
        "poor reporting.",
        minimum=1,
        maximum=1440,
    ),
    Setting(
        "GRABPACK_MOJ_NOTIFY_MINUTES",
        "MOJ_NOTIFY_MINUTES",
        60,
        int,
        "A restricted patient's absence not told to the Ministry of Justice within this "
        "many minutes of being noticed counts as poor reporting (a prompt, never a gate).",
        minimum=1,
        maximum=1440,
    ),
    Setting(
        "GRABPACK_REPEAT_EPISODES",
        "REPEAT_EPISODES",
        3,
        int,
        "A patient with this many missing episodes in the window is flagged as a "
        "repeat (no national definition exists).",
        minimum=2,
        maximum=50,
    ),
    Setting(
        "GRABPACK_REPEAT_WINDOW_DAYS",
        "REPEAT_WINDOW_DAYS",
        90,
        int,
        "The rolling window, in days, for repeat missing.",
        minimum=1,
        maximum=730,
    ),
    Setting(
        "GRABPACK_HIGH_VOLUME_EPISODES",
        "HIGH_VOLUME_EPISODES",
        5,
        int,
        "The monthly review flags a setting or ward with at least this many episodes in "
        "a London month and a rise (`GRABPACK_HIGH_VOLUME_RISE_PERCENT`).",
        minimum=1,
        maximum=10000,
    ),
    Setting(
        "GRABPACK_HIGH_VOLUME_RISE_PERCENT",
        "HIGH_VOLUME_RISE_PERCENT",
        50,
        int,
        "A high-volume setting or ward must also be at least this many percent above its "
        "mean over the three months before (after three empty months, any count is a rise).",
        minimum=0,
        maximum=10000,
    ),
    Setting(
        "GRABPACK_POOR_REPORTING_PERCENT",
        "POOR_REPORTING_PERCENT",
        25,
        int,
        "The monthly review flags a setting or ward when at least this share of its "
        "episodes in the month had a reporting-quality fault.",
        minimum=1,
        maximum=100,
    ),
    Setting(
        "GRABPACK_RETENTION_YEARS",
        "RETENTION_YEARS",
        LEGAL_MINIMUM_RETENTION_YEARS,
        int,
        "`grabpack retention purge` deletes patients discharged longer ago than this "
        "(Records Management Code of Practice 2021: 20 years for mental health).",
        minimum=1,
        maximum=MAXIMUM_RETENTION_YEARS,
        allowed_text=f"{LEGAL_MINIMUM_RETENTION_YEARS} to {MAXIMUM_RETENTION_YEARS} "
        f"(1 to {LEGAL_MINIMUM_RETENTION_YEARS - 1} only with "
        "`GRABPACK_RETENTION_BELOW_LEGAL_MINIMUM`)",
    ),
    Setting(
        "GRABPACK_RETENTION_BELOW_LEGAL_MINIMUM",
        "RETENTION_BELOW_LEGAL_MINIMUM",
        False,
        flag,
        "Allows `GRABPACK_RETENTION_YEARS` below the legal minimum of 20, for a trust "
        "whose own records policy says so in writing. Never for the demo.",
    ),
    Setting(
        "GRABPACK_SMTP_URL",
        "SMTP_URL",
        None,
        help="The mail server `grabpack notify work` sends policing areas' emails through "
        "(`smtps://` for TLS from the start, `?starttls=yes` to upgrade). Without it the "
        "worker only logs email in development, and refuses to start in production.",
        check=smtp_url,
        allowed_text=SMTP_ALLOWED,
        default_text="none",
        secret=True,
    ),
    Setting(
        "GRABPACK_NOTIFY_FROM",
        "NOTIFY_FROM",
        "grabpack@localhost",
        help="The sender (`From:`) of notification emails.",
        check=email_address,
        allowed_text=EMAIL_FROM_ALLOWED,
    ),
    Setting(
        "GRABPACK_PUBLIC_URL",
        "PUBLIC_URL",
        None,
        help="Where officers reach grabpack: the start of every link that leaves it (the "
        "episode link in each notification, a share link, the address an identity provider "
        "returns people to), whatever host a request names. Without it the request's own "
        "address is used (`X-Forwarded-Host` trusted for `GRABPACK_PROXY_HOPS`): set it in "
        "production.",
        check=public_url,
        allowed_text=PUBLIC_URL_ALLOWED,
        default_text="none",
    ),
    Setting(
        "GRABPACK_OIDC_PROVIDERS",
        "OIDC_PROVIDER_NAMES",
        (),
        oidc_provider_names,
        "The OpenID Connect identity providers people sign in with, each set up by "
        "`GRABPACK_OIDC_<NAME>_*` variables (see Signing in with an identity provider). "
        "Without it, everyone signs in with a grabpack password.",
        allowed_text=OIDC_PROVIDERS_ALLOWED,
        default_text="none",
    ),
    Setting(
        "GRABPACK_LOG_LEVEL",
        "LOG_LEVEL",
        "INFO",
        help="Python logging level.",
        check=OneOf(LOG_LEVELS),
    ),
)
SETTING_KEYS = frozenset(setting.key for setting in SETTINGS)


def retention_problem(years: int, below_legal_minimum: bool = False) -> str | None:
    """Why ``years`` may not be the retention period, or ``None``.

    The one rule that the settings, ``grabpack retention purge --years`` and the
    purge itself apply, so that no path deletes a record the law says to keep.
    """
    if years < 1:
        return (
            f"{years} years would delete patients discharged today; the legal minimum "
            f"is {LEGAL_MINIMUM_RETENTION_YEARS} years"
        )
    if years > MAXIMUM_RETENTION_YEARS:
        return f"more than {MAXIMUM_RETENTION_YEARS} years is surely a mistake"
    if years < LEGAL_MINIMUM_RETENTION_YEARS and not below_legal_minimum:
        return (
            f"{years} years is below the legal minimum of {LEGAL_MINIMUM_RETENTION_YEARS} "
            "years for mental health records (Records Management Code of Practice 2021); "
            "only a trust whose own records policy says otherwise sets "
            "GRABPACK_RETENTION_BELOW_LEGAL_MINIMUM=yes"
        )
    return None


def load_config(instance_path: str | Path, overrides: dict[str, Any] | None = None) -> dict:
    """Build the Flask config mapping from the environment plus ``overrides``.

    ``overrides`` (used by tests and tools) wins over the environment, and a value
    for a setting's key passes the same checks. Raises ``ConfigError`` with a
    one-line fix when a value is missing or not allowed.
    """
    overrides = dict(overrides or {})
    _refuse_unknown_variables(os.environ)
    config = {setting.key: _value(setting, overrides) for setting in SETTINGS}
    config.update({key: value for key, value in overrides.items() if key not in SETTING_KEYS})
    _check_together(config)

    environment = config["GRABPACK_ENV"]
    config["OIDC_PROVIDERS"] = oidc_providers(
        config["OIDC_PROVIDER_NAMES"], environment, overrides, os.environ
    )
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = f"insecure-{environment}-key"
    if not config["SQLALCHEMY_DATABASE_URI"]:
        database = Path(instance_path) / "grabpack.sqlite3"
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"

    secure_cookies = environment == "production" or config["SECURE_COOKIES"]
    config.setdefault("TESTING", environment == "testing")
    config.update(
        SESSION_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="__Host-grabpack" if secure_cookies else "grabpack",
        # The cookie lasts as long as a session may; the idle limit is the server's
        # (``auth.sessions``), so a form sent just after it still names its sender.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config["SESSION_MAX_HOURS"]),
        # Write the cookie only when the session changed: a request the page makes by
        # itself (the power to retake worked out as the ward types) must not answer
        # after a save with the session as it was before, wiping the save's message.
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=config["MAX_UPLOAD_MB"] * 1024 * 1024,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(
            config["SQLALCHEMY_DATABASE_URI"], config["SQLITE_BUSY_SECONDS"]
        ),
        WTF_CSRF_TIME_LIMIT=None,  # the session's idle timeout bounds a token's life
        RATELIMIT_HEADERS_ENABLED=True,
    )
    for key, value in overrides.items():
        if key.startswith(("SESSION_", "WTF_", "RATELIMIT_")) and key not in SETTING_KEYS:
            config[key] = value
    return config


def _value(setting: Setting, overrides: dict[str, Any]) -> Any:
    """The override for the setting's key, else its variable, else its default."""
    given = overrides[setting.key] if setting.key in overrides else os.environ.get(setting.env)
    if given is None or given == "":
        return setting.default
    return setting.parse(given)


def _check_together(config: dict[str, Any]) -> None:
    """The rules that join two settings; each line names the variable to change."""
    environment = config["GRABPACK_ENV"]
    if environment == "production":
        _check_production_secret(config["SECRET_KEY"])
    if config["PASSWORD_HASH_PROFILE"] == TEST_ONLY_PROFILE and environment != "testing":
        raise ConfigError(
            f"GRABPACK_PASSWORD_HASH_PROFILE={TEST_ONLY_PROFILE} is for tests only "
            "(GRABPACK_ENV=testing): its hashes are quick to crack; use RFC_9106_LOW_MEMORY"
        )
    if config["SESSION_IDLE_MINUTES"] > 60 * config["SESSION_MAX_HOURS"]:
        raise ConfigError(
            f"GRABPACK_SESSION_IDLE_MINUTES={config['SESSION_IDLE_MINUTES']} is longer than "
            f"GRABPACK_SESSION_MAX_HOURS={config['SESSION_MAX_HOURS']}: lower the first or "
            "raise the second"
        )
    years = config["RETENTION_YEARS"]
    if problem := retention_problem(years, config["RETENTION_BELOW_LEGAL_MINIMUM"]):
        raise ConfigError(f"GRABPACK_RETENTION_YEARS={years} is not allowed: {problem}")


def _check_production_secret(secret: str | None) -> None:
    """The key is judged without the spaces around it (a key of 40 spaces is none),
    and a key of a few characters repeated is refused however long it is. Never
    repeats the key."""
    if not secret:
        raise ConfigError(
            f"GRABPACK_SECRET_KEY is not set: generate one with {MAKE_A_KEY} and export it"
        )
    key = secret.strip()
    if not key:
        raise ConfigError(
            f"GRABPACK_SECRET_KEY is blank (only spaces): generate one with {MAKE_A_KEY} "
            "and export it"
        )
    if len(key) < SECRET_KEY_MIN_LENGTH:
        raise ConfigError(
            f"GRABPACK_SECRET_KEY is too short: use at least {SECRET_KEY_MIN_LENGTH} random "
            f"characters, e.g. from {MAKE_A_KEY}"
        )
    if len(set(key)) < SECRET_KEY_MIN_DISTINCT:
        raise ConfigError(
            f"GRABPACK_SECRET_KEY is not random (fewer than {SECRET_KEY_MIN_DISTINCT} "
            f"different characters): generate one with {MAKE_A_KEY} and export it"
        )


def _refuse_unknown_variables(environ: Mapping[str, str]) -> None:
    """A ``GRABPACK_`` variable that is no setting is a typo (``GRABPACK_SESION_IDLE_MINUTES``):
    read as nothing, it would leave the default in force in silence. Stop, naming it
    and the setting it is most like. Any case (``grabpack_log_level`` is read as
    nothing too); provider variables (``GRABPACK_OIDC_<NAME>_*``) have their own check
    (``_refuse_strays``)."""
    known = {setting.env for setting in SETTINGS} | TEST_VARIABLES
    for variable in sorted(environ):
        if not variable.upper().startswith("GRABPACK_") or variable in known:
            continue
        if variable.startswith(OIDC_PREFIX):
            continue
        # Compared without the prefix that every name shares, which alone would make
        # anything look like something.
        rest = variable.upper().removeprefix("GRABPACK_")
        names = {name.removeprefix("GRABPACK_"): name for name in known - TEST_VARIABLES}
        meant = difflib.get_close_matches(rest, sorted(names), n=1)
        advice = (
            f"did you mean {names[meant[0]]}? Correct its name, or remove it"
            if meant
            else "remove it, or see the Configuration table in the README for the names"
        )
        name = variable if variable.isprintable() else repr(variable)
        raise ConfigError(f"{name} is not a grabpack setting: {advice}")


def engine_options(url: str, sqlite_busy_seconds: float = 15.0) -> dict[str, Any]:
    """Connection options per backend: SQLite waits on a briefly locked file.

    A failed statement's message never repeats the values sent (``hide_parameters``):
    it reaches logs and terminals, and the values are names and clinical facts.
    """
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": sqlite_busy_seconds}, "hide_parameters": True}
    return {"pool_pre_ping": True, "hide_parameters": True}


# Sign-in with OpenID Connect (issue 13). Each provider named in
# GRABPACK_OIDC_PROVIDERS is set up by GRABPACK_OIDC_<NAME>_<FIELD> variables
# (or the override OIDC_<NAME>_<FIELD>); a provider that is incomplete or wrong
# stops start-up, so that nobody is let in, or kept out, by a typo.
OIDC_PREFIX = "GRABPACK_OIDC_"
OIDC_FIELDS = (
    "ISSUER",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "SCOPES",
    "DOMAINS",
    "LABEL",
    "PROVISION",
    "GROUPS",
    "GROUPS_CLAIM",
)
OIDC_DEFAULT_SCOPES = ("openid", "email", "profile")
OIDC_PROVISION_ROLES = ("nurse", "ward_manager", "police")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
GROUPS_ALLOWED = (
    'a JSON object of group to grant, e.g. {"ward-a-nurses": {"role": "nurse", '
    '"wards": ["WA1"]}, "met-mispers": {"role": "police", "areas": ["MET1"]}}'
)


@dataclass(frozen=True)
class GroupGrant:
    """What a group claim grants an account made at its first sign-in."""

    role: str
    wards: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class OidcProvider:
    """One identity provider, as its settings declare it (checked)."""

    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...]
    domains: tuple[str, ...]
    provision: bool = False
    groups_claim: str = "groups"
    groups: tuple[tuple[str, GroupGrant], ...] = ()

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def serves(self, email: str) -> bool:
        """Whether the provider is the identity of people with this email address."""
        return email.strip().lower().rpartition("@")[2] in self.domains


def oidc_providers(
    names: tuple[str, ...],
    environment: str,
    overrides: Mapping[str, Any],
    environ: Mapping[str, str],
) -> dict[str, OidcProvider]:
    """Every provider named, checked, by name; ``ConfigError`` (one line, never the
    secret) for the first variable that is missing or wrong."""
    _refuse_strays(names, environ)
    providers: dict[str, OidcProvider] = {}
    served: dict[str, str] = {}
    for name in names:
        provider = _oidc_provider(name, environment, overrides, environ)
        for domain in provider.domains:
            if domain in served:
                raise ConfigError(
                    f"{_oidc_env(name, 'DOMAINS')} is not allowed: {domain} is already served "
                    f"by {served[domain]}; an email domain signs in with one provider"
                )
            served[domain] = name
        providers[name] = provider
    return providers


def _oidc_env(name: str, field_name: str) -> str:
    return f"{OIDC_PREFIX}{name.upper()}_{field_name}"


def _refuse_strays(names: tuple[str, ...], environ: Mapping[str, str]) -> None:
    """A provider variable that nothing reads is a typo: say so, rather than start
    with a provider set up other than its administrator thinks."""
    for variable in environ:
        if not variable.startswith(OIDC_PREFIX) or variable in ("GRABPACK_OIDC_PROVIDERS",):
            continue
        rest = variable[len(OIDC_PREFIX) :]
        name = next((n for n in names if rest.startswith(f"{n.upper()}_")), None)
        if name is None:
            raise ConfigError(
                f"{variable} names no provider in GRABPACK_OIDC_PROVIDERS: add the provider "
                "there, or remove the variable"
            )
        if rest[len(name) + 1 :] not in OIDC_FIELDS:
            raise ConfigError(
                f"{variable} is not a provider setting: use one of "
                + ", ".join(f"{_oidc_env(name, f)}" for f in OIDC_FIELDS)
            )


def _oidc_provider(
    name: str, environment: str, overrides: Mapping[str, Any], environ: Mapping[str, str]
) -> OidcProvider:
    def given(field_name: str) -> str:
        key = f"OIDC_{name.upper()}_{field_name}"
        value = overrides[key] if key in overrides else environ.get(_oidc_env(name, field_name))
        return "" if value is None else str(value).strip()

    def required(field_name: str, what: str) -> str:
        value = given(field_name)
        if not value:
            raise ConfigError(f"{_oidc_env(name, field_name)} is not set: give {what}")
        return value

    def refuse(field_name: str, reason: str, shown: bool = True) -> ConfigError:
        value = f"={given(field_name)!r}" if shown else ""
        return ConfigError(f"{_oidc_env(name, field_name)}{value} is not allowed: {reason}")

    issuer = required(
        "ISSUER", "the provider's issuer URL, e.g. `https://login.microsoftonline.com/TENANT/v2.0`"
    )
    if problem := _issuer_problem(issuer, environment):
        raise refuse("ISSUER", problem)
    client_id = required("CLIENT_ID", "the client (application) id the provider gave grabpack")
    client_secret = required("CLIENT_SECRET", "the client secret the provider gave grabpack")

    scopes = tuple(dict.fromkeys(given("SCOPES").split())) or OIDC_DEFAULT_SCOPES
    if "openid" not in scopes:
        raise refuse("SCOPES", "the scopes must include `openid`, e.g. `openid email profile`")

    domains = tuple(
        dict.fromkeys(
            d.strip().lower().lstrip("@") for d in given("DOMAINS").split(",") if d.strip()
        )
    )
    if not domains:
        raise ConfigError(
            f"{_oidc_env(name, 'DOMAINS')} is not set: give the email domains whose people "
            "sign in with this provider, e.g. `trust.nhs.uk,nhs.net`"
        )
    if not all(DOMAIN.match(domain) for domain in domains):
        raise refuse(
            "DOMAINS", "use email domains separated by commas, e.g. `trust.nhs.uk,nhs.net`"
        )

    label = given("LABEL") or name.upper()
    if len(label) > 60:
        raise refuse("LABEL", "use a name of at most 60 characters, e.g. `NHS identity`")

    try:
        provision = flag(given("PROVISION")) if given("PROVISION") else False
    except ValueError:
        raise refuse("PROVISION", "use `yes` or `no`") from None
    groups_claim = given("GROUPS_CLAIM") or "groups"
    groups = _group_grants(given("GROUPS"), refuse) if given("GROUPS") else ()
    if provision and not groups:
        raise ConfigError(
            f"{_oidc_env(name, 'PROVISION')}=yes needs {_oidc_env(name, 'GROUPS')}: "
            f"give {GROUPS_ALLOWED}"
        )
    return OidcProvider(
        name=name,
        label=label,
        issuer=issuer,
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        domains=domains,
        provision=provision,
        groups_claim=groups_claim,
        groups=groups,
    )


def _issuer_problem(issuer: str, environment: str) -> str | None:
    """Why ``issuer`` may not be trusted: https always; plain http only on this machine
    (a test provider) and never in production."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(issuer)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return "use an `https://` address"
    if not parts.hostname or parts.query or parts.fragment or parts.username:
        return "use an `https://` address with no query, e.g. `https://login.example.org/tenant`"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and environment != "production" and _loopback(parts.hostname):
        return None
    if parts.scheme == "http" and environment == "production":
        return "use an `https://` address (never plain http in production)"
    return "use an `https://` address (plain http only for a test provider on this machine)"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _group_grants(
    text: str, refuse: Callable[..., ConfigError]
) -> tuple[tuple[str, GroupGrant], ...]:
    try:
        raw = json.loads(text)
    except ValueError:
        raise refuse("GROUPS", f"use {GROUPS_ALLOWED}", shown=False) from None
    if not isinstance(raw, dict) or not raw:
        raise refuse("GROUPS", f"use {GROUPS_ALLOWED}", shown=False)
    grants = []
    for group, grant in raw.items():
        if not isinstance(grant, dict) or set(grant) - {"role", "wards", "areas"}:
            raise refuse(
                "GROUPS", f"the grant for {group!r} must be {{role, wards or areas}}", shown=False
            )
        role = grant.get("role")
        wards, areas = grant.get("wards", []), grant.get("areas", [])
        if role not in OIDC_PROVISION_ROLES:
            raise refuse(
                "GROUPS",
                f"the role for {group!r} must be one of {', '.join(OIDC_PROVISION_ROLES)} "
                "(administrators are made by hand)",
                shown=False,
            )
        codes_ok = all(
            isinstance(codes, list) and all(isinstance(c, str) and c.strip() for c in codes)
            for codes in (wards, areas)
        )
        staff = role != "police"
        if not codes_ok or (staff and (not wards or areas)) or (not staff and (not areas or wards)):
            need = "at least one ward and no areas" if staff else "at least one area and no wards"
            raise refuse("GROUPS", f"the {role} grant for {group!r} needs {need}", shown=False)
        grants.append(
            (
                str(group),
                GroupGrant(
                    role,
                    tuple(c.strip().upper() for c in wards),
                    tuple(c.strip().upper() for c in areas),
                ),
            )
        )
    return tuple(grants)
