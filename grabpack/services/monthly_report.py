"""The monthly recurrence review for one London month: one computation behind the
page, the PDF, the CSV and the scheduled command, so that they cannot disagree.

Every figure is aggregated in SQL (``GROUP BY`` and window functions both
databases have); Python only puts ward rows together into settings and asks the
rules in ``grabpack.domain.monthly_review`` for the flags and their reasons. The
number of queries is fixed, whatever the size of the month.

Definitions (the rules' module states the thresholds):

* An episode belongs to the ward it was reported from (``ward_id`` at the time),
  so a patient transferred mid-month counts on each ward they went missing from,
  once per setting and once in the total.
* **Time missing** runs from when the patient went (the end of leave they did not
  return from, else when last seen, else when the absence was noticed) to their
  return; episodes still open have no time and are counted as still missing.
* A **repeat patient** of a ward is one with a repeat episode (at least the rule's
  Nth in its window) reported from that ward in the month; the window counts all
  of the patient's episodes, wherever they went missing from.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from grabpack.domain.episode_schema import EpisodeKind, FoundBy, FoundCategory, PoliceRiskGrade
from grabpack.domain.mental_health_act import LEGAL_STATUSES
from grabpack.domain.monthly_review import (
    REPORTING_FAULTS,
    Figures,
    Flag,
    Month,
    MonthlyReport,
    RepeatPatient,
    RepeatPatientRow,
    ReportingSummary,
    ReviewRules,
    SettingRow,
    TrendPoint,
    WardRow,
    high_risk_repeat_flag,
    month_bounds,
    previous_month,
    repeat_flag,
    trailing_months,
)
from grabpack.domain.recurrence import RepeatRule
from grabpack.domain.reporting import ReportingPolicy
from grabpack.domain.retake import Answer
from grabpack.extensions import db
from grabpack.models import MissingEpisode, Patient, PolicingArea, Role, Setting, User, Ward
from grabpack.models.base import utcnow
from grabpack.models.episode_figures import (
    GRADE_OF_RANK,
    grade_rank,
    in_repeat_window,
    kept_window_days,
)
from grabpack.services.police_access import patients_with_reason
from grabpack.services.sql_time import whole_minutes

TREND_MONTHS = 12


# --- Who sees what ---------------------------------------------------------------------------


class ReportNotAllowed(PermissionError):
    """This user's role has no monthly review (nurses: they do not need it)."""


class UnknownArea(LookupError):
    """No policing area by that code, or none this user may review."""


@dataclass(frozen=True)
class ReportScope:
    """What a review covers and shows: wards (``None``: every ward), the one policing
    area asked for, whether patient rows are shown, and to whom names are shown."""

    ward_ids: frozenset[int] | None
    area: PolicingArea | None = None
    patient_rows: bool = True
    reader: User | None = None  # None: a scheduled job, which gets no names
    covers: str | None = None  # in words, when narrower than the area or every area

    @classmethod
    def everything(cls, area: PolicingArea | None = None) -> ReportScope:
        """The scheduled job's view: every ward (of the area), opaque ids, no names."""
        if area is None:
            return cls(ward_ids=None)
        return cls(ward_ids=frozenset(_area_ward_ids([area.id])), area=area)


def area_by_code(code: str) -> PolicingArea:
    area = db.session.scalar(
        select(PolicingArea).where(func.upper(PolicingArea.code) == code.strip().upper())
    )
    if area is None:
        raise UnknownArea(f"No policing area with code {code!r}")
    return area


def _area_ward_ids(area_ids: Iterable[int]) -> set[int]:
    return set(
        db.session.scalars(
            select(Ward.id)
            .join(Setting, Ward.setting_id == Setting.id)
            .where(Setting.policing_area_id.in_(list(area_ids)))
        )
    )


