"""``load_demo``: fill an empty database with the demo in one transaction, or refuse.

The demo never goes on top of real data: a database holding anything but the
demo's own (synthetic) trusts is left exactly as it was.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy import func, select

from grabpack.demo.builder import build
from grabpack.demo.context import Demo
from grabpack.demo.data.london import WARDS
from grabpack.demo.organisations import DemoLogin
from grabpack.extensions import db
from grabpack.models import Patient, PolicingArea, Setting, Trust, User, Ward
from grabpack.models.base import utcnow
from grabpack.policies import review_policy

# What a database may already hold, named as the refusal names it.
COUNTED = (
    (Trust, "trust", "trusts"),
    (PolicingArea, "policing area", "policing areas"),
    (Setting, "setting", "settings"),
    (Ward, "ward", "wards"),
    (User, "user", "users"),
    (Patient, "patient", "patients"),
)


class DemoRefused(Exception):
    """The database holds data that is not the demo's; the message says what."""


def load_demo(
    seed: int = 2021, *, patients: int = 300, now: datetime | None = None
) -> list[DemoLogin] | None:
    """Fill an empty database with the demo dataset in one transaction; return the logins.

    Returns ``None`` when the demo dataset is already there. Raises ``DemoRefused``
    when the database holds anything else, and ``ValueError`` for a naive ``now``
    or fewer patients than wards.
    """
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if patients < len(WARDS):
        raise ValueError(f"the demo needs at least {len(WARDS)} patients, one a ward")
    if _already_loaded():
        return None
    rng = random.Random(seed)  # repeatable synthetic data, not secrets
    demo = Demo(rng, now.astimezone(UTC), review_policy(), patients)
    try:
        logins = build(demo)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return logins


def _already_loaded() -> bool:
    """True when the demo is there already; DemoRefused when anything else is."""
    flags = db.session.scalars(select(Trust.is_synthetic)).all()
    if flags and all(flags):
        return True
    present = []
    for model, one, many in COUNTED:
        count = db.session.scalar(select(func.count()).select_from(model))
        if count:
            present.append(f"{count} {one if count == 1 else many}")
    if present:
        raise DemoRefused(
            f"The database already holds data that is not the demo's ({', '.join(present)}): "
            "grabpack demo only fills an empty database"
        )
    return False
