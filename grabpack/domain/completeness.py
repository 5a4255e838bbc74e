"""Which parts of a grab pack are filled in: a checklist, never a wall that blocks saving."""

from __future__ import annotations

from dataclasses import dataclass

from grabpack.domain.grab_pack_schema import GRAB_PACK, Group, is_empty


@dataclass(frozen=True)
class Missing:
    """One checklist line: what is not yet recorded, in the form's own words."""

    section_key: str
    section_title: str
    label: str


def missing_items(data: dict, has_photo: bool) -> list[Missing]:
    """Everything that counts towards completeness and is not yet filled in."""
    missing: list[Missing] = []
    for section in GRAB_PACK:
        values = data.get(section.key) or {}
        for item in section.items:
            needed = (
                item.counts_for_completeness if isinstance(item, Group) else item.is_needed(data)
            )
            if not needed:
                continue
            if isinstance(item, Group):
                if not any(_item_complete(item, entry) for entry in values.get(item.key) or []):
                    missing.append(
                        Missing(
                            section.key, section.title, f"At least one {item.item_label.lower()}"
                        )
                    )
            elif is_empty(values.get(item.key)):
                missing.append(Missing(section.key, section.title, item.label))
    if not has_photo:
        missing.append(Missing("description", "Description", "Photo"))
    return missing


def _item_complete(group: Group, entry: dict) -> bool:
    return all(
        not is_empty(entry.get(field.key))
        for field in group.fields
        if field.counts_for_completeness
    )


def is_complete(data: dict, has_photo: bool) -> bool:
    return not missing_items(data, has_photo)
