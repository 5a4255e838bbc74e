"""Creating users and signing them in and out; failed sign-ins are throttled."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from flask import current_app
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


# The longest name the ``users.full_name`` column holds; a longer one is refused, never
# cut short (PostgreSQL would refuse it with a traceback; SQLite would keep it whole).
FULL_NAME_MAX = User.__table__.c.full_name.type.length
# Characters that would break a name across lines in a list, a log or a CSV, or turn
# the text after them around on screen (bidirectional overrides and isolates).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NOT_IN_A_NAME = frozenset({"Cc", "Cs", "Zl", "Zp"})


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def shown(text: str) -> str:
    """``text`` as a refusal may repeat it: on one line, and never thousands of
    characters long (quoted and escaped when it holds a line break or the like)."""
    cut = _cut(text)
    return cut if cut.isprintable() else repr(cut)


def normalise_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        reason = str(exc).strip().rstrip(".") or "it cannot be read"
        reason = reason[0].lower() + reason[1:]
        raise UserError(f"{_cut(raw)!r} is not a valid email address: {reason}") from exc


def clean_full_name(raw: str | None) -> str:
    """A person's name as it will be kept: ``None`` (none given) is no name; anything
    given must be a name, on one line, that the column holds. Surrounding spaces
    are dropped; nothing else is changed, and nothing is cut short."""
    if raw is None:
        return ""
    name = raw.strip()
    if not name:
        raise UserError("Enter the person's full name (or leave out --name)")
    if len(name) > FULL_NAME_MAX:
        raise UserError(
            f"A name must be {FULL_NAME_MAX} characters or fewer (this one has {len(name)})"
        )
    if any(unicodedata.category(c) in _NOT_IN_A_NAME or c in _BIDI_CONTROLS for c in name):
        raise UserError(
            "A name must be on one line of ordinary text: no line breaks, tabs or control "
            "characters"
        )
    return name


@dataclass(frozen=True)
class NewUser:
    """A user request that has passed every check but the password."""

    email: str
    role: Role
    wards: list[Ward]
    areas: list[PolicingArea]
    full_name: str = ""


def check_new_user(
    email: str,
    role: str,
    ward_codes: Sequence[str] = (),
    area_codes: Sequence[str] = (),
    full_name: str | None = None,
) -> NewUser:
    """Everything about a new user but the password, checked, so that a request that
    will be refused is refused before anyone types one.

    Staff need at least one ward and no areas; police at least one area and no
    wards; admins neither. Unknown codes are named in the error. The name is
    optional (``None``), but one given must be a name (``clean_full_name``).
    """
    email = normalise_email(email)
    role_enum = _role(role)
    name = clean_full_name(full_name)
    if user_by_email(email) is not None:
        raise UserError(f"A user with email {email} already exists")
    wards = _by_codes(Ward, ward_codes, "ward")
    areas = _by_codes(PolicingArea, area_codes, "policing area")
    _check_scope(role_enum, wards, areas)
    return NewUser(email, role_enum, wards, areas, name)


def _role(text: str) -> Role:
    """The role named, or ``UserError`` listing the roles there are."""
    try:
        return Role(text)
    except ValueError as exc:
        choices = ", ".join(r.value for r in Role)
        raise UserError(f"Unknown role {_cut(text)!r}: choose one of {choices}") from exc


def _check_scope(role: Role, wards: Sequence[Ward], areas: Sequence[PolicingArea]) -> None:
    """Least privilege by role: staff work on wards, police cover areas, admins
    neither. One rule for a new account and a changed one."""
    if role.is_staff and (not wards or areas):
        raise UserError(f"A {role.value} needs at least one --ward and no --area")
    if role is Role.POLICE and (not areas or wards):
        raise UserError("A police user needs at least one --area and no --ward")
    if role is Role.ADMIN and (wards or areas):
        raise UserError("An admin is not scoped to wards or areas")


def update_user(
    user: User,
    *,
    role: str | None = None,
    ward_codes: Sequence[str] = (),
    area_codes: Sequence[str] = (),
    full_name: str | None = None,
) -> list[str]:
    """Change an account's role, wards, areas or name (a nurse moving ward, a name
    spelt wrong); the caller commits. Returns what changed, in words.

    Wards or areas given replace the account's; a new role drops the scope the old
    one had (a police user made a nurse keeps no area) and must be given the new
    one. The same rules as a new account; nothing changes if any is broken. A change
    of role or scope ends the person's sessions, so no open page keeps what they
    may no longer see. Audited with what changed (the names of the fields only).
    """
    new_role = _role(role) if role else Role(user.role)
    name = clean_full_name(full_name) if full_name is not None else user.full_name
    role_changed = new_role.value != user.role
    wards = _by_codes(Ward, ward_codes, "ward") if ward_codes else None
    areas = _by_codes(PolicingArea, area_codes, "policing area") if area_codes else None
    if wards is None:
        wards = list(user.wards) if new_role.is_staff else []
    if areas is None:
        areas = list(user.policing_areas) if new_role is Role.POLICE else []
    _check_scope(new_role, wards, areas)
    changed = [
        label
        for label, differs in (
            ("role", role_changed),
            ("wards", {w.id for w in wards} != {w.id for w in user.wards}),
            ("areas", {a.id for a in areas} != {a.id for a in user.policing_areas}),
            ("name", name != user.full_name),
        )
        if differs
    ]
    if not changed:
        return []
    user.role, user.wards, user.policing_areas, user.full_name = new_role.value, wards, areas, name
    if set(changed) & {"role", "wards", "areas"}:
        user.session_token = new_session_token()
    audit.record("user.update", target_user_id=user.id, changed=changed, role=user.role)
    return changed


def create_user(
    email: str,
    role: str,
    password: str | None,
    *,
    ward_codes: Sequence[str] = (),
    area_codes: Sequence[str] = (),
    full_name: str | None = None,
    audit_detail: Mapping[str, str] | None = None,
) -> User:
    """Add a user with their scope; the caller commits. ``password`` is ``None`` for
    someone an identity provider signs in: they never have a grabpack password.
    Every caller (the command, the demo, an identity provider's first sign-in)
    passes the same checks; ``audit_detail`` says how the account was made."""
    new = check_new_user(email, role, ward_codes, area_codes, full_name)
    if password is not None:
        _check_password(password, new.email)
    user = User(
        email=new.email,
        role=new.role.value,
        full_name=new.full_name,
        password_hash=NO_PASSWORD if password is None else hash_password(password),
        wards=new.wards,
        policing_areas=new.areas,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create", user=None, target_user_id=user.id, role=user.role, **(audit_detail or {})
    )
    return user


def _check_password(password: str, email: str) -> None:
    """``UserError`` for a password this account may not have. The demo's public
    password is refused in production: there it would open a real account to anyone
    who has read the README."""
    environment = current_app.config.get("GRABPACK_ENV", "production")
    if problem := password_problem(password, email, demo_allowed=environment != "production"):
        raise UserError(problem)


def _by_codes(model, codes: Sequence[str], what: str) -> list:
    wanted = list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    if not wanted:
        return []
    found = db.session.scalars(select(model).where(func.upper(model.code).in_(wanted))).all()
    known = {row.code.upper() for row in found}
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise UserError(f"Unknown {what} code: {shown(', '.join(unknown))}")
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
    _check_password(password, user.email)
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
        raise UserError(f"No user with email {shown(wanted)}")
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
