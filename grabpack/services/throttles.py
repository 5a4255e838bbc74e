"""Sign-in throttles, stored so that every worker and server counts the same failures.

The rule (``domain.throttle``) is plain Python; this module keeps the counts in
the database, keyed by an HMAC of the account (and the address) under the app's
secret key, so no email or address is stored in clear here. Updates are single
statements, so two workers recording failures at once both count.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError

from grabpack.domain.throttle import ThrottlePolicy
from grabpack.extensions import db
from grabpack.models import SignInThrottle


def policy() -> ThrottlePolicy:
    config = current_app.config
    return ThrottlePolicy(
        max_failures=config["LOGIN_MAX_FAILURES"],
        refuse_for=timedelta(minutes=config["LOCKOUT_MINUTES"]),
    )


def _keyed(*parts: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def _keys(account: str, address: str) -> tuple[str, str]:
    account = account.strip().lower()
    return _keyed("pair", account, address), _keyed("account", account)


def wait_before_attempt(account: str, address: str, now: datetime) -> timedelta:
    """How long this account-and-address must still wait; zero when it may try."""
    key, _ = _keys(account, address)
    row = db.session.scalar(select(SignInThrottle).where(SignInThrottle.key_hash == key))
    if row is None:
        return timedelta(0)
    return policy().wait(row.failures, row.last_failure_at, now)


def record_failure(account: str, address: str, now: datetime) -> timedelta:
    """Count one more failure; returns how long the pair must now wait."""
    rules = policy()
    key, account_key = _keys(account, address)
    stale_before = now - rules.refuse_for
    counted = db.session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.key_hash == key)
        .values(
            failures=case(
                (SignInThrottle.last_failure_at <= stale_before, 1),
                else_=SignInThrottle.failures + 1,
            ),
            last_failure_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if counted.rowcount == 0:
        _first_failure(key, account_key, now)
    failures = db.session.scalar(
        select(SignInThrottle.failures).where(SignInThrottle.key_hash == key)
    )
    return rules.delay_after(failures or 1)


def _first_failure(key: str, account_key: str, now: datetime) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(
                SignInThrottle(
                    key_hash=key, account_hash=account_key, failures=1, last_failure_at=now
                )
            )
    except IntegrityError:  # another worker inserted it first: count on its row
        db.session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.key_hash == key)
            .values(failures=SignInThrottle.failures + 1, last_failure_at=now)
            .execution_options(synchronize_session=False)
        )


def forget_pair(account: str, address: str) -> None:
    """A correct sign-in clears that address's failures for the account."""
    key, _ = _keys(account, address)
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key_hash == key))


def lift(account: str) -> int:
    """An administrator vouches for the person: every address may try again now."""
    _, account_key = _keys(account, "")
    result = db.session.execute(
        delete(SignInThrottle).where(SignInThrottle.account_hash == account_key)
    )
    return result.rowcount
