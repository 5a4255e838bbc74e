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


# ``grabpack demo`` prints this for anyone to use (``grabpack.demo.DEMO_PASSWORD``, the
# same words; a test keeps them so). Kept here, not imported, so that the rules stay
# plain Python with nothing of the app behind them.
PUBLIC_DEMO_PASSWORD = "grabpack-demo-2021"  # noqa: S105 - refused, not used
# A local part shorter than this (``jo@``) is in too many good passwords to refuse them.
SHORTEST_LOCAL_PART_REFUSED = 3


def password_problem(
    password: str, email: str | None = None, *, demo_allowed: bool = False
) -> str | None:
    """Why a new password is unacceptable, or ``None``. Never repeats the password.

    Beyond the length: not the account's email, nor containing the part before its
    @ (the first guesses anyone makes), and not the demo's public password unless
    ``demo_allowed`` (development and tests, where ``grabpack demo`` makes its
    accounts with it)."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > 1024:
        return "Password must be at most 1024 characters"
    folded = password.casefold()
    if email:
        address = email.strip().casefold()
        local = address.rpartition("@")[0]
        if address in folded or (len(local) >= SHORTEST_LOCAL_PART_REFUSED and local in folded):
            return (
                "Password must not contain the email address or the part before its @: "
                "choose one nobody could guess from the address"
            )
    if not demo_allowed and PUBLIC_DEMO_PASSWORD in folded:
        return (
            "Password must not be the demo's public password (printed by grabpack demo): "
            "choose another"
        )
    return None
