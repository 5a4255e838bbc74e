"""Small helpers for file responses from views: PDF, streamed CSV, date arguments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import Response, abort, request, stream_with_context

from grabpack.services.exports import csv_lines


def csv_response(columns: tuple[str, ...], rows: Iterable[dict], filename: str) -> Response:
    return Response(
        stream_with_context(csv_lines(columns, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def pdf_response(content: bytes, filename: str) -> Response:
    """A PDF to save, never to cache (``no-store`` is set on every response)."""
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def photo_response(photo) -> Response:
    """A stored photo, shown in the page (``no-store`` is set on every response)."""
    return Response(
        photo.content, mimetype=photo.media_type, headers={"Content-Disposition": "inline"}
    )


def date_arg(name: str) -> date | None:
    """A YYYY-MM-DD query argument, or 400 with the reason."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)
