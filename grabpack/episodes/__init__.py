from flask import Blueprint

bp = Blueprint("episodes", __name__)

from grabpack.episodes import routes  # noqa: E402,F401
