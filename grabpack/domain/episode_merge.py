"""The episode's update form saved on top of a colleague's save, so neither is lost.

Three-way, as the grab pack's merge (``grabpack.domain.merge``) but field by field
with nothing to line up: ``base`` is what the form showed when it was loaded,
``current`` what the episode holds now, ``mine`` what the form sent. Per field:

- left as it was on the form (mine == base): not written, so a colleague's change
  since stands;
- changed on the form: written when the colleague left it alone (current == base)
  or changed it to the same value;
- changed differently by both: a clash. Nothing of the form is then saved: the
  user chooses, field by field, and saves again on top of what is there now.

One rule joins fields: section facts the user changed, beside a legal status a
colleague has since made informal, would be cleared (no section applies to an
informal patient); the status is then a clash, so the user chooses it.

Values are compared in one canonical text form, as the form shows them (a moment as
its London date and clock time to the minute, a time of day to the minute): blank
and ``None`` are the same, and a stored time with seconds is not "changed" by a form
that shows only minutes.
A form sent without a base (an old page, a script calling the service) is taken as
based on what is there now: every value it sends that differs is written, nothing
clashes; that is the last-save-wins it always had, minus rewriting equal values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from grabpack.domain.clock import london_today, long_date, to_london
from grabpack.domain.episode_schema import (
    FIELDS_BY_KEY,
    SECTION_FACTS,
    EpisodeField,
    Stage,
    display,
    fields_for,
    getter_of,
    has_no_section,
)
from grabpack.domain.episode_schema import EpisodeFieldType as T


def canonical(field: EpisodeField, value: object) -> str:
    """``value`` of ``field`` as one text, whether stored or read off the form."""
    if value is None or value == "":
        return ""
    match field.type:
        case T.CHECK:
            return "yes" if value else ""
        case T.MOMENT if isinstance(value, datetime):
            # As the form shows it: the London date and clock time, to the minute.
            return f"{to_london(value):%Y-%m-%dT%H:%M}"
        case T.DATE if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()
        case T.TIME if isinstance(value, time):
            return f"{value:%H:%M}"
    return str(value).replace("\r\n", "\n").strip()


def canonical_values(stage: Stage, values: Mapping[str, object] | object) -> dict[str, str]:
    """Every field of ``stage`` in canonical form, from an episode or a mapping."""
    get = getter_of(values)
    return {field.key: canonical(field, get(field.key)) for field in fields_for(stage)}


# --- the base, carried by the form -------------------------------------------------------


def encode_base(base: Mapping[str, str]) -> str:
    """The base as the text of a hidden field."""
    return json.dumps(dict(sorted(base.items())), separators=(",", ":"), ensure_ascii=False)


def decode_base(text: str | None, stage: Stage = Stage.UPDATE) -> dict[str, str] | None:
    """The base a form sent, or ``None`` when it sent none (or one that cannot be
    read: treated as none). Only the stage's keys with text values are kept."""
    if not text:
        return None
    try:
        sent = json.loads(text)
    except ValueError:
        return None
    if not isinstance(sent, dict):
        return None
    keys = {field.key for field in fields_for(stage)}
    return {key: value for key, value in sent.items() if key in keys and isinstance(value, str)}


# --- the rule ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdatePlan:
    """What to do with a sent form: the keys to write (changed by the user alone, or
    by both to the same value) and the keys both changed differently."""

    write: tuple[str, ...]
    clashes: tuple[str, ...]


def plan_update(
    base: Mapping[str, str] | None,
    current: Mapping[str, object],
    mine: Mapping[str, object],
) -> UpdatePlan:
    """The three-way rule for the keys of ``mine`` (the fields the form sent), in the
    declaration's order. ``current`` and ``mine`` hold values as stored or as parsed
    off the form; ``base`` is canonical (``canonical_values``). A key the base does
    not hold (no base at all) is taken as based on ``current``."""
    write: list[str] = []
    clashes: list[str] = []
    for key in [key for key in FIELDS_BY_KEY if key in mine]:
        field = FIELDS_BY_KEY[key]
        their = canonical(field, current.get(key))
        my = canonical(field, mine[key])
        old = base.get(key, their) if base is not None else their
        if my == old:
            continue  # not changed on the form: whatever is there now stands
        if their in (old, my):
            if my != their:
                write.append(key)
            continue
        clashes.append(key)
    if _status_made_informal_under([*write, *clashes], base, current, mine):
        clashes.insert(0, "legal_status")  # the first update field: still in page order
    return UpdatePlan(tuple(write), tuple(clashes))


def _status_made_informal_under(
    changed: list[str],
    base: Mapping[str, str] | None,
    current: Mapping[str, object],
    mine: Mapping[str, object],
) -> bool:
    """Whether the user's section facts would land beside a status a colleague made
    informal since (which clears them: no date applies to an informal patient). The
    user then chooses the status, rather than losing the dates without a word."""
    if base is None or "legal_status" not in mine or "legal_status" in changed:
        return False
    field = FIELDS_BY_KEY["legal_status"]
    their = canonical(field, current.get("legal_status"))
    return (
        any(key in SECTION_FACTS for key in changed)
        and their != base.get("legal_status", their)
        and has_no_section(their)
    )


# --- saying what the colleague did -------------------------------------------------------


def clash_message(
    field: EpisodeField,
    current: object,
    who: str = "",
    when: datetime | None = None,
    now: datetime | None = None,
) -> str:
    """The error beside a field both changed: who (if known) changed it to what (the
    value there now), when, and what to do."""
    value = display(field, current)
    if field.type is T.CHECK:
        did = "ticked this" if current else "unticked this"
    elif not value:
        did = "cleared this"
    else:
        did = f"changed this to {value}"
    at = ""
    if when is not None:
        local = to_london(when)
        at = f" at {local:%H:%M}"
        if local.date() != london_today(now):
            at += f" on {long_date(local.date())}"
    return (
        f"{who or 'A colleague'} {did}{at} since you opened the page: "
        "keep yours or theirs, then save again"
    )
