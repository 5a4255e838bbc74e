"""Templates fail loudly on a name that does not exist (development and tests), so a
typo cannot become a blank on a police page; the design system's optional
parameters still read as empty."""

from __future__ import annotations

import pytest
from jinja2 import ChainableUndefined
from jinja2.exceptions import UndefinedError


def test_a_misspelt_name_fails(app):
    with app.app_context(), pytest.raises(UndefinedError, match="patinet"):
        app.jinja_env.from_string("{{ patinet.full_name }}").render(patient={})


def test_a_missing_parameter_of_a_design_system_macro_is_quiet(app):
    with app.app_context():
        template = app.jinja_env.from_string(
            '{% from "nhsuk/components/tag/macro.jinja" import tag %}{{ tag({"text": "Open"}) }}'
        )
        assert "Open" in template.render()


def test_optional_keys_and_is_defined_still_work(app):
    with app.app_context():
        rendered = app.jinja_env.from_string(
            "[{{ params.hint.text }}]{% if nothing is defined %}x{% endif %}"
        ).render(params={})
        assert rendered == "[]"


def test_production_keeps_quiet_undefined(app_factory):
    production = app_factory(
        GRABPACK_ENV="production",
        SECRET_KEY="0123456789abcdef" * 4,
        PASSWORD_HASH_PROFILE="RFC_9106_LOW_MEMORY",
    )
    assert production.jinja_env.undefined is ChainableUndefined
