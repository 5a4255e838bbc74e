"""Forms for the admin pages: where each policing area is told of its missing episodes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from grabpack.packs.forms import clean_text


class EmailTargetForm(FlaskForm):
    """An inbox of the area (missing persons unit, control room). One per area on the
    page, so each is built with the area's code as its prefix (unique field ids)."""

    address = StringField(
        "Email address",
        filters=[clean_text],
        validators=[
            DataRequired("Enter the email address to tell"),
            Length(max=254, message="An email address must be 254 characters or fewer"),
        ],
    )


class WebhookTargetForm(FlaskForm):
    """A receiver of the area's own system, and the shared secret its messages are
    signed with. The secret is never put back into the page, even after an error."""

    url = StringField(
        "Webhook URL",
        filters=[clean_text],
        validators=[
            DataRequired("Enter the webhook URL"),
            Length(max=2000, message="A webhook URL must be 2,000 characters or fewer"),
        ],
    )
    secret = PasswordField(
        "Shared secret",
        validators=[
            DataRequired("Enter the shared secret"),
            Length(max=500, message="The shared secret must be 500 characters or fewer"),
        ],
    )


class RemoveTargetForm(FlaskForm):
    """Confirmation only: the button names what it removes."""


def email_form(area_code: str, **kwargs) -> EmailTargetForm:
    return EmailTargetForm(prefix=f"{area_code}-email", **kwargs)


def webhook_form(area_code: str, **kwargs) -> WebhookTargetForm:
    return WebhookTargetForm(prefix=f"{area_code}-webhook", **kwargs)
