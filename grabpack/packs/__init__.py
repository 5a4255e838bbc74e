from flask import Blueprint

bp = Blueprint("packs", __name__, url_prefix="/patients/<uuid:patient_id>")

from grabpack.packs import routes  # noqa: E402,F401
