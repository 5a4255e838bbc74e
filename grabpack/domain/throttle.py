"""Throttling failed sign-ins, as the NCSC advises instead of locking accounts out.

An account locked after a few wrong passwords can be kept locked by anyone who
knows the email address, and a nurse signed out at 3 a.m. by someone else's
guesses. Instead, failures are counted for one account *from one address*: after
a few, each further attempt must wait a little longer (2, 4, 8... seconds); at the
limit that address is refused for that account for a while. Other addresses, and
the person's own signed-in sessions, are untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SLOW_AFTER = 3  # failures before each further attempt has to wait


@dataclass(frozen=True)
class ThrottlePolicy:
    """``GRABPACK_LOGIN_MAX_FAILURES`` and ``GRABPACK_LOCKOUT_MINUTES``."""

    max_failures: int = 5
    refuse_for: timedelta = timedelta(minutes=15)

    def delay_after(self, failures: int) -> timedelta:
        """How long to wait after ``failures`` in a row before trying again."""
        if failures < min(SLOW_AFTER, self.max_failures):
            return timedelta(0)
        if failures >= self.max_failures:
            return self.refuse_for
        return min(timedelta(seconds=2 ** (failures - SLOW_AFTER + 1)), self.refuse_for)

    def is_stale(self, last_failure_at: datetime, now: datetime) -> bool:
        """Failures older than the refusal period no longer count."""
        return now - last_failure_at >= self.refuse_for

    def wait(self, failures: int, last_failure_at: datetime | None, now: datetime) -> timedelta:
        """How much longer this account-and-address must wait; zero when it may try."""
        if last_failure_at is None or self.is_stale(last_failure_at, now):
            return timedelta(0)
        return max(timedelta(0), last_failure_at + self.delay_after(failures) - now)

    def failures_after_another(
        self, failures: int, last_failure_at: datetime | None, now: datetime
    ) -> int:
        """The count once one more failure is recorded (old ones forgotten)."""
        if last_failure_at is None or self.is_stale(last_failure_at, now):
            return 1
        return failures + 1


def wait_in_words(wait: timedelta) -> str:
    """``30 seconds``, ``1 minute``, ``15 minutes``: rounded up, never "0"."""
    seconds = max(1, int(-(-wait.total_seconds() // 1)))
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
