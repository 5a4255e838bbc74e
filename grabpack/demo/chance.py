"""Small random choices the demo makes everywhere, drawn from the build's one source."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TypeVar

K = TypeVar("K", bound=str)

# Relative chance of each hour of the day for an absence: mostly afternoon and evening,
# when leave ends and visitors leave.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 9, 10, 10, 10, 10, 9, 8, 6, 4, 2)


def pick(rng: random.Random, weights: Mapping[K, float]) -> K:
    """One key, chosen in proportion to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A time in [start, end], to the second; ``start`` when the span is empty."""
    span = max(0, int((end - start).total_seconds()))
    return start + timedelta(seconds=rng.randint(0, span))


def minutes(rng: random.Random, low: int, high: int) -> timedelta:
    """A whole number of minutes in [low, high]: how long a step on the ward takes."""
    return timedelta(minutes=rng.randint(low, high))


def at_hour(rng: random.Random, day: datetime) -> datetime:
    """A time on ``day`` at an hour weighted as absences are."""
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    return day.replace(hour=hour, minute=rng.randint(0, 59), second=0, microsecond=0)


def phone(rng: random.Random) -> str:
    """A mobile number in Ofcom's drama range, never a real line."""
    return f"07700 900{rng.randint(0, 999):03d}"
