"""Links that leave grabpack: in a notification, a share link a nurse passes to
police, the address an identity provider sends people back to.

One rule for all of them: under ``GRABPACK_PUBLIC_URL`` when it is set, so what
officers receive never depends on the headers of the request that made it (a
``Host`` or ``X-Forwarded-Host`` a proxy let through would otherwise choose the
domain a share link's token is sent to). Without the setting (development, a
single server reached directly) the request's own address is used.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for


def external_url(path: str) -> str:
    """``path`` (which starts with ``/``) as a full address people outside can open."""
    base = current_app.config.get("PUBLIC_URL") or ""
    if not base and has_request_context():
        base = request.host_url
    return base.rstrip("/") + path


def external_url_for(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` as a full address, by ``external_url``'s rule."""
    return external_url(url_for(endpoint, **values))
