"""All models, imported here so that Alembic and the app see one metadata."""

from grabpack.models.appeal_poster import AppealPoster
from grabpack.models.audit import AuditEvent
from grabpack.models.episode import MissingEpisode, RiskGradeChange, ShareLink
from grabpack.models.episode_figures import KeptFigures
from grabpack.models.grab_pack import GrabPack, GrabPackVersion, Photo
from grabpack.models.kept_form import KeptForm
from grabpack.models.notification import NotificationTarget, OutboxMessage
from grabpack.models.org import PolicingArea, Setting, Trust, Ward
from grabpack.models.patient import Patient
from grabpack.models.user import (
    Role,
    SignInThrottle,
    User,
    user_policing_areas,
    user_wards,
)

__all__ = [
    "AppealPoster",
    "AuditEvent",
    "GrabPack",
    "GrabPackVersion",
    "KeptFigures",
    "KeptForm",
    "MissingEpisode",
    "NotificationTarget",
    "OutboxMessage",
    "Patient",
    "Photo",
    "PolicingArea",
    "RiskGradeChange",
    "Role",
    "Setting",
    "ShareLink",
    "SignInThrottle",
    "Trust",
    "User",
    "Ward",
    "user_policing_areas",
    "user_wards",
]
