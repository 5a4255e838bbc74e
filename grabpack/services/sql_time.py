"""Time arithmetic in SQL that both databases understand alike.

SQLite stores our timestamps as UTC text and has no interval type; PostgreSQL has
``timestamptz`` and intervals. The monthly review needs two things of each: whole
minutes between two moments (floored, as ``domain.reporting.minutes_between``
does) and a moment shifted back by a number of seconds (the repeat window). Each
is one SQLAlchemy construct compiled per dialect, so a query reads the same on
both and the review's figures cannot depend on the database.

SQLite's date functions keep milliseconds: two moments less than a millisecond
either side of a whole minute may floor differently from Python's microseconds.
Times typed on a form are whole minutes, so no real figure is affected.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class EpochMs(FunctionElement):
    """Milliseconds since 1970 of a stored UTC moment, as an integer."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch_ms"


@compiles(EpochMs, "sqlite")
def _epoch_ms_sqlite(element, compiler, **kw) -> str:
    (moment,) = element.clauses
    return (
        f"CAST(round((julianday({compiler.process(moment, **kw)}) - 2440587.5) * 86400000.0) "
        "AS INTEGER)"
    )


@compiles(EpochMs, "postgresql")
def _epoch_ms_postgresql(element, compiler, **kw) -> str:
    (moment,) = element.clauses
    return f"CAST(floor(extract(epoch from {compiler.process(moment, **kw)}) * 1000) AS BIGINT)"


class SecondsBefore(FunctionElement):
    """``moment`` minus a whole number of seconds, comparable with stored moments."""

    type = DateTime(timezone=True)
    inherit_cache = True
    name = "seconds_before"


@compiles(SecondsBefore, "sqlite")
def _seconds_before_sqlite(element, compiler, **kw) -> str:
    moment, seconds = element.clauses
    # The stored text is "YYYY-MM-DD HH:MM:SS.ffffff"; %f gives "SS.SSS", which
    # compares in the same order as text.
    return (
        f"strftime('%Y-%m-%d %H:%M:%f', {compiler.process(moment, **kw)}, "
        f"'-' || {compiler.process(seconds, **kw)} || ' seconds')"
    )


@compiles(SecondsBefore, "postgresql")
def _seconds_before_postgresql(element, compiler, **kw) -> str:
    moment, seconds = element.clauses
    return (
        f"({compiler.process(moment, **kw)} - make_interval(secs => "
        f"{compiler.process(seconds, **kw)}))"
    )


def whole_minutes(later: ColumnElement, earlier: ColumnElement) -> ColumnElement:
    """Whole minutes from ``earlier`` to ``later``, floored, never below 0; NULL when
    either is NULL (not reported yet, not back yet)."""
    from sqlalchemy import case

    difference = EpochMs(later) - EpochMs(earlier)
    return case((difference <= 0, 0), else_=difference // 60000)
