"""The monthly review's rules, worked by hand and held by properties: London months,
the repeat window's edges, the clock changes, each threshold just under and over."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from grabpack.domain.clock import LONDON
from grabpack.domain.episode_schema import PoliceRiskGrade
from grabpack.domain.monthly_review import (
    REPORTING_FAULTS,
    Month,
    NoticedEpisode,
    PoorReportingRule,
    ReportingSummary,
    VolumeRule,
    high_risk_repeat_flag,
    highest_grade,
    in_month,
    median,
    month_bounds,
    month_of,
    nearest_rank,
    parse_month,
    previous_month,
    repeat_flag,
    repeat_in_month,
    summarise_reporting,
    trailing_months,
)
from grabpack.domain.recurrence import RepeatRule
from grabpack.domain.reporting import ReportingFacts, ReportingPolicy

HIGH = PoliceRiskGrade.HIGH
MEDIUM = PoliceRiskGrade.MEDIUM
RULE = RepeatRule()


def london(*args: int) -> datetime:
    """A moment on London's clock, as UTC (as stored)."""
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
months = st.builds(Month, st.integers(2000, 2098), st.integers(1, 12))


# --- London months --------------------------------------------------------------------------


def test_half_past_midnight_bst_on_1_july_is_july():
    moment = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert month_of(moment) == (2026, 7)
    assert in_month(moment, (2026, 7)) and not in_month(moment, (2026, 6))


@pytest.mark.parametrize(
    ("month", "start", "end", "hours"),
    [
        # March 2026: starts on GMT, the clocks go forward on Sunday 29th.
        ((2026, 3), datetime(2026, 3, 1, 0, 0), datetime(2026, 3, 31, 23, 0), 31 * 24 - 1),
        # October 2026: starts on BST, the clocks go back on Sunday 25th.
        ((2026, 10), datetime(2026, 9, 30, 23, 0), datetime(2026, 11, 1, 0, 0), 31 * 24 + 1),
        ((2026, 7), datetime(2026, 6, 30, 23, 0), datetime(2026, 7, 31, 23, 0), 31 * 24),
        ((2026, 12), datetime(2026, 12, 1, 0, 0), datetime(2027, 1, 1, 0, 0), 31 * 24),
    ],
)
def test_month_bounds_are_london_midnights_in_utc(month, start, end, hours):
    bounds = month_bounds(*month)
    assert bounds == (start.replace(tzinfo=UTC), end.replace(tzinfo=UTC))
    assert bounds[1] - bounds[0] == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("moment", "month"),
    [
        (london(2026, 3, 1, 0, 30), (2026, 3)),  # 00:30 GMT on the 1st, the clock-change month
        (london(2026, 3, 31, 23, 59), (2026, 3)),  # 22:59 UTC: still March in London
        (london(2026, 4, 1, 0, 30), (2026, 4)),  # 23:30 UTC on 31 March
        (london(2026, 10, 1, 0, 30), (2026, 10)),  # 23:30 UTC on 30 September
        (london(2026, 10, 31, 23, 59), (2026, 10)),  # after the change: GMT again
        (london(2026, 11, 1, 0, 30), (2026, 11)),
        (datetime(2026, 12, 31, 23, 59), (2026, 12)),  # naive means UTC
    ],
)
def test_month_of_at_the_clock_changes(moment, month):
    assert month_of(moment) == month


@given(moments)
def test_every_moment_is_in_exactly_its_own_month(moment):
    month = month_of(moment)
    start, end = month_bounds(*month)
    assert start <= moment < end
    assert not in_month(moment, previous_month(month))


@given(months)
def test_months_tile_time_with_no_gap_or_overlap(month):
    start, end = month_bounds(*month)
    assert month_bounds(*previous_month(month))[1] == start
    assert month_of(start) == month and month_of(end - timedelta(microseconds=1)) == month
    assert start.astimezone(LONDON).hour == 0 and start.astimezone(LONDON).day == 1
    assert timedelta(days=28) - timedelta(hours=1) <= end - start <= timedelta(days=31, hours=1)


