"""Episode forms, built from the one declaration in ``episode_schema``.

No field is named here: each stage's form (report, update, close, prevention
interview) has exactly the fields the declaration gives that stage. Times are
typed on a ward clock: a London date and a time as people type it ("2330",
"11:30pm"). A time in the future or out of order is shown beside the field to
fix, by the same rule the service refuses it with (``time_problems``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from grabpack.domain.episode_merge import canonical_values, decode_base, encode_base
from grabpack.domain.episode_schema import EpisodeField, Stage, fields_for, time_problems
from grabpack.domain.episode_schema import EpisodeFieldType as T
from grabpack.models.base import utcnow
from grabpack.packs.fields import (
    DateRequired,
    DayMonthYearField,
    LondonDateTimeField,
    TimeOfDayField,
)
from grabpack.packs.forms import choices, clean_text


def _length(field: EpisodeField) -> Length:
    return Length(
        max=field.max_length,
        message=f"{field.label} must be {field.max_length:,} characters or fewer",
    )


def wtforms_field(field: EpisodeField, stage: Stage | None = None):
    """The WTForms field for one declared episode field at ``stage``. A required field
    is required where it is first given; at a later stage (the kind on the update
    form) it is already recorded, and a form that does not send it leaves it."""
    needed = field.required if stage is None or stage is field.stages[0] else ""
    required = [DateRequired(needed)] if needed else []
    match field.type:
        case T.MOMENT:
            return LondonDateTimeField(
                field.label,
                validators=required,
                description=field.hint,
                now_option=field.now_option,
            )
        case T.DATE:
            return DayMonthYearField(
                field.label, description=field.hint, not_future=field.not_future
            )
        case T.TIME:
            return TimeOfDayField(field.label, description=field.hint)
        case T.CHECK:
            return BooleanField(field.label, description=field.hint)
        case T.CHOICE if field.blank_choice:
            return SelectField(
                field.label,
                description=field.hint,
                choices=choices([("", field.blank_choice), *field.choices]),
                default="",
                validators=[DataRequired(needed)] if needed else [Optional()],
            )
        case T.CHOICE:
            return RadioField(
                field.label,
                description=field.hint,
                choices=choices(field.choices),
                validators=[DataRequired(needed)] if needed else [Optional()],
            )
        case T.LONG_TEXT:
            return TextAreaField(
                field.label,
                description=field.hint,
                filters=[clean_text],
                validators=[Optional(), _length(field)],
            )
        case _:
            return StringField(
                field.label,
                description=field.hint,
                filters=[clean_text],
                validators=[Optional(), _length(field)],
            )


class EpisodeForm(FlaskForm):
    """A stage's form: each field checked alone, then the times checked together, each
    error beside the field the ward should change (the later one on the page)."""

    stage: Stage
    known: Mapping[str, Any] = {}  # the recorded episode's times, for a later stage

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        typed = form_values(self, self.stage, lenient=True)
        for key, message in time_problems({**self.known, **typed}, utcnow()):
            if key in self and not self[key].errors:
                self[key].errors = [*self[key].errors, message]
                valid = False
        return valid


@cache
def episode_form_class(stage: Stage) -> type[EpisodeForm]:
    attrs: dict[str, Any] = {field.key: wtforms_field(field, stage) for field in fields_for(stage)}
    if "kind" in attrs:
        # Shown with the warning that the kind contradicts the legal position
        # (``KindNeedsConfirming``): at reporting and on the update form alike.
        attrs["confirm_kind"] = BooleanField("The kind is right: record it as I chose")
    if stage is Stage.UPDATE:
        # What the form showed when loaded (``episode_merge``): a colleague's save since
        # then is not undone by the values this form merely re-sends.
        attrs["base"] = HiddenField()
    attrs["stage"] = stage
    return type(f"{stage.value.title()}EpisodeForm", (EpisodeForm,), attrs)


def episode_form(stage: Stage, known: Mapping[str, Any] | None = None, **kwargs) -> EpisodeForm:
    """A form for ``stage``; ``data=`` or ``obj=`` fill it, ``formdata=None`` ignores the
    request (for a page that shows other forms' errors). ``known`` gives the recorded
    episode's times that the stage's times are checked against."""
    form = episode_form_class(stage)(**kwargs)
    form.known = known or {}
    return form


def update_form(values: Mapping[str, Any] | object) -> EpisodeForm:
    """The episode page's update form showing ``values`` (the episode, or a mapping of
    its update values) and based on them. Ignores the request."""
    source = {"data": dict(values)} if isinstance(values, Mapping) else {"obj": values}
    form = episode_form(Stage.UPDATE, formdata=None, **source)
    form.base.data = encode_base(canonical_values(Stage.UPDATE, values))
    return form


def clash_form(clash) -> EpisodeForm:
    """The update form again after a clash (``EpisodeClash``): the user's changes on top
    of what is there now, each clash's error beside its field, and a fresh base (what
    is there now), so that saving again writes what the form then holds."""
    form = update_form({**clash.current, **clash.mine})
    form.base.data = encode_base(canonical_values(Stage.UPDATE, clash.current))
    for item in clash.clashes:
        form[item.key].errors = [item.message]
    return form


def base_of(form: FlaskForm) -> dict[str, str] | None:
    """The base the update form was sent with, or ``None`` (an old page, a script)."""
    return decode_base(form.base.data)


def form_values(
    form: FlaskForm, stage: Stage, lenient: bool = False, sent_only: bool = False
) -> dict[str, Any]:
    """The stage's values from a form, keyed as declared. ``lenient`` leaves out fields
    whose input could not be read (for working out the power while the ward types);
    ``sent_only`` leaves out fields the request did not carry at all, so that a partial
    post (an old tab, a script) cannot blank what it never showed. Tick boxes are always
    sent as unticked when absent, as browsers do."""
    values = {}
    for field in fields_for(stage):
        wtfield = form[field.key]
        if lenient and getattr(wtfield, "parse_error", None):
            continue
        if sent_only and field.type is not T.CHECK and not _was_sent(wtfield.name):
            continue
        values[field.key] = wtfield.data
    return values


def _was_sent(name: str) -> bool:
    return any(key == name or key.startswith(f"{name}-") for key in request.form)


class ActionForm(FlaskForm):
    """A button that changes something: CSRF only."""
