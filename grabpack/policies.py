"""The product defaults no national rule fixes (review cycle, repeat missing, reporting
quality, the monthly review's thresholds), read from the app's settings so that each
trust can set its own."""

from __future__ import annotations

from flask import current_app

from grabpack.domain.monthly_review import PoorReportingRule, VolumeRule
from grabpack.domain.recurrence import RepeatRule
from grabpack.domain.reporting import ReportingPolicy
from grabpack.domain.review import ReviewPolicy


def review_policy() -> ReviewPolicy:
    config = current_app.config
    return ReviewPolicy(
        high_risk_days=config["REVIEW_DAYS_HIGH_RISK"],
        other_days=config["REVIEW_DAYS"],
        photo_stale_days=config["PHOTO_STALE_DAYS"],
    )


def repeat_rule() -> RepeatRule:
    config = current_app.config
    return RepeatRule(episodes=config["REPEAT_EPISODES"], window_days=config["REPEAT_WINDOW_DAYS"])


def reporting_policy() -> ReportingPolicy:
    config = current_app.config
    return ReportingPolicy(
        late_report_minutes=config["LATE_REPORT_MINUTES"],
        moj_notify_minutes=config["MOJ_NOTIFY_MINUTES"],
    )


def volume_rule() -> VolumeRule:
    """The monthly review's high-volume setting and ward rule."""
    config = current_app.config
    return VolumeRule(
        episodes=config["HIGH_VOLUME_EPISODES"], rise_percent=config["HIGH_VOLUME_RISE_PERCENT"]
    )


def poor_reporting_rule() -> PoorReportingRule:
    """The monthly review's poor-reporting rule for a setting or ward."""
    return PoorReportingRule(share_percent=current_app.config["POOR_REPORTING_PERCENT"])


def review_rules():
    """Every threshold of the monthly review, as this deployment sets them."""
    from grabpack.services.monthly_report import ReviewRules

    return ReviewRules(
        repeat=repeat_rule(),
        volume=volume_rule(),
        poor_reporting=poor_reporting_rule(),
        reporting=reporting_policy(),
    )
