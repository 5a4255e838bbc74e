"""Putting a nurse's edit on top of a colleague's save, so neither is lost.

Three-way: ``base`` is the version the nurse's form was based on, ``theirs`` the
version saved since, ``mine`` the form sent. Per field, what only one side changed
is taken from that side; where both changed a field differently, the nurse's entry
is kept and the field is flagged for them to check.

A repeatable group (contacts, places, medicines) is merged entry by entry, so that
a colleague changing contact 2's phone and the nurse removing contact 1 both stand.
Entries have no ids: each side's list is lined up with the base list (an entry left
as it was, or changed in place while keeping more of its fields than it changed),
and each side's changes are read as hunks of the base list, as ``diff3`` does for
lines. Changes to different entries combine; two changes to one entry combine field
by field; entries both added are all kept, in the colleague's order then the nurse's
(the same entry added by both, once). Anything else that touches the same entries
on both sides is an overlap: the nurse's entries are kept there and flagged (the
colleague's stay in view in their changes on the conflict page).

Where the lining up cannot be sure (two equally good ways, as with two identical
entries one of which was removed), the group is merged as one field, as before: the
nurse's list is kept and the group flagged. A guess could put a colleague's change
on the wrong person without a word; a flag never loses anything silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from grabpack.domain.grab_pack_schema import GRAB_PACK, FieldType, Group
from grabpack.domain.pack_data import in_one_shape, is_blank


@dataclass(frozen=True)
class Merged:
    data: dict
    # (section title, what to check) where both sides changed it differently: a
    # field's label, a group's label, or an entry ("Contact 2", "Contact 2, Phone").
    conflicts: tuple[tuple[str, str], ...]


def merge(base: dict, theirs: dict, mine: dict) -> Merged:
    base, theirs, mine = in_one_shape(base), in_one_shape(theirs), in_one_shape(mine)
    data: dict = {}
    conflicts: list[tuple[str, str]] = []
    for section in GRAB_PACK:
        b, t, m = (d.get(section.key) or {} for d in (base, theirs, mine))
        values = {}
        for item in section.items:
            old, their, my = b.get(item.key), t.get(item.key), m.get(item.key)
            if my == old:
                chosen = their
            elif their in (old, my):
                chosen = my
            elif isinstance(item, Group) and (entries := merge_entries(item, old, their, my)):
                chosen = entries.entries
                conflicts.extend((section.title, label) for label in entries.conflicts)
            else:
                chosen = my
                conflicts.append((section.title, item.label))
            if not is_blank(chosen):
                values[item.key] = chosen
        if values:
            data[section.key] = values
    return Merged(data, tuple(conflicts))


# --- a repeatable group, entry by entry ----------------------------------------------


@dataclass(frozen=True)
class MergedEntries:
    entries: list[dict]
    # "Contact 2" (an entry both changed), "Contact 2, Phone" (a field of one entry
    # both changed), "Contact 1, removed in your form" (removed by the nurse, changed
    # by the colleague): numbered as in ``entries``, a removed one as in the nurse's form.
    conflicts: tuple[str, ...]


def merge_entries(group: Group, base, theirs, mine) -> MergedEntries | None:
    """The group's entries merged one by one, or ``None`` when that cannot be done
    safely (entries that cannot be lined up for sure, more entries than the form
    takes, or data not in the shape of a list of entries): the caller then keeps
    the nurse's list and flags the whole group."""
    lists = (base or [], theirs or [], mine or [])
    if not all(isinstance(entries, list) for entries in lists) or not all(
        isinstance(entry, dict) for entries in lists for entry in entries
    ):
        return None
    base, theirs, mine = lists
    their_hunks, my_hunks = _hunks(group, base, theirs), _hunks(group, base, mine)
    if their_hunks is None or my_hunks is None:
        return None
    merged = _Combined(group, base, their_hunks, my_hunks).entries()
    if len(merged.entries) > group.max_items:
        return None
    return merged


@dataclass(frozen=True)
class _Hunk:
    """On one side, ``base[start:stop]`` became ``entries``: an addition when
    ``start == stop``, a removal when there are no entries, and ``in_place`` when it
    is one entry changed where it stood (merged field by field with the other side)."""

    start: int
    stop: int
    entries: tuple[dict, ...]
    in_place: bool = False

    @property
    def is_addition(self) -> bool:
        return self.start == self.stop


