"""Figures of each missing episode kept when it is written, for the monthly review.

The review asks, for every episode of a month, how long it took to report, how
long the patient was missing, how many of the patient's episodes fall in the
repeat window ending at it, and the highest police risk grade among those. Worked
out at read time that is a correlated count per episode and date arithmetic per
row: most of the review's cost at a trust-wide volume (benchmarks/RESULTS.md).
Kept as columns, the review reads them from the month's range.

They are kept by the database's own arithmetic (the same SQL the review used to
run), from a flush listener, so every way an episode is written keeps them
right: the services, the demo, the test factories, an administrator's script.
Bulk loads that bypass the ORM (``INSERT ... SELECT``, COPY) call
``refigure_all`` afterwards; ``grabpack report refigure`` does that too.

Whole figures are recomputed, never incremented: the minutes of each written
episode, and the windows of every episode of each patient whose episodes
changed (a patient has tens of episodes, not thousands), so a backdated episode,
a corrected time, a new grade or a deleted row leaves nothing stale.

The window's length is a setting (``GRABPACK_REPEAT_WINDOW_DAYS``): the counts
are kept for the length recorded in ``kept_figures``; the review uses them only
when the setting agrees, and counts live otherwise (correct, slower) until
``grabpack report refigure`` recounts for the new length.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    String,
    Update,
    and_,
    bindparam,
    case,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from grabpack.domain.episode_schema import PoliceRiskGrade
from grabpack.domain.recurrence import RepeatRule
from grabpack.extensions import db
from grabpack.models.episode import MissingEpisode
from grabpack.models.patient import Patient
from grabpack.services.sql_time import SecondsBefore, whole_minutes

REPEAT_WINDOW_DAYS = "repeat_window_days"
DEFAULT_WINDOW_DAYS = RepeatRule().window_days

# A police risk grade as a number that orders them: 0 for none.
GRADE_RANK = {grade.value: rank for rank, grade in enumerate(PoliceRiskGrade, start=1)}
GRADE_OF_RANK = {rank: grade for grade, rank in GRADE_RANK.items()}

# What each kept figure is worked out from: a change to any of these refreshes it.
MINUTES_FROM = ("noticed_at", "reported_at", "returned_at", "leave_due_back_at", "last_seen_at")
WINDOW_FROM = ("patient_id", "noticed_at", "police_risk_grade", "highest_police_risk_grade")
KEPT = ("minutes_to_report", "minutes_missing", "window_episodes", "window_top_grade")


class KeptFigures(db.Model):
    """The parameters the kept figures were worked out with (one row each)."""

    __tablename__ = "kept_figures"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


def grade_rank(episode: Any) -> Any:
    """The highest police risk grade an episode has had, as its ``GRADE_RANK`` (0:
    none), in SQL. A grade lowered later still counts: police searched for a person
    at that risk. (A table as it stood before migration 0014 has only the grade.)"""
    grade = getattr(episode, "highest_police_risk_grade", None)
    if grade is None:
        grade = episode.police_risk_grade
    return case(*((grade == name, n) for name, n in GRADE_RANK.items()), else_=0)


def in_repeat_window(earlier: Any, episode: Any, window_days: int) -> Any:
    """``earlier`` is one of the patient's episodes in the repeat window ending at
    ``episode``, in SQL (``RepeatRule.in_window``: real hours, both ends counted)."""
    return and_(
        earlier.patient_id == episode.patient_id,
        earlier.noticed_at <= episode.noticed_at,
        earlier.noticed_at >= SecondsBefore(episode.noticed_at, window_days * 24 * 3600),
    )


def went_at(episode: Any) -> Any:
    """When the patient went (``retake.absence_began``): the end of leave they did
    not come back from, else when last seen, else when the absence was noticed."""
    return func.coalesce(episode.leave_due_back_at, episode.last_seen_at, episode.noticed_at)


def _refresh_minutes(
    connection: Connection, episode_ids: Collection[uuid.UUID] | None, table: Any = None
) -> None:
    table = MissingEpisode.__table__ if table is None else table
    if episode_ids is None:
        connection.execute(_minutes_statement(table))
    else:
        statement = _minutes_statement(table, "id")
        connection.execute(statement, {"keys": list(episode_ids)})


def _refresh_windows(
    connection: Connection,
    window_days: int,
    patient_ids: Collection[uuid.UUID] | None,
    table: Any = None,
) -> None:
    """Each episode's count of the patient's episodes in the window ending at it
    (itself included), and the highest grade among them: ``RepeatRule.in_window``."""
    table = MissingEpisode.__table__ if table is None else table
    if patient_ids is None:
        connection.execute(_windows_statement(table, window_days))
    else:
        statement = _windows_statement(table, window_days, "patient_id")
        connection.execute(statement, {"keys": list(patient_ids)})


# The statements are made once per table (and window length): every episode written
# runs them, and building the aliased subqueries cost more than running them.


@cache
def _minutes_statement(table: Any, key: str | None = None) -> Update:
    statement = update(table).values(
        minutes_to_report=whole_minutes(table.c.reported_at, table.c.noticed_at),
        minutes_missing=whole_minutes(table.c.returned_at, went_at(table.c)),
    )
    return statement if key is None else statement.where(_one_of(table.c[key]))


@cache
def _windows_statement(table: Any, window_days: int, key: str | None = None) -> Update:
    earlier = table.alias("earlier")
    in_window = in_repeat_window(earlier.c, table.c, window_days)
    statement = update(table).values(
        window_episodes=select(func.count()).where(in_window).scalar_subquery(),
        window_top_grade=select(func.coalesce(func.max(grade_rank(earlier.c)), 0))
        .where(in_window)
        .scalar_subquery(),
    )
    return statement if key is None else statement.where(_one_of(table.c[key]))


def _one_of(column: Any) -> Any:
    """``column IN (:keys)``, the list given when the statement runs."""
    return column.in_(bindparam("keys", expanding=True))


def kept_window_days(connection: Connection) -> int:
    """The window length the kept counts are for (the default before any recount)."""
    kept = connection.scalar(
        select(KeptFigures.value).where(KeptFigures.name == REPEAT_WINDOW_DAYS)
    )
    return DEFAULT_WINDOW_DAYS if kept is None else kept


def refigure_all(
    connection: Connection,
    window_days: int | None = None,
    kept_table: Any = None,
    episodes_table: Any = None,
) -> None:
    """Work every kept figure out again (after a bulk load, or for a new window
    length), in the caller's transaction: all of it lands or none does. A migration
    passes its own tables (the shape at that revision)."""
    kept = KeptFigures.__table__ if kept_table is None else kept_table
    if window_days is None:
        window_days = kept_window_days(connection)
    connection.execute(kept.delete().where(kept.c.name == REPEAT_WINDOW_DAYS))
    connection.execute(kept.insert().values(name=REPEAT_WINDOW_DAYS, value=window_days))
    _refresh_minutes(connection, None, episodes_table)
    _refresh_windows(connection, window_days, None, episodes_table)


# --- Kept on every flush -------------------------------------------------------------------------

_PENDING = "grabpack.episode_figures"


def _changed(episode: MissingEpisode, names: tuple[str, ...]) -> bool:
    state = inspect(episode)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _note_written_episodes(session: Session, _context) -> None:
    """Note which episodes' minutes and which patients' windows the flush changed
    (history is still there now; the figures are refreshed once the flush is done)."""
    episode_ids, patient_ids = session.info.setdefault(_PENDING, (set(), set()))
    for episode in session.new | session.dirty:
        if not isinstance(episode, MissingEpisode):
            continue
        is_new = episode in session.new
        if is_new or _changed(episode, MINUTES_FROM):
            episode_ids.add(episode.id)
        if is_new or _changed(episode, WINDOW_FROM):
            patient_ids.add(episode.patient_id)
            before = inspect(episode).attrs.patient_id.history.deleted
            patient_ids.update(p for p in before or () if p is not None)
    for episode in session.deleted:
        if isinstance(episode, MissingEpisode):
            patient_ids.add(episode.patient_id)


@event.listens_for(Session, "after_flush_postexec")
def _refresh_written_episodes(session: Session, _context) -> None:
    episode_ids, patient_ids = session.info.pop(_PENDING, (set(), set()))
    if not episode_ids and not patient_ids:
        return
    connection = session.connection()
    if episode_ids:
        _refresh_minutes(connection, episode_ids)
    if patient_ids:
        # Two transactions writing one patient's episodes at once would each recount
        # without the other's (PostgreSQL's READ COMMITTED): the patient's row lock
        # makes the second wait, then recount with both. SQLite has one writer anyway
        # (SQLAlchemy leaves FOR UPDATE out there).
        connection.execute(
            select(Patient.id)
            .where(Patient.id.in_(sorted(patient_ids)))
            .order_by(Patient.id)
            .with_for_update()
        )
        _refresh_windows(connection, kept_window_days(connection), patient_ids)
    for episode in list(session.identity_map.values()):
        if not isinstance(episode, MissingEpisode):
            continue
        # Read what is loaded, never load: an expired episode reloads fresh anyway.
        loaded = inspect(episode).dict
        if loaded.get("id") in episode_ids or loaded.get("patient_id") in patient_ids:
            session.expire(episode, list(KEPT))


@event.listens_for(Session, "after_soft_rollback")
def _forget_written_episodes(session: Session, _previous) -> None:
    session.info.pop(_PENDING, None)
