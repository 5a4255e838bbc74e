"""A repeatable group (contacts, places, medicines) merges entry by entry: a
colleague's change to one entry and the nurse's change to another both stand, and
only a change both made to the same entry or field is flagged. Where the entries
cannot be lined up for sure, the group is flagged whole and the nurse's list kept.

``base`` is the version the nurse's form was based on, ``theirs`` the colleague's
save since, ``mine`` the form the nurse sent."""

from __future__ import annotations

import json
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from grabpack.domain.merge import merge

ANN = {"name": "Ann Price", "relationship": "family", "phone": "07700 900111"}
BOB = {"name": "Bob Okafor", "relationship": "friend", "phone": "07700 900222"}
CAT = {"name": "Cat Nowak", "relationship": "associate", "phone": "07700 900333"}
DAN = {"name": "Dan Ali", "relationship": "other", "phone": "07700 900444"}


def contacts(*entries: dict) -> dict:
    return {"contacts": {"contacts": list(entries)}} if entries else {}


def merged_contacts(base: dict, theirs: dict, mine: dict) -> tuple[list[dict], tuple]:
    result = merge(base, theirs, mine)
    return result.data.get("contacts", {}).get("contacts", []), result.conflicts


# --- what the tester found ----------------------------------------------------------


def test_removing_one_contact_keeps_a_colleagues_change_to_another():
    base = contacts(ANN, BOB)
    theirs = contacts(ANN, {**BOB, "phone": "07700 900999"})  # contact 2's phone
    mine = contacts(BOB)  # contact 1 removed on the older form
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [{**BOB, "phone": "07700 900999"}]
    assert conflicts == ()


def test_changes_to_different_contacts_both_stand():
    base = contacts(ANN, BOB, CAT)
    theirs = contacts({**ANN, "notes": "Visits on Sundays"}, BOB, CAT)
    mine = contacts(ANN, BOB, {**CAT, "address": "1 High Street"})
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [
        {**ANN, "notes": "Visits on Sundays"},
        BOB,
        {**CAT, "address": "1 High Street"},
    ]
    assert conflicts == ()


def test_changes_to_different_fields_of_one_contact_both_stand():
    base = contacts(ANN, BOB)
    theirs = contacts(ANN, {**BOB, "phone": "07700 900999"})
    mine = contacts(ANN, {**BOB, "notes": "Knows the usual places"})
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [ANN, {**BOB, "phone": "07700 900999", "notes": "Knows the usual places"}]
    assert conflicts == ()


def test_a_colleagues_new_contact_and_the_nurses_change_both_stand():
    base = contacts(ANN, BOB)
    theirs = contacts(ANN, BOB, CAT)
    mine = contacts({**ANN, "phone": "07700 900555"}, BOB)
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [{**ANN, "phone": "07700 900555"}, BOB, CAT]
    assert conflicts == ()


def test_contacts_both_added_are_all_kept_the_same_one_once():
    base = contacts(ANN)
    theirs = contacts(ANN, CAT, BOB)
    mine = contacts(ANN, BOB, DAN)
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [ANN, CAT, BOB, DAN]  # the colleague's first, Bob once
    assert conflicts == ()


def test_the_same_contact_removed_by_both_is_simply_gone():
    base = contacts(ANN, BOB, CAT)
    theirs = contacts(BOB, {**CAT, "notes": "Moved away"})
    mine = contacts(BOB, CAT, DAN)
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [BOB, {**CAT, "notes": "Moved away"}, DAN]
    assert conflicts == ()


