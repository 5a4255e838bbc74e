from flask import Blueprint

bp = Blueprint("ward", __name__)

from grabpack.ward import routes  # noqa: E402,F401
