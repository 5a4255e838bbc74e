"""WTForms pieces the design system needs and WTForms lacks: the Day/Month/Year date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from wtforms import Field
from wtforms.validators import ValidationError

from grabpack.domain.clock import LONDON, london_today, parse_time_of_day, time_text

TIME_RE = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


class DayMonthYearField(Field):
    """A date typed as three boxes (``<name>-day``, ``-month``, ``-year``), as NHS forms do.

    Keeps what was typed on error so that nothing the nurse entered is lost, and
    stores ``None`` when all three boxes are empty (dates are optional in a draft).
    """

    def __init__(self, label=None, validators=None, not_future: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.not_future = not_future
        self.parts = {"day": "", "month": "", "year": ""}
        self.parse_error: str | None = None

    def process_data(self, value) -> None:
        if isinstance(value, str) and value:
            value = date.fromisoformat(value)
        self.data = value
        if isinstance(value, date):
            self.parts = {"day": str(value.day), "month": str(value.month), "year": str(value.year)}

    def process_formdata(self, valuelist) -> None:
        # Called with our own reading of the three inputs (see process()).
        pass

    def process(self, formdata, data=None, extra_filters=None) -> None:
        self.process_errors = []
        self.parse_error = None
        if formdata is None or not any(f"{self.name}-{p}" in formdata for p in self.parts):
            super().process(None, data=data, extra_filters=extra_filters)
            return
        self.parts = {part: formdata.get(f"{self.name}-{part}", "").strip() for part in self.parts}
        self.data = None
        if not any(self.parts.values()):
            return
        label = self.label.text
        missing = [part for part, value in self.parts.items() if not value]
        if missing:
            self.parse_error = f"{label} must include a {' and a '.join(missing)}"
            return
        try:
            day, month, year = (int(self.parts[p]) for p in ("day", "month", "year"))
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.parse_error = f"{label} must be a real date"

    def pre_validate(self, form) -> None:
        if self.parse_error:
            raise ValidationError(self.parse_error)
        if self.data is not None and self.not_future and self.data > london_today():
            raise ValidationError(f"{self.label.text} must be today or in the past")
        if self.data is not None and self.data.year < 1900:
            raise ValidationError(f"{self.label.text} must be after 1900")

    def _value(self) -> str:
        return self.data.isoformat() if self.data else ""


class LondonDateTimeField(DayMonthYearField):
    """Day / Month / Year boxes plus a 24-hour time (``14:05``), read as London time
    and stored as aware UTC. Episode times are typed by people on a ward clock."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.parts = {"day": "", "month": "", "year": "", "time": ""}

    def process_data(self, value) -> None:
        self.data = value
        if isinstance(value, datetime):
            local = value.astimezone(LONDON)
            self.parts = {
                "day": str(local.day),
                "month": str(local.month),
                "year": str(local.year),
                "time": local.strftime("%H:%M"),
            }

    def process(self, formdata, data=None, extra_filters=None) -> None:
        self.process_errors = []
        self.parse_error = None
        if formdata is None or not any(f"{self.name}-{p}" in formdata for p in self.parts):
            Field.process(self, None, data=data, extra_filters=extra_filters)
            return
        self.parts = {part: formdata.get(f"{self.name}-{part}", "").strip() for part in self.parts}
        self.data = None
        if not any(self.parts.values()):
            return
        label = self.label.text
        missing = [p if p != "time" else "time" for p, v in self.parts.items() if not v]
        if missing:
            self.parse_error = f"{label} must include a {' and a '.join(missing)}"
            return
        match = TIME_RE.fullmatch(self.parts["time"].replace(".", ":"))
        try:
            if not match:
                raise ValueError
            day, month, year = (int(self.parts[p]) for p in ("day", "month", "year"))
            hour, minute = int(match.group(1)), int(match.group(2))
            local = datetime(year, month, day, hour, minute, tzinfo=LONDON)
            self.data = local.astimezone(UTC)
        except ValueError:
            self.parse_error = f"{label} must be a real date and a time like 14:05"

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
            self.parse_error = f"{self.label.text} must be a time on the 24-hour clock, like 22:00"

    def pre_validate(self, form) -> None:
        if self.parse_error:
            raise ValidationError(self.parse_error)

    def _value(self) -> str:
        return self.typed if self.parse_error else time_text(self.data)


class DateRequired:
    """Like DataRequired, but keeps a more specific "must be a real date" error."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data is None and not field.parse_error:
            raise ValidationError(self.message)
