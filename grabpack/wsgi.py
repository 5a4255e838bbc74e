"""WSGI entry point for gunicorn: ``gunicorn 'grabpack.wsgi:app'``."""

from grabpack import create_app

app = create_app()
