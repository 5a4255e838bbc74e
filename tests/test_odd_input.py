"""Odd input is a 400 (or a 404 where "no such thing" is the truth), never a 500.

Every rule in the app's URL map is asked for with its integer path arguments out
of range, and with every query parameter its view reads set to numbers beyond 32
and 64 bits, negative numbers, junk and impossible dates, as a signed-in user of
the role the page is for. PostgreSQL refuses an ``integer`` beyond 32 bits;
SQLite overflows beyond 64.
"""

from __future__ import annotations

import re
from typing import ClassVar

import pytest
from flask import Flask, url_for
from sqlalchemy.exc import DataError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule

from grabpack.extensions import db
from grabpack.models import Trust
from grabpack.services.grab_packs import save_version
from grabpack.services.share_links import create_link
from tests.conftest import AuthActions, csrf_token
from tests.factories import FULL_LEGAL, open_for, patient_on, staff
from tests.oidc_provider import IdentityProvider, grabpack_settings, serving

HUGE = "99999999999999999999"  # beyond 64 bits
# 2**31: beyond PostgreSQL's integer; 5,000 digits: beyond what int() will parse.
ODD_NUMBERS = (HUGE, str(2**63), str(2**31), "9" * 5000)
ODD_VALUES = (*ODD_NUMBERS, "-" + HUGE, "-1", "0", "1e999", "abc", "9999-12-31", "0001-01-01")
INT_ARGUMENT = re.compile(r"<int(?:\([^)]*\))?:(\w+)>")
MARK = 7654321  # stands in for an integer path argument while the path is built
# Numbers that forms post back (the forms' own fields are tested with the forms).
FORM_NUMBERS = {"packs.review": "based_on", "packs.restore": "based_on"}
ROLE_OF_BLUEPRINT = {
    "packs": "manager_a",
    "ward": "manager_a",
    "episodes": "manager_a",
    "main": "manager_a",
    "police": "police_a",
    "admin": "admin",
    "reports": "manager_a",
}


class ReadArguments(ImmutableMultiDict):
    """Query arguments that note every name a view asks for, so that the test
    tries exactly the parameters each page reads, today's and tomorrow's."""

    names: ClassVar[set[str]] = set()

    def get(self, key, *args, **kwargs):
        self.names.add(key)
        return super().get(key, *args, **kwargs)

    def __getitem__(self, key):
        self.names.add(key)
        return super().__getitem__(key)

    def getlist(self, key, *args, **kwargs):
        self.names.add(key)
        return super().getlist(key, *args, **kwargs)


@pytest.fixture
def app_config():
    """An identity provider configured (for a domain none of the signed-in users
    has, so they keep their passwords), so that its routes are probed too."""
    with serving(IdentityProvider("idp", "Elsewhere", "elsewhere.example")) as provider:
        yield grabpack_settings(provider)


@pytest.fixture
def places(app, world) -> dict[str, str]:
    """Good values for every non-integer path argument: a patient with a pack of
    two versions and an open episode, on the ward and in the area signed in below."""
    with app.app_context():
        patient = patient_on(world.ward_a, "Odd Input", FULL_LEGAL, world.nurse_a)
        nurse = staff(world.nurse_a)
        save_version(patient, {"identity": {"full_name": "Odd Input"}}, nurse, based_on=1)
        episode = open_for(patient, world.nurse_a)
        _link, token = create_link(episode, nurse, hours=24)
        db.session.commit()
        return {
            "patient_id": str(patient.id),
            "episode_id": str(episode.id),
            "code": world.ward_a,
            "token": token,
            "filename": "js/body-classes.js",
            "month": "2026-11",
            "name": "idp",  # the identity provider
            "kind": "pdf",  # a poster's file
            "poster_id": "00000000-0000-4000-8000-000000000000",  # made by nobody
        }


def signed_in_clients(app: Flask, world) -> dict[str | None, object]:
    """A test client signed in for each role the pages are for, and one signed out."""
    clients = {None: app.test_client()}
    for user in set(ROLE_OF_BLUEPRINT.values()):
        clients[user] = app.test_client()
        AuthActions(clients[user]).login(getattr(world, user))
    return clients


def _int_arguments(rule: Rule) -> list[str]:
    return INT_ARGUMENT.findall(rule.rule)


def _path(app: Flask, rule: Rule, places: dict[str, str], numbers: dict[str, str]) -> str:
    """The rule's path with ``numbers`` for its integer arguments, ``places`` for the
    rest: built with a marker number each, which is then swapped for the odd one."""
    marks = {name: MARK + n for n, name in enumerate(_int_arguments(rule))}
    values = {name: places[name] for name in rule.arguments if name not in marks}
    with app.test_request_context():
        path = url_for(rule.endpoint, **values, **marks)
    for name, mark in marks.items():
        path = path.replace(str(mark), numbers[name])
    return path