def test_places_and_medicines_merge_entry_by_entry_too():
    park = {"address": "Victoria Park", "reason": "Walks there", "is_risk_location": False}
    bridge = {"address": "Wear bridge", "postcode": "SR1 1AA", "reason": "Said so before"}
    base = {
        "places": {"places": [park, bridge]},
        "health": {"medications": [{"name": "Clozapine", "dose": "300 mg", "timing": "Night"}]},
    }
    theirs = {
        "places": {"places": [park, {**bridge, "is_risk_location": True}]},
        "health": {"medications": [{"name": "Clozapine", "dose": "350 mg", "timing": "Night"}]},
    }
    mine = {
        "places": {"places": [bridge]},
        "health": {
            "medications": [
                {"name": "Clozapine", "dose": "300 mg", "timing": "Night, with food"},
                {"name": "Lithium", "dose": "400 mg"},
            ]
        },
    }
    result = merge(base, theirs, mine)
    assert result.data == {
        "health": {
            "medications": [
                {"name": "Clozapine", "dose": "350 mg", "timing": "Night, with food"},
                {"name": "Lithium", "dose": "400 mg"},
            ]
        },
        "places": {"places": [{**bridge, "is_risk_location": True}]},
    }
    assert result.conflicts == ()


# --- a real overlap is flagged, the nurse's entry kept --------------------------------


def test_one_field_both_changed_is_flagged_on_that_entry_and_field():
    base = contacts(ANN, BOB)
    theirs = contacts(ANN, {**BOB, "phone": "07700 900999", "notes": "Brother"})
    mine = contacts(ANN, {**BOB, "phone": "07700 900888"})
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [ANN, {**BOB, "phone": "07700 900888", "notes": "Brother"}]
    assert conflicts == (("Contacts", "Contact 2, Phone"),)


def test_a_contact_the_nurse_removed_and_a_colleague_changed_stays_removed_and_flagged():
    base = contacts(ANN, BOB)
    theirs = contacts(ANN, {**BOB, "phone": "07700 900999"})
    mine = contacts(ANN)
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [ANN]
    assert conflicts == (("Contacts", "Contact 2, removed in your form"),)


def test_a_contact_the_colleague_removed_and_the_nurse_changed_is_kept_and_flagged():
    base = contacts(ANN, BOB, CAT)
    theirs = contacts(ANN, CAT, DAN)
    mine = contacts(ANN, {**BOB, "notes": "Call first"}, CAT)
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [ANN, {**BOB, "notes": "Call first"}, CAT, DAN]
    assert conflicts == (("Contacts", "Contact 2"),)


def test_a_contact_typed_over_with_someone_else_is_not_mixed_with_a_colleagues_change():
    mum = {"name": "Joy Smith", "relationship": "family", "phone": "07700 900111"}
    dad = {"name": "Ray Smith", "relationship": "family", "phone": "07700 900222"}
    base = contacts(mum)
    theirs = contacts({**mum, "notes": "Works nights"})  # about Joy
    mine = contacts(dad)  # Joy's entry typed over with Ray's name and phone
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [dad]  # Joy's notes are not put on Ray
    assert conflicts == (("Contacts", "Contact 1, removed in your form"),)


def test_an_entry_rewritten_but_sharing_an_address_is_flagged_as_one_overlap():
    mum = {"name": "Joy Smith", "phone": "07700 900111", "address": "2 Mill Lane"}
    dad = {"name": "Ray Smith", "phone": "07700 900222", "address": "2 Mill Lane"}
    base = contacts(ANN, mum)
    theirs = contacts(ANN, {**mum, "notes": "Works nights"})
    mine = contacts(ANN, dad)  # Joy's entry typed over, or Joy removed and Ray added
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [ANN, dad]
    assert conflicts == (("Contacts", "Contact 2"),)


def test_a_colleagues_change_that_rewrites_half_an_entry_still_meets_the_nurses_removal():
    short = {"name": "Eve Lee", "phone": "07700 900111"}  # phone changed: half of it
    base = contacts(ANN, short)
    theirs = contacts(ANN, {**short, "phone": "07700 900999"})
    mine = contacts(ANN)
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [ANN]
    assert conflicts == (("Contacts", "Contact 2, removed in your form"),)


# --- when the entries cannot be lined up for sure: the group as one field ------------
# (These keep today's behaviour, so they pass before and after the change.)


