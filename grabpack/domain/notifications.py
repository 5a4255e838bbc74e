"""What a policing area is told when a patient goes missing, is re-graded or returns,
and how a webhook receiver knows the message came from grabpack.

A message names the setting and ward, the kind, the time noticed, the police
reference, the police risk grade and the power to retake in one line, with a
link to the episode (sign-in and the usual access rules apply there). Never a
name, NHS number, date of birth, photo or description: an inbox is not a place
for special-category data.

Webhook signature (documented in the README): the sender puts the Unix time in
``X-Grabpack-Timestamp`` and ``v1=`` followed by the hex HMAC-SHA256, keyed with
the shared secret, of ``"<timestamp>." + body`` in ``X-Grabpack-Signature``;
``Idempotency-Key`` repeats the message's key. A receiver recomputes the HMAC,
compares in constant time, and refuses a timestamp more than 5 minutes from its
own clock, so that a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from grabpack.domain.clock import LONDON

TIMESTAMP_HEADER = "X-Grabpack-Timestamp"
SIGNATURE_HEADER = "X-Grabpack-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAY_SECONDS = 5 * 60

EVENTS = {
    "opened": "Reported missing",
    "grade_changed": "Police risk grade changed",
    "corrected": "Power to retake or kind corrected",
    "closed": "Returned: episode closed",
}


@dataclass(frozen=True)
class EpisodeNotice:
    """One message's content, the same for the email and the webhook."""

    event: str  # a key of EVENTS
    idempotency_key: str
    episode_id: str  # opaque
    policing_area: str
    setting: str
    ward: str
    ward_phone: str
    kind: str  # Missing, AWOL, Escapee
    noticed_at: datetime
    police_reference: str
    police_risk_grade: str  # its label, or "" when police have not graded it
    power_to_retake: str  # the one-line statement police act on
    link: str
    returned_at: datetime | None = None

    @property
    def headline(self) -> str:
        """``AWOL reported missing from Ward A, Site One``: an email's subject."""
        grade = self.police_risk_grade or "none"
        what = {
            "opened": f"{self.kind} reported missing",
            "grade_changed": f"{self.kind}: police risk grade now {grade}",
            "corrected": f"{self.kind}: power to retake now {self.power_to_retake}",
            "closed": f"{self.kind} returned",
        }[self.event]
        reference = f" ({self.police_reference})" if self.police_reference else ""
        return f"{what} from {self.ward}, {self.setting}{reference}"

    @property
    def noticed_text(self) -> str:
        return london_text(self.noticed_at)

    @property
    def returned_text(self) -> str:
        return london_text(self.returned_at) if self.returned_at else ""

    def as_json(self) -> dict:
        """The webhook's body: times as ISO 8601 UTC, the event's words beside its key."""
        data = asdict(self)
        data["event_text"] = EVENTS[self.event]
        data["noticed_at"] = _iso(self.noticed_at)
        data["returned_at"] = _iso(self.returned_at) if self.returned_at else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> EpisodeNotice:
        fields = {k: v for k, v in data.items() if k != "event_text"}
        fields["noticed_at"] = datetime.fromisoformat(fields["noticed_at"])
        if fields.get("returned_at"):
            fields["returned_at"] = datetime.fromisoformat(fields["returned_at"])
        return cls(**fields)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def london_text(moment: datetime) -> str:
    """``14:05 on 2 December 2026`` on a London clock."""
    local = moment.astimezone(LONDON)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The ``X-Grabpack-Signature`` value for this body sent at ``timestamp``."""
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: bytes, timestamp: str, signature: str, body: bytes, now: datetime) -> bool:
    """The receiver's check: the signature matches and the timestamp is within 5
    minutes of ``now`` (either way: clocks drift). Any malformed header is False."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now.timestamp() - sent) > REPLAY_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature or "")