@given(months)
def test_trailing_months_are_the_three_before_oldest_first(month):
    trailing = trailing_months(month)
    assert len(trailing) == 3 and list(trailing) == sorted(trailing)
    assert previous_month(month) == trailing[-1] and month not in trailing
    assert month_bounds(*trailing[-1])[1] == month_bounds(*month)[0]


def test_month_arithmetic_across_the_year():
    assert previous_month((2027, 1)) == (2026, 12)
    assert trailing_months(Month(2027, 2)) == ((2026, 11), (2026, 12), (2027, 1))
    assert str(Month(2026, 7)) == "2026-07" and Month(2026, 7).label == "July 2026"


def test_parse_month_reads_year_and_month():
    assert parse_month("2026-07") == Month(2026, 7)
    assert parse_month(" 2026-12 ") == (2026, 12)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-7", "July 2026", "", "26-07", "0000-01"]
)
def test_parse_month_refuses_anything_else_saying_how_to_write_it(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)


@given(months)
def test_parse_month_reads_what_a_month_prints(month):
    assert parse_month(str(month)) == month


# --- Repeat patient: the window's edges ---------------------------------------------------------


def test_exactly_ninety_times_24_hours_before_is_in_the_window_and_a_second_more_is_out():
    now = london(2026, 7, 10, 12, 0)
    edge = now - timedelta(hours=90 * 24)
    assert RULE.in_window(edge, now)
    assert not RULE.in_window(edge - timedelta(seconds=1), now)
    assert RULE.in_window(now, now) and not RULE.in_window(now + timedelta(seconds=1), now)


def test_the_window_is_real_hours_even_on_a_london_zoned_clock():
    """90 days back from 10 July crosses the March change: real hours, not wall time."""
    now = datetime(2026, 5, 10, 12, 0, tzinfo=LONDON)
    assert RULE.window_start(now) == now.astimezone(UTC) - timedelta(hours=90 * 24)


@given(moments, st.integers(0, 10**6))
def test_window_edge_property(now, seconds_before):
    moment = now - timedelta(seconds=seconds_before)
    assert RULE.in_window(moment, now) == (seconds_before <= 90 * 24 * 3600)


def test_third_episode_in_the_month_makes_a_repeat_patient():
    episodes = [
        NoticedEpisode(london(2026, 5, 20, 14, 0)),
        NoticedEpisode(london(2026, 6, 15, 9, 0), MEDIUM),
        NoticedEpisode(london(2026, 7, 3, 22, 0), MEDIUM),
    ]
    found = repeat_in_month(RULE, episodes, (2026, 7))
    assert found is not None and found.episodes_in_window == 3
    assert found.last_noticed_at == london(2026, 7, 3, 22, 0)
    assert found.highest_grade is MEDIUM and not found.high_risk
    assert repeat_flag(RULE, "P1", found).reason == (
        "3 episodes in the 90 days to 3 July 2026 (flag: at least 3 in 90 days)"
    )
    # June held only the 2nd: not a repeat in June, and nothing at all in August.
    assert repeat_in_month(RULE, episodes, (2026, 6)) is None
    assert repeat_in_month(RULE, episodes, (2026, 8)) is None


def test_an_episode_exactly_at_the_window_edge_counts_and_one_second_earlier_does_not():
    third = london(2026, 7, 3, 22, 0)
    edge = third - timedelta(hours=90 * 24)
    inside = [
        NoticedEpisode(edge),
        NoticedEpisode(third - timedelta(days=1)),
        NoticedEpisode(third),
    ]
    outside = [NoticedEpisode(edge - timedelta(seconds=1)), *inside[1:]]
    assert repeat_in_month(RULE, inside, (2026, 7)) is not None
    assert repeat_in_month(RULE, outside, (2026, 7)) is None


def test_a_repeat_window_across_the_october_change_is_real_hours():
    """Third episode at 00:30 GMT on 1 November; the first 90 × 24 h earlier is 01:30 BST
    on 3 August on London's clock, not 00:30."""
    third = london(2026, 11, 1, 0, 30)
    first = london(2026, 8, 3, 1, 30)
    assert third - first == timedelta(hours=90 * 24)
    episodes = [
        NoticedEpisode(first),
        NoticedEpisode(london(2026, 10, 25, 1, 30)),
        NoticedEpisode(third),
    ]
    assert repeat_in_month(RULE, episodes, (2026, 11)) is not None
    assert repeat_in_month(RULE, episodes, (2026, 10)) is None  # the 3rd is November's
    earlier = [NoticedEpisode(london(2026, 8, 3, 0, 30)), *episodes[1:]]
    assert repeat_in_month(RULE, earlier, (2026, 11)) is None