def test_one_of_two_identical_contacts_removed_flags_the_group_whole():
    base = contacts(ANN, ANN)
    theirs = contacts({**ANN, "notes": "The first one"}, ANN)
    mine = contacts(ANN)  # which Ann went is not known
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [ANN]
    assert conflicts == (("Contacts", "Contacts"),)


def test_more_entries_than_the_form_takes_flags_the_group_whole():
    many = [{"name": f"Person {n}"} for n in range(50)]
    base = contacts(*many[:40])
    theirs = contacts(*many[:45])
    mine = contacts(*many[:40], *({"name": f"Other {n}"} for n in range(6)))
    entries, conflicts = merged_contacts(base, theirs, mine)
    assert entries == [*many[:40], *({"name": f"Other {n}"} for n in range(6))]
    assert conflicts == (("Contacts", "Contacts"),)


def test_a_group_not_stored_as_entries_is_flagged_whole():
    base, theirs, mine = contacts(ANN), {"contacts": {"contacts": "Ann"}}, contacts(BOB)
    assert merged_contacts(base, theirs, mine) == ([BOB], (("Contacts", "Contacts"),))


# --- properties ------------------------------------------------------------------------

TEXT_KEYS = ("name", "phone", "address", "notes")
small_text = st.sampled_from(["a", "b", "c"])
any_entry = st.dictionaries(st.sampled_from(TEXT_KEYS), small_text, min_size=1, max_size=4)


@st.composite
def changed_from(draw, base: list[dict]) -> list[dict]:
    """A list a nurse could make from ``base`` on the form: entries removed or
    changed where they stand, new ones added at the end."""
    side = []
    for entry in base:
        match draw(st.sampled_from(["keep", "remove", "change"])):
            case "keep":
                side.append(entry)
            case "change":
                side.append({**entry, draw(st.sampled_from(TEXT_KEYS)): draw(small_text)})
    return side + draw(st.lists(any_entry, max_size=2))


@st.composite
def three_lists(draw) -> tuple[list[dict], list[dict], list[dict]]:
    base = draw(st.lists(any_entry, max_size=4))
    return base, draw(changed_from(base)), draw(changed_from(base))


def typed(entries: list[dict]) -> set[tuple[str, str]]:
    return {(key, value) for entry in entries for key, value in entry.items()}


def as_counter(entries: list[dict]) -> Counter:
    return Counter(json.dumps(entry, sort_keys=True) for entry in entries)


@given(three_lists())
def test_with_no_colleague_change_the_nurses_list_is_the_result(lists):
    base, _, mine = lists
    assert merged_contacts(contacts(*base), contacts(*base), contacts(*mine)) == (mine, ())


@given(three_lists())
def test_with_no_change_by_the_nurse_the_colleagues_list_is_the_result(lists):
    base, theirs, _ = lists
    assert merged_contacts(contacts(*base), contacts(*theirs), contacts(*base)) == (theirs, ())


@given(three_lists())
def test_a_value_either_side_typed_is_kept_or_flagged(lists):
    base, theirs, mine = lists
    entries, conflicts = merged_contacts(contacts(*base), contacts(*theirs), contacts(*mine))
    if not conflicts:
        new = (typed(theirs) | typed(mine)) - typed(base)
        assert new <= typed(entries)


@given(three_lists())
def test_a_merge_without_flags_is_the_same_whoever_saved_first(lists):
    base, theirs, mine = lists
    one = merged_contacts(contacts(*base), contacts(*theirs), contacts(*mine))
    other = merged_contacts(contacts(*base), contacts(*mine), contacts(*theirs))
    if not one[1] and not other[1]:
        assert as_counter(one[0]) == as_counter(other[0])  # added ones may swap order
    assert bool(one[1]) == bool(other[1])


