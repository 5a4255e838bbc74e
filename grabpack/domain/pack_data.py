"""A grab pack's data in its one stored shape.

A blank field is absent, never ``""``, ``None`` or white space; a section or list
with nothing in it is absent; an entry of a list (a contact, a place) whose every
field is blank is dropped. Everything else is kept exactly as it is: ``False``,
``0`` and the order of list entries carry meaning.

Why one shape: a version saved by the form left blanks out while the demo and
imports wrote them as ``""``, so two versions that say the same thing compared
unequal, and the diff showed "Contact 1: changed" with nothing before or after.
Every write of a version goes through ``in_one_shape``; migration 0007 put the
versions written before it in the same shape.
"""

from __future__ import annotations

from typing import Any


def is_blank(value: Any) -> bool:
    """Whether a stored value says nothing: ``None``, an empty or white-space string,
    an empty list or mapping. ``False`` and ``0`` say something."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        return not value
    return False


def in_one_shape(data: dict | None) -> dict:
    """``data`` with its blanks left out (see the module docstring); a new dict, the
    argument is not changed."""
    return _mapping(data or {})


def _mapping(values: dict) -> dict:
    kept = {}
    for key, value in values.items():
        value = _value(value)
        if not is_blank(value):
            kept[key] = value
    return kept


def _value(value: Any) -> Any:
    if isinstance(value, dict):
        return _mapping(value)
    if isinstance(value, list):
        return [item for item in (_value(v) for v in value) if not is_blank(item)]
    return value
