from datetime import date

import pytest

from grabpack.domain.s18 import s18_expiry

ABSENT = date(2026, 11, 23)


def test_informal_patient_is_missing_not_awol():
    expiry = s18_expiry("informal", None, None, ABSENT)
    assert expiry.not_applicable and "informal" in expiry.summary


@pytest.mark.parametrize("status", ["s37_41", "s47_49", "s48_49"])
def test_restricted_patients_have_no_limit(status):
    assert s18_expiry(status, date(2020, 1, 1), None, ABSENT).no_limit


def test_section_2_within_28_days_of_start():
    assert s18_expiry("s2", date(2026, 11, 10), None, ABSENT).on == date(2026, 12, 8)


def test_recorded_end_of_period_wins_for_short_sections():
    assert s18_expiry("s2", date(2026, 11, 10), date(2026, 12, 7), ABSENT).on == date(2026, 12, 7)


def test_section_3_six_months_from_absence_or_end_of_detention_whichever_later():
    assert s18_expiry("s3", date(2026, 9, 1), date(2027, 3, 1), ABSENT).on == date(2027, 5, 23)
    assert s18_expiry("s3", date(2026, 9, 1), date(2027, 8, 1), ABSENT).on == date(2027, 8, 1)


def test_six_months_from_31_august_lands_on_last_day_of_february():
    assert s18_expiry("s3", None, None, date(2026, 8, 31)).on == date(2027, 2, 28)


def test_missing_dates_say_what_is_missing():
    expiry = s18_expiry("s2", None, None, ABSENT)
    assert expiry.on is None and "start date not recorded" in expiry.summary
    assert "no legal status" in s18_expiry(None, None, None, ABSENT).summary
