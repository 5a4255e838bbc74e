"""What a public appeal poster may carry: the one rule of what reaches the public.

A grab pack holds everything a public poster must never show (the Mental Health
Act status, diagnoses, medication, risks, NHS number, addresses, contacts). The
poster is built from an allow-list instead: the pack fields below, named by their
keys in the declaration (``grab_pack_schema.GRAB_PACK``; a renamed field fails at
import, never leaks), the episode's where and when last seen and clothing, the
police reference, and what the officer chose (how the name shows, which
distinguishing features, whether to name the area).

``build_poster`` returns a ``Poster``, a frozen value holding ONLY allowed
content. The PDF, the square image and the preview page are all drawn from that
value alone, so nothing else can reach them. Age is worked out on the day the
poster is made (a London day); the date of birth itself is never on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from grabpack.domain.clock import age_on, long_date, to_london
from grabpack.domain.grab_pack_schema import (
    SECTIONS_BY_KEY,
    Field,
    FieldType,
    display_value,
    value_of,
)

AUTHORISED_BY_LIMIT = 100


class NameShown(StrEnum):
    FULL = "full"
    FIRST = "first"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            NameShown.FULL: "Full name",
            NameShown.FIRST: "First name only",
            NameShown.NONE: "No name",
        }[self]


def _declared(section_key: str, field_key: str) -> tuple[str, Field]:
    """A field of the grab-pack declaration by its keys; ``LookupError`` if it is gone
    (a renamed field stops the app, rather than dropping silently off the poster)."""
    section = SECTIONS_BY_KEY.get(section_key)
    match = [item for item in (section.fields if section else ()) if item.key == field_key]
    if not match:
        raise LookupError(f"the appeal poster names no declared field {section_key}.{field_key}")
    return section_key, match[0]


NAME = _declared("identity", "full_name")
DATE_OF_BIRTH = _declared("identity", "date_of_birth")  # for the age only
# Always on the poster when the pack has them.
DESCRIPTION = (
    _declared("description", "height_cm"),
    _declared("description", "build"),
    _declared("description", "hair"),
)
# On the poster only when the officer ticks them.
FEATURES = (
    _declared("description", "facial_hair"),
    _declared("description", "eye_colour"),
    _declared("description", "glasses"),
    _declared("description", "marks"),
    _declared("description", "accent"),
    _declared("description", "aids"),
)
FEATURES_BY_KEY = {item.key: (section, item) for section, item in FEATURES}
# Every pack field whose text may reach a poster (the date of birth only as an age).
ALLOWED_PACK_FIELDS: frozenset[tuple[str, str]] = frozenset(
    (section, item.key) for section, item in (NAME, *DESCRIPTION, *FEATURES)
)

# Shorter labels for the public: "Hair", not "Hair: colour, style and length".
_LABELS = {
    "height_cm": "Height",
    "build": "Build",
    "hair": "Hair",
    "facial_hair": "Facial hair",
    "eye_colour": "Eyes",
    "glasses": "Glasses",
    "marks": "Scars, tattoos and marks",
    "accent": "Accent",
    "aids": "Mobility or communication aids",
}


@dataclass(frozen=True)
class PosterEpisode:
    """The facts of the missing episode a poster may carry, and nothing else."""

    police_reference: str
    last_seen_at: datetime | None = None
    last_seen_place: str = ""
    clothing: str = ""
    area: str = ""  # the policing area's name, shown only when chosen


@dataclass(frozen=True)
class PosterChoices:
    """What the officer chose; stored with the poster's record."""

    name: NameShown = NameShown.FULL
    features: frozenset[str] = frozenset()  # keys of ``FEATURES``
    show_area: bool = False
    show_last_seen_place: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.features) - set(FEATURES_BY_KEY)
        if unknown:
            raise ValueError(f"not a feature a poster may show: {sorted(unknown)}")

    def to_record(self) -> dict:
        return {
            "name": self.name.value,
            "features": sorted(self.features),
            "show_area": self.show_area,
            "show_last_seen_place": self.show_last_seen_place,
        }

    @classmethod
    def from_record(cls, record: dict) -> PosterChoices:
        return cls(
            name=NameShown(record.get("name", NameShown.NONE)),
            features=frozenset(record.get("features") or ()) & set(FEATURES_BY_KEY),
            show_area=bool(record.get("show_area")),
            show_last_seen_place=bool(record.get("show_last_seen_place")),
        )


@dataclass(frozen=True)
class PosterLine:
    label: str
    value: str


