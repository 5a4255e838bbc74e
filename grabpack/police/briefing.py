"""The police patient page in the order of the PDF's briefing sheet.

Page 1 of the PDF prints what the declaration marks with ``Briefing``, block by
block, in each mark's order (``grabpack/pdf/grab_pack.py``). The page reads the same
marks the same way, so a field marked for the sheet is near the top of the page too
and no field is listed here by hand. Phone numbers are kept apart from the text
around them so that the page can make each one a ``tel:`` link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from grabpack.domain.grab_pack_schema import (
    Block,
    Entry,
    Field,
    FieldType,
    Group,
    Section,
    display_value,
    on_briefing_sheet,
    value_of,
)

NOT_RECORDED = "Not recorded"


def tel_href(number: str) -> str:
    """``tel:02079460001`` for ``020 7946 0001``: digits (and a leading +) only."""
    # "+44 (0)20 ..." is dialled without the 0 in brackets.
    digits = re.sub(r"[^\d+]", "", (number or "").replace("(0)", ""))
    return f"tel:{digits}" if digits.strip("+") else ""


@dataclass(frozen=True)
class Part:
    """Some text of a row; a phone number is a part of its own."""

    text: str
    phone: bool = False

    @property
    def href(self) -> str:
        return tel_href(self.text) if self.phone else ""


@dataclass(frozen=True)
class BriefRow:
    """One row of a briefing block: a label, its parts (read joined by commas) and
    an optional note in brackets. ``flagged`` rows (a risk location) stand out."""

    label: str
    parts: tuple[Part, ...]
    note: str = ""
    flagged: bool = False

    @property
    def not_recorded(self) -> bool:
        return self.parts == (Part(NOT_RECORDED),)


def block_rows(data: dict, block: Block, today: date, every: bool = False) -> list[BriefRow]:
    """A row for each field the declaration puts in ``block`` (an empty one only where
    the completeness checklist asks for it, or ``every`` field is wanted), and a row
    for each entry of its lists."""
    rows: list[BriefRow] = []
    for section, item in on_briefing_sheet(block):
        if isinstance(item, Group):
            rows += _entries(data, section, item)
            continue
        value = value_of(data, section.key, item.key)
        show = item.briefing.show
        shown = show(item, value, today) if show else display_value(item, value)
        if shown or every or item.is_needed(data):
            label = item.briefing.label or item.label
            rows.append(BriefRow(label, (Part(shown or NOT_RECORDED, _is_phone(item)),)))
    return rows


def _entries(data: dict, section: Section, group: Group) -> list[BriefRow]:
    """Each entry of a list as the sheet reads it (``Entry``): flagged entries and
    the kinds it puts first come first."""
    entry = group.briefing.entry or Entry(line=tuple(item.key for item in group.fields))
    fields = {item.key: item for item in group.fields}
    entries = [e for e in (value_of(data, section.key, group.key) or []) if isinstance(e, dict)]
    if not entries:
        return [BriefRow(group.label, (Part(NOT_RECORDED),))]

    def flagged(values: dict) -> bool:
        return bool(entry.flag) and _is_yes(values.get(entry.flag))

    def first(values: dict) -> bool:
        return flagged(values) or bool(entry.kind) and values.get(entry.kind) in entry.first

    rows = []
    for values in sorted(entries, key=lambda values: not first(values)):
        parts = []
        for index, key in enumerate(entry.line):
            shown = display_value(fields[key], values.get(key))
            if not shown and fields[key].counts_for_completeness:
                label = fields[key].label
                parts.append(Part(f"{label if index == 0 else label.lower()} not recorded"))
            elif shown:
                parts.append(Part(shown, _is_phone(fields[key])))
        note = display_value(fields[entry.note], values.get(entry.note)) if entry.note else ""
        if flagged(values):
            label = fields[entry.flag].label
        elif entry.kind:
            label = display_value(fields[entry.kind], values.get(entry.kind)) or group.item_label
        else:
            label = group.item_label
        rows.append(BriefRow(label, tuple(parts), note, flagged(values)))
    return rows


def _is_yes(value: object) -> bool:
    return value is True or str(value).lower() == "yes"


def _is_phone(field: Field) -> bool:
    return field.type is FieldType.PHONE
