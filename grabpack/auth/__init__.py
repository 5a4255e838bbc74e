from flask import Blueprint

bp = Blueprint("auth", __name__)

from grabpack.auth import routes  # noqa: E402,F401
