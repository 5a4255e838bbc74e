"""The grab-pack form, built from the one declaration in ``grab_pack_schema``.

Nothing here names a grab-pack field: sections, fields and repeatable groups
all come from ``GRAB_PACK``. ``to_data`` and ``from_data`` convert between the
form and the stored version's shape.
"""

from __future__ import annotations

import re
from datetime import date, time
from functools import cache
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, NumberRange, Optional, ValidationError

from grabpack.domain.clock import time_text
from grabpack.domain.grab_pack_schema import (
    GRAB_PACK,
    Field,
    FieldType,
    Group,
    is_empty,
    pack_problems,
)
from grabpack.domain.nhs_number import InvalidNHSNumber, normalise_nhs_number
from grabpack.domain.pack_data import in_one_shape
from grabpack.domain.postcode import InvalidPostcode, normalise_postcode
from grabpack.packs.fields import DayMonthYearField, TimeOfDayField, WholeNumberField

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
YES_NO_CHOICES = (("yes", "Yes"), ("no", "No"))


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def clean_text(value: Any) -> Any:
    """Drop control characters (PostgreSQL refuses NUL) and normalise line ends."""
    if not isinstance(value, str):
        return value
    return CONTROL_CHARACTERS.sub("", value.replace("\r\n", "\n")).strip()


def _length(field: Field) -> Length:
    return Length(
        max=field.max_length,
        message=f"{field.label} must be {field.max_length:,} characters or fewer",
    )


class _Normalise:
    """Validator that replaces the value by its normal form or fails with the rule's message."""

    def __init__(self, normalise, error: type[Exception]):
        self.normalise, self.error = normalise, error

    def __call__(self, form, wtfield) -> None:
        if not wtfield.data:
            return
        try:
            wtfield.data = self.normalise(wtfield.data)
        except self.error as exc:
            raise ValidationError(str(exc)) from exc


def _phone(form, wtfield) -> None:
    if wtfield.data and not PHONE_RE.match(wtfield.data):
        raise ValidationError(
            f"{wtfield.label.text} must be a phone number, like 020 7946 0000 or 07700 900000"
        )


def _whole_number_message(field: Field) -> str:
    """What to type, with a typical value (three fifths up the allowed range, in tens):
    "Enter height in centimetres, like 170" for height's 50 to 250."""
    low, high = field.minimum or 0, field.maximum or 100
    typical = low + (high - low) * 3 // 5 // 10 * 10
    return f"Enter {field.label[0].lower()}{field.label[1:]}, like {typical}"


def wtforms_field(field: Field):
    """The WTForms field for one declared field."""
    text = {"label": field.label, "description": field.hint, "filters": [clean_text]}
    match field.type:
        case FieldType.LONG_TEXT:
            return TextAreaField(**text, validators=[Optional(), _length(field)])
        case FieldType.DATE:
            return DayMonthYearField(
                field.label, description=field.hint, not_future=field.not_future
            )
        case FieldType.INTEGER:
            return WholeNumberField(
                field.label,
                description=field.hint,
                message=_whole_number_message(field),
                validators=[
                    Optional(),
                    NumberRange(
                        field.minimum,
                        field.maximum,
                        message=(
                            f"{field.label} must be between {field.minimum} and {field.maximum}"
                        ),
                    ),
                ],
            )
        case FieldType.YES_NO:
            return RadioField(
                field.label,
                description=field.hint,
                choices=choices(YES_NO_CHOICES),
                validators=[Optional()],
            )
        case FieldType.CHOICE if len(field.choices) > 4:
            return SelectField(
                field.label,
                description=field.hint,
                choices=choices([("", "Not recorded"), *field.choices]),
                default="",
            )
        case FieldType.CHOICE:
            return RadioField(
                field.label,
                description=field.hint,
                choices=choices(field.choices),
                validators=[Optional()],
            )
        case FieldType.NHS_NUMBER:
            return StringField(
                **text, validators=[Optional(), _Normalise(normalise_nhs_number, InvalidNHSNumber)]
            )
        case FieldType.POSTCODE:
            return StringField(
                **text, validators=[Optional(), _Normalise(normalise_postcode, InvalidPostcode)]
            )
        case FieldType.PHONE:
            return StringField(**text, validators=[Optional(), Length(max=30), _phone])
        case FieldType.TIME:
            return TimeOfDayField(field.label, description=field.hint)
        case FieldType.EMAIL:
            return EmailField(
                **text,
                validators=[
                    Optional(),
                    Length(max=254),
                    Email(message=f"{field.label} must be like name@example.com"),
                ],
            )
        case _:
            return StringField(**text, validators=[Optional(), _length(field)])