@st.composite
def disjoint_edits(draw):
    """Distinct contacts, each left alone or changed by exactly one side (a field
    changed, or removed by the nurse), and new contacts added by either."""
    size = draw(st.integers(min_value=1, max_value=6))
    base = [
        {"name": f"name {n}", "phone": f"phone {n}", "address": f"address {n}"} for n in range(size)
    ]
    theirs, mine, expected = [], [], []
    for n, entry in enumerate(base):
        field = draw(st.sampled_from(["name", "phone", "address", "notes"]))
        changed = {**entry, field: f"{field} {n} changed"}
        match draw(st.sampled_from(["alone", "theirs change", "my change", "my removal"])):
            case "alone":
                theirs.append(entry), mine.append(entry), expected.append(entry)
            case "theirs change":
                theirs.append(changed), mine.append(entry), expected.append(changed)
            case "my change":
                theirs.append(entry), mine.append(changed), expected.append(changed)
            case "my removal":
                theirs.append(entry)
    their_new = [{"name": f"their new {n}"} for n in range(draw(st.integers(0, 2)))]
    my_new = [{"name": f"my new {n}"} for n in range(draw(st.integers(0, 2)))]
    return base, theirs + their_new, mine + my_new, expected + their_new + my_new


@given(disjoint_edits())
def test_edits_to_different_contacts_both_survive(case):
    base, theirs, mine, expected = case
    assert merged_contacts(contacts(*base), contacts(*theirs), contacts(*mine)) == (expected, ())


@given(
    st.lists(
        st.sampled_from(["name", "phone", "address", "notes", "relationship"]),
        min_size=2,
        max_size=2,
        unique=True,
    ),
    st.integers(min_value=0, max_value=2),
)
def test_edits_to_different_fields_of_one_contact_both_survive(fields, which):
    base = [ANN, BOB, CAT]
    their_field, my_field = fields
    theirs, mine = list(base), list(base)
    theirs[which] = {**base[which], their_field: "theirs"}
    mine[which] = {**base[which], my_field: "mine"}
    expected = list(base)
    expected[which] = {**base[which], their_field: "theirs", my_field: "mine"}
    assert merged_contacts(contacts(*base), contacts(*theirs), contacts(*mine)) == (expected, ())


ACTIONS = ("keep", "remove", "change name", "change phone", "change notes")


@st.composite
def edits_by_both(draw):
    """Distinct contacts, each kept, removed or changed (one field) by each side, and
    new contacts added by either at the end, as the form does."""
    size = draw(st.integers(min_value=0, max_value=5))
    base = [
        {"name": f"name {n}", "phone": f"phone {n}", "address": f"addr {n}"} for n in range(size)
    ]
    actions = draw(
        st.lists(st.tuples(*[st.sampled_from(ACTIONS)] * 2), min_size=size, max_size=size)
    )
    their_new = [{"name": f"their new {n}"} for n in range(draw(st.integers(0, 2)))]
    my_new = [{"name": f"my new {n}"} for n in range(draw(st.integers(0, 2)))]
    return base, actions, their_new, my_new


def acted(entry: dict, action: str, side: str) -> dict | None:
    if action == "remove":
        return None
    if action == "keep":
        return entry
    field = action.removeprefix("change ")
    return {**entry, field: f"{field} by {side}"}


@given(edits_by_both())
def test_each_contact_merges_as_it_would_by_hand_and_only_overlaps_are_flagged(case):
    base, actions, their_new, my_new = case
    theirs = [acted(e, t, "them") for e, (t, _) in zip(base, actions, strict=True) if t != "remove"]
    mine = [acted(e, m, "me") for e, (_, m) in zip(base, actions, strict=True) if m != "remove"]
    entries, conflicts = merged_contacts(
        contacts(*base), contacts(*theirs + their_new), contacts(*mine + my_new)
    )
    expected, overlap = [], False
    for entry, (their_action, my_action) in zip(base, actions, strict=True):
        their, my = acted(entry, their_action, "them"), acted(entry, my_action, "me")
        if their is None or my is None:
            overlap |= (their, my) not in ((None, None), (None, entry), (entry, None))
        elif their_action == my_action != "keep":
            overlap = True
        else:
            mine_changed = {k: v for k, v in my.items() if entry.get(k) != v}
            expected.append({**their, **mine_changed})
    if overlap:
        assert conflicts
    else:
        assert (entries, conflicts) == (expected + their_new + my_new, ())
