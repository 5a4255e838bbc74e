"""The one declaration of the grab pack: sections A-M, sound keys, a usable checklist."""

from grabpack.domain.completeness import is_complete, missing_items
from grabpack.domain.grab_pack_schema import GRAB_PACK, FieldType, Group


def test_sections_a_to_n_in_order():
    """DOMAIN.md's sections, N ("What an officer needs first") included."""
    assert [s.letter for s in GRAB_PACK] == list("ABCDEFGHIJKLMN")


def test_keys_are_unique_within_each_scope():
    assert len({s.key for s in GRAB_PACK}) == len(GRAB_PACK)
    for section in GRAB_PACK:
        keys = [item.key for item in section.items]
        assert len(keys) == len(set(keys)), section.key
        for group in section.groups:
            assert len({f.key for f in group.fields}) == len(group.fields)


def test_choice_fields_have_choices():
    for section in GRAB_PACK:
        fields = list(section.fields) + [f for g in section.groups for f in g.fields]
        for field in fields:
            assert (field.type is FieldType.CHOICE) == bool(field.choices), field.key


def test_no_field_asks_for_a_password():
    for section in GRAB_PACK:
        for item in section.items:
            assert "password" not in item.key and item.key != "pin"


def full_pack() -> dict:
    data: dict = {}
    for section in GRAB_PACK:
        values = data.setdefault(section.key, {})
        for item in section.items:
            if isinstance(item, Group):
                values[item.key] = [{f.key: "x" for f in item.fields}]
            else:
                values[item.key] = "x"
    return data


def test_empty_pack_lists_every_completeness_item_and_the_photo():
    items = missing_items({}, has_photo=False)
    labels = {i.label for i in items}
    assert {
        "Full name",
        "Date of birth",
        "Photo",
        "At least one contact",
        "At least one place",
        "Mental Health Act status",
    } <= labels


def test_full_pack_with_photo_is_complete():
    assert is_complete(full_pack(), has_photo=True)
    assert not is_complete(full_pack(), has_photo=False)


def test_a_group_item_missing_a_required_field_does_not_count():
    data = full_pack()
    data["contacts"]["contacts"] = [{"name": "Anna Kowalska", "phone": ""}]
    assert [i.label for i in missing_items(data, True)] == ["At least one contact"]
