"""The three-way rule for the episode's update form (``grabpack.domain.episode_merge``):
what the user changed is written, what they only re-sent is not, and what both they
and a colleague changed differently is a clash. Plain Python: no app, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest

from grabpack.domain.clock import LONDON
from grabpack.domain.episode_merge import (
    UpdatePlan,
    canonical,
    canonical_values,
    clash_message,
    decode_base,
    encode_base,
    plan_update,
)
from grabpack.domain.episode_schema import FIELDS_BY_KEY, Stage, fields_for

F = FIELDS_BY_KEY
UPDATE_KEYS = [field.key for field in fields_for(Stage.UPDATE)]

OPENED = {
    "legal_status": "s3",
    "section_start_on": date(2026, 9, 1),
    "section_start_time": None,
    "period_ends_on": date(2027, 2, 28),
    "cto_recalled_on": None,
    "detention_ended_on": None,
    "reported_at": datetime(2026, 3, 27, 9, 15, 37, tzinfo=UTC),  # stored with seconds
    "police_reference": "CAD 1234/23NOV",
    "police_risk_grade": "medium",
    "s18_expiry_stated": False,
    "moj_notified_at": None,
}
BASE = canonical_values(Stage.UPDATE, OPENED)


def as_form_sends(values: dict) -> dict:
    """What the update form sends back for ``values``, unchanged: blanks as "" or None,
    times read to the minute on a London clock."""
    sent = dict(values)
    sent["reported_at"] = values["reported_at"].replace(second=0)
    sent["section_start_time"] = None
    sent["police_risk_grade"] = values["police_risk_grade"] or ""
    return sent


# --- one canonical form -----------------------------------------------------------------


@pytest.mark.parametrize("key", UPDATE_KEYS)
def test_blank_and_none_are_the_same(key):
    assert canonical(F[key], None) == canonical(F[key], "") == ""


def test_a_tick_box_is_ticked_or_not():
    field = F["s18_expiry_stated"]
    assert canonical(field, True) == "yes"
    assert canonical(field, False) == canonical(field, None) == ""


def test_a_moment_is_what_the_form_shows_its_london_date_and_minute():
    field = F["reported_at"]
    stored = datetime(2026, 7, 1, 8, 15, 37, 120, tzinfo=UTC)
    typed = datetime(2026, 7, 1, 9, 15, tzinfo=LONDON)  # BST: the same minute
    assert canonical(field, stored) == canonical(field, typed) == "2026-07-01T09:15"
    assert canonical(field, stored.replace(tzinfo=None)) == "2026-07-01T09:15"  # naive is UTC
    assert canonical(field, stored.replace(minute=16)) != canonical(field, stored)


def test_a_moment_in_the_hour_the_clocks_go_back_is_not_changed_by_showing_it():
    """01:30 on 25 October 2026 happens twice in London; the form reads it back as the
    first. Shown and sent back unchanged, it must not look like an edit."""
    field = F["reported_at"]
    second_one_thirty = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT
    read_back = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)  # 01:30 BST, as typed
    assert canonical(field, second_one_thirty) == canonical(field, read_back)


def test_dates_times_and_text():
    assert canonical(F["section_start_on"], date(2026, 9, 1)) == "2026-09-01"
    assert canonical(F["section_start_time"], time(22, 0, 41)) == "22:00"
    assert canonical(F["police_reference"], "  CAD 1\r\n") == "CAD 1"
    assert canonical(F["police_risk_grade"], "high") == "high"


def test_canonical_values_read_an_episode_or_a_mapping_alike():
    episode = SimpleNamespace(**OPENED)
    assert canonical_values(Stage.UPDATE, episode) == BASE
    assert list(BASE) == UPDATE_KEYS
    assert BASE["reported_at"] == "2026-03-27T09:15"
    assert BASE["police_risk_grade"] == "medium"


# --- the base on the form ---------------------------------------------------------------


def test_the_base_goes_through_a_hidden_field_and_back():
    assert decode_base(encode_base(BASE)) == BASE


@pytest.mark.parametrize("sent", [None, "", "not json", "[1, 2]", '"text"', "{"])
def test_a_missing_or_unreadable_base_is_none(sent):
    assert decode_base(sent) is None


def test_a_base_keeps_only_the_update_fields_text_values():
    sent = encode_base({"police_reference": "A", "clothing": "coat", "returned_at": "x"})
    assert decode_base(sent) == {"police_reference": "A"}
    assert decode_base('{"police_reference": 3, "legal_status": "s2"}') == {"legal_status": "s2"}


# --- the rule -----------------------------------------------------------------------------


def test_a_form_sent_back_unchanged_writes_nothing():
    assert plan_update(BASE, OPENED, as_form_sends(OPENED)) == UpdatePlan((), ())


def test_what_only_the_colleague_changed_stands():
    """The tester's report: a colleague set High; the nurse's stale form still says
    Medium and she changed the reference. Only her reference is written."""
    current = {**OPENED, "police_risk_grade": "high"}
    mine = {**as_form_sends(OPENED), "police_reference": "CAD 5555"}
    assert plan_update(BASE, current, mine) == UpdatePlan(("police_reference",), ())


def test_what_only_the_user_changed_is_written():
    current = {**OPENED, "police_reference": "CAD 7777"}
    mine = {**as_form_sends(OPENED), "police_risk_grade": "low", "s18_expiry_stated": True}
    assert plan_update(BASE, current, mine) == UpdatePlan(
        ("police_risk_grade", "s18_expiry_stated"), ()
    )


def test_the_same_change_by_both_is_neither_written_again_nor_a_clash():
    current = {**OPENED, "police_reference": "CAD 7777"}
    mine = {**as_form_sends(OPENED), "police_reference": "CAD 7777 "}
    assert plan_update(BASE, current, mine) == UpdatePlan((), ())


def test_different_changes_to_one_field_clash_whatever_else_is_written():
    current = {**OPENED, "police_reference": "CAD 7777", "police_risk_grade": "high"}
    mine = {
        **as_form_sends(OPENED),
        "police_reference": "CAD 5555",
        "s18_expiry_stated": True,
        "police_risk_grade": "low",
    }
    plan = plan_update(BASE, current, mine)
    assert plan.clashes == ("police_reference", "police_risk_grade")
    assert plan.write == ("s18_expiry_stated",)  # the caller writes nothing on a clash


def test_a_colleague_clearing_a_field_the_user_changed_is_a_clash():
    current = {**OPENED, "period_ends_on": None}
    mine = {**as_form_sends(OPENED), "period_ends_on": date(2027, 3, 31)}
    assert plan_update(BASE, current, mine).clashes == ("period_ends_on",)


def test_seconds_a_colleague_dropped_are_no_change():
    """A colleague's save of the form writes the time to the minute: not a change, so
    the user's new reported time is no clash."""
    current = {**OPENED, "reported_at": OPENED["reported_at"].replace(second=0)}
    typed = datetime(2026, 3, 27, 9, 40, tzinfo=LONDON)
    mine = {**as_form_sends(OPENED), "reported_at": typed}
    assert plan_update(BASE, current, mine) == UpdatePlan(("reported_at",), ())


