"""The edit form's fields are written out by hand for speed (templates/packs/_fields.html):
they must stay exactly the design system's markup. Every declared field is rendered
both ways (ours, and through nhsuk-frontend-jinja's own macros, as the form did
before) empty, filled, refused and as posted back, and the HTML compared."""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from grabpack.domain.grab_pack_schema import GRAB_PACK, FieldType, Group
from grabpack.packs.forms import from_data, grab_pack_form_class
from tests.pdf import samples

# The field macro as it was, through the design system's macros: the reference (with
# the date boxes' own error classes, ``box_class``, since only a wrong box turns red).
DESIGN_SYSTEM_FIELD = """
{% from "nhsuk/components/input/macro.jinja" import input %}
{% from "nhsuk/components/textarea/macro.jinja" import textarea %}
{% from "nhsuk/components/date-input/macro.jinja" import dateInput %}
{% from "nhsuk/components/radios/macro.jinja" import radios %}
{% from "nhsuk/components/select/macro.jinja" import select %}
{% macro pack_field(wtfield, spec) %}
  {%- set error = field_error(wtfield) -%}
  {%- set hint = {"text": spec.hint} if spec.hint else none -%}
  {%- if spec.type == "long_text" -%}
    {{ textarea({"id": wtfield.id, "name": wtfield.name, "label": {"text": spec.label},
                 "hint": hint, "value": wtfield.data or "", "errorMessage": error,
                 "rows": 4}) }}
  {%- elif spec.type == "date" -%}
    {{ dateInput({"id": wtfield.id, "namePrefix": "",
                  "fieldset": {"legend": {"text": spec.label, "size": "s"}},
                  "hint": hint, "errorMessage": error,
                  "items": [
                    {"id": wtfield.id ~ "-day", "name": wtfield.name ~ "-day", "label": "Day",
                     "value": wtfield.parts.day, "width": 2,
                     "classes": "nhsuk-input--width-2" ~ wtfield.box_class("day")},
                    {"id": wtfield.id ~ "-month", "name": wtfield.name ~ "-month",
                     "label": "Month", "value": wtfield.parts.month, "width": 2,
                     "classes": "nhsuk-input--width-2" ~ wtfield.box_class("month")},
                    {"id": wtfield.id ~ "-year", "name": wtfield.name ~ "-year", "label": "Year",
                     "value": wtfield.parts.year, "width": 4,
                     "classes": "nhsuk-input--width-4" ~ wtfield.box_class("year")}
                  ]}) }}
  {%- elif spec.type in ("yes_no", "choice") and wtfield.type == "RadioField" -%}
    {{ radios({"idPrefix": wtfield.id, "name": wtfield.name,
               "inline": wtfield.choices|length <= 3,
               "fieldset": {"legend": {"text": spec.label, "size": "s"}},
               "hint": hint, "errorMessage": error, "value": wtfield.data,
               "items": wtfield.choices|map("choice_item")|list}) }}
  {%- elif spec.type == "choice" -%}
    {{ select({"id": wtfield.id, "name": wtfield.name, "label": {"text": spec.label},
               "hint": hint, "errorMessage": error, "value": wtfield.data or "",
               "items": wtfield.choices|map("choice_item")|list}) }}
  {%- elif spec.type == "integer" -%}
    {{ input({"id": wtfield.id, "name": wtfield.name, "label": {"text": spec.label},
              "hint": hint, "errorMessage": error, "inputmode": "numeric",
              "classes": "nhsuk-input--width-3",
              "value": wtfield.raw_data[0] if wtfield.raw_data
                       else (wtfield.data if wtfield.data is not none else "")}) }}
  {%- else -%}
    {{ input({"id": wtfield.id, "name": wtfield.name, "label": {"text": spec.label},
              "hint": hint, "errorMessage": error,
              "value": (wtfield._value() if spec.type == "time" else wtfield.data) or "",
              "type": "email" if spec.type == "email"
                      else ("tel" if spec.type == "phone" else "text"),
              "spellcheck": false
                if spec.type in ("nhs_number", "postcode", "email", "phone", "time") else none,
              "autocomplete": "off" if spec.type == "time" else none,
              "classes": "nhsuk-input--width-10"
                if spec.type in ("nhs_number", "postcode", "phone")
                else ("nhsuk-input--width-5" if spec.type == "time" else none)}) }}
  {%- endif -%}
{% endmacro %}
"""

