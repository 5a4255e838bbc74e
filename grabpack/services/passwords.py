"""Password hashing with Argon2id (argon2-cffi's RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"
_hasher = PasswordHasher.from_parameters(getattr(profiles, DEFAULT_PROFILE))

MIN_LENGTH = 12

# Verifying against this when the email is unknown keeps both paths equally slow.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


def use_profile(name: str) -> None:
    """Pick argon2-cffi's parameter profile by name; tests use ``CHEAPEST`` for speed.

    Existing hashes made with other parameters still verify, and are upgraded on
    the next successful sign-in (``needs_rehash``).
    """
    global _hasher, _DUMMY_HASH
    parameters = getattr(profiles, name, None)
    if parameters is None:
        raise ValueError(f"unknown argon2 profile {name!r}")
    _hasher = PasswordHasher.from_parameters(parameters)
    _DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


# Stored for an account whose identity provider signs it in: no password matches it
# (not an argon2 hash), so such an account never has a grabpack password.
NO_PASSWORD = "!oidc"  # noqa: S105 (a marker, not a password)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or ``None``."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > 1024:
        return "Password must be at most 1024 characters"
    return None
