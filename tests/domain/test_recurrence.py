from datetime import UTC, datetime, timedelta

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
