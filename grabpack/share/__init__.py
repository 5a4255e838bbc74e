from flask import Blueprint

bp = Blueprint("share", __name__, url_prefix="/share")

from grabpack.share import routes  # noqa: E402,F401
