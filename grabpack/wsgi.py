"""WSGI entry point for gunicorn: ``gunicorn 'grabpack.wsgi:app'``."""

from grabpack import create_app, freeze_start_up_objects

app = create_app()
freeze_start_up_objects()
