"""Jinja filters and globals: London time, NHS number display, the signed-in header."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from jinja2 import ChainableUndefined
from jinja2.utils import missing

from grabpack.domain.clock import age_on, london_today, long_date, to_london
from grabpack.domain.episode_schema import EPISODE, Stage, display, sections_for, shown_rows
from grabpack.domain.grab_pack_schema import GRAB_PACK, display_value
from grabpack.domain.nhs_number import format_nhs_number
from grabpack.domain.retake import CONFIRM

LONDON = ZoneInfo("Europe/London")


def london_time(value: datetime | None, fmt: str = "%-d %b %Y %H:%M") -> str:
    """A UTC timestamp as Londoners read it (GMT or BST as the date says)."""
    return to_london(value).strftime(fmt) if value is not None else ""


def born(value: date | None) -> str:
    """``7 March 1991 (age 35)``: what a nurse or officer reads off a date of birth."""
    if value is None:
        return ""
    age = age_on(value, london_today())
    return f"{long_date(value)} (age {age})" if age is not None else long_date(value)


def nhs_number(value: str | None) -> str:
    return format_nhs_number(value) if value else ""


def field_error(field) -> dict | None:
    """The ``errorMessage`` parameter of a design-system macro: the field's first error."""
    return {"text": field.errors[0]} if field.errors else None


def choice_item(choice: tuple) -> dict:
    """A WTForms choice as a design-system radio or select item."""
    return {"value": choice.value, "text": choice.label}


def summary_rows(rows: list[tuple[str, str]], empty: str = "Not recorded") -> list[dict]:
    """(label, value) pairs as the design system's summary-list rows."""
    return [{"key": {"text": label}, "value": {"text": value or empty}} for label, value in rows]


class LoudUndefined(ChainableUndefined):
    """A missing *name* fails loudly; a missing attribute or key still chains.

    The NHS.UK macros read optional parameters as ``params.hint.text``, which must
    stay quiet when ``hint`` is not given; but a typo in one of our templates
    (``{{ patinet.full_name }}``) must not print as a blank on a police page.
    Used in development and tests; production keeps ``ChainableUndefined``.
    """

    # The design system's macros test ``{% if caller %}`` outside a call block, and
    # call their own helpers without every parameter (which Jinja hints at); some
    # compare with `undefined`, a Nunjucks name Jinja does not have.
    QUIET_NAMES = frozenset({"caller", "undefined"})

    def _is_name(self) -> bool:
        return (
            self._undefined_obj is missing
            and self._undefined_hint is None
            and self._undefined_name is not None
            and self._undefined_name not in self.QUIET_NAMES
        )

    def _loud(self) -> None:
        if self._is_name():
            self._fail_with_undefined_error()

    def __getattr__(self, name: str):
        if name[:2] == "__":
            raise AttributeError(name)
        self._loud()
        return self

    def __str__(self) -> str:
        self._loud()
        return super().__str__()

    def __iter__(self):
        self._loud()
        return super().__iter__()

    def __bool__(self) -> bool:
        self._loud()
        return super().__bool__()

    def __len__(self) -> int:
        self._loud()
        return super().__len__()

    def __html__(self) -> str:
        self._loud()
        return super().__html__()


def init_app(app: Flask) -> None:
    # The NHS.UK macros read optional params as chained attributes; our own names
    # must exist (loudly so in development and tests).
    loud = app.config.get("GRABPACK_ENV") in ("development", "testing")
    app.jinja_env.undefined = LoudUndefined if loud else ChainableUndefined
    # Flask escapes only *.html templates; the design system's macros are *.jinja
    # and print "text" params, so escape everywhere (their "html" params use |safe).
    app.jinja_env.autoescape = True
    app.jinja_env.filters["choice_item"] = choice_item
    app.jinja_env.filters["summary_rows"] = summary_rows
    app.jinja_env.filters.update(
        london_time=london_time, long_date=long_date, nhs_number=nhs_number, born=born
    )

    from grabpack.links import external_url_for
    from grabpack.packs.forms import error_list
    from grabpack.police.briefing import tel_href

    # Globals, not a context processor: imported macros see globals only.
    app.jinja_env.globals.update(
        field_error=field_error,
        error_list=error_list,
        display_value=display_value,
        tel_href=tel_href,
        GRAB_PACK=GRAB_PACK,
        EPISODE=EPISODE,
        Stage=Stage,
        episode_sections=sections_for,
        episode_display=display,
        episode_rows=shown_rows,
        RETAKE_CONFIRM=CONFIRM,
        external_url_for=external_url_for,
    )