ERROR = 'Enter a <real> value & "check" it'


def normalised(html: str) -> str:
    """The markup as a browser builds it: runs of white space are one space, and white
    space beside a tag's edges (layout of the source, not content) is dropped."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<|>)\s*", r"\1", html).strip()


def every_field(form):
    """(form field, declared field) for every field, group entries included."""
    for section in GRAB_PACK:
        section_form = form[section.key].form
        for item in section.items:
            if isinstance(item, Group):
                for entry in section_form[item.key].entries:
                    for spec in item.fields:
                        yield entry.form[spec.key], spec
            else:
                yield section_form[item.key], item


def posted(data: dict) -> MultiDict:
    """What a browser posts back for ``data``'s form, with some entries a nurse got wrong."""
    form = grab_pack_form_class()(formdata=None, data=from_data(data))
    pairs = []
    for wtfield, spec in every_field(form):
        if spec.type == "date":
            parts = wtfield.parts
            pairs += [(f"{wtfield.name}-{p}", v) for p, v in parts.items() if p != "year"]
            pairs.append((f"{wtfield.name}-year", "26"))
        elif spec.type == "integer":
            pairs.append((wtfield.name, "about <6 ft>"))
        elif spec.type == "time":
            pairs.append((wtfield.name, "25:99"))
        elif wtfield.data not in (None, ""):
            value = wtfield.data
            pairs.append((wtfield.name, value if isinstance(value, str) else str(value)))
    return MultiDict(pairs)


def forms(app):
    data = samples.maximal_data(items=2)
    form_class = grab_pack_form_class()
    empty = form_class(formdata=None, data=from_data({}))
    filled = form_class(formdata=None, data=from_data(data))
    data["identity"]["full_name"] = 'Anna "Ania" <Nowak> & Co'
    refused = form_class(formdata=None, data=from_data(data))
    for wtfield, _spec in every_field(refused):
        wtfield.errors = [ERROR]
    sent = form_class(formdata=posted(samples.typical_data()))
    sent.validate()
    return {"empty": empty, "filled": filled, "refused": refused, "posted": sent}


@pytest.mark.parametrize("state", ["empty", "filled", "refused", "posted"])
def test_every_field_is_the_design_systems_markup(app, state):
    with app.test_request_context():
        ours = app.jinja_env.get_template("packs/_fields.html").module.pack_field
        theirs = app.jinja_env.from_string(DESIGN_SYSTEM_FIELD).module.pack_field
        form = forms(app)[state]
        kinds = set()
        for wtfield, spec in every_field(form):
            expected = normalised(str(theirs(wtfield, spec)))
            assert normalised(str(ours(wtfield, spec))) == expected, wtfield.id
            kinds.add((spec.type, wtfield.type, bool(spec.hint), bool(wtfield.errors)))
    # Every kind of field was compared, with and without a hint.
    assert {kind for kind, *_ in kinds} == set(FieldType)


def test_the_posted_form_has_refusals_to_compare(app):
    with app.test_request_context():
        sent = forms(app)["posted"]
        refused = {spec.type for wtfield, spec in every_field(sent) if wtfield.errors}
    assert {"date", "integer", "time"} <= refused


DESIGN_SYSTEM_CHANGE_NOTE = """
{% from "nhsuk/components/textarea/macro.jinja" import textarea %}
{% macro change_note(wtfield) %}
{{ textarea({"id": "change_note", "name": "change_note",
             "label": {"text": wtfield.label.text, "size": "s"},
             "hint": {"text": "For example: new medication, risk reviewed after leave"},
             "value": wtfield.data or "", "errorMessage": field_error(wtfield), "rows": 2}) }}
{% endmacro %}
"""


@pytest.mark.parametrize("note, error", [("", None), ("Risk <reviewed> & updated", ERROR)])
def test_the_change_note_is_the_design_systems_textarea(app, note, error):
    with app.test_request_context():
        ours = app.jinja_env.get_template("packs/_fields.html").module.change_note
        theirs = app.jinja_env.from_string(DESIGN_SYSTEM_CHANGE_NOTE).module.change_note
        form = grab_pack_form_class()(formdata=None, data={"change_note": note})
        form.change_note.errors = [error] if error else []
        assert normalised(str(ours(form.change_note))) == normalised(str(theirs(form.change_note)))
