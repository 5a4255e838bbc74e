"""Writing the audit trail. Events join the caller's transaction: no audit, no change."""

from __future__ import annotations

import uuid
from typing import Any

from grabpack.extensions import db
from grabpack.models import AuditEvent, User


def record(
    action: str,
    *,
    user: User | None = None,
    patient_id: uuid.UUID | None = None,
    episode_id: uuid.UUID | None = None,
    grab_pack_version_number: int | None = None,
    remote_addr: str = "",
    **detail: Any,
) -> AuditEvent:
    """Add one audit event to the current session; the caller commits.

    ``detail`` must hold ids and codes, never patient names or free text.
    """
    event = AuditEvent(
        action=action,
        user_id=user.id if user is not None else None,
        patient_id=patient_id,
        episode_id=episode_id,
        grab_pack_version_number=grab_pack_version_number,
        remote_addr=remote_addr[:45],
        detail=detail,
    )
    db.session.add(event)
    return event
