from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

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