def test_only_the_fields_sent_are_considered():
    current = {**OPENED, "police_reference": "CAD 7777"}
    assert plan_update(BASE, current, {"s18_expiry_stated": True}) == UpdatePlan(
        ("s18_expiry_stated",), ()
    )


def test_without_a_base_what_differs_is_written_and_nothing_clashes():
    """An old page or a script: based on what is there now, so the last save wins as
    before (a value equal to what is there is not written again)."""
    current = {**OPENED, "police_risk_grade": "high", "police_reference": "CAD 7777"}
    mine = {**as_form_sends(OPENED), "police_reference": "CAD 5555"}
    plan = plan_update(None, current, mine)
    assert plan == UpdatePlan(("police_reference", "police_risk_grade"), ())


def test_a_field_missing_from_the_base_is_based_on_what_is_there_now():
    base = {key: value for key, value in BASE.items() if key != "police_risk_grade"}
    current = {**OPENED, "police_risk_grade": "high"}
    mine = {**as_form_sends(OPENED), "police_risk_grade": "low"}
    assert plan_update(base, current, mine) == UpdatePlan(("police_risk_grade",), ())


# --- what the user is told ------------------------------------------------------------


NOW = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)


def test_the_message_names_who_the_value_and_when():
    when = datetime(2026, 3, 27, 9, 13, 40, tzinfo=UTC)
    assert clash_message(F["police_risk_grade"], "high", "Manager A", when, NOW) == (
        "Manager A changed this to High at 09:13 since you opened the page: "
        "keep yours or theirs, then save again"
    )


def test_the_message_gives_the_date_when_it_was_not_today_in_london():
    when = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 July in London
    now = datetime(2026, 7, 2, 0, 45, tzinfo=UTC)
    assert " at 00:30 since" in clash_message(F["police_reference"], "X", "B", when, now)
    earlier = clash_message(F["police_reference"], "X", "B", when, datetime(2026, 7, 3, tzinfo=UTC))
    assert " at 00:30 on 2 July 2026 since" in earlier


def test_the_message_without_who_or_when_still_says_what_to_do():
    message = clash_message(F["period_ends_on"], date(2027, 3, 31))
    assert message == (
        "A colleague changed this to 31 March 2027 since you opened the page: "
        "keep yours or theirs, then save again"
    )


def test_the_message_for_a_cleared_field_or_a_tick_box():
    assert clash_message(F["police_reference"], "").startswith("A colleague cleared this ")
    assert clash_message(F["s18_expiry_stated"], True).startswith("A colleague ticked this ")
    assert clash_message(F["s18_expiry_stated"], False).startswith("A colleague unticked this ")


def test_section_facts_typed_under_a_status_a_colleague_made_informal_clash_on_the_status():
    """Written beside "Informal" the nurse's CTO recall date would be cleared without a
    word (it was blank, so the colleague's informal status left it as it was): she
    chooses the status instead."""
    current = {**OPENED, "legal_status": "informal", "section_start_on": None}
    mine = {**as_form_sends(OPENED), "cto_recalled_on": date(2026, 3, 1)}
    assert plan_update(BASE, current, mine) == UpdatePlan(("cto_recalled_on",), ("legal_status",))
    # a fact the colleague's status cleared clashes itself, and the status with it
    current = {**current, "period_ends_on": None}
    mine = {**as_form_sends(OPENED), "period_ends_on": date(2027, 3, 31)}
    assert plan_update(BASE, current, mine).clashes == ("legal_status", "period_ends_on")


def test_a_colleagues_informal_status_with_no_section_facts_changed_is_no_clash():
    current = {**OPENED, "legal_status": "informal"}
    mine = {**as_form_sends(OPENED), "police_reference": "CAD 5555"}
    assert plan_update(BASE, current, mine) == UpdatePlan(("police_reference",), ())
    # nor a colleague's change to another detention: the dates still apply
    current = {**OPENED, "legal_status": "s2"}
    mine = {**as_form_sends(OPENED), "period_ends_on": date(2027, 3, 31)}
    assert plan_update(BASE, current, mine) == UpdatePlan(("period_ends_on",), ())
