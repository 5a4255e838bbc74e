"""Logging that never carries a share-link token: access logs print request paths."""

from __future__ import annotations

import logging
import re

SHARE_TOKEN = re.compile(r"(/share/)[A-Za-z0-9_-]+")


class RedactShareTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                SHARE_TOKEN.sub(r"\1[redacted]", a) if isinstance(a, str) else a
                for a in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        if isinstance(record.msg, str):
            record.msg = SHARE_TOKEN.sub(r"\1[redacted]", record.msg)
        return True


def install_redaction() -> None:
    """On the loggers that print paths: werkzeug's dev server and gunicorn's access log."""
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactShareTokens) for f in logger.filters):
            logger.addFilter(RedactShareTokens())
