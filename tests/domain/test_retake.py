"""The power to retake, one test per legal status's rule, with dates worked by hand.

These replace tests that asserted the old dates, which were a day late: 28 days
*beginning with* 1 January end at the end of 28 January (not on 29 January), and
six months beginning with 1 March end at the end of 31 August (not 1 September).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grabpack.domain.clock import LONDON
from grabpack.domain.mental_health_act import LEGAL_STATUSES
from grabpack.domain.retake import (
    Answer,
    LegalFacts,
    RetakePower,
    absence_began,
    end_of_london_day,
    last_day_of_days,
    last_day_of_months,
    power_to_retake,
)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


ABSENT = london(2027, 3, 1, 14, 0)


def power(status: str, absent: datetime | None = ABSENT, **facts):
    return power_to_retake(LegalFacts(legal_status=status, **facts), absent)


def ends_on(result: RetakePower) -> date:
    """The last London day on which the power runs, for day-counted powers."""
    assert result.ends_at is not None
    return (result.ends_at - timedelta(microseconds=1)).astimezone(LONDON).date()


# --- counting "beginning with" ----------------------------------------------------------


@pytest.mark.parametrize(
    ("first_day", "months", "last_day"),
    [
        (date(2027, 3, 1), 6, date(2027, 8, 31)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year: end of 29 February
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 8, 30), 6, date(2027, 2, 28)),  # no 30 February
        (date(2026, 8, 28), 6, date(2027, 2, 27)),
        (date(2026, 9, 30), 6, date(2027, 3, 29)),
        (date(2027, 12, 1), 6, date(2028, 5, 31)),  # across a year end
    ],
)
def test_months_beginning_with_a_day_end_the_day_before_the_same_date(first_day, months, last_day):
    assert last_day_of_months(first_day, months) == last_day


def test_days_beginning_with_a_day_include_it():
    assert last_day_of_days(date(2027, 1, 1), 28) == date(2027, 1, 28)
    assert last_day_of_days(date(2028, 2, 15), 28) == date(2028, 3, 13)  # 29 February counts


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_six_months_always_ends_between_181_and_184_days_in(first_day):
    length = (last_day_of_months(first_day, 6) - first_day).days + 1
    assert 181 <= length <= 184


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=1, max_value=40),
)
def test_a_later_first_day_never_ends_the_six_months_earlier(first_day, days_later):
    later = first_day + timedelta(days=days_later)
    assert last_day_of_months(later, 6) >= last_day_of_months(first_day, 6)


def test_a_london_day_ends_at_london_midnight_in_summer_and_winter():
    assert end_of_london_day(date(2027, 1, 28)) == datetime(2027, 1, 29, 0, 0, tzinfo=UTC)
    assert end_of_london_day(date(2027, 7, 28)) == datetime(2027, 7, 28, 23, 0, tzinfo=UTC)


def test_absence_begins_when_leave_ended_or_when_last_seen():
    seen, due = london(2027, 3, 1, 9, 0), london(2027, 3, 1, 17, 0)
    assert absence_began(seen, due) == due
    assert absence_began(seen, None) == seen
    assert absence_began(None, None) is None


# --- one test per row of the DOMAIN table ------------------------------------------------


def test_informal_patient_has_no_power_and_is_missing():
    result = power("informal")
    assert result.answer is Answer.NO_POWER
    assert "not detained" in result.reason and "missing, not AWOL" in result.reason
    assert result.headline == "No power to take back"


def test_nurse_holding_power_runs_six_hours_from_the_minute():
    result = power(
        "s5_4",
        london(2027, 1, 1, 23, 0),
        section_start_on=date(2027, 1, 1),
        section_start_time=time(22, 0),
    )
    assert result.answer is Answer.RETAKE_UNTIL
    assert result.ends_at == london(2027, 1, 2, 4, 0)
    assert result.headline == "Can be taken back until 04:00 on 2 January 2027 (s18)"
    assert "6 hours from the nurse's record at 22:00 on 1 January 2027" in result.reason


@pytest.mark.parametrize(("status", "event"), [("s5_2", "report"), ("s4", "admission")])
def test_72_hour_powers_run_from_their_moment(status, event):
    result = power(
        status,
        london(2027, 1, 2, 9, 0),
        section_start_on=date(2027, 1, 1),
        section_start_time=time(8, 15),
    )
    assert result.ends_at == london(2027, 1, 4, 8, 15)
    assert event in result.reason


def test_hour_power_without_a_time_is_not_known_and_says_so():
    result = power("s5_4", section_start_on=date(2027, 1, 1))
    assert result.answer is Answer.NOT_KNOWN
    assert result.missing == ("the time of the nurse's record",)
    assert result.headline == "Not known: the time of the nurse's record not recorded"


def test_hour_powers_count_real_hours_across_the_spring_clock_change():
    # Clocks go forward at 01:00 GMT on 28 March 2027: six real hours from 22:00 GMT.
    result = power(
        "s5_4",
        london(2027, 3, 27, 23, 0),
        section_start_on=date(2027, 3, 27),
        section_start_time=time(22, 0),
    )
    assert result.ends_at == datetime(2027, 3, 28, 4, 0, tzinfo=UTC)
    assert result.until_text == "05:00 on 28 March 2027"


def test_hour_powers_count_real_hours_across_the_autumn_clock_change():
    # Clocks go back at 02:00 BST on 31 October 2027: six real hours from 22:00 BST.
    result = power(
        "s5_4",
        london(2027, 10, 30, 23, 0),
        section_start_on=date(2027, 10, 30),
        section_start_time=time(22, 0),
    )
    assert result.ends_at == datetime(2027, 10, 31, 3, 0, tzinfo=UTC)
    assert result.until_text == "03:00 on 31 October 2027"


def test_the_repeated_autumn_hour_is_read_as_the_first_so_the_power_never_ends_late():
    facts = LegalFacts("s5_4", date(2027, 10, 31), time(1, 30))
    assert facts.section_start_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_hour_power_that_ended_before_the_absence_gives_no_power():
    result = power(
        "s5_2",
        london(2027, 1, 5, 9, 0),
        section_start_on=date(2027, 1, 1),
        section_start_time=time(8, 0),
    )
    assert result.answer is Answer.NO_POWER
    assert "ended at 08:00 on 4 January 2027" in result.reason


def test_section_2_runs_to_the_end_of_28_days_beginning_with_admission():
    result = power("s2", london(2027, 1, 10, 12, 0), section_start_on=date(2027, 1, 1))
    assert result.answer is Answer.RETAKE_UNTIL
    assert ends_on(result) == date(2027, 1, 28)
    assert result.headline == "Can be taken back until the end of 28 January 2027 (s18)"
    assert "28 days beginning with admission on 1 January 2027" in result.reason
    assert any("29(4)" in caution for caution in result.cautions)


def test_section_2_ignores_a_recorded_end_that_disagrees_with_the_act_and_says_so():
    result = power(
        "s2",
        london(2027, 1, 10, 12, 0),
        section_start_on=date(2027, 1, 1),
        period_ends_on=date(2027, 1, 29),
    )
    assert ends_on(result) == date(2027, 1, 28)
    assert any("29 January 2027" in caution for caution in result.cautions)


def test_section_2_across_the_spring_clock_change_ends_at_london_midnight():
    result = power("s2", london(2027, 3, 20, 12, 0), section_start_on=date(2027, 3, 10))
    assert result.ends_at == datetime(2027, 4, 6, 23, 0, tzinfo=UTC)
    assert result.until_text == "the end of 6 April 2027"


def test_section_2_that_ran_out_before_the_absence_gives_no_power():
    result = power("s2", london(2027, 1, 29, 0, 30), section_start_on=date(2027, 1, 1))
    assert result.answer is Answer.NO_POWER
    assert "ended at the end of 28 January 2027" in result.reason


@pytest.mark.parametrize("status", ["s3", "s37"])
def test_treatment_order_runs_six_months_from_the_first_day_of_absence(status):
    result = power(status, london(2027, 3, 1, 14, 0), period_ends_on=date(2027, 6, 30))
    assert result.answer is Answer.RETAKE_UNTIL
    assert ends_on(result) == date(2027, 8, 31)
    assert result.power == "s18(4)"
    assert "six months beginning with 1 March 2027 end on 31 August 2027" in result.reason


def test_treatment_order_runs_to_a_later_end_of_the_period():
    result = power("s3", london(2027, 3, 1, 14, 0), period_ends_on=date(2027, 12, 1))
    assert ends_on(result) == date(2027, 12, 1)
    assert "current period of detention ends on 1 December 2027" in result.reason


def test_six_months_from_31_august_ends_at_the_end_of_february():
    result = power("s3", london(2027, 8, 31, 23, 30), period_ends_on=date(2027, 9, 30))
    assert ends_on(result) == date(2028, 2, 29)


def test_first_day_of_absence_is_the_london_date_the_patient_went():
    # 23:30 UTC on 30 June is 00:30 BST on 1 July: the absence began on 1 July.
    went = datetime(2027, 6, 30, 23, 30, tzinfo=UTC)
    result = power_to_retake(LegalFacts("s3", period_ends_on=date(2027, 7, 31)), went)
    assert ends_on(result) == date(2027, 12, 31)


def test_renewed_section_without_its_end_recorded_is_not_known_but_gives_a_floor():
    result = power("s3", london(2027, 3, 1, 14, 0), section_start_on=date(2025, 1, 1))
    assert result.answer is Answer.NOT_KNOWN
    assert result.missing == ("the end of the current period of detention",)
    assert result.at_least_until == end_of_london_day(date(2027, 8, 31))
    assert "at least until the end of 31 August 2027" in result.reason
    assert "renewed section may run far past six months" in result.reason
    assert result.limit_to_state


def test_treatment_order_without_the_absence_start_is_not_known():
    result = power("s3", None, period_ends_on=date(2027, 6, 30))
    assert result.answer is Answer.NOT_KNOWN
    assert result.missing == ("when the patient went (last seen, or leave due back)",)
    assert result.at_least_until == end_of_london_day(date(2027, 6, 30))


@pytest.mark.parametrize(
    ("first_day", "warned"),
    [
        (date(2027, 6, 23), False),
        (date(2027, 6, 24), True),  # the week ending with 30 June begins on 24 June
        (date(2027, 6, 30), True),
    ],
)
def test_absence_in_the_last_week_of_the_period_carries_the_section_21_caution(first_day, warned):
    went = datetime.combine(first_day, time(12, 0), LONDON)
    result = power("s3", went, period_ends_on=date(2027, 6, 30))
    assert any("section 21" in caution for caution in result.cautions) is warned


def test_period_that_ended_before_the_absence_gives_no_power_naming_the_end():
    result = power("s3", london(2027, 7, 2, 9, 0), period_ends_on=date(2027, 6, 30))
    assert result.answer is Answer.NO_POWER
    assert "ended on 30 June 2027" in result.reason
    assert any("renewed" in caution for caution in result.cautions)


def test_cto_patient_not_recalled_has_no_power():
    result = power("cto_17a")
    assert result.answer is Answer.NO_POWER and "s18(2A)" in result.reason


def test_cto_status_with_a_recall_date_is_not_known_rather_than_guessed():
    result = power("cto_17a", cto_recalled_on=date(2027, 2, 27))
    assert result.answer is Answer.NOT_KNOWN


def test_recalled_cto_patient_runs_as_section_3_with_the_cto_period():
    result = power(
        "cto_17e",
        london(2027, 2, 20, 10, 0),
        cto_recalled_on=date(2027, 3, 1),
        period_ends_on=date(2027, 5, 1),
    )
    # AWOL only from the recall: six months beginning with 1 March.
    assert ends_on(result) == date(2027, 8, 31)
    assert "current period of the CTO" in result.reason
    assert ("CTO recalled", "1 March 2027") in result.facts


def test_guardianship_runs_as_section_3_under_s18_3():
    result = power("s7", period_ends_on=date(2027, 12, 31))
    assert result.answer is Answer.RETAKE_UNTIL and result.power == "s18(3)"
    assert ends_on(result) == date(2027, 12, 31)


@pytest.mark.parametrize("status", ["s37_41", "s45a", "s47_49", "s48_49"])
def test_restricted_patients_can_be_retaken_at_any_time(status):
    result = power(status)
    assert result.answer is Answer.RETAKE_ANY_TIME and result.ends_at is None
    assert "41(3)(d)" in result.headline
    assert any("earliest release" in c for c in result.cautions) is (status == "s47_49")
    assert not result.limit_to_state


@pytest.mark.parametrize(
    ("status", "cited"), [("s35", "s35(10)"), ("s36", "s36(8)"), ("s38", "s38(7)")]
)
def test_remand_and_interim_orders_are_not_s18(status, cited):
    result = power(status, section_start_on=date(2027, 2, 1))
    assert result.answer is Answer.OTHER_POWER and result.ends_at is None
    assert result.power == cited and "without a warrant" in result.reason
    assert not result.limit_to_state


@pytest.mark.parametrize("status", ["s136", "s135"])
def test_place_of_safety_is_not_known_without_its_start(status):
    assert power(status, section_start_on=date(2027, 3, 1)).answer is Answer.NOT_KNOWN


def test_place_of_safety_with_its_start_runs_24_hours_under_s138():
    result = power(
        "s136",
        london(2027, 3, 1, 14, 0),
        section_start_on=date(2027, 3, 1),
        section_start_time=time(11, 0),
    )
    assert result.power == "s138" and result.ends_at == london(2027, 3, 2, 11, 0)
    assert any("12 hours" in caution for caution in result.cautions)


def test_detention_ended_before_the_absence_gives_no_power():
    result = power("s3", period_ends_on=date(2027, 9, 1), detention_ended_on=date(2027, 2, 20))
    assert result.answer is Answer.NO_POWER
    assert "ended on 20 February 2027" in result.reason


def test_detention_ended_during_the_absence_ends_the_power_with_it_and_says_so():
    """Only the day is recorded, not the moment: the power is given to the end of the
    day before (ending early, never late), and the reason says why the date is not the
    six months it goes on to name."""
    result = power("s3", period_ends_on=date(2027, 9, 1), detention_ended_on=date(2027, 3, 5))
    assert result.answer is Answer.RETAKE_UNTIL and ends_on(result) == date(2027, 3, 4)
    assert result.until_text == "the end of 4 March 2027"
    assert "the current period of detention ends on 1 September 2027" in result.reason
    assert "detention ended on 5 March 2027, and the power ends with it" in result.reason
    assert "to the end of 4 March 2027, the day before" in result.reason


def test_section_2_ended_during_the_absence_says_so_too():
    result = power("s2", section_start_on=date(2027, 2, 20), detention_ended_on=date(2027, 3, 3))
    assert ends_on(result) == date(2027, 3, 2)
    assert "detention ended on 3 March 2027" in result.reason


def test_detention_ended_on_the_first_day_of_absence_is_not_known():
    """Which came first, the end of detention or the absence, is not recorded."""
    result = power("s3", period_ends_on=date(2027, 9, 1), detention_ended_on=date(2027, 3, 1))
    assert result.answer is Answer.NOT_KNOWN and result.ends_at is None
    assert result.missing == ("the time detention ended",)
    assert "ended on 1 March 2027, the day the absence began" in result.reason


def test_no_legal_status_is_not_known_naming_it():
    result = power("")
    assert result.answer is Answer.NOT_KNOWN and result.missing == ("the legal status",)


def test_every_status_has_an_answer_and_a_reason():
    for status in LEGAL_STATUSES:
        result = power(
            status.key,
            section_start_on=date(2027, 2, 20),
            section_start_time=time(9, 0),
            period_ends_on=date(2027, 6, 30),
        )
        assert result.reason and result.headline, status.key
        assert ("Legal status", status.label) in result.facts


def test_a_statement_survives_being_stored():
    result = power("s2", section_start_on=date(2027, 2, 20))
    assert RetakePower.from_record(result.to_record()) == result


# --- a section recorded as starting after the absence began -------------------------------


@pytest.mark.parametrize(
    ("status", "facts"),
    [
        ("s3", {"section_start_on": date(2027, 3, 3), "period_ends_on": date(2027, 9, 2)}),
        ("s2", {"section_start_on": date(2027, 3, 2)}),
        ("s37_41", {"section_start_on": date(2027, 3, 2)}),
        ("cto_17e", {"section_start_on": date(2027, 3, 2), "cto_recalled_on": date(2027, 3, 2)}),
    ],
)
def test_a_section_starting_after_the_absence_began_gives_no_date(status, facts):
    """The patient was not held under it when they went (found by a tester: an s3 from
    21 November on a patient last seen on 19 November was "Can be taken back until the
    end of 20 May"): a typo, or a later status, and either way no date to act on."""
    result = power(status, **facts)
    assert result.answer is Answer.NOT_KNOWN and result.ends_at is None
    assert result.headline == "Not known"
    started = facts["section_start_on"]
    assert f"starting on {started.day} March 2027, after the absence began at 14:00" in (
        result.reason
    )
    assert ("Section started", f"{started.day} March 2027") in result.facts


def test_an_hour_power_starting_later_on_the_day_of_absence_gives_no_time():
    result = power(
        "s5_2",
        london(2027, 3, 1, 14, 0),
        section_start_on=date(2027, 3, 1),
        section_start_time=time(14, 5),
    )
    assert result.answer is Answer.NOT_KNOWN and result.ends_at is None
    assert "starting at 14:05 on 1 March 2027, after the absence began at 14:00" in result.reason


@pytest.mark.parametrize(
    ("status", "facts"),
    [
        ("s3", {"section_start_on": date(2027, 3, 1), "period_ends_on": date(2027, 8, 31)}),
        ("s5_2", {"section_start_on": date(2027, 3, 1), "section_start_time": time(14, 0)}),
        ("s2", {"section_start_on": date(2027, 3, 1)}),  # same day, no time: not judged
        ("informal", {"section_start_on": date(2027, 3, 9)}),  # no section: not used
    ],
)
def test_a_section_starting_by_the_absence_is_worked_as_before(status, facts):
    result = power(status, **facts)
    assert "after the absence began" not in result.reason
    assert result.answer is not Answer.NOT_KNOWN or status == "informal"
