"""When a grab pack is next due for review, and when its photo is stale.

Product defaults (no protocol gives a number), all configurable: 7 days after the last review
for a patient at high risk of going missing, 28 days otherwise; at once after a
change of legal status or missing-risk category; photo stale after 183 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from grabpack.domain.grab_pack_schema import value_of


@dataclass(frozen=True)
class ReviewPolicy:
    high_risk_days: int = 7
    other_days: int = 28
    photo_stale_days: int = 183


DEFAULT_POLICY = ReviewPolicy()

# Changing any of these makes the pack due for review the same day.
REVIEW_TRIGGERS = (("legal", "legal_status"), ("risk", "missing_risk"))


def review_due_on(
    data: dict,
    reviewed_on: date,
    previous_data: dict | None = None,
    policy: ReviewPolicy = DEFAULT_POLICY,
) -> date:
    """The date the next review is due for a pack saved or reviewed on ``reviewed_on``."""
    if previous_data is not None and triggering_change(previous_data, data):
        return reviewed_on
    high = value_of(data, "risk", "missing_risk") == "high"
    return reviewed_on + timedelta(days=policy.high_risk_days if high else policy.other_days)


def triggering_change(previous_data: dict, data: dict) -> bool:
    """True when legal status or the missing-risk category changed between two versions."""
    return any(
        value_of(previous_data, section, field) != value_of(data, section, field)
        for section, field in REVIEW_TRIGGERS
    )


def is_review_overdue(due_on: date, today: date) -> bool:
    return due_on < today


def is_photo_stale(
    has_photo: bool, taken_on: date | None, today: date, policy: ReviewPolicy = DEFAULT_POLICY
) -> bool:
    """Whether the pack needs a new photo: none at all, an undated one (nobody can
    vouch for the likeness), or one older than the policy allows. The one rule for
    every screen, paper and reporting fact."""
    if not has_photo or taken_on is None:
        return True
    return (today - taken_on).days > policy.photo_stale_days
