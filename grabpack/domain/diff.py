"""Field-by-field differences between two grab-pack versions, read through the
declaration so that every change is named as the form names it."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from grabpack.domain.grab_pack_schema import GRAB_PACK, Group, Section, display_value
from grabpack.domain.pack_data import in_one_shape


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ItemChange:
    """One entry of a repeatable group: ``added``, ``removed`` or ``changed``."""

    status: str
    title: str
    changes: tuple[FieldChange, ...]


@dataclass
class SectionDiff:
    section: Section
    fields: list[FieldChange] = field(default_factory=list)
    items: list[ItemChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.items)


def diff_versions(old: dict, new: dict) -> list[SectionDiff]:
    """The sections that differ, each with its changed fields and group entries.

    Both sides are read in the one stored shape first, so a blank stored as ``""``
    on one side and left out on the other is no change."""
    old, new = in_one_shape(old), in_one_shape(new)
    result = []
    for section in GRAB_PACK:
        old_values, new_values = old.get(section.key) or {}, new.get(section.key) or {}
        section_diff = SectionDiff(section)
        for item in section.items:
            if isinstance(item, Group):
                section_diff.items.extend(
                    _group_changes(
                        item, old_values.get(item.key) or [], new_values.get(item.key) or []
                    )
                )
            else:
                before = display_value(item, old_values.get(item.key))
                after = display_value(item, new_values.get(item.key))
                if before != after:
                    section_diff.fields.append(FieldChange(item.label, before, after))
        if section_diff:
            result.append(section_diff)
    return result


def _entry_changes(group: Group, old: dict, new: dict) -> tuple[FieldChange, ...]:
    changes = []
    for f in group.fields:
        before, after = display_value(f, old.get(f.key)), display_value(f, new.get(f.key))
        if before != after:
            changes.append(FieldChange(f.label, before, after))
    return tuple(changes)


def _group_changes(group: Group, old: list[dict], new: list[dict]) -> list[ItemChange]:
    """Align entries so that removing one contact shows as one removal, not a cascade."""
    keys = (
        [json.dumps(e, sort_keys=True) for e in old],
        [json.dumps(e, sort_keys=True) for e in new],
    )
    matcher = difflib.SequenceMatcher(a=keys[0], b=keys[1], autojunk=False)
    changes: list[ItemChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            title = f"{group.item_label} {j1 + k + 1}"
            changes.append(
                ItemChange("changed", title, _entry_changes(group, old[i1 + k], new[j1 + k]))
            )
        for k in range(i1 + paired, i2):
            changes.append(
                ItemChange(
                    "removed", f"{group.item_label} {k + 1}", _entry_changes(group, old[k], {})
                )
            )
        for k in range(j1 + paired, j2):
            changes.append(
                ItemChange(
                    "added", f"{group.item_label} {k + 1}", _entry_changes(group, {}, new[k])
                )
            )
    return changes