def _item_form(group: Group) -> type[Form]:
    attrs = {field.key: wtforms_field(field) for field in group.fields}
    return type(f"{group.key.title()}ItemForm", (Form,), attrs)


def _section_form(section) -> type[Form]:
    attrs = {}
    for item in section.items:
        if isinstance(item, Group):
            attrs[item.key] = FieldList(
                FormField(_item_form(item)), label=item.label, max_entries=item.max_items
            )
        else:
            attrs[item.key] = wtforms_field(item)
    return type(f"{section.key.title()}SectionForm", (Form,), attrs)


class _GrabPackForm(FlaskForm):
    """The pack form: each field checked alone, then the rules no draft may break
    (``pack_problems``: a name, dates in order), each beside the field to change.
    Fields that could not be read are left out of those rules: they have their own
    error already."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for section_key, field_key, message in pack_problems(to_data(self)):
            field = self[section_key].form[field_key]
            if not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid


@cache
def grab_pack_form_class() -> type[FlaskForm]:
    attrs: dict[str, Any] = {
        section.key: FormField(_section_form(section), label=section.title) for section in GRAB_PACK
    }
    attrs.update(
        based_on=HiddenField(),
        submission_id=HiddenField(),
        pending_photo=HiddenField(),
        photo=FileField(
            "Photo", description="A recent head-and-shoulders photo: JPEG, PNG or WebP"
        ),
        remove_photo=BooleanField("Remove the photo"),
        change_note=TextAreaField(
            "What changed (optional)",
            filters=[clean_text],
            validators=[
                Optional(),
                Length(max=500, message="What changed must be 500 characters or fewer"),
            ],
        ),
    )
    return type("GrabPackForm", (_GrabPackForm,), attrs)


# Stored shape <-> form shape -------------------------------------------------


def _to_stored(field: Field, value: Any) -> Any:
    if is_empty(value):
        return None
    if field.type is FieldType.YES_NO:
        return value == "yes"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return time_text(value)
    return value


def _to_form(field: Field, value: Any) -> Any:
    if field.type is FieldType.YES_NO and isinstance(value, bool):
        return "yes" if value else "no"
    return value


def to_data(form) -> dict:
    """The version's ``data`` from a validated form: empty values and items left out."""
    data: dict = {}
    for section in GRAB_PACK:
        values: dict = {}
        section_form = form[section.key].form
        for item in section.items:
            if isinstance(item, Group):
                entries = []
                for entry in section_form[item.key].entries:
                    stored = {f.key: _to_stored(f, entry.form[f.key].data) for f in item.fields}
                    stored = {k: v for k, v in stored.items() if v is not None}
                    if stored:
                        entries.append(stored)
                if entries:
                    values[item.key] = entries
            else:
                stored = _to_stored(item, section_form[item.key].data)
                if stored is not None:
                    values[item.key] = stored
        if values:
            data[section.key] = values
    return in_one_shape(data)


def from_data(data: dict) -> dict:
    """Form ``data=`` for a stored version (bools back to yes/no)."""
    result: dict = {}
    for section in GRAB_PACK:
        stored = data.get(section.key) or {}
        values: dict = {}
        for item in section.items:
            if isinstance(item, Group):
                values[item.key] = [
                    {f.key: _to_form(f, entry.get(f.key)) for f in item.fields}
                    for entry in stored.get(item.key) or []
                ]
            else:
                values[item.key] = _to_form(item, stored.get(item.key))
        result[section.key] = values
    return result


def error_list(form) -> list[dict]:
    """Every error in a (nested) form as the design system's error-summary items, in
    the order of the fields on the page, each linking to the input to fix (a date
    links to its first wrong box). Errors of the form as a whole come first."""
    items: list[dict] = [{"text": message} for message in getattr(form, "form_errors", [])]

    def walk(field) -> None:
        if isinstance(field, FormField):
            for sub in field.form:
                walk(sub)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                walk(entry)
        elif field.errors and field.type != "CSRFTokenField":
            anchor = getattr(field, "error_anchor", field.id)
            items.append({"text": field.errors[0], "href": f"#{anchor}"})

    for field in form:
        walk(field)
    return items
