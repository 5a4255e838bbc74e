"""The channels a policing area is told through: email (``email``) and a signed
webhook (``webhook``). Each sends one ``EpisodeNotice`` or raises ``SendFailed``
with a short reason fit for the outbox's ``last_error``: never a secret, a
password or the message's content.
"""

from __future__ import annotations

MAX_REASON = 200


class SendFailed(Exception):
    """A send that did not reach the receiver; the message is tried again later."""

    def __init__(self, reason: str):
        super().__init__(short(reason))


def short(reason: str) -> str:
    """The first line of ``reason``, cut to fit a glance at the outbox page."""
    line = (reason.strip().splitlines() or [""])[0]
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 1] + "…"