def test_an_episode_at_half_past_midnight_on_the_first_is_that_months_repeat():
    episodes = [
        NoticedEpisode(london(2026, 6, 1, 10, 0)),
        NoticedEpisode(london(2026, 6, 20, 10, 0)),
        NoticedEpisode(london(2026, 7, 1, 0, 30)),  # 23:30 UTC on 30 June
    ]
    assert repeat_in_month(RULE, episodes, (2026, 7)) is not None
    assert repeat_in_month(RULE, episodes, (2026, 6)) is None


def test_episodes_at_the_same_moment_all_count():
    at = london(2026, 7, 3, 22, 0)
    assert repeat_in_month(RULE, [NoticedEpisode(at)] * 3, (2026, 7)).episodes_in_window == 3


def test_no_episodes_no_repeat():
    assert repeat_in_month(RULE, [], (2026, 7)) is None


episode_lists = st.lists(
    st.builds(
        NoticedEpisode,
        st.datetimes(
            min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
        ),
        st.sampled_from([None, *PoliceRiskGrade]),
    ),
    max_size=8,
)


@given(episode_lists, st.integers(1, 12))
def test_repeat_in_month_agrees_with_counting_by_brute_force(episodes, number):
    month = (2026, number)
    start, end = month_bounds(*month)

    def count_before(e):
        window = timedelta(days=90)
        return sum(1 for o in episodes if e.noticed_at - window <= o.noticed_at <= e.noticed_at)

    expected = any(start <= e.noticed_at < end and count_before(e) >= 3 for e in episodes)
    assert (repeat_in_month(RULE, episodes, month) is not None) == expected


@given(episode_lists)
def test_a_month_with_no_episodes_has_no_repeat(episodes):
    month = (2026, 12)
    start, _ = month_bounds(*month)
    assume(all(e.noticed_at < start for e in episodes))
    assert repeat_in_month(RULE, episodes, month) is None


# --- High-risk repeat ----------------------------------------------------------------------


def test_a_repeat_graded_high_in_the_window_is_a_high_risk_repeat():
    episodes = [
        NoticedEpisode(london(2026, 5, 20, 14, 0), HIGH),
        NoticedEpisode(london(2026, 6, 15, 9, 0)),
        NoticedEpisode(london(2026, 7, 3, 22, 0), PoliceRiskGrade.LOW),
    ]
    found = repeat_in_month(RULE, episodes, (2026, 7))
    assert found.high_risk
    flag = high_risk_repeat_flag(RULE, "P1", found)
    assert flag.rule == "High-risk repeat"
    assert flag.reason.endswith("graded high risk by police in that time")


def test_a_high_grade_outside_the_window_does_not_make_a_high_risk_repeat():
    episodes = [
        NoticedEpisode(london(2026, 1, 5, 14, 0), HIGH),  # more than 90 days before July
        NoticedEpisode(london(2026, 5, 20, 14, 0), MEDIUM),
        NoticedEpisode(london(2026, 6, 15, 9, 0)),
        NoticedEpisode(london(2026, 7, 3, 22, 0)),
    ]
    found = repeat_in_month(RULE, episodes, (2026, 7))
    assert found.highest_grade is MEDIUM
    assert high_risk_repeat_flag(RULE, "P1", found) is None


def test_highest_grade_follows_the_app_continuum():
    assert highest_grade(["low", None, "medium", "very_low"]) is MEDIUM
    assert highest_grade([None]) is None


# --- High volume ---------------------------------------------------------------------------------

VOLUME = VolumeRule()


def test_volume_reason_worked_by_hand():
    assert VOLUME.is_high(5, [3, 3, 3])
    assert VOLUME.flag("setting", "S1", 5, [3, 3, 3]).reason == (
        "5 episodes this month, 67% above the 3-month average of 3.0 "
        "(flag: at least 5 and at least 50% above)"
    )


