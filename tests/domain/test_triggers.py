"""The Code of Practice's report-at-once triggers: Part III, considered dangerous,
considered particularly vulnerable; each with whether it applies and why."""

from __future__ import annotations

import pytest

from grabpack.domain.mental_health_act import LEGAL_STATUSES
from grabpack.domain.triggers import PART_III, Trigger, report_at_once


def pack(status: object = None, dangerous: object = None, vulnerable: object = None) -> dict:
    return {
        "legal": {"legal_status": status},
        "risk": {"considered_dangerous": dangerous, "particularly_vulnerable": vulnerable},
    }


def part_iii(data: object, stated: str | None = None) -> Trigger:
    return report_at_once(data, stated)[0]


def test_three_triggers_part_iii_first_in_the_packs_words():
    labels = [trigger.label for trigger in report_at_once(pack())]
    assert labels == [PART_III, "Considered dangerous", "Considered particularly vulnerable"]


@pytest.mark.parametrize(
    ("status", "applies"),
    [
        ("informal", False),
        ("s2", False),
        ("s3", False),
        ("cto_17e", False),
        ("s136", False),
        ("s35", True),
        ("s36", True),
        ("s37", True),
        ("s38", True),
        ("s37_41", True),
        ("s45a", True),
        ("s47_49", True),
        ("s48_49", True),
    ],
)
def test_part_iii_is_a_court_or_prison_section(status, applies):
    trigger = part_iii(pack(status))
    assert trigger.applies is applies
    assert trigger.answer == ("Yes" if applies else "No")


def test_every_criminal_justice_status_is_in_the_table_above():
    part_iii_statuses = {status.key for status in LEGAL_STATUSES if status.part_iii}
    assert part_iii_statuses == {"s35", "s36", "s37", "s38", "s37_41", "s45a", "s47_49", "s48_49"}


@pytest.mark.parametrize(
    ("in_pack", "stated", "applies", "reason"),
    [
        # No episode: the pack's status.
        ("s37_41", None, True, "Section 37/41, as the grab pack records it"),
        ("informal", None, False, "Informal, as the grab pack records it"),
        # While missing, the status stated at reporting wins over the pack, both ways.
        ("informal", "s37_41", True, "Section 37/41, as stated when reported missing"),
        ("s3", "s38", True, "Section 38, as stated when reported missing"),
        ("s37_41", "informal", False, "Informal, as stated when reported missing"),
        ("s37", "s3", False, "Section 3, as stated when reported missing"),
        # Not stated ("Not known") at reporting: the pack's, saying so.
        (
            "s47_49",
            "",
            True,
            "Section 47/49, as the grab pack records it (not stated when reported missing)",
        ),
        ("nonsense", "also nonsense", False, "No legal status stated when reported missing"),
        (None, None, False, "No legal status in the grab pack"),
        (None, "", False, "No legal status stated when reported missing, nor in the grab pack"),
    ],
)
def test_part_iii_follows_the_status_stated_at_reporting(in_pack, stated, applies, reason):
    trigger = part_iii(pack(in_pack), stated)
    assert trigger.applies is applies
    assert trigger.reason.startswith(reason)


def test_a_status_not_known_anywhere_is_not_recorded():
    trigger = part_iii(pack(), "")
    assert (trigger.applies, trigger.answer) == (False, "Not recorded")


@pytest.mark.parametrize(
    ("value", "applies", "answer", "reason"),
    [
        (True, True, "Yes", "As the grab pack records it (section H)"),
        ("yes", True, "Yes", "As the grab pack records it (section H)"),
        ("Yes", True, "Yes", "As the grab pack records it (section H)"),
        (False, False, "No", "As the grab pack records it (section H)"),
        ("no", False, "No", "As the grab pack records it (section H)"),
        ("unknown", False, "Not known", "As the grab pack records it (section H)"),
        ("maybe", False, "Not known", "As the grab pack records it (section H)"),
        (None, False, "Not recorded", "Not answered in the grab pack (section H)"),
        ("", False, "Not recorded", "Not answered in the grab pack (section H)"),
    ],
)
def test_the_pack_answers_dangerous_and_vulnerable(value, applies, answer, reason):
    dangerous = report_at_once(pack(dangerous=value))[1]
    vulnerable = report_at_once(pack(vulnerable=value))[2]
    for trigger in (dangerous, vulnerable):
        assert (trigger.applies, trigger.answer, trigger.reason) == (applies, answer, reason)


def test_the_stated_status_changes_only_part_iii():
    data = pack("s3", dangerous=True, vulnerable=False)
    before, after = report_at_once(data), report_at_once(data, "s37_41")
    assert before[1:] == after[1:]
    assert (before[0].applies, after[0].applies) == (False, True)


@pytest.mark.parametrize(
    "data",
    [None, "not a dict", [], {"legal": "x", "risk": ["y"]}, {"legal": {"legal_status": 3}}],
)
def test_never_fails_on_what_was_stored(data):
    triggers = report_at_once(data)
    assert [trigger.applies for trigger in triggers] == [False, False, False]
    assert all(trigger.answer == "Not recorded" for trigger in triggers)
