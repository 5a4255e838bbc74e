"""The appeal poster form: the officer's choices, and the authorisation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from grabpack.domain.appeal_poster import (
    AUTHORISED_BY_LIMIT,
    FEATURES_BY_KEY,
    NameShown,
    PosterChoices,
)

if TYPE_CHECKING:  # the form only reads what the service says; no import at run time
    from grabpack.services.appeal_posters import Problem


class PosterForm(FlaskForm):
    """Choices are read for the preview on every send; the authorisation only when
    the poster is made (the service says what is missing)."""

    name_shown = RadioField(
        "Name on the poster",
        choices=[SelectChoice(choice.value, choice.label) for choice in NameShown],
        default=NameShown.FULL.value,
    )
    features = SelectMultipleField(
        "Distinguishing features",
        choices=[],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,
    )
    show_last_seen_place = BooleanField("Where they were last seen", default=True)
    show_area = BooleanField("The area they are missing from")
    authorised = BooleanField("A public appeal for this person has been authorised")
    authorised_by = StringField(
        "Authorising officer's name or reference",
        validators=[
            Optional(),
            Length(
                max=AUTHORISED_BY_LIMIT,
                message=f"The authorising officer's name or reference must be "
                f"{AUTHORISED_BY_LIMIT} characters or fewer",
            ),
        ],
    )
    version = HiddenField()

    def offer_features(self, options: list[tuple[str, str, str]]) -> None:
        """The feature checkboxes: those the pack records, (key, label, value)."""
        self.features.choices = [SelectChoice(key, label) for key, label, _value in options]

    def choices(self, offered: set[str] | None = None) -> PosterChoices:
        """The choices as sent (a feature not offered is ignored)."""
        try:
            name = NameShown(self.name_shown.data)
        except ValueError:
            name = NameShown.FULL
        chosen = set(self.features.data or ()) & set(FEATURES_BY_KEY)
        if offered is not None:
            chosen &= offered
        return PosterChoices(
            name=name,
            features=frozenset(chosen),
            show_area=bool(self.show_area.data),
            show_last_seen_place=bool(self.show_last_seen_place.data),
        )

    def previewed_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def authorisation(self) -> dict[str, Any]:
        """What the officer sent about the authorisation, as ``make`` takes it."""
        return {
            "authorised": bool(self.authorised.data),
            "authorised_by": self.authorised_by.data or "",
            "previewed_version": self.previewed_version(),
        }

    def show_refusals(self, problems: list[Problem]) -> None:
        """Every reason the poster was not made, each at its field (the summary links
        to it) or, about the poster as a whole, at the top; never the same twice,
        since the field's own length check and the service's say the same thing."""
        for problem in problems:
            if problem.about is None:
                if problem.message not in self.form_errors:
                    self.form_errors.append(problem.message)
                continue
            field = self[problem.about]
            if problem.message not in field.errors:
                field.errors = [*field.errors, problem.message]
