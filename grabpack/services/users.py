"""Creating users and signing them in and out; failed sign-ins are throttled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from grabpack.extensions import db
from grabpack.models import PolicingArea, Role, User, Ward
from grabpack.models.base import utcnow
from grabpack.models.user import new_session_token
from grabpack.services import audit, throttles
from grabpack.services.passwords import (
    NO_PASSWORD,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)


class UserError(ValueError):
    """A user cannot be created as asked; the message is shown as it is."""


def normalise_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise UserError(f"{raw!r} is not a valid email address") from exc


@dataclass(frozen=True)
class NewUser:
    """A user request that has passed every check but the password."""

    email: str
    role: Role
    wards: list[Ward]
    areas: list[PolicingArea]


def check_new_user(
    email: str, role: str, ward_codes: Sequence[str] = (), area_codes: Sequence[str] = ()
) -> NewUser:
    """Everything about a new user but the password, checked, so that a request that
    will be refused is refused before anyone types one.

    Staff need at least one ward and no areas; police at least one area and no
    wards; admins neither. Unknown codes are named in the error.
    """
    email = normalise_email(email)
    try:
        role_enum = Role(role)
    except ValueError as exc:
        choices = ", ".join(r.value for r in Role)
        raise UserError(f"Unknown role {role!r}: choose one of {choices}") from exc
    if user_by_email(email) is not None:
        raise UserError(f"A user with email {email} already exists")
    wards = _by_codes(Ward, ward_codes, "ward")
    areas = _by_codes(PolicingArea, area_codes, "policing area")
    if role_enum.is_staff and (not wards or areas):
        raise UserError(f"A {role_enum.value} needs at least one --ward and no --area")
    if role_enum is Role.POLICE and (not areas or wards):
        raise UserError("A police user needs at least one --area and no --ward")
    if role_enum is Role.ADMIN and (wards or areas):
        raise UserError("An admin is not scoped to wards or areas")
    return NewUser(email, role_enum, wards, areas)


def create_user(
    email: str,
    role: str,
    password: str | None,
    *,
    ward_codes: Sequence[str] = (),
    area_codes: Sequence[str] = (),
    full_name: str = "",
) -> User:
    """Add a user with their scope; the caller commits. ``password`` is ``None`` for
    someone an identity provider signs in: they never have a grabpack password."""
    new = check_new_user(email, role, ward_codes, area_codes)
    if password is not None and (problem := password_problem(password)):
        raise UserError(problem)
    user = User(
        email=new.email,
        role=new.role.value,
        full_name=full_name,
        password_hash=NO_PASSWORD if password is None else hash_password(password),
        wards=new.wards,
        policing_areas=new.areas,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user=None, target_user_id=user.id, role=user.role)
    return user


def _by_codes(model, codes: Sequence[str], what: str) -> list:
    wanted = list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    if not wanted:
        return []
    found = db.session.scalars(select(model).where(func.upper(model.code).in_(wanted))).all()
    known = {row.code.upper() for row in found}
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise UserError(f"Unknown {what} code: {', '.join(unknown)}")
    return list(found)


class LoginOutcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None
    wait: timedelta = timedelta(0)  # for THROTTLED: how long before trying again


def authenticate(
    email: str,
    password: str,
    *,
    remote_addr: str = "",
    now: datetime | None = None,
) -> LoginResult:
    """Check a sign-in and record it; the caller commits.

    Failures are throttled per account and address (``services.throttles``), never
    by locking the account: nobody else's guesses end a session or keep the
    person out. While a pair must wait, the password is not even checked, and the
    answer is the same whether the account exists, is disabled, or not. Unknown
    emails take as long as known ones.
    """
    now = now or utcnow()
    try:
        email = normalise_email(email)
    except UserError:
        email = email.strip().lower()
    wait = throttles.wait_before_attempt(email, remote_addr, now)
    if wait:
        audit.record("login.throttled", remote_addr=remote_addr)
        return LoginResult(LoginOutcome.THROTTLED, wait=wait)
    user = user_by_email(email)
    if user is None or not user.active:
        verify_password(None, password)
        return _failed(email, remote_addr, now, None, "unknown_or_inactive")
    if not verify_password(user.password_hash, password):
        return _failed(email, remote_addr, now, user, "bad_password")
    throttles.forget_pair(email, remote_addr)
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record("login", user=user, remote_addr=remote_addr)
    return LoginResult(LoginOutcome.OK, user)


def _failed(
    email: str, remote_addr: str, now: datetime, user: User | None, reason: str
) -> LoginResult:
    wait = throttles.record_failure(email, remote_addr, now)
    audit.record("login.failed", user=user, remote_addr=remote_addr, reason=reason)
    return LoginResult(LoginOutcome.BAD_CREDENTIALS, user, wait)


def sign_out(user: User, remote_addr: str = "") -> None:
    """End every session the user has, on every device: old cookies stop working."""
    user.session_token = new_session_token()
    audit.record("logout", user=user, remote_addr=remote_addr)


def set_password(user: User, password: str) -> None:
    """Change a password and end every session the user had."""
    if problem := password_problem(password):
        raise UserError(problem)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    audit.record("user.password_changed", user=user)


def user_by_email(email: str) -> User | None:
    """The user with this email, whatever its case, or ``None``."""
    wanted = email.strip().lower()
    return db.session.scalar(select(User).where(func.lower(User.email) == wanted))


def find_user(email: str) -> User:
    """The user with this email (any case), or ``UserError`` naming it."""
    wanted = email.strip().lower()
    user = user_by_email(wanted)
    if user is None:
        raise UserError(f"No user with email {wanted}")
    return user


def unlock(user: User) -> None:
    """Lift the sign-in throttles on the account now, from every address (an
    administrator vouches for the person)."""
    lifted = throttles.lift(user.email)
    audit.record("user.unlock", target_user_id=user.id, throttles=lifted)


def set_active(user: User, active: bool) -> None:
    """Disable (ending every session) or re-enable an account; history stays with it."""
    user.active = active
    if not active:
        user.session_token = new_session_token()
    audit.record("user.enable" if active else "user.disable", target_user_id=user.id)
