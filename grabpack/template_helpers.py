"""Jinja filters and globals: London time, NHS number display, the signed-in header."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from jinja2 import ChainableUndefined

from grabpack.domain.nhs_number import format_nhs_number

LONDON = ZoneInfo("Europe/London")


def london_time(value: datetime | None, fmt: str = "%-d %b %Y %H:%M") -> str:
    """A UTC timestamp as Londoners read it (GMT or BST as the date says)."""
    if value is None:
        return ""
    return value.astimezone(LONDON).strftime(fmt)


def long_date(value: date | None) -> str:
    return value.strftime("%-d %B %Y") if value else ""


def nhs_number(value: str | None) -> str:
    return format_nhs_number(value) if value else ""


def field_error(field) -> dict | None:
    """The ``errorMessage`` parameter of a design-system macro: the field's first error."""
    return {"text": field.errors[0]} if field.errors else None


def init_app(app: Flask) -> None:
    # The NHS.UK macros read optional params as chained attributes.
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.filters.update(
        london_time=london_time, long_date=long_date, nhs_number=nhs_number
    )

    @app.context_processor
    def _globals() -> dict:
        return {"field_error": field_error}
