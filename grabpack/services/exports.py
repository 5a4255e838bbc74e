"""CSV exports: missing episodes (for the Affinity review) and the audit trail.

Rows stream from one query each, whatever the size; values that a spreadsheet
would run as a formula are quoted.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from grabpack.domain.mental_health_act import legal_status
from grabpack.domain.reporting import minutes_between
from grabpack.extensions import db
from grabpack.models import AuditEvent, MissingEpisode, PolicingArea, Setting, User, Ward

EPISODE_COLUMNS = (
    "episode_id",
    "patient_id",
    "ward",
    "setting",
    "policing_area",
    "kind",
    "legal_status",
    "last_seen_at",
    "noticed_at",
    "reported_at",
    "minutes_to_report",
    "returned_at",
    "police_risk_grade",
    "grab_pack_version",
    "no_grab_pack",
    "grab_pack_incomplete",
    "review_overdue",
    "photo_stale",
    "reported_late",
    "s18_expiry_stated",
    "poor_reporting",
)
AUDIT_COLUMNS = (
    "id",
    "at",
    "user",
    "role",
    "action",
    "patient_id",
    "episode_id",
    "grab_pack_version",
    "remote_addr",
    "detail",
)


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def day_range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole UTC days, ``end`` inclusive."""
    return (
        datetime.combine(start, time.min, UTC) if start else None,
        datetime.combine(end, time.max, UTC) if end else None,
    )


def episode_rows(
    start: date | None = None,
    end: date | None = None,
    ward_ids: Iterable[int] | None = None,
    late_after_minutes: int = 60,
) -> Iterator[dict]:
    """One row per episode noticed in the range, oldest first."""
    since, until = day_range(start, end)
    statement = (
        select(MissingEpisode, Ward.code, Setting.code, PolicingArea.code)
        .join(Ward, MissingEpisode.ward_id == Ward.id)
        .join(Setting, Ward.setting_id == Setting.id)
        .join(PolicingArea, Setting.policing_area_id == PolicingArea.id)
        .order_by(MissingEpisode.noticed_at)
        .execution_options(yield_per=500)
    )
    if since:
        statement = statement.where(MissingEpisode.noticed_at >= since)
    if until:
        statement = statement.where(MissingEpisode.noticed_at <= until)
    if ward_ids is not None:
        statement = statement.where(MissingEpisode.ward_id.in_(list(ward_ids)))
    for episode, ward, setting, area in db.session.execute(statement):
        minutes = minutes_between(episode.noticed_at, episode.reported_at)
        late = minutes is not None and minutes > late_after_minutes
        status = legal_status(episode.legal_status)
        s18_missing = bool(
            status and status.detained and not status.restricted and not episode.s18_expiry_stated
        )
        yield {
            "episode_id": episode.id,
            "patient_id": episode.patient_id,
            "ward": ward,
            "setting": setting,
            "policing_area": area,
            "kind": episode.kind,
            "legal_status": episode.legal_status,
            "last_seen_at": _iso(episode.last_seen_at),
            "noticed_at": _iso(episode.noticed_at),
            "reported_at": _iso(episode.reported_at),
            "minutes_to_report": "" if minutes is None else minutes,
            "returned_at": _iso(episode.returned_at),
            "police_risk_grade": episode.police_risk_grade or "",
            "grab_pack_version": episode.grab_pack_version_number or "",
            "no_grab_pack": episode.had_no_pack,
            "grab_pack_incomplete": episode.pack_incomplete,
            "review_overdue": episode.review_overdue,
            "photo_stale": episode.photo_stale,
            "reported_late": late,
            "s18_expiry_stated": episode.s18_expiry_stated,
            "poor_reporting": any(
                (
                    episode.had_no_pack,
                    episode.pack_incomplete,
                    episode.review_overdue,
                    episode.photo_stale,
                    late,
                    s18_missing,
                )
            ),
        }
    db.session.commit()  # end the read transaction that streamed the rows


def audit_rows() -> Iterator[dict]:
    statement = (
        select(AuditEvent, User.email, User.role)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .order_by(AuditEvent.id)
        .execution_options(yield_per=1000)
    )
    for event, email, role in db.session.execute(statement):
        yield {
            "id": event.id,
            "at": _iso(event.at),
            "user": email or "",
            "role": role or "",
            "action": event.action,
            "patient_id": event.patient_id or "",
            "episode_id": event.episode_id or "",
            "grab_pack_version": event.grab_pack_version_number or "",
            "remote_addr": event.remote_addr,
            "detail": json.dumps(event.detail, sort_keys=True) if event.detail else "",
        }
    db.session.commit()


def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(columns: tuple[str, ...], rows: Iterable[dict]) -> Iterator[str]:
    """CSV text in chunks, header first: for streaming responses and files alike."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