def _hunks(group: Group, base: list[dict], side: list[dict]) -> list[_Hunk] | None:
    """One side's changes to the base list, in order; ``None`` when its entries can
    be lined up with the base entries in more than one equally good way.

    Entries removed are a hunk each. Where entries were removed and others put in
    their place, they are one hunk (the new ones may be the old ones rewritten),
    unless no new one shares a typed value (a name, a phone, an address: not a
    choice such as "Family") with a removed one: then they are removals, and
    additions after them."""
    pairs = _lined_up(base, side)
    if pairs is None:
        return None
    loose = {f.key for f in group.fields if f.type in (FieldType.CHOICE, FieldType.YES_NO)}
    hunks = []
    next_i = next_j = 0
    for i, j in [*pairs, (len(base), len(side))]:
        removed, added = base[next_i:i], tuple(side[next_j:j])
        if removed and added and any(_share(old, new, loose) for old in removed for new in added):
            hunks.append(_Hunk(next_i, i, added))
        else:
            hunks.extend(_Hunk(k, k + 1, ()) for k in range(next_i, i))
            if added:
                hunks.append(_Hunk(i, i, added))
        if i < len(base) and base[i] != side[j]:
            hunks.append(_Hunk(i, i + 1, (side[j],), in_place=True))
        next_i, next_j = i + 1, j + 1
    return hunks


def _share(old: dict, new: dict, loose: set[str]) -> bool:
    return any(new.get(key) == value for key, value in old.items() if key not in loose)


def _likeness(old: dict, new: dict) -> tuple[int, int, int] | None:
    """How well ``new`` reads as ``old`` kept or changed in place: (unchanged, lined
    up, fields kept), added up over a lining up and compared in that order; ``None``
    when it is not the same entry (it changed or cleared as many fields as it kept:
    Mum's entry typed over with Dad's name and phone is Mum removed and Dad added)."""
    kept = sum(1 for key, value in old.items() if new.get(key) == value)
    if old == new:
        return (1, 1, kept)
    if kept > len(old) - kept:
        return (0, 1, kept)
    return None


_ZERO = (0, 0, 0)
# Lists longer than the form takes are not lined up (the work grows as the product).
_MOST_PAIRS = 200 * 200


def _lined_up(base: list[dict], side: list[dict]) -> list[tuple[int, int]] | None:
    """The pairs (base index, side index) of the best lining up, in order, or
    ``None`` when more than one lining up is best.

    Every way of lining up is counted once: a path through the grid where, between
    two pairs, base entries left out come before side entries added (a move that
    leaves out a base entry never follows one that adds a side entry)."""
    n, m = len(base), len(side)
    if n * m > _MOST_PAIRS:
        return None
    likeness = [[_likeness(old, new) for new in side] for old in base]
    # best[i][j][after_added]: (score, how many best ways, capped at 2) for
    # base[i:] and side[j:]; None where no way is allowed.
    best: list[list[list[tuple[tuple[int, int, int], int] | None]]] = [
        [[None, None] for _ in range(m + 1)] for _ in range(n + 1)
    ]

    def moves(i: int, j: int, after_added: int):
        if i < n and j < m and (score := likeness[i][j]) is not None:
            yield (i + 1, j + 1, 0), score
        if j < m:
            yield (i, j + 1, 1), _ZERO
        if i < n and not after_added:
            yield (i + 1, j, 0), _ZERO

    def options(i: int, j: int, after_added: int):
        for (ni, nj, na), score in moves(i, j, after_added):
            if (rest := best[ni][nj][na]) is not None:
                total = tuple(a + b for a, b in zip(score, rest[0], strict=True))
                yield (ni, nj, na), total, rest[1]

    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            for after_added in (0, 1):
                if i == n and j == m:
                    best[i][j][after_added] = (_ZERO, 1)
                    continue
                found = list(options(i, j, after_added))
                if found:
                    top = max(total for _, total, _ in found)
                    ways = sum(count for _, total, count in found if total == top)
                    best[i][j][after_added] = (top, min(ways, 2))
    start = best[0][0][0]
    assert start is not None
    if start[1] > 1:
        return None
    pairs = []
    i = j = after_added = 0
    while (i, j) != (n, m):
        top = best[i][j][after_added]
        assert top is not None
        (ni, nj, na) = next(
            step for step, total, _ in options(i, j, after_added) if total == top[0]
        )
        if (ni, nj) == (i + 1, j + 1):
            pairs.append((i, j))
        i, j, after_added = ni, nj, na
    return pairs


def _clash(a: _Hunk, b: _Hunk) -> bool:
    """Whether a colleague's hunk and the nurse's touch the same entries differently."""
    if a == b or (a.in_place and b.in_place) or (a.is_addition and b.is_addition):
        return False  # the same change; one entry changed by both; added entries
    if a.is_addition:
        return b.start < a.start < b.stop
    if b.is_addition:
        return a.start < b.start < a.stop
    return a.start < b.stop and b.start < a.stop