@pytest.mark.parametrize(
    ("count", "trailing", "high"),
    [
        (5, [2, 4, 4], True),  # mean 10/3: 5 is exactly 50% above
        (5, [4, 4, 3], False),  # mean 11/3: 5 is 36% above
        (4, [0, 0, 0], False),  # just under the count
        (5, [0, 0, 0], True),  # no trailing episodes: any count reaching 5
        (6, [4, 4, 4], True),  # exactly 50% above 4.0
        (5, [4, 4, 4], False),  # 25% above: just under the rise
        (9, [6, 6, 7], False),  # mean 19/3 = 6.33: 9 is 42% above
    ],
)
def test_volume_threshold_just_under_and_just_over(count, trailing, high):
    assert VOLUME.is_high(count, trailing) is high
    assert (VOLUME.flag("ward", "WA1", count, trailing) is not None) is high


def test_volume_after_three_empty_months_says_so():
    assert VOLUME.reason(5, [0, 0, 0]) == (
        "5 episodes this month, none in the previous 3 months "
        "(flag: at least 5 and at least 50% above)"
    )


def test_an_empty_month_is_never_high_volume_and_reads_as_below():
    assert not VOLUME.is_high(0, [3, 3, 3])
    assert VOLUME.reason(0, [3, 3, 3]).startswith("0 episodes this month, 100% below")


def test_missing_trailing_months_count_as_none():
    assert VOLUME.trailing_mean([6]) == 2


@given(st.integers(0, 200), st.lists(st.integers(0, 200), min_size=3, max_size=3))
def test_volume_is_the_two_conditions(count, trailing):
    mean = Fraction(sum(trailing), 3)
    expected = count >= 5 and count >= mean * Fraction(3, 2)
    assert VOLUME.is_high(count, trailing) is expected


@given(st.integers(1, 20), st.integers(0, 300), st.integers(0, 60))
def test_volume_rule_is_configurable_at_its_edge(episodes, rise, mean):
    rule = VolumeRule(episodes=episodes, rise_percent=rise)
    trailing = [mean] * 3
    edge = max(episodes, -(-mean * (100 + rise) // 100))
    assert rule.is_high(edge, trailing)
    assert not rule.is_high(edge - 1, trailing)


# --- Poor reporting and the times --------------------------------------------------------------


def facts(
    minutes: int | None = 15, *, no_pack: bool = False, s18_missing: bool = False
) -> ReportingFacts:
    return ReportingFacts(
        had_no_pack=no_pack,
        pack_incomplete=False,
        review_overdue=False,
        photo_stale=False,
        s18_expiry_stated=not s18_missing,
        s18_limit_to_state=True,
        minutes_to_report=minutes,
    )


def test_reporting_summary_worked_by_hand():
    summary = summarise_reporting(
        [facts(10), facts(30), facts(61), facts(90, no_pack=True), facts(None, s18_missing=True)]
    )
    assert summary.episodes == 5 and summary.poor == 3 and summary.not_reported == 1
    assert summary.fault_counts["reported_late"] == 2
    assert summary.fault_counts["no_grab_pack"] == 1
    assert summary.fault_counts["s18_not_stated"] == 1
    assert summary.share("reported_late") == Fraction(2, 5)
    assert summary.median_minutes == 45.5  # (30 + 61) / 2
    assert summary.p90_minutes == 90  # ceil(0.9 × 4) = 4th of 4
    assert PoorReportingRule().flag("setting", "S1", summary).reason == (
        "3 of 5 episodes (60%) poorly reported: reported to police late 2, no grab pack 1, "
        "s18 retake limit not stated 1 (flag: at least 25%)"
    )


def test_a_flag_reason_keeps_the_ministry_of_justice_a_name():
    counts = {fault.key: 0 for fault in REPORTING_FAULTS} | {"moj_not_told_in_time": 2}
    summary = ReportingSummary(4, 2, counts, 0, None, None)
    reason = PoorReportingRule().flag("ward", "WA1", summary).reason
    assert "poorly reported: Ministry of Justice not told in time 2" in reason


def test_reporting_faults_are_the_reporting_rules_own():
    """A fault here is a problem ``ReportingFacts`` names, and the other way round."""
    policy = ReportingPolicy(late_report_minutes=60)
    for fact in (facts(61), facts(60), facts(5, no_pack=True), facts(5, s18_missing=True)):
        any_fault = any(fault.found(fact, policy) for fault in REPORTING_FAULTS)
        assert any_fault == fact.is_poor(policy)


def test_late_reporting_uses_the_reporting_policy():
    assert summarise_reporting([facts(61)]).fault_counts["reported_late"] == 1
    relaxed = ReportingPolicy(late_report_minutes=120)
    assert summarise_reporting([facts(61)], relaxed).fault_counts["reported_late"] == 0


@pytest.mark.parametrize(
    ("poor", "total", "flagged"),
    [(1, 4, True), (1, 5, False), (2, 8, True), (2, 9, False), (0, 3, False)],
)
def test_poor_reporting_threshold_just_under_and_just_over(poor, total, flagged):
    summary = summarise_reporting([facts(90)] * poor + [facts(5)] * (total - poor))
    assert PoorReportingRule(share_percent=25).is_poor(summary) is flagged


def test_an_empty_month_has_no_reporting_figures_and_no_flag():
    summary = summarise_reporting([])
    assert summary.episodes == 0 and summary.median_minutes is None
    assert summary.p90_minutes is None and summary.share("reported_late") == 0
    assert PoorReportingRule().flag("ward", "WA1", summary) is None


@pytest.mark.parametrize(
    ("values", "p90"),
    [
        ([7], 7),
        ([1, 2], 2),  # ceil(1.8) = 2nd
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9),  # ceil(9.0) = 9th
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 10),  # ceil(9.9) = 10th
        ([5, 1, 3], 5),
        ([], None),
    ],
)
def test_90th_percentile_by_nearest_rank_on_small_samples(values, p90):
    assert nearest_rank(values, 90) == p90


