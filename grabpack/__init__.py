"""grabpack: grab packs and missing episodes for the London Affinity Protocol."""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader

from grabpack.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def freeze_start_up_objects() -> None:
    """Take what start-up made (templates, fonts, the declarations, SQLAlchemy's
    mappers) out of the garbage collector's sight, as a server does once the app is
    built: it lives as long as the worker, and every collection a request triggers
    no longer walks it (about a fifth off the pack form's server time; see
    benchmarks/RESULTS.md)."""
    gc.collect()
    gc.freeze()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides the ``GRABPACK_*`` environment (tests use it)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_config(app.instance_path, config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure_logger(app)
    configure_proxy(app)
    register_extensions(app)
    register_templates(app)
    register_converters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_commands(app)
    return app


def configure_logger(app: Flask) -> None:
    logging.basicConfig(
        level=app.config["LOG_LEVEL"],
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    from grabpack.logs import install_redaction

    install_redaction()
    # Alembic announces each plugin at INFO every time an app is built.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def configure_proxy(app: Flask) -> None:
    """Behind a TLS-terminating proxy, believe its X-Forwarded-* headers, and only its."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    from grabpack import database
    from grabpack.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.configure_engine_events(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from grabpack.auth import oidc, sessions
    from grabpack.services import passwords

    passwords.use_profile(app.config["PASSWORD_HASH_PROFILE"])
    sessions.init_login_manager(app)
    oidc.init_app(app)  # a sign-in client per configured identity provider


def register_templates(app: Flask) -> None:
    from grabpack import template_helpers

    app.jinja_loader = ChoiceLoader(
        [FileSystemLoader(str(ROOT / "templates")), PackageLoader("nhsuk_frontend_jinja")]
    )
    template_helpers.init_app(app)


def register_converters(app: Flask) -> None:
    from grabpack.converters import init_app

    init_app(app)


def register_blueprints(app: Flask) -> None:
    from grabpack.admin import bp as admin_bp
    from grabpack.auth import bp as auth_bp
    from grabpack.episodes import bp as episodes_bp
    from grabpack.main import bp as main_bp
    from grabpack.packs import bp as packs_bp
    from grabpack.police import bp as police_bp
    from grabpack.reports import bp as reports_bp
    from grabpack.share import bp as share_bp
    from grabpack.ward import bp as ward_bp

    for blueprint in (
        main_bp,
        auth_bp,
        ward_bp,
        packs_bp,
        episodes_bp,
        police_bp,
        reports_bp,
        share_bp,
        admin_bp,
    ):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from grabpack.errors import init_app

    init_app(app)


def register_security(app: Flask) -> None:
    from grabpack import security

    security.init_app(app)


def register_commands(app: Flask) -> None:
    from grabpack.cli import init_app

    init_app(app)
