"""What a public appeal poster may carry: the allow-list, whatever the pack holds.

Every field of the grab pack (and keys the declaration does not know) is filled
with a sentinel word of its own; the poster must hold the sentinels of the fields
it allows, as the officer chose them, and none of the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grabpack.domain.appeal_poster import (
    ALLOWED_PACK_FIELDS,
    FEATURES_BY_KEY,
    NameShown,
    PosterChoices,
    PosterEpisode,
    _declared,
    build_poster,
    feature_options,
)
from grabpack.domain.grab_pack_schema import GRAB_PACK, FieldType, Group

TODAY = date(2026, 12, 2)


@dataclass(frozen=True)
class Filled:
    """A pack whose every value is a sentinel word, and where each came from."""

    data: dict
    sentinels: dict[str, str]  # "section.field" (or "section.group.field") -> sentinel
    birth_date: date | None  # when the date of birth holds a real date


def _word(index: int, suffix: str) -> str:
    return f"Zq{index:03d}{suffix}x"


@st.composite
def filled_packs(draw) -> Filled:
    """Sentinels in every declared field and in some undeclared ones; sometimes a
    real date of birth or height (so the age and height are worked out)."""
    suffix = draw(st.text(alphabet="bcdfghjkmnp", max_size=4))
    data: dict = {}
    sentinels: dict[str, str] = {}
    index = 0
    birth_date = None
    for section in GRAB_PACK:
        values: dict = {}
        for item in section.items:
            if isinstance(item, Group):
                entries = []
                for n in range(draw(st.integers(0, 2))):
                    entry = {}
                    for field in item.fields:
                        index += 1
                        entry[field.key] = _word(index, suffix)
                        sentinels[f"{section.key}.{item.key}.{n}.{field.key}"] = entry[field.key]
                    entries.append(entry)
                values[item.key] = entries
                continue
            index += 1
            if item.key == "date_of_birth" and draw(st.booleans()):
                birth_date = draw(st.dates(date(1930, 1, 1), date(2010, 12, 31)))
                values[item.key] = birth_date.isoformat()
            elif item.type is FieldType.INTEGER and draw(st.booleans()):
                values[item.key] = draw(st.integers(50, 250))
            else:
                values[item.key] = _word(index, suffix)
                sentinels[f"{section.key}.{item.key}"] = values[item.key]
        data[section.key] = values
    index += 1
    data["undeclared"] = {"secret": _word(index, suffix)}
    sentinels["undeclared.secret"] = data["undeclared"]["secret"]
    index += 1
    data["identity"]["undeclared_key"] = _word(index, suffix)
    sentinels["identity.undeclared_key"] = data["identity"]["undeclared_key"]
    return Filled(data, sentinels, birth_date)


choice_values = st.builds(
    PosterChoices,
    name=st.sampled_from(list(NameShown)),
    features=st.frozensets(st.sampled_from(sorted(FEATURES_BY_KEY))),
    show_area=st.booleans(),
    show_last_seen_place=st.booleans(),
)

EPISODE = PosterEpisode(
    police_reference="CAD 1234/23NOV",
    last_seen_at=datetime(2026, 12, 1, 22, 30, tzinfo=UTC),
    last_seen_place="Zqplacex",
    clothing="Zqclothingx",
    area="Zqareax",
)


def allowed_keys(choices: PosterChoices) -> set[str]:
    keys = {"description.height_cm", "description.build", "description.hair"}
    keys |= {f"description.{key}" for key in choices.features}
    if choices.name is not NameShown.NONE:
        keys.add("identity.full_name")
    return keys


def poster_text(poster) -> str:
    return "\n".join(poster.texts())


@settings(max_examples=150, deadline=None)
@given(filled_packs(), choice_values)
def test_no_field_outside_the_allow_list_reaches_the_poster(filled, choices):
    poster = build_poster(filled.data, EPISODE, choices, TODAY)
    printed = poster_text(poster)
    allowed = allowed_keys(choices)
    for key, sentinel in filled.sentinels.items():
        if key in allowed:
            assert sentinel in printed, key
        else:
            assert sentinel not in printed, key
    if filled.birth_date is not None:
        assert filled.birth_date.isoformat() not in printed
        assert str(filled.birth_date.year) not in printed.replace(str(TODAY.year), "")
    assert ("Zqareax" in printed) is choices.show_area
    assert ("Zqplacex" in printed) is choices.show_last_seen_place
    assert "Zqclothingx" in printed


def test_the_allow_list_names_declared_fields_only():
    with pytest.raises(LookupError, match="identity.fullname"):
        _declared("identity", "fullname")
    assert ("identity", "full_name") in ALLOWED_PACK_FIELDS
    assert ("identity", "nhs_number") not in ALLOWED_PACK_FIELDS


def test_age_on_the_day_made_never_the_date():
    data = {"identity": {"full_name": "Amara Okoye", "date_of_birth": "1990-12-03"}}
    poster = build_poster(data, EPISODE, PosterChoices(), TODAY)
    assert poster.age == 35  # 36 tomorrow
    assert "1990" not in poster_text(poster)
    assert build_poster(data, EPISODE, PosterChoices(), date(2026, 12, 3)).age == 36


def test_the_name_as_police_choose_to_show_it():
    data = {"identity": {"full_name": "  Amara   Okoye "}}

    def made(name: NameShown):
        return build_poster(data, EPISODE, PosterChoices(name=name), TODAY)

    assert made(NameShown.FULL).name == "Amara Okoye"
    assert made(NameShown.FIRST).name == "Amara"
    assert "Okoye" not in poster_text(made(NameShown.FIRST))
    none = made(NameShown.NONE)
    assert none.name == ""
    assert none.call_line == "If you see this person, call 999 and quote CAD 1234/23NOV"
    assert "Amara" not in poster_text(none)
    assert made(NameShown.FULL).call_line.startswith("If you see Amara Okoye, call 999")


def test_features_offered_are_those_the_pack_records():
    data = {"description": {"marks": "Anchor tattoo", "glasses": "", "eye_colour": "Brown"}}
    assert [key for key, _label, _value in feature_options(data)] == ["eye_colour", "marks"]


def test_height_in_feet_and_inches_too_and_when_last_seen_in_london_time():
    poster = build_poster({"description": {"height_cm": 178}}, EPISODE, PosterChoices(), TODAY)
    assert poster.description[0].value == "178 cm (5 ft 10 in)"
    assert poster.last_seen_line == "Last seen 1 December 2026 at 22:30, Zqplacex"
    summer = PosterEpisode("R1", last_seen_at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    assert build_poster({}, summer, PosterChoices(), TODAY).last_seen_at == "2 July 2026 at 00:30"


def test_choices_round_trip_through_the_record_and_refuse_unknown_features():
    choices = PosterChoices(NameShown.FIRST, frozenset({"marks"}), True, False)
    assert PosterChoices.from_record(choices.to_record()) == choices
    with pytest.raises(ValueError):
        PosterChoices(features=frozenset({"nhs_number"}))
    assert PosterChoices.from_record({"features": ["nhs_number"]}).features == frozenset()
