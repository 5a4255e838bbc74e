from datetime import date

from grabpack.domain.review import (
    ReviewPolicy,
    is_photo_stale,
    is_review_overdue,
    review_due_on,
)

TODAY = date(2026, 11, 23)


def pack(risk="medium", legal="s3"):
    return {"risk": {"missing_risk": risk}, "legal": {"legal_status": legal}}


def test_high_risk_pack_due_in_seven_days():
    assert review_due_on(pack("high"), TODAY) == date(2026, 11, 30)


def test_other_packs_due_in_twenty_eight_days():
    assert review_due_on(pack("low"), TODAY) == date(2026, 12, 21)
    assert review_due_on({}, TODAY) == date(2026, 12, 21)


def test_change_of_legal_status_makes_review_due_at_once():
    assert review_due_on(pack(legal="s2"), TODAY, previous_data=pack(legal="informal")) == TODAY


def test_change_of_risk_category_makes_review_due_at_once():
    assert review_due_on(pack("high"), TODAY, previous_data=pack("low")) == TODAY


def test_unrelated_edit_keeps_the_normal_cycle():
    before, after = pack(), pack()
    after["identity"] = {"preferred_name": "Jo"}
    assert review_due_on(after, TODAY, previous_data=before) == date(2026, 12, 21)


def test_policy_is_configurable():
    policy = ReviewPolicy(high_risk_days=3, other_days=14)
    assert review_due_on(pack("high"), TODAY, policy=policy) == date(2026, 11, 26)


def test_overdue_only_after_the_due_day():
    assert not is_review_overdue(TODAY, TODAY)
    assert is_review_overdue(date(2026, 11, 22), TODAY)


def test_photo_stale_after_six_months_undated_or_missing():
    assert not is_photo_stale(True, date(2026, 6, 1), TODAY)
    assert is_photo_stale(True, date(2026, 5, 1), TODAY)
    assert is_photo_stale(True, None, TODAY)
    assert is_photo_stale(False, None, TODAY)  # no photo: the pack needs one


def test_photo_staleness_follows_the_configured_days():
    policy = ReviewPolicy(photo_stale_days=30)
    assert is_photo_stale(True, date(2026, 10, 1), TODAY, policy)
    assert not is_photo_stale(True, date(2026, 11, 1), TODAY, policy)


def test_age_counts_whole_years_to_the_birthday():
    from grabpack.domain.clock import age_on

    assert age_on(date(1990, 11, 23), TODAY) == 36
    assert age_on("1990-11-24", TODAY) == 35
    assert age_on("not a date", TODAY) is None
    assert age_on(date(2030, 1, 1), TODAY) is None
