"""Repeat missing: a product default, configurable because no national
numeric definition exists. A patient is a *repeat* when they have at least
``episodes`` missing episodes noticed in the rolling ``window_days``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RepeatRule:
    episodes: int = 3
    window_days: int = 90

    def window_start(self, now: datetime) -> datetime:
        return now - timedelta(days=self.window_days)

    def is_repeat(self, episodes_in_window: int) -> bool:
        return episodes_in_window >= self.episodes

    def count_in_window(self, noticed: Iterable[datetime], now: datetime) -> int:
        """How many of these episodes fall in the window ending ``now``."""
        start = self.window_start(now)
        return sum(1 for moment in noticed if start <= moment <= now)