def _listed(names: list[str], plural: str) -> str:
    """``Ward A``, ``Ward A and Ward B``, or ``5 wards`` when there are many."""
    if not names:
        return f"no {plural}"
    if len(names) > 3:
        return f"{len(names)} {plural}"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def scope_for(reader: User, area_code: str | None = None) -> ReportScope:
    """Ward managers review their wards, police their areas, administrators every
    area in aggregate; ``area_code`` narrows to one policing area the reader covers."""
    role = reader.role_enum
    if role not in (Role.ADMIN, Role.WARD_MANAGER, Role.POLICE):
        # Before the area is looked up: a refusal must not say which codes exist.
        raise ReportNotAllowed("The monthly review is for ward managers, police and administrators")
    area = area_by_code(area_code) if area_code else None
    if role is Role.ADMIN:
        wards = None if area is None else frozenset(_area_ward_ids([area.id]))
        return ReportScope(ward_ids=wards, area=area, patient_rows=False, reader=reader)
    if role is Role.WARD_MANAGER:
        wards = {ward.id for ward in reader.wards}
        if area is not None:
            wards &= _area_ward_ids([area.id])
            if not wards:
                raise UnknownArea(f"None of your wards is in policing area {area.code}")
        names = [ward.name for ward in reader.wards if ward.id in wards]
        return ReportScope(
            ward_ids=frozenset(wards), area=area, reader=reader, covers=_listed(names, "wards")
        )
    # Police: their policing areas.
    areas = {a.id for a in reader.policing_areas}
    if area is not None:
        if area.id not in areas:
            raise UnknownArea(f"Policing area {area.code} is not one of yours")
        areas = {area.id}
    names = [a.name for a in reader.policing_areas if a.id in areas]
    return ReportScope(
        ward_ids=frozenset(_area_ward_ids(areas)),
        area=area,
        reader=reader,
        covers=_listed(names, "policing areas"),
    )


# --- The computation ---------------------------------------------------------------------------


E = MissingEpisode


def _in_scope(statement: Select, scope: ReportScope, episode=E) -> Select:
    if scope.ward_ids is None:
        return statement
    return statement.where(episode.ward_id.in_(sorted(scope.ward_ids)))


def _in_month(month: Month, episode=E) -> ColumnElement[bool]:
    start, end = month_bounds(*month)
    return and_(episode.noticed_at >= start, episode.noticed_at < end)


def _restricted_statuses() -> list[str]:
    return [status.key for status in LEGAL_STATUSES if status.restricted]


def _fault_expressions(policy: ReportingPolicy, now: datetime) -> dict[str, ColumnElement]:
    """``REPORTING_FAULTS`` as SQL, one boolean per fault key (the same predicates)."""
    moj_until = func.coalesce(E.moj_notified_at, E.returned_at, literal(now, E.noticed_at.type))
    limit_to_state = or_(
        E.retake_answer == Answer.RETAKE_UNTIL.value,
        and_(
            E.retake_answer == Answer.NOT_KNOWN.value,
            E.retake_statement["power"].as_string().like("s18%"),
        ),
    )
    return {
        "no_grab_pack": E.had_no_pack.is_(True),
        "grab_pack_incomplete": E.pack_incomplete.is_(True),
        "review_overdue": E.review_overdue.is_(True),
        "photo_stale": E.photo_stale.is_(True),
        "reported_late": and_(
            E.reported_at.is_not(None), E.minutes_to_report > policy.late_report_minutes
        ),
        "s18_not_stated": and_(limit_to_state, E.s18_expiry_stated.is_(False)),
        "moj_not_told_in_time": and_(
            E.legal_status.in_(_restricted_statuses()),
            whole_minutes(moj_until, E.noticed_at) > policy.moj_notify_minutes,
        ),
    }


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# Each level groups the month's episodes by one key: the ward, the setting, or all.
LEVELS = ("ward", "setting", "total")


def _level_key(level: str) -> ColumnElement:
    if level == "ward":
        return E.ward_id
    if level == "setting":
        return Ward.setting_id
    return literal(0)


def _month_episodes(columns: Sequence[Any], month: Month, scope: ReportScope) -> Select:
    statement = (
        select(*columns).select_from(E).join(Ward, E.ward_id == Ward.id).where(_in_month(month))
    )
    return _in_scope(statement, scope)


def _by_level(statement) -> dict[str, dict[Any, Any]]:
    """Rows of ``(level, key, value...)`` as ``{level: {key: row}}``, every level present."""
    found: dict[str, dict[Any, Any]] = {level: {} for level in LEVELS}
    for row in db.session.execute(statement):
        found[row.level][row.key] = row
    return found


