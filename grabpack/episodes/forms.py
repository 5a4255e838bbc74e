"""Episode forms. Times are typed on a ward clock: London date and 24-hour time."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from grabpack.domain.mental_health_act import LEGAL_STATUSES
from grabpack.models import EpisodeKind, PoliceRiskGrade
from grabpack.packs.fields import DateRequired, LondonDateTimeField
from grabpack.packs.forms import choices, clean_text
from grabpack.services.episodes import CHECKS, FOUND_BY, FOUND_CATEGORIES

GRADES = [("", "Not given yet")] + [(g.value, g.label) for g in PoliceRiskGrade]


def _text(label: str, limit: int = 2000, **kwargs):
    return TextAreaField(
        label,
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=limit, message=f"{label} must be {limit:,} characters or fewer"),
        ],
        **kwargs,
    )


def police_report_fields() -> tuple:
    """What the ward tells police, asked at opening and updatable afterwards: reported
    at, reference, risk grade, s18 expiry given. Made afresh for each form so that the
    fields keep their place in that form's error summary."""
    return (
        LondonDateTimeField("Reported to police"),
        StringField(
            "Police reference number",
            filters=[clean_text],
            validators=[
                Optional(),
                Length(max=50, message="Police reference must be 50 characters or fewer"),
            ],
        ),
        SelectField("Police risk grade", choices=choices(GRADES), default=""),
        BooleanField("I have given police the s18 retake expiry date"),
    )


class OpenEpisodeForm(FlaskForm):
    kind = RadioField(
        "What kind of absence is this?",
        choices=choices([(k.value, k.label) for k in EpisodeKind]),
        validators=[DataRequired("Choose missing, AWOL or escapee")],
    )
    last_seen_at = LondonDateTimeField("Last seen")
    last_seen_place = StringField(
        "Where last seen",
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=500, message="Where last seen must be 500 characters or fewer"),
        ],
    )
    noticed_at = LondonDateTimeField(
        "Absence noticed", validators=[DateRequired("Enter when the absence was noticed")]
    )
    clothing = _text("Clothing when last seen")
    circumstances = _text("Circumstances", 5000)
    ward_and_grounds_searched = BooleanField(CHECKS["ward_and_grounds_searched"])
    cctv_checked = BooleanField(CHECKS["cctv_checked"])
    security_told = BooleanField(CHECKS["security_told"])
    next_of_kin_contacted = BooleanField(CHECKS["next_of_kin_contacted"])
    reported_at, police_reference, police_risk_grade, s18_expiry_stated = police_report_fields()
    moj_notified_at = LondonDateTimeField("Ministry of Justice told")
    legal_status = SelectField(
        "Legal status",
        choices=choices([("", "Not known")] + [(s.key, s.label) for s in LEGAL_STATUSES]),
        default="",
    )


class UpdateEpisodeForm(FlaskForm):
    reported_at, police_reference, police_risk_grade, s18_expiry_stated = police_report_fields()


class CloseEpisodeForm(FlaskForm):
    returned_at = LondonDateTimeField(
        "Returned or found",
        validators=[DateRequired("Enter when the patient returned or was found")],
    )
    found_category = SelectField(
        "Where found",
        choices=choices([("", "Choose where")] + list(FOUND_CATEGORIES.items())),
        default="",
        validators=[DataRequired("Choose where the patient was found")],
    )
    found_place = StringField(
        "Place",
        filters=[clean_text],
        validators=[Optional(), Length(max=500, message="Place must be 500 characters or fewer")],
    )
    found_by = SelectField(
        "Found by", choices=choices([("", "Choose who")] + list(FOUND_BY.items())), default=""
    )
    harm_while_missing = _text("Harm while missing", 5000)
    prevention_interview_at = LondonDateTimeField("Prevention interview (safe and well check)")


class PreventionInterviewForm(FlaskForm):
    prevention_interview_at = LondonDateTimeField(
        "Prevention interview (safe and well check)",
        validators=[DateRequired("Enter when the prevention interview was done")],
    )


class ActionForm(FlaskForm):
    """A button that changes something: CSRF only."""
