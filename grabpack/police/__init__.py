from flask import Blueprint

bp = Blueprint("police", __name__, url_prefix="/police")

from grabpack.police import routes  # noqa: E402,F401
