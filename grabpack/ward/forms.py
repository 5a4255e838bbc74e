from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from grabpack.domain.nhs_number import InvalidNHSNumber, normalise_nhs_number
from grabpack.packs.fields import DayMonthYearField
from grabpack.packs.forms import _Normalise, clean_text


class AdmitForm(FlaskForm):
    full_name = StringField(
        "Full name",
        filters=[clean_text],
        validators=[
            DataRequired("Enter the patient's full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
    )
    date_of_birth = DayMonthYearField("Date of birth", not_future=True)
    nhs_number = StringField(
        "NHS number",
        filters=[clean_text],
        validators=[Optional(), _Normalise(normalise_nhs_number, InvalidNHSNumber)],
    )


class TransferForm(FlaskForm):
    ward = SelectField("Transfer to", validators=[DataRequired("Choose the ward to transfer to")])


class DischargeForm(FlaskForm):
    """Confirmation only: discharging keeps the pack, read-only."""


class ReadmitForm(FlaskForm):
    """Confirmation only: undoing a discharge is a ward manager's decision."""


class _ChosenFrom(SelectField):
    """A drop-down whose refusal of an unknown value says so in plain words."""

    def __init__(self, label=None, refusal: str = "", **kwargs):
        super().__init__(label, **kwargs)
        self.refusal = refusal

    def pre_validate(self, form) -> None:
        if self.data and self.data not in {str(choice[0]) for choice in self.choices}:
            raise ValidationError(self.refusal)


class AuditFilterForm(FlaskForm):
    """Narrow the ward's audit list; read from the query string (GET), so no CSRF."""

    class Meta:
        csrf = False

    patient = _ChosenFrom("Patient", refusal="Choose a patient from the list")
    user = _ChosenFrom("Who", refusal="Choose a person from the list")
    action = _ChosenFrom("What", refusal="Choose what was done from the list")
    from_date = DayMonthYearField("From")
    to_date = DayMonthYearField("To")

    def validate_to_date(self, field) -> None:
        if field.data and self.from_date.data and field.data < self.from_date.data:
            raise ValidationError("The ‘To’ date must be the same as or after the ‘From’ date")
