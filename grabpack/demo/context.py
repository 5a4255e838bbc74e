"""What every step of the build shares: one random source, the demo's clock, the trust's
review policy, and the rows made so far that later steps refer to."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from grabpack.domain.review import ReviewPolicy
from grabpack.models import Photo, User, Ward


@dataclass
class Demo:
    """The build's shared state. One ``rng`` drawn in a fixed order is what makes the
    dataset repeatable: the same seed and ``now`` give the same rows."""

    rng: random.Random
    now: datetime
    policy: ReviewPolicy
    patient_count: int
    wards: dict[str, Ward] = field(default_factory=dict)
    staff: dict[str, list[User]] = field(default_factory=dict)
    photos: dict[tuple[int, int], Photo] = field(default_factory=dict)
    nhs_numbers: set[str] = field(default_factory=set)

    def author(self, ward_code: str) -> User:
        """A member of the ward's staff, who saves a version or records an episode."""
        return self.rng.choice(self.staff[ward_code])
