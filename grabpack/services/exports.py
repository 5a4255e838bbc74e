"""CSV exports: missing episodes (for the Affinity review) and the audit trail.

Rows stream from one query each, whatever the size; values that a spreadsheet
would run as a formula are quoted.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from grabpack.domain.episode_schema import EPISODE, EpisodeField, EpisodeFieldType
from grabpack.domain.monthly_review import REPORTING_FAULTS, london_day_start
from grabpack.domain.reporting import DEFAULT_POLICY, ReportingPolicy
from grabpack.extensions import db
from grabpack.models import AuditEvent, MissingEpisode, PolicingArea, Setting, User, Ward
from grabpack.models.base import utcnow
from grabpack.services.episodes import facts_of

EXPORTED = tuple(field for section in EPISODE for field in section.fields if field.export)
EPISODE_COLUMNS = (
    "episode_id",
    "patient_id",
    "ward",
    "setting",
    "policing_area",
    *(field.key for field in EXPORTED),
    "minutes_to_report",
    # The power to retake as police were told it: answer, until when, and why.
    "retake_answer",
    "retake_until",
    "retake_reason",
    "grab_pack_version",
    *(fault.key for fault in REPORTING_FAULTS),
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
    """Whole London days as UTC moments, ``since <= noticed < until``: ``end`` is
    inclusive of that London day, so ``until`` is the start of the next one. A ward
    counts days as it lives them: 00:30 BST on 1 July (23:30 UTC on 30 June) is
    1 July, as it is in the monthly review."""
    return (
        london_day_start(start) if start else None,
        london_day_start(end + timedelta(days=1)) if end and end < date.max else None,
    )


def _exported(field: EpisodeField, value: object) -> object:
    """A declared value as the CSV holds it: keys for choices, ISO UTC for times."""
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if field.type is EpisodeFieldType.CHECK:
        return bool(value)
    return "" if value is None else value


def episode_rows(
    start: date | None = None,
    end: date | None = None,
    ward_ids: Iterable[int] | None = None,
    policy: ReportingPolicy = DEFAULT_POLICY,
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
        statement = statement.where(MissingEpisode.noticed_at < until)
    if ward_ids is not None:
        statement = statement.where(MissingEpisode.ward_id.in_(list(ward_ids)))
    now = utcnow()
    for episode, ward, setting, area in db.session.execute(statement):
        facts = facts_of(episode, now)
        power = episode.retake_power
        yield {
            "episode_id": episode.id,
            "patient_id": episode.patient_id,
            "ward": ward,
            "setting": setting,
            "policing_area": area,
            **{field.key: _exported(field, getattr(episode, field.key)) for field in EXPORTED},
            "minutes_to_report": "" if facts.minutes_to_report is None else facts.minutes_to_report,
            "retake_answer": power.answer.value,
            "retake_until": _iso(power.ends_at),
            "retake_reason": power.reason,
            "grab_pack_version": episode.grab_pack_version_number or "",
            **{fault.key: fault.found(facts, policy) for fault in REPORTING_FAULTS},
            "poor_reporting": facts.is_poor(policy),
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
