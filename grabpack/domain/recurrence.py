"""Repeat missing: a product default, configurable because no national
numeric definition exists. A patient is a *repeat* when they have at least
``episodes`` missing episodes noticed in the rolling ``window_days``.

One window everywhere: it ends at, and includes, ``now`` (or an episode's noticed
time) and starts exactly ``window_days × 24`` hours of real time before, also
included. The live flags (ward dashboard, police list) query ``noticed_at >=
window_start(now)``; the monthly review asks the same of each episode in the month
(``grabpack.domain.monthly_review.repeat_in_month``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class RepeatRule:
    episodes: int = 3
    window_days: int = 90

    def window_start(self, now: datetime) -> datetime:
        """The first moment in the window: real hours on aware times, so a clock
        change inside the window neither adds nor removes an hour (Python subtracts
        wall-clock time on a London-zoned datetime, hence the move to UTC first)."""
        if now.tzinfo is not None:
            now = now.astimezone(UTC)
        return now - timedelta(days=self.window_days)

    def in_window(self, moment: datetime, now: datetime) -> bool:
        """The one predicate: ``window_start(now) <= moment <= now``."""
        return self.window_start(now) <= moment <= now

    def is_repeat(self, episodes_in_window: int) -> bool:
        return episodes_in_window >= self.episodes

    def count_in_window(self, noticed: Iterable[datetime], now: datetime) -> int:
        """How many of these episodes fall in the window ending ``now``."""
        return sum(1 for moment in noticed if self.in_window(moment, now))
