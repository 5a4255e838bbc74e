"""Throttling, not lockout: waits grow after a few failures, then the pair is refused."""

from datetime import UTC, datetime, timedelta

from grabpack.domain.throttle import ThrottlePolicy, wait_in_words

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(max_failures=5, refuse_for=timedelta(minutes=15))


def test_the_first_failures_cost_nothing_then_waits_grow_then_refusal():
    waits = [POLICY.delay_after(n) for n in range(1, 6)]
    assert waits == [
        timedelta(0),
        timedelta(0),
        timedelta(seconds=2),
        timedelta(seconds=4),
        timedelta(minutes=15),
    ]


def test_wait_counts_down_from_the_last_failure():
    assert POLICY.wait(5, NOW - timedelta(minutes=5), NOW) == timedelta(minutes=10)
    assert POLICY.wait(3, NOW - timedelta(seconds=1), NOW) == timedelta(seconds=1)
    assert POLICY.wait(3, NOW - timedelta(seconds=5), NOW) == timedelta(0)


def test_old_failures_are_forgotten():
    old = NOW - timedelta(minutes=15)
    assert POLICY.wait(5, old, NOW) == timedelta(0)
    assert POLICY.failures_after_another(4, old, NOW) == 1
    assert POLICY.failures_after_another(4, NOW - timedelta(minutes=1), NOW) == 5


def test_a_limit_of_one_refuses_at_once():
    assert ThrottlePolicy(max_failures=1).delay_after(1) == timedelta(minutes=15)


def test_waits_are_said_in_whole_units_rounded_up():
    assert wait_in_words(timedelta(seconds=0.2)) == "1 second"
    assert wait_in_words(timedelta(seconds=4)) == "4 seconds"
    assert wait_in_words(timedelta(seconds=61)) == "2 minutes"
    assert wait_in_words(timedelta(minutes=1)) == "1 minute"
