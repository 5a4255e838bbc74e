from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from grabpack.domain.recurrence import RepeatRule

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def days_ago(*days: float) -> list[datetime]:
    return [NOW - timedelta(days=d) for d in days]


def test_three_in_ninety_days_is_repeat():
    rule = RepeatRule()
    count = rule.count_in_window(days_ago(1, 40, 89), NOW)
    assert count == 3 and rule.is_repeat(count)


def test_three_spread_over_longer_is_not():
    rule = RepeatRule()
    count = rule.count_in_window(days_ago(1, 40, 91), NOW)
    assert count == 2 and not rule.is_repeat(count)


def test_rule_is_configurable():
    rule = RepeatRule(episodes=2, window_days=30)
    assert rule.is_repeat(rule.count_in_window(days_ago(1, 29), NOW))
    assert not rule.is_repeat(rule.count_in_window(days_ago(1, 31), NOW))


def test_window_includes_both_ends_and_nothing_beyond():
    rule = RepeatRule()
    start = NOW - timedelta(hours=90 * 24)
    assert rule.window_start(NOW) == start
    assert rule.in_window(start, NOW) and rule.in_window(NOW, NOW)
    assert not rule.in_window(start - timedelta(seconds=1), NOW)
    assert not rule.in_window(NOW + timedelta(seconds=1), NOW)


def test_window_is_real_hours_from_a_london_clock():
    """From 10 May (BST) 90 days back crosses the March change: 2,160 real hours,
    where Python's wall-clock arithmetic on a London datetime would give one more."""
    now = datetime(2026, 5, 10, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    assert now.astimezone(UTC) - RepeatRule().window_start(now) == timedelta(hours=90 * 24)
