"""A webhook: the notice as JSON, POSTed with an HMAC-SHA256 signature over the
timestamp and body (``grabpack.domain.notifications.sign``) and the message's
idempotency key. Any answer but 2xx is a failure, and so is a redirect: the
body is never sent on to an address nobody configured.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from datetime import datetime

from grabpack.domain.notifications import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    EpisodeNotice,
    sign,
)
from grabpack.notify import SendFailed

TIMEOUT_SECONDS = 10
USER_AGENT = "grabpack-notify/1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx is raised as an HTTPError: a failure


_OPENER = urllib.request.build_opener(_NoRedirect)


def body_of(notice: EpisodeNotice) -> bytes:
    """The exact bytes signed and sent (a receiver verifies these, not a re-encoding)."""
    return json.dumps(notice.as_json(), sort_keys=True).encode()


def request_for(
    notice: EpisodeNotice, url: str, secret: bytes, now: datetime
) -> urllib.request.Request:
    body = body_of(notice)
    timestamp = int(now.timestamp())
    return urllib.request.Request(  # noqa: S310 - the URL was checked as https (or loopback) when saved
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret, timestamp, body),
            IDEMPOTENCY_HEADER: notice.idempotency_key,
        },
    )


def send(notice: EpisodeNotice, url: str, secret: bytes, now: datetime) -> None:
    """POST the notice, or raise ``SendFailed`` (never naming the secret or the body)."""
    try:
        with _OPENER.open(request_for(notice, url, secret, now), timeout=TIMEOUT_SECONDS) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        exc.close()
        raise SendFailed(f"Webhook answered HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise SendFailed(f"Webhook unreachable: {_reason(exc.reason)}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise SendFailed(f"Webhook failed: {_reason(exc)}") from None
    if not 200 <= status < 300:
        raise SendFailed(f"Webhook answered HTTP {status}")


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