@dataclass(frozen=True)
class Poster:
    """Everything a poster prints, and nothing more."""

    name: str  # as the officer chose to show it; "" for none
    age: int | None
    description: tuple[PosterLine, ...]  # height, build, hair, then the chosen features
    last_seen_at: str  # "14 July 2025 at 15:04", London time; "" when not known
    last_seen_place: str
    clothing: str
    area: str
    police_reference: str
    made_on: date
    photo: bytes | None = field(default=None, repr=False)  # the pack's JPEG

    @property
    def headline(self) -> str:
        return "MISSING"

    @property
    def who(self) -> str:
        return self.name or "this person"

    @property
    def call_line(self) -> str:
        return f"If you see {self.who}, call 999 and quote {self.police_reference}"

    @property
    def age_line(self) -> str:
        return f"Age {self.age}" if self.age is not None else ""

    @property
    def last_seen_line(self) -> str:
        """``Last seen 14 July 2025 at 15:04, Camden Town station``."""
        parts = [part for part in (self.last_seen_at, self.last_seen_place) if part]
        return f"Last seen {', '.join(parts)}" if parts else ""

    @property
    def area_line(self) -> str:
        return f"Missing from the {self.area} area" if self.area else ""

    @property
    def footer(self) -> str:
        return f"Police reference {self.police_reference}. Poster made {long_date(self.made_on)}."

    def texts(self) -> tuple[str, ...]:
        """Every piece of text the poster prints (what a test searches)."""
        lines = [f"{line.label}: {line.value}" for line in self.description]
        return tuple(
            text
            for text in (
                self.headline,
                self.name,
                self.age_line,
                *lines,
                self.last_seen_line,
                self.clothing and f"Clothing: {self.clothing}",
                self.area_line,
                self.call_line,
                self.footer,
            )
            if text
        )


def feature_options(data: dict) -> list[tuple[str, str, str]]:
    """(key, label, value) of each distinguishing feature the pack records: the
    officer's checkboxes."""
    options = []
    for section, item in FEATURES:
        shown = _shown(data, section, item)
        if shown:
            options.append((item.key, _LABELS[item.key], shown))
    return options


def first_name(full_name: str) -> str:
    words = full_name.split()
    return words[0] if words else ""


def build_poster(
    data: dict,
    episode: PosterEpisode,
    choices: PosterChoices,
    today: date,
    photo: bytes | None = None,
) -> Poster:
    """The poster for a grab pack version's ``data``, the episode's allowed facts
    and the officer's ``choices``, made on ``today`` (a London date)."""
    data = data if isinstance(data, dict) else {}
    full = " ".join(_shown(data, *NAME).split())
    name = {
        NameShown.FULL: full,
        NameShown.FIRST: first_name(full),
        NameShown.NONE: "",
    }[choices.name]
    lines = [
        PosterLine(_LABELS[item.key], shown)
        for section, item in DESCRIPTION
        if (shown := _shown(data, section, item))
    ]
    lines += [
        PosterLine(_LABELS[item.key], shown)
        for section, item in FEATURES
        if item.key in choices.features and (shown := _shown(data, section, item))
    ]
    born = value_of(data, DATE_OF_BIRTH[0], DATE_OF_BIRTH[1].key)
    age = age_on(born, today) if isinstance(born, str | date) and born else None
    return Poster(
        name=name,
        age=age,
        description=tuple(lines),
        last_seen_at=_moment(episode.last_seen_at),
        last_seen_place=episode.last_seen_place.strip() if choices.show_last_seen_place else "",
        clothing=episode.clothing.strip(),
        area=episode.area.strip() if choices.show_area else "",
        police_reference=episode.police_reference.strip(),
        made_on=today,
        photo=photo,
    )


def _shown(data: dict, section_key: str, item: Field) -> str:
    value = value_of(data, section_key, item.key)
    if isinstance(value, dict | list):
        return ""  # a list or a section where a value belongs: nothing of it is shown
    shown = display_value(item, value).strip()
    if shown and item.type is FieldType.INTEGER and item.key == "height_cm":
        return _height(value, shown)
    return shown


def _height(value: object, shown: str) -> str:
    """``175 cm (5 ft 9 in)``: the public thinks in feet and inches."""
    try:
        centimetres = int(str(value))
    except ValueError:
        return shown
    inches = round(centimetres / 2.54)
    return f"{centimetres} cm ({inches // 12} ft {inches % 12} in)"


def _moment(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = to_london(moment)
    return f"{long_date(local.date())} at {local:%H:%M}"
