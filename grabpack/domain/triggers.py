"""The Code of Practice's reasons to report an absence to police at once.

The Mental Health Act Code of Practice asks a ward to tell police at once when an
absent patient is a Part III patient (in hospital from a court or prison), is
considered dangerous, or is considered particularly vulnerable (pack section H).
``report_at_once`` answers each, with why, from the grab pack and, while the
patient is missing, the legal status as the ward stated it when reporting the
absence: that statement wins over an out-of-date pack, as it does for the power
to retake. The police page and the PDF's briefing sheet both show this answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from grabpack.domain.grab_pack_schema import SECTIONS_BY_KEY, is_empty
from grabpack.domain.mental_health_act import legal_status
from grabpack.domain.retake import legal_facts_from_pack

PART_III = "Part III patient"
# The triggers the grab pack answers itself, yes or no: (section key, field key).
ANSWERED_IN_PACK = (("risk", "considered_dangerous"), ("risk", "particularly_vulnerable"))

YES, NO, NOT_KNOWN, NOT_RECORDED = "Yes", "No", "Not known", "Not recorded"
STATED = "as stated when reported missing"
IN_PACK = "as the grab pack records it"
_YES_NO = {"yes": YES, "true": YES, "no": NO, "false": NO}  # stored bools and their names


@dataclass(frozen=True)
class Trigger:
    """One reason to report at once: whether it applies, the answer and why."""

    label: str  # "Part III patient", or the pack field's label
    applies: bool
    answer: str  # YES, NO, NOT_KNOWN or NOT_RECORDED
    reason: str  # where the answer comes from, in plain words


def report_at_once(pack: object, stated_status: str | None = None) -> tuple[Trigger, ...]:
    """The three triggers, Part III first, for the grab pack's data ``pack``.

    ``stated_status`` is the legal status key the ward stated when reporting the
    absence, while there is an episode (``""`` if they stated none); ``None`` when
    there is no episode, and the pack's status is the one. Never fails, whatever
    was stored.
    """
    data = pack if isinstance(pack, dict) else {}
    return (
        _part_iii(data, stated_status),
        *(_answered(data, section, key) for section, key in ANSWERED_IN_PACK),
    )


def _value(data: dict, section_key: str, field_key: str) -> object:
    values = data.get(section_key)
    return values.get(field_key) if isinstance(values, dict) else None


def _part_iii(data: dict, stated_status: str | None) -> Trigger:
    stated = legal_status(stated_status)
    recorded = legal_status(legal_facts_from_pack(data).legal_status)
    if stated is not None:
        status, source = stated, STATED
    elif recorded is not None:
        status, source = recorded, IN_PACK
        if stated_status is not None:
            source += " (not stated when reported missing)"
    elif stated_status is not None:
        why = "No legal status stated when reported missing, nor in the grab pack"
        return Trigger(PART_III, False, NOT_RECORDED, why)
    else:
        return Trigger(PART_III, False, NOT_RECORDED, "No legal status in the grab pack")
    answer = YES if status.part_iii else NO
    return Trigger(PART_III, status.part_iii, answer, f"{status.label}, {source}")


def _answered(data: dict, section_key: str, field_key: str) -> Trigger:
    section = SECTIONS_BY_KEY[section_key]
    field = next(item for item in section.fields if item.key == field_key)
    value = _value(data, section_key, field_key)
    if is_empty(value):
        why = f"Not answered in the grab pack (section {section.letter})"
        return Trigger(field.label, False, NOT_RECORDED, why)
    answer = _YES_NO.get(str(value).lower(), NOT_KNOWN)  # "unknown", or anything odd
    why = f"As the grab pack records it (section {section.letter})"
    return Trigger(field.label, answer == YES, answer, why)
