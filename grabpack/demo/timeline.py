"""A patient's year replayed in time order: pack saves and episode steps interleaved.

The episode service judges an episode by the pack as it stands when it is called,
so the demo must call it when the pack is as it was then.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import datetime


class Timeline:
    """Calls run in time order; a call may add later ones.

    At the same moment a pack save runs before an episode step: a version saved as
    the absence is noticed is the one the episode pins.
    """

    def __init__(self) -> None:
        self._queue: list[tuple[datetime, int, int, Callable[[], None]]] = []
        self._order = itertools.count()  # ties keep the order they were added in

    def add(self, at: datetime, call: Callable[[], None], *, save: bool = False) -> None:
        heapq.heappush(self._queue, (at, 0 if save else 1, next(self._order), call))

    def run(self) -> None:
        while self._queue:
            *_, call = heapq.heappop(self._queue)
            call()
