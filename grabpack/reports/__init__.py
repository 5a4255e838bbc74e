"""The monthly recurrence review: the page, and its PDF and CSV downloads."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from grabpack.reports import routes  # noqa: E402,F401
