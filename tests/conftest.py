"""Fixtures: an app on a database built by the real migrations, SQLite or PostgreSQL.

Set ``GRABPACK_TEST_DATABASE_URL`` to a PostgreSQL URL to run the suite there;
otherwise each test gets its own copy of a migrated SQLite file.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from grabpack import create_app
from grabpack.extensions import db
from tests.page_checks import page_problems

# Fixtures kept beside what they serve: the identity providers (``nhs``, ``met``).
pytest_plugins = ["tests.oidc_provider"]

POSTGRES_URL = os.environ.get("GRABPACK_TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery staple"


class BrowserLikeClient(FlaskClient):
    """A test client that says where its requests come from, as every current
    browser does (``Sec-Fetch-Site``): from our own pages. A test of a request from
    elsewhere says so in its headers, or takes the word away."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_SEC_FETCH_SITE"] = "same-origin"


def make_app(database_url: str, **overrides) -> Flask:
    config = {
        "GRABPACK_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LOG_LEVEL": "WARNING",
        # Sign-in tests hash hundreds of passwords; production strength is tested apart.
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = BrowserLikeClient
    return app


def _reset_postgres_schema(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> str:
    """Run the migrations once per session; return the URL (or SQLite file) they built."""
    if POSTGRES_URL:
        _reset_postgres_schema(POSTGRES_URL)
        url = POSTGRES_URL
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        url = f"sqlite:///{path}"
    app = make_app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url if POSTGRES_URL else str(path)


def truncate_postgres() -> None:
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def database_url(migrated_database: str, tmp_path) -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    copy = tmp_path / "grabpack.sqlite3"
    shutil.copyfile(migrated_database, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def app_config(request) -> dict:
    """Settings for the test's app: a test sets them with
    ``@pytest.mark.parametrize("app_config", [{...}], indirect=True)``, or a module
    overrides this fixture."""
    return getattr(request, "param", {})


@pytest.fixture
def app(database_url: str, app_config: dict) -> Iterator[Flask]:
    """An app on an empty, fully migrated database of its own.

    Every HTML page it serves during the test is checked (title, ids, forms).
    """
    app = make_app(database_url, **app_config)
    problems: list[str] = []

    @app.after_request
    def _check_page(response):
        if response.mimetype == "text/html" and not response.direct_passthrough:
            problems.extend(page_problems(request.path, response.get_data(as_text=True)))
        return response

    yield app
    assert not problems, problems
    with app.app_context():
        db.session.remove()
        if POSTGRES_URL:
            truncate_postgres()
        db.engine.dispose()


@pytest.fixture
def app_factory(database_url: str):
    """Another app on the test's database with other settings; its engine is closed after."""
    apps: list[Flask] = []

    def factory(**overrides) -> Flask:
        extra = make_app(database_url, **overrides)
        apps.append(extra)
        return extra

    yield factory
    for extra in apps:
        with extra.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html) or re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real form, CSRF token and all."""

    def __init__(self, client: FlaskClient):
        self._client = client

    def login(self, email: str, password: str = PASSWORD, follow_redirects: bool = False):
        page = self._client.get("/login")
        return self._client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
            follow_redirects=follow_redirects,
        )

    def logout(self):
        page = self._client.get("/", follow_redirects=True)
        return self._client.post("/logout", data={"csrf_token": csrf_token(page.text)})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@dataclass
class World:
    """Two wards on one site, a second site in another policing area, and a user per role."""

    ward_a: str = "WA1"
    ward_b: str = "WB1"
    area_a: str = "AREA1"
    area_b: str = "AREA2"
    nurse_a: str = "nurse.a@example.nhs.uk"
    nurse_b: str = "nurse.b@example.nhs.uk"
    manager_a: str = "manager.a@example.nhs.uk"
    police_a: str = "officer.a@example.police.uk"
    police_b: str = "officer.b@example.police.uk"
    admin: str = "admin@example.nhs.uk"


@pytest.fixture
def world(app: Flask) -> World:
    from grabpack.models import PolicingArea, Setting, Trust, Ward
    from grabpack.services.users import create_user

    w = World()
    with app.app_context():
        trust = Trust(code="TT1", name="Test Trust")
        area_a = PolicingArea(code=w.area_a, name="Area One")
        area_b = PolicingArea(code=w.area_b, name="Area Two")
        site_a = Setting(code="S1", name="Site One", trust=trust, policing_area=area_a)
        site_b = Setting(code="S2", name="Site Two", trust=trust, policing_area=area_b)
        db.session.add_all(
            [
                Ward(code=w.ward_a, name="Ward A", setting=site_a, phone_24h="020 7946 0001"),
                Ward(code=w.ward_b, name="Ward B", setting=site_b, phone_24h="020 7946 0002"),
            ]
        )
        db.session.flush()
        create_user(w.nurse_a, "nurse", PASSWORD, ward_codes=[w.ward_a], full_name="Nurse A")
        create_user(w.nurse_b, "nurse", PASSWORD, ward_codes=[w.ward_b], full_name="Nurse B")
        create_user(w.manager_a, "ward_manager", PASSWORD, ward_codes=[w.ward_a])
        create_user(w.police_a, "police", PASSWORD, area_codes=[w.area_a])
        create_user(w.police_b, "police", PASSWORD, area_codes=[w.area_b])
        create_user(w.admin, "admin", PASSWORD)
        db.session.commit()
    return w