def _problem(response) -> str:
    """What went wrong, read to the end: a CSV streams, and can fail after its 200."""
    with response:
        try:
            response.get_data()
        except Exception as error:  # noqa: BLE001 - any crash is the finding
            return f"crashed while streaming: {error!r}"
    return str(response.status_code) if response.status_code >= 500 else ""


class Prober:
    """Sends each request as the rule's user and keeps what failed."""

    def __init__(self, app: Flask, world, places: dict[str, str]):
        self.app = app
        self.places = places
        self.clients = signed_in_clients(app, world)
        self.tokens = {
            user: csrf_token(client.get("/", follow_redirects=True).text)
            for user, client in self.clients.items()
        }
        self.failures: list[str] = []

    def send(self, rule: Rule, method: str, path: str, form: dict | None = None) -> None:
        user = ROLE_OF_BLUEPRINT.get(rule.endpoint.split(".")[0])
        data = {"csrf_token": self.tokens[user], **form} if form is not None else None
        problem = _problem(self.clients[user].open(path, method=method, data=data))
        if problem:
            self.failures.append(f"{user} {method} {path[:120]} {form or ''}: {problem}")

    def get(self, rule: Rule) -> None:
        numbers = _int_arguments(rule)
        good = _path(self.app, rule, self.places, dict.fromkeys(numbers, "1"))
        ReadArguments.names.clear()
        self.send(rule, "GET", good)
        for name in sorted(ReadArguments.names):
            for value in ODD_VALUES:
                self.send(rule, "GET", f"{good}?{name}={value}")
        for name in numbers:
            for value in ODD_NUMBERS:
                odd = {**dict.fromkeys(numbers, "1"), name: value}
                self.send(rule, "GET", _path(self.app, rule, self.places, odd))

    def post(self, rule: Rule) -> None:
        numbers = _int_arguments(rule)
        good = _path(self.app, rule, self.places, dict.fromkeys(numbers, "1"))
        for value in ODD_NUMBERS if numbers else ():
            odd = _path(self.app, rule, self.places, dict.fromkeys(numbers, value))
            self.send(rule, "POST", odd, {})
        if field := FORM_NUMBERS.get(rule.endpoint):
            for value in ODD_VALUES:
                self.send(rule, "POST", good, {field: value})


def test_no_route_or_query_parameter_gives_a_500(app, world, places):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash counts as the 500 a user gets
    app.request_class = type("ReadingRequest", (app.request_class,), {})
    app.request_class.parameter_storage_class = ReadArguments
    prober = Prober(app, world, places)
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            prober.get(rule)
        if "POST" in rule.methods and (_int_arguments(rule) or rule.endpoint in FORM_NUMBERS):
            prober.post(rule)
    assert prober.failures == [], "\n".join(prober.failures)


@pytest.mark.parametrize("number", [HUGE, str(2**31), "9" * 5000])
def test_a_version_number_out_of_range_is_no_such_version(app, world, places, number):
    client = signed_in_clients(app, world)["manager_a"]
    patient = places["patient_id"]
    for path in (
        f"/patients/{patient}/grab-pack/versions/{number}",
        f"/patients/{patient}/grab-pack/versions/{number}.pdf",
        f"/patients/{patient}/grab-pack/versions/{number}/photo",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in response.text


@pytest.mark.parametrize("parameter", ["from", "to"])
def test_a_diff_number_out_of_range_is_a_clear_400(app, world, places, parameter):
    client = signed_in_clients(app, world)["manager_a"]
    response = client.get(f"/patients/{places['patient_id']}/grab-pack/diff?{parameter}={HUGE}")
    assert response.status_code == 400
    assert "There is a problem with your request" in response.text


def test_an_audit_page_out_of_range_is_a_clear_400(app, world, places):
    client = signed_in_clients(app, world)["manager_a"]
    assert client.get(f"/wards/{world.ward_a}/audit?page={HUGE}").status_code == 400


class _OutOfRange(Exception):
    """What psycopg raises for an ``integer`` beyond 32 bits (SQLSTATE 22003)."""

    sqlstate = "22003"


class _Truncated(Exception):
    sqlstate = "22001"


def test_postgresql_number_out_of_range_is_a_400_and_rolls_back(app, client):
    """On PostgreSQL a page number between 2**31 and 2**63 is refused by the
    database, not by Python: the same clear 400, and nothing half-written kept."""

    @app.route("/odd")
    def odd():
        db.session.add(Trust(code="HALF", name="Half-written"))
        db.session.flush()
        raise DataError("SELECT ... WHERE number = %(n)s::INTEGER", {"n": 2**31}, _OutOfRange())

    response = client.get("/odd")
    assert response.status_code == 400
    assert "There is a problem with your request" in response.text
    with app.app_context():
        assert db.session.query(Trust).filter_by(code="HALF").first() is None


def test_other_data_errors_are_still_server_errors(app, client):
    @app.route("/bug")
    def bug():
        raise DataError("INSERT ...", {}, _Truncated())

    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/bug").status_code == 500
