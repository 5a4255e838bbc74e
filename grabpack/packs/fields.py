"""WTForms pieces the design system needs and WTForms lacks: the Day/Month/Year date,
a date with a time, a time of day, and a whole number, each with plain-words errors
that name the one box to fix."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time

from wtforms import Field, IntegerField
from wtforms.validators import StopValidation, ValidationError

from grabpack.domain.clock import (
    LONDON,
    london_today,
    parse_time_of_day,
    read_london_clock,
    shown_twice,
    split_zone,
    time_text,
)

ERROR_CLASS = " nhsuk-input--error"
MONTH_NAMES = {
    name.lower(): number
    for names in (calendar.month_name, calendar.month_abbr)
    for number, name in enumerate(names)
    if name
}
TIME_EXAMPLE = "like 23:30, 2330 or 11:30pm"


class _WrongDate(ValueError):
    """What is wrong with a typed date, and which boxes to mark."""

    def __init__(self, message: str, parts: tuple[str, ...]):
        super().__init__(message)
        self.parts = parts


def _listed(parts: tuple[str, ...]) -> str:
    """ "a day", "a month and a year", "a day, a month and a time"."""
    named = [f"a {part}" for part in parts]
    return " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)


def _number(text: str, low: int, high: int) -> int | None:
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def read_date(label: str, day: str, month: str, year: str) -> date:
    """A date from three typed boxes, or ``_WrongDate`` saying in plain words what to
    fix and in which box. A month may be typed as a number or a name ("Feb")."""
    day_n = _number(day, 1, 31)
    month_n = _number(month, 1, 12) or MONTH_NAMES.get(month.lower())
    year_n = int(year) if year.isdigit() and len(year) == 4 else None
    wrong = tuple(
        part
        for part, value in (("day", day_n), ("month", month_n), ("year", year_n))
        if value is None
    )
    if len(wrong) > 1:
        raise _WrongDate(f"{label} must be a real date, like 27 3 2026", wrong)
    if wrong == ("day",):
        raise _WrongDate(f"{label}: enter the day as a number from 1 to 31", wrong)
    if wrong == ("month",):
        raise _WrongDate(f"{label}: enter the month as a number from 1 to 12", wrong)
    if wrong == ("year",):
        raise _WrongDate(f"{label}: enter the year in full, like 2026", wrong)
    days = calendar.monthrange(year_n, month_n)[1]
    if day_n > days:
        month_name = calendar.month_name[month_n]
        raise _WrongDate(
            f"{label} must be a real date: {month_name} {year_n} has {days} days", ("day",)
        )
    return date(year_n, month_n, day_n)


class DayMonthYearField(Field):
    """A date typed as three boxes (``<name>-day``, ``-month``, ``-year``), as NHS forms do.

    Keeps what was typed on error so that nothing the nurse entered is lost, and
    stores ``None`` when all three boxes are empty (dates are optional in a draft).
    ``wrong_parts`` names the boxes that are wrong, so that only those turn red (none
    named means the date as a whole: every box).
    """

    PARTS: tuple[str, ...] = ("day", "month", "year")

    def __init__(self, label=None, validators=None, not_future: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.not_future = not_future
        self.parts = dict.fromkeys(self.PARTS, "")
        self.parse_error: str | None = None
        self.wrong_parts: tuple[str, ...] = ()

    def process_data(self, value) -> None:
        if isinstance(value, str) and value:
            value = date.fromisoformat(value)
        self.data = value
        if isinstance(value, date):
            self.parts = {"day": str(value.day), "month": str(value.month), "year": str(value.year)}

    def process_formdata(self, valuelist) -> None:
        # Called with our own reading of the boxes (see process()).
        pass

    def _was_sent(self, formdata) -> bool:
        return formdata is not None and any(f"{self.name}-{p}" in formdata for p in self.PARTS)

    def process(self, formdata, data=None, extra_filters=None) -> None:
        self.process_errors = []
        self.parse_error = None
        self.wrong_parts = ()
        if not self._was_sent(formdata):
            Field.process(self, None, data=data, extra_filters=extra_filters)
            return
        self.parts = {part: formdata.get(f"{self.name}-{part}", "").strip() for part in self.PARTS}
        self.data = None
        if not any(self.parts.values()):
            return
        try:
            self.data = self._read(self.label.text)
        except _WrongDate as wrong:
            self.parse_error, self.wrong_parts = str(wrong), wrong.parts

    def _read(self, label: str):
        missing = tuple(part for part in self.PARTS if not self.parts[part])
        if missing:
            raise _WrongDate(f"{label} must include {_listed(missing)}", missing)
        return read_date(label, self.parts["day"], self.parts["month"], self.parts["year"])

    def pre_validate(self, form) -> None:
        if self.parse_error:
            raise ValidationError(self.parse_error)
        if self.data is not None and self.not_future and self.data > london_today():
            raise ValidationError(f"{self.label.text} must be today or in the past")
        if self.data is not None and self.data.year < 1900:
            raise ValidationError(f"{self.label.text} must be after 1900")

    def box_class(self, part: str) -> str:
        """The error class for one box: only the boxes that are wrong turn red, or every
        box when the date as a whole is wrong (empty, in the future, out of order)."""
        if self.errors and (not self.wrong_parts or part in self.wrong_parts):
            return ERROR_CLASS
        return ""

    @property
    def error_anchor(self) -> str:
        """The id of the box the error summary links to: the first wrong one."""
        return f"{self.id}-{(self.wrong_parts or self.PARTS)[0]}"

    def _value(self) -> str:
        return self.data.isoformat() if self.data else ""


class LondonDateTimeField(DayMonthYearField):
    """Day / Month / Year boxes plus a time (``23:30``, ``2330``, ``11:30pm``), read as
    London time and stored as aware UTC. Episode times are typed by people on a ward
    clock. ``now_option`` adds a tick box that records the time the form is sent,
    on the server (it works without JavaScript)."""

    PARTS = ("day", "month", "year", "time")

    def __init__(self, label=None, validators=None, now_option: str = "", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.now_option = now_option

    def process_data(self, value) -> None:
        self.data = value
        if isinstance(value, datetime):
            self._show(value)

    def _show(self, value: datetime) -> None:
        local = value.astimezone(LONDON)
        self.parts = {
            "day": str(local.day),
            "month": str(local.month),
            "year": str(local.year),
            "time": local.strftime("%H:%M") + (f" {local.tzname()}" if shown_twice(local) else ""),
        }

    def _was_sent(self, formdata) -> bool:
        return super()._was_sent(formdata) or self._now_ticked(formdata)

    def _now_ticked(self, formdata) -> bool:
        return bool(self.now_option and formdata and formdata.get(f"{self.name}-now"))

    def process(self, formdata, data=None, extra_filters=None) -> None:
        if self._now_ticked(formdata):
            self.process_errors, self.parse_error, self.wrong_parts = [], None, ()
            self.data = datetime.now(UTC).replace(second=0, microsecond=0)
            self._show(self.data)  # shown as a time, so a re-shown form keeps it
            return
        super().process(formdata, data=data, extra_filters=extra_filters)

    def _read(self, label: str):
        missing = tuple(part for part in self.PARTS if not self.parts[part])
        if missing:
            raise _WrongDate(f"{label} must include {_listed(missing)}", missing)
        problems: list[_WrongDate] = []
        try:
            day = read_date(label, self.parts["day"], self.parts["month"], self.parts["year"])
        except _WrongDate as wrong:
            problems.append(wrong)
        typed, zone = split_zone(self.parts["time"])
        try:
            at = parse_time_of_day(typed)
        except ValueError:
            problems.append(_WrongDate(f"{label}: enter a time {TIME_EXAMPLE}", ("time",)))
        if problems:
            parts = tuple(part for problem in problems for part in problem.parts)
            raise _WrongDate(str(problems[0]), parts)
        try:
            return read_london_clock(day, at, zone)
        except ValueError as wrong:  # a clock-change hour: never guessed
            raise _WrongDate(f"{label}: {wrong}", ("time",)) from None

    def pre_validate(self, form) -> None:
        if self.parse_error:
            raise ValidationError(self.parse_error)


class TimeOfDayField(Field):
    """A time of day typed in one box on a London clock (``22:00``, ``2200``, ``10pm``).

    ``data`` is a ``datetime.time``; what was typed is kept on error so nothing is lost.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.typed = ""
        self.parse_error: str | None = None

    def process_data(self, value) -> None:
        if isinstance(value, str) and value:
            try:
                value = parse_time_of_day(value)
            except ValueError:
                value = None
        self.data = value if isinstance(value, time) else None
        self.typed = time_text(self.data)

    def process_formdata(self, valuelist) -> None:
        self.parse_error = None
        self.typed = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.typed:
            return
        try:
            self.data = parse_time_of_day(self.typed)
        except ValueError:
            self.parse_error = f"{self.label.text}: enter a time {TIME_EXAMPLE}"

    def pre_validate(self, form) -> None:
        if self.parse_error:
            raise ValidationError(self.parse_error)

    def _value(self) -> str:
        return self.typed if self.parse_error else time_text(self.data)


class WholeNumberField(IntegerField):
    """A whole number whose error says what to type, not "Not a valid integer value"."""

    def __init__(self, label=None, validators=None, message: str = "", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or f"Enter {str(label).lower()} as a whole number"

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError as exc:
            self.data = None
            raise ValueError(self.message) from exc

    def pre_validate(self, form) -> None:
        if self.process_errors:  # one message: not also "must be between" for no number
            raise StopValidation()


class DateRequired:
    """Like DataRequired, but keeps a more specific "must be a real date" error."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data is None and not field.parse_error:
            raise ValidationError(self.message)
