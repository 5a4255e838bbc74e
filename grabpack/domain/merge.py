"""Putting a nurse's edit on top of a colleague's save, so neither is lost.

Three-way, per field (a repeatable group counts as one field): what only one
side changed is taken from that side; where both changed the same field
differently, the nurse's entry is kept and the field is flagged for them to check.
"""

from __future__ import annotations

from dataclasses import dataclass

from grabpack.domain.grab_pack_schema import GRAB_PACK


@dataclass(frozen=True)
class Merged:
    data: dict
    # (section title, field or group label) where both sides changed it differently.
    conflicts: tuple[tuple[str, str], ...]


def merge(base: dict, theirs: dict, mine: dict) -> Merged:
    data: dict = {}
    conflicts = []
    for section in GRAB_PACK:
        b, t, m = (d.get(section.key) or {} for d in (base, theirs, mine))
        values = {}
        for item in section.items:
            old, their, my = b.get(item.key), t.get(item.key), m.get(item.key)
            if my == old:
                chosen = their
            elif their in (old, my):
                chosen = my
            else:
                chosen = my
                conflicts.append((section.title, item.label))
            if chosen not in (None, "", []):
                values[item.key] = chosen
        if values:
            data[section.key] = values
    return Merged(data, tuple(conflicts))