@pytest.mark.parametrize(
    ("values", "middle"), [([7], 7), ([1, 2], 1.5), ([3, 1, 2], 2), ([4, 1, 3, 2], 2.5), ([], None)]
)
def test_median_on_small_samples(values, middle):
    assert median(values) == middle


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=50))
def test_median_and_percentile_properties(values):
    assert median(values) == statistics.median(values)
    p90 = nearest_rank(values, 90)
    assert p90 in values
    # at least 90% of values are at or below it, and fewer than 90% strictly below
    assert sum(v <= p90 for v in values) * 10 >= len(values) * 9
    assert sum(v < p90 for v in values) * 10 < len(values) * 9
    assert nearest_rank(values, 100) == max(values)
    assert min(values) <= median(values) <= max(values)


def test_a_repeat_window_across_the_march_change_is_real_hours():
    """Third episode at 00:30 BST on 1 April (23:30 UTC on 31 March: April's); the first
    exactly 90 × 24 h earlier is 23:30 GMT on 31 December, an hour earlier on the clock."""
    third = london(2026, 4, 1, 0, 30)
    first = london(2025, 12, 31, 23, 30)
    assert third - first == timedelta(hours=90 * 24)
    episodes = [
        NoticedEpisode(first),
        NoticedEpisode(london(2026, 3, 29, 1, 30)),
        NoticedEpisode(third),
    ]
    assert repeat_in_month(RULE, episodes, (2026, 4)) is not None
    assert repeat_in_month(RULE, episodes, (2026, 3)) is None
    too_early = [NoticedEpisode(first - timedelta(seconds=1)), *episodes[1:]]
    assert repeat_in_month(RULE, too_early, (2026, 4)) is None


@given(
    st.sampled_from([london(2026, 3, 29, 0, 0), london(2026, 10, 25, 0, 0)]),
    st.integers(-3 * 24 * 60, 3 * 24 * 60),
)
def test_month_of_near_the_clock_changes_is_the_london_calendar(change_day, minutes):
    moment = change_day + timedelta(minutes=minutes)
    local = moment.astimezone(LONDON)
    assert month_of(moment) == (local.year, local.month)
    assert in_month(moment, (local.year, local.month))