class _Combined:
    """The base list with both sides' hunks applied, overlaps taken from the nurse.

    Entries that are not one entry changed in place (added, or put where removed
    ones were) go after the removed ones, the colleague's before the nurse's: the
    form adds at the end of the list, so a nurse's new contact follows a colleague's."""

    def __init__(self, group: Group, base: list[dict], theirs: list[_Hunk], mine: list[_Hunk]):
        self.group, self.base = group, base
        self.overlaps = _overlaps(theirs, mine)
        self.their_added = self._added(theirs)
        self.my_added = self._added(mine)
        self.my_added_only = {h.start: h.entries for h in mine if h.is_addition}
        self.their_changed = {h.start: h for h in theirs if not h.is_addition}
        self.my_changed = {h.start: h for h in mine if not h.is_addition}

    def _added(self, hunks: list[_Hunk]) -> dict[int, tuple[dict, ...]]:
        """Outside the overlaps: by base position, the entries one side put there."""
        return {
            h.stop: h.entries
            for h in hunks
            if not h.in_place
            and not any(_reaches_into(h, start, stop) for start, stop in self.overlaps.items())
        }

    def entries(self) -> MergedEntries:
        result: list[dict] = []
        flags: list[str] = []
        label, p = self.group.item_label, 0
        while True:
            result.extend(_added_by_both(self.their_added.get(p, ()), self.my_added.get(p, ())))
            if p == len(self.base):
                return MergedEntries(result, tuple(flags))
            if (stop := self.overlaps.get(p)) is not None:
                mine = self._mine_between(p, stop)
                if mine:
                    flags.extend(f"{label} {len(result) + k + 1}" for k in range(len(mine)))
                else:
                    flags.extend(f"{label} {q + 1}, removed in your form" for q in range(p, stop))
                result.extend(mine)
                p = stop
                continue
            their, my = self.their_changed.get(p), self.my_changed.get(p)
            if their is not None and my is not None and their != my:
                # Both changed this one entry in place (anything else overlaps).
                entry, fields = _merge_entry(self.group, self.base[p], their, my)
                if entry:
                    result.append(entry)
                    flags.extend(f"{label} {len(result)}, {field}" for field in fields)
                elif fields:
                    flags.append(f"{label} {p + 1}, removed in your form")
                p += 1
            elif (hunk := my or their) is not None:
                if hunk.in_place:
                    result.extend(hunk.entries)
                p = hunk.stop  # anything else it put there is added at its stop
            else:
                result.append(self.base[p])
                p += 1

    def _mine_between(self, start: int, stop: int) -> list[dict]:
        """The nurse's entries for ``base[start:stop]`` (added before ``start`` or at
        ``stop`` are outside it)."""
        entries: list[dict] = []
        q = start
        while q < stop:
            if q > start:
                entries.extend(self.my_added_only.get(q, ()))
            if (hunk := self.my_changed.get(q)) is not None:
                entries.extend(hunk.entries)
                q = hunk.stop
            else:
                entries.append(self.base[q])
                q += 1
        return entries


def _overlaps(theirs: list[_Hunk], mine: list[_Hunk]) -> dict[int, int]:
    """The stretches of the base list (start: stop) that both sides changed
    differently, widened to take in every hunk reaching into them."""
    stretches = [
        (min(a.start, b.start), max(a.stop, b.stop)) for a in theirs for b in mine if _clash(a, b)
    ]
    hunks = [*theirs, *mine]
    while True:
        joined: list[tuple[int, int]] = []
        for start, stop in sorted(stretches):
            if joined and start < joined[-1][1]:
                joined[-1] = (joined[-1][0], max(stop, joined[-1][1]))
            else:
                joined.append((start, stop))
        widened = [
            (
                min([start, *(h.start for h in hunks if _reaches_into(h, start, stop))]),
                max([stop, *(h.stop for h in hunks if _reaches_into(h, start, stop))]),
            )
            for start, stop in joined
        ]
        if widened == stretches:
            return dict(widened)
        stretches = widened


def _reaches_into(hunk: _Hunk, start: int, stop: int) -> bool:
    if hunk.is_addition:
        return start < hunk.start < stop
    return hunk.start < stop and start < hunk.stop


def _added_by_both(their: tuple[dict, ...], mine: tuple[dict, ...]) -> list[dict]:
    """Entries both added at one place: the colleague's, then the nurse's that are
    not among them (the same entry added by both is kept once)."""
    result, unmatched = list(their), list(their)
    for entry in mine:
        if entry in unmatched:
            unmatched.remove(entry)
        else:
            result.append(entry)
    return result


def _merge_entry(group: Group, old: dict, their: _Hunk, my: _Hunk) -> tuple[dict, list[str]]:
    """One entry both changed in place, field by field: the entry, and the labels
    of the fields both changed differently (the nurse's value kept)."""
    their_entry, my_entry = their.entries[0], my.entries[0]
    labels = {f.key: f.label for f in group.fields}
    others = sorted((old.keys() | their_entry.keys() | my_entry.keys()) - labels.keys())
    entry, both = {}, []
    for key in [*labels, *others]:
        o, t, m = old.get(key), their_entry.get(key), my_entry.get(key)
        if m == o:
            value = t
        elif t in (o, m):
            value = m
        else:
            value = m
            both.append(labels.get(key, key))
        if value is not None:
            entry[key] = value
    return entry, both