def _counts(
    month: Month, scope: ReportScope, policy: ReportingPolicy, now: datetime, settings_of: Mapping
) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every figure per ward in one pass over the month's episodes; a setting's and
    the total's are their wards' sums (the longest time: the largest), except
    distinct patients, counted apart (``_distinct_patients``): a patient on two
    wards is one patient of the setting."""
    faults = _fault_expressions(policy, now)
    columns: dict[str, ColumnElement] = {
        "episodes": func.count(E.id),
        "patients": func.count(E.patient_id.distinct()),
        "returned": _count_where(E.returned_at.is_not(None)),
        "longest": func.max(E.minutes_missing),
        "prevention": _count_where(E.prevention_interview_at.is_not(None)),
        "not_reported": _count_where(E.reported_at.is_(None)),
        "poor": _count_where(or_(*faults.values())),
    }
    for kind in EpisodeKind:
        columns[f"kind:{kind.value}"] = _count_where(E.kind == kind.value)
    for grade in PoliceRiskGrade:
        columns[f"grade:{grade.value}"] = _count_where(E.police_risk_grade == grade.value)
    for place in FoundCategory:
        columns[f"found:{place.value}"] = _count_where(E.found_category == place.value)
    for finder in FoundBy:
        columns[f"by:{finder.value}"] = _count_where(E.found_by == finder.value)
    for fault_key, condition in faults.items():
        columns[f"fault:{fault_key}"] = _count_where(condition)
    statement = _in_scope(
        select(E.ward_id.label("key"), *(column.label(name) for name, column in columns.items()))
        .where(_in_month(month))
        .group_by(E.ward_id),
        scope,
    )
    wards = {row.key: dict(row._mapping) for row in db.session.execute(statement)}
    counts: dict[str, dict[Any, dict[str, Any]]] = {"ward": wards, "setting": {}, "total": {}}
    for ward_id, figures in wards.items():
        _add_into(counts["setting"].setdefault(settings_of[ward_id], {}), figures)
        _add_into(counts["total"].setdefault(0, {}), figures)
    patients = _distinct_patients(month, scope)
    for level in ("setting", "total"):
        for key, figures in counts[level].items():
            figures["patients"] = patients[level].get(key, 0)
    return counts


def _add_into(total: dict[str, Any], ward: Mapping[str, Any]) -> None:
    """A ward's figures added into its setting's (or the total's): sums, but the
    longest time missing is the largest."""
    for name, value in ward.items():
        if name in ("key", "patients") or value is None:
            continue
        if name == "longest":
            total[name] = max(total.get(name, value), value)
        else:
            total[name] = total.get(name, 0) + value


def _distinct_patients(month: Month, scope: ReportScope) -> dict[str, dict[Any, int]]:
    """Distinct patients per setting and in total (a ward's come with its counts)."""
    parts = [
        _month_episodes(
            [
                literal(level).label("level"),
                _level_key(level).label("key"),
                func.count(E.patient_id.distinct()).label("patients"),
            ],
            month,
            scope,
        ).group_by(_level_key(level))
        for level in ("setting", "total")
    ]
    found = _by_level(union_all(*parts))
    return {level: {k: row.patients for k, row in rows.items()} for level, rows in found.items()}


Middles = dict[str, dict[Any, tuple[float | None, float | None]]]


def _middles(
    value: ColumnElement, present: ColumnElement[bool], month: Month, scope: ReportScope
) -> Middles:
    """``(median, 90th percentile by nearest rank)`` of ``value`` per key of every
    level, over the month's episodes where ``present``, in one statement: the
    answers of ``monthly_review.median`` and ``nearest_rank`` on both databases."""
    measured = _month_episodes(
        [E.ward_id.label("ward"), Ward.setting_id.label("setting"), value.label("value")],
        month,
        scope,
    ).where(present)
    if db.session.get_bind().dialect.name == "postgresql":
        statement = _ordered_set_middles(measured)
    else:
        statement = _ranked_middles(measured)
    found = _by_level(statement)
    return {
        level: {
            key: (
                None if row.median is None else float(row.median),
                None if row.p90 is None else float(row.p90),
            )
            for key, row in rows.items()
        }
        for level, rows in found.items()
    }


def _ordered_set_middles(measured: Select):
    """PostgreSQL's ordered-set aggregates: ``percentile_cont(0.5)`` is the median
    (the mean of the two middle values for an even count) and ``percentile_disc(0.9)``
    the first value whose cumulative share reaches 90%, the ``ceil(0.9 n)``-th: the
    nearest rank. One sort per key: about a third of the window functions' time
    (benchmarks/RESULTS.md, 2026-12-02 22:20)."""
    month = measured.cte("measured")
    keys = {"ward": month.c.ward, "setting": month.c.setting, "total": literal(0)}
    return union_all(
        *(
            select(
                literal(level).label("level"),
                key.label("key"),
                func.percentile_cont(0.5).within_group(month.c.value).label("median"),
                func.percentile_disc(0.9).within_group(month.c.value).label("p90"),
            ).group_by(key)
            for level, key in keys.items()
        )
    )


def _ranked_middles(measured: Select):
    """SQLite has no ordered-set aggregate: each value is ranked with window
    functions and the middle ones (and the nearest rank) kept before grouping."""
    measured = measured.cte("measured").prefix_with("MATERIALIZED")
    keys = {"ward": measured.c.ward, "setting": measured.c.setting, "total": None}
    ranks = []
    for level, key in keys.items():
        # The count shares the rank's window (same order, whole partition): one sort.
        window = {"order_by": measured.c.value} | ({} if key is None else {"partition_by": key})
        ranks += [
            func.row_number().over(**window).label(f"rank_{level}"),
            func.count().over(**window, rows=(None, None)).label(f"n_{level}"),
        ]
    ranked = select(measured.c.ward, measured.c.setting, measured.c.value, *ranks).cte("ranked")

    def part(level: str) -> Select:
        key = literal(0) if keys[level] is None else ranked.c[level]
        n, rank = ranked.c[f"n_{level}"], ranked.c[f"rank_{level}"]
        middle = or_(rank == (n + 1) // 2, rank == (n + 2) // 2)
        p90 = rank == (9 * n + 9) // 10
        return (
            select(
                literal(level).label("level"),
                key.label("key"),
                func.avg(case((middle, ranked.c.value))).label("median"),
                func.max(case((p90, ranked.c.value))).label("p90"),
            )
            .where(or_(middle, p90))  # the few rows that matter, before grouping
            .group_by(key)
        )

    return union_all(*(part(level) for level in LEVELS))


def _trend_months(month: Month) -> tuple[Month, ...]:
    """The trend's twelve months, oldest first, ending with ``month``."""
    return (*trailing_months(month, TREND_MONTHS - 1), month)


def _monthly_counts(month: Month, scope: ReportScope) -> dict[int, dict[Month, int]]:
    """Episodes per ward per month for the trend's twelve months (the trailing three
    and the month before are among them): one ``GROUP BY`` per month, each a range of
    the ``noticed_at`` index, in one statement."""
    months = _trend_months(month)
    parts = [
        _in_scope(
            select(literal(index).label("bucket"), E.ward_id, func.count().label("episodes"))
            .where(_in_month(each))
            .group_by(E.ward_id),
            scope,
        )
        for index, each in enumerate(months)
    ]
    counts: dict[int, dict[Month, int]] = {}
    for row in db.session.execute(union_all(*parts)):
        counts.setdefault(row.ward_id, {})[months[row.bucket]] = row.episodes
    return counts


def _in_window(rule: RepeatRule, value: Callable[[Any], ColumnElement]):
    """``value`` over the patient's episodes in the rule's window ending at each of
    the month's episodes, as a correlated subquery (one range of the (patient,
    noticed) index per episode): the review's way when the kept counts are for
    another window length (``models.episode_figures``)."""
    earlier = aliased(E)
    return (
        select(value(earlier))
        .where(in_repeat_window(earlier, E, rule.window_days))
        .scalar_subquery()
    )


def _repeat_episodes(month: Month, scope: ReportScope, rule: RepeatRule, kept_window: int):
    """The month's repeat episodes: each noticed in the month, in scope, that is at
    least the rule's Nth of the patient's episodes in the window ending at it (all
    of the patient's episodes count, from any ward), with the highest grade in that
    window. Read from the figures kept at write time when they are for the rule's
    window; counted live otherwise."""
    if kept_window == rule.window_days:
        in_window, top_grade = E.window_episodes, E.window_top_grade
    else:
        in_window = _in_window(rule, lambda _: func.count())
        top_grade = _in_window(rule, lambda earlier: func.max(grade_rank(earlier)))
    counted = _in_scope(
        select(
            E.id.label("episode_id"),
            E.patient_id,
            E.ward_id,
            E.noticed_at,
            in_window.label("in_window"),
            top_grade.label("top_grade"),
        ).where(_in_month(month)),
        scope,
    ).cte("counted")
    # MATERIALIZED (SQLite 3.35, PostgreSQL 12): otherwise both put the filter below
    # into the query above and count each episode's window twice.
    counted = counted.prefix_with("MATERIALIZED")
    return select(counted).where(counted.c.in_window >= rule.episodes).cte("repeat_episodes")


@dataclass(frozen=True)
class _Repeats:
    """The month's repeat patients, from one statement: distinct counts per level, and
    per patient the month's last repeat episode (its ward, setting, count) and the
    highest police risk grade over all their repeat windows of the month."""

    counts: dict[str, dict[Any, int]]
    patients: list[tuple]


def _repeats(repeats, settings_of: Mapping[int, int]) -> _Repeats:
    """One row per repeat patient and ward they had a repeat episode from (a patient
    transferred mid-month has one per ward): the SQL has grouped the episodes; Python
    counts distinct patients per ward, setting and total from these few rows, and
    keeps the patient's newest row for the list. Counting in a second statement
    would count every episode's window again (the costliest part of the review)."""
    newest = (repeats.c.noticed_at.desc(), repeats.c.episode_id.desc())
    rows = select(
        repeats.c.patient_id,
        repeats.c.ward_id,
        repeats.c.noticed_at,
        repeats.c.in_window,
        func.row_number().over(partition_by=repeats.c.patient_id, order_by=newest).label("newest"),
        func.row_number()
        .over(partition_by=(repeats.c.patient_id, repeats.c.ward_id), order_by=newest)
        .label("newest_on_ward"),
        func.max(repeats.c.top_grade).over(partition_by=repeats.c.patient_id).label("rank"),
    ).subquery()
    statement = (
        select(
            rows.c.patient_id,
            Ward.code,
            Ward.name,
            Setting.name,
            rows.c.in_window,
            rows.c.noticed_at,
            rows.c.rank,
            rows.c.ward_id,
            rows.c.newest,
        )
        .join(Ward, Ward.id == rows.c.ward_id)
        .join(Setting, Setting.id == Ward.setting_id)
        .where(rows.c.newest_on_ward == 1)
        .order_by(rows.c.in_window.desc(), rows.c.noticed_at.desc(), rows.c.patient_id)
    )
    found = db.session.execute(statement).all()
    patients: dict[str, dict[Any, set]] = {level: {} for level in LEVELS}
    for row in found:
        for level, key in (
            ("ward", row.ward_id),
            ("setting", settings_of[row.ward_id]),
            ("total", 0),
        ):
            patients[level].setdefault(key, set()).add(row.patient_id)
    return _Repeats(
        counts={level: {k: len(v) for k, v in keys.items()} for level, keys in patients.items()},
        patients=[tuple(row)[:7] for row in found if row.newest == 1],
    )


def _visible_names(scope: ReportScope, patient_ids: list[uuid.UUID], now: datetime) -> dict:
    """Names of the patients this reader may already see, and only those: ward staff
    their wards' patients, police those they have a reason to see now."""
    reader = scope.reader
    if reader is None or not patient_ids:
        return {}
    if reader.role_enum is Role.WARD_MANAGER:
        statement = select(Patient.id, Patient.full_name).where(
            Patient.id.in_(patient_ids), Patient.ward_id.in_([w.id for w in reader.wards])
        )
    elif reader.role_enum is Role.POLICE:
        allowed = patients_with_reason(reader, now).scalar_subquery()
        statement = select(Patient.id, Patient.full_name).where(
            Patient.id.in_(patient_ids), Patient.id.in_(allowed)
        )
    else:
        return {}
    return dict(db.session.execute(statement).all())


def _wards_in_scope(scope: ReportScope) -> list[tuple]:
    statement = (
        select(
            Ward.id,
            Ward.code,
            Ward.name,
            Setting.id,
            Setting.code,
            Setting.name,
            PolicingArea.code,
            PolicingArea.name,
        )
        .join(Setting, Ward.setting_id == Setting.id)
        .join(PolicingArea, Setting.policing_area_id == PolicingArea.id)
        .order_by(PolicingArea.name, Setting.name, Ward.name)
    )
    if scope.ward_ids is not None:
        statement = statement.where(Ward.id.in_(sorted(scope.ward_ids)))
    return list(db.session.execute(statement))


def _figures(
    counts: Mapping[str, Any] | None,
    reporting_middles: tuple[float | None, float | None],
    missing_middles: tuple[float | None, float | None],
    repeat_patients: int,
    by_month: Mapping[Month, int],
    month: Month,
) -> Figures:
    """One line's figures from its SQL aggregates (no episode rows)."""
    counts = counts or {}

    def picked(prefix: str, values: Iterable[str]) -> dict[str, int]:
        return {value: int(counts.get(f"{prefix}:{value}", 0)) for value in values}

    episodes = int(counts.get("episodes", 0))
    grades = picked("grade", (g.value for g in PoliceRiskGrade))
    grades[""] = episodes - sum(grades.values())
    fault_counts = picked("fault", (f.key for f in REPORTING_FAULTS))
    returned = int(counts.get("returned", 0))
    longest = counts.get("longest")
    return Figures(
        episodes=episodes,
        patients=int(counts.get("patients", 0)),
        repeat_patients=repeat_patients,
        kinds=picked("kind", (k.value for k in EpisodeKind)),
        returned=returned,
        still_missing=episodes - returned,
        median_minutes_missing=missing_middles[0],
        longest_minutes_missing=None if longest is None else int(longest),
        grades=grades,
        found_places=picked("found", (c.value for c in FoundCategory)),
        found_by=picked("by", (b.value for b in FoundBy)),
        prevention_interviews=int(counts.get("prevention", 0)),
        reporting=ReportingSummary(
            episodes=episodes,
            poor=int(counts.get("poor", 0)),
            fault_counts=fault_counts,
            not_reported=int(counts.get("not_reported", 0)),
            median_minutes=reporting_middles[0],
            p90_minutes=reporting_middles[1],
        ),
        previous_month_episodes=by_month.get(previous_month(month), 0),
        trailing_counts=tuple(by_month.get(m, 0) for m in trailing_months(month)),
    )


def _summed(by_ward: Iterable[Mapping[Month, int]]) -> dict[Month, int]:
    total: dict[Month, int] = {}
    for counts in by_ward:
        for month, episodes in counts.items():
            total[month] = total.get(month, 0) + episodes
    return total


def _flagged(figures: Figures, kind: str, subject: str, rules: ReviewRules) -> Figures:
    flags = [
        rules.volume.flag(kind, subject, figures.episodes, figures.trailing_counts),
        rules.poor_reporting.flag(kind, subject, figures.reporting),
    ]
    return replace(figures, flags=tuple(f for f in flags if f is not None))


def monthly_report(
    month: Month, scope: ReportScope, rules: ReviewRules, now: datetime | None = None
) -> MonthlyReport:
    """The review of ``month`` for ``scope``: a fixed number of queries (eight, and one
    for the names a reader may see; twice eight for a reader of part of a setting),
    whatever the number of episodes, wards or patients."""
    now = now or utcnow()
    in_scope = _wards_in_scope(scope)
    settings_of = {row[0]: row[3] for row in in_scope}
    ours = _aggregates(month, scope, rules, now, settings_of)
    whole = _whole_settings(month, scope, settings_of, rules, now) or ours
    by_ward_month = ours.by_ward_month

    def line(level: str, key: Any, by_month: Mapping[Month, int]) -> Figures:
        source = whole if level == "setting" else ours
        return source.figures(level, key, by_month, month)

    settings: dict[int, dict[str, Any]] = {}
    for (
        ward_id,
        ward_code,
        ward_name,
        setting_id,
        setting_code,
        setting_name,
        area_code,
        area_name,
    ) in in_scope:
        setting = settings.setdefault(
            setting_id,
            {
                "code": setting_code,
                "name": setting_name,
                "area": (area_code, area_name),
                "wards": [],
            },
        )
        figures = line("ward", ward_id, by_ward_month.get(ward_id, {}))
        subject = f"{ward_name} ({setting_name})"
        setting["wards"].append(
            WardRow(ward_id, ward_code, ward_name, _flagged(figures, "ward", subject, rules))
        )
    setting_rows = []
    for setting_id, setting in settings.items():
        by_month = _summed(
            counts
            for ward_id, counts in whole.by_ward_month.items()
            if whole.settings_of[ward_id] == setting_id
        )
        figures = _flagged(line("setting", setting_id, by_month), "setting", setting["name"], rules)
        setting_rows.append(
            SettingRow(
                setting_id,
                setting["code"],
                setting["name"],
                *setting["area"],
                figures,
                tuple(setting["wards"]),
            )
        )
    all_months = _summed(by_ward_month.values())
    total = line("total", 0, all_months)
    patients = _repeat_patient_rows(scope, ours.repeated, now)
    flags = [f for s in setting_rows for f in s.figures.flags]
    flags += [f for s in setting_rows for w in s.wards for f in w.figures.flags]
    flags += _patient_flags(patients or (), rules)
    return MonthlyReport(
        month=month,
        area_code=scope.area.code if scope.area else None,
        area_name=scope.area.name if scope.area else None,
        made_at=now,
        rules=rules,
        total=total,
        settings=tuple(setting_rows),
        repeat_patients=patients,
        trend=tuple(TrendPoint(m, all_months.get(m, 0)) for m in _trend_months(month)),
        flags=tuple(flags),
        covers=scope.covers,
    )


@dataclass(frozen=True)
class _Aggregates:
    """Every SQL aggregate of one scope's month, by level (ward, setting, total)."""

    counts: dict[str, dict[Any, Any]]
    reporting: dict[str, dict[Any, Any]]
    missing: dict[str, dict[Any, Any]]
    repeated: _Repeats
    by_ward_month: dict[int, dict[Month, int]]
    settings_of: Mapping[int, int]

    def figures(self, level: str, key: Any, by_month: Mapping[Month, int], month: Month) -> Figures:
        nothing = (None, None)
        return _figures(
            self.counts[level].get(key),
            self.reporting[level].get(key, nothing),
            self.missing[level].get(key, nothing),
            self.repeated.counts[level].get(key, 0),
            by_month,
            month,
        )


def _aggregates(
    month: Month, scope: ReportScope, rules: ReviewRules, now: datetime, settings_of: Mapping
) -> _Aggregates:
    """The month's figures for the wards in ``scope``, in a fixed number of statements."""
    kept_window = kept_window_days(db.session.connection())
    return _Aggregates(
        counts=_counts(month, scope, rules.reporting, now, settings_of),
        reporting=_middles(E.minutes_to_report, E.minutes_to_report.is_not(None), month, scope),
        missing=_middles(E.minutes_missing, E.minutes_missing.is_not(None), month, scope),
        repeated=_repeats(_repeat_episodes(month, scope, rules.repeat, kept_window), settings_of),
        by_ward_month=_monthly_counts(month, scope),
        settings_of=settings_of,
    )


def _whole_settings(
    month: Month, scope: ReportScope, settings_of: Mapping[int, int], rules, now: datetime
) -> _Aggregates | None:
    """The figures of every ward of the settings in ``scope``, when the scope holds only
    some of them (a ward manager's wards): a setting's figures and flags are the whole
    setting's, the same whoever reads the review. Aggregates only: no patient rows.
    None when the scope already holds whole settings."""
    if scope.ward_ids is None:
        return None
    statement = select(Ward.id, Ward.setting_id).where(
        Ward.setting_id.in_(sorted(set(settings_of.values())))
    )
    all_wards = {ward_id: setting_id for ward_id, setting_id in db.session.execute(statement)}
    if set(all_wards) <= scope.ward_ids:
        return None
    whole = ReportScope(ward_ids=frozenset(all_wards), patient_rows=False)
    return _aggregates(month, whole, rules, now, all_wards)


def _repeat_patient_rows(
    scope: ReportScope, repeated: _Repeats, now: datetime
) -> tuple[RepeatPatientRow, ...] | None:
    if not scope.patient_rows:
        return None
    found = repeated.patients
    names = _visible_names(scope, [row[0] for row in found], now)
    return tuple(
        RepeatPatientRow(
            patient_id=patient_id,
            ward_code=ward_code,
            ward_name=ward_name,
            setting_name=setting_name,
            episodes_in_window=in_window,
            last_noticed_at=noticed_at,
            highest_grade=PoliceRiskGrade(GRADE_OF_RANK[rank]) if rank else None,
            name=names.get(patient_id),
        )
        for patient_id, ward_code, ward_name, setting_name, in_window, noticed_at, rank in found
    )


def _patient_flags(patients: Iterable[RepeatPatientRow], rules: ReviewRules) -> list[Flag]:
    flags: list[Flag] = []
    for patient in patients:
        repeat = RepeatPatient(
            patient.episodes_in_window, patient.last_noticed_at, patient.highest_grade
        )
        subject = f"Patient {patient.reference}, {patient.ward_name}"
        flags.append(repeat_flag(rules.repeat, subject, repeat))
        if high := high_risk_repeat_flag(rules.repeat, subject, repeat):
            flags.append(high)
    return flags
