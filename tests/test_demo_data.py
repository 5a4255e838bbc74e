"""The demo's data, as ``grabpack demo`` loads it: synthetic, skewed as real episodes are,
and recorded through the services as real use would leave it."""

from __future__ import annotations

import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import pytest
from flask import Flask
from sqlalchemy import func, select

from grabpack.demo import load_demo
from grabpack.demo.data.episode_texts import CHECK_RATES
from grabpack.domain.clock import LONDON, london_today, parse_time_of_day, time_text
from grabpack.domain.episode_schema import (
    CHECKS,
    FoundBy,
    FoundCategory,
    PoliceRiskGrade,
    absence_began_of,
    expected_kinds,
    legal_facts_of,
)
from grabpack.domain.grab_pack_schema import GRAB_PACK, Field, FieldType, Group
from grabpack.domain.mental_health_act import legal_status
from grabpack.domain.nhs_number import check_digit, normalise_nhs_number
from grabpack.domain.postcode import normalise_postcode
from grabpack.domain.retake import (
    SIX_MONTHS,
    Answer,
    LegalFacts,
    last_day_of_days,
    last_day_of_months,
    legal_facts_from_pack,
    power_to_retake,
)
from grabpack.domain.review import is_photo_stale
from grabpack.extensions import db
from grabpack.models import (
    AuditEvent,
    GrabPack,
    GrabPackVersion,
    MissingEpisode,
    Patient,
    PolicingArea,
    RiskGradeChange,
)
from grabpack.packs.forms import PHONE_RE
from grabpack.services.episodes import facts_of
from tests.conftest import POSTGRES_URL, make_app, truncate_postgres

NOW = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
ROLES = ("nurse", "ward_manager", "police", "admin")
DRAMA_LANDLINE = re.compile(r"^020 7946 0\d{3}$")
DRAMA_MOBILE = re.compile(r"^07700 900\d{3}$")
SCRIPTS = {
    "Arabic": re.compile(r"[\u0600-\u06ff]"),
    "Chinese": re.compile(r"[\u4e00-\u9fff]"),
    "Bengali": re.compile(r"[\u0980-\u09ff]"),
    "Polish": re.compile(r"[ąćęłńśźżĄĆĘŁŃŚŹŻ]"),
}


def pack_states(today: date) -> dict[str, str]:
    """Each patient's pack as the ward sees it: none, draft, complete or overdue."""
    current = {
        patient_id: (version, pack)
        for patient_id, version, pack in db.session.execute(
            select(GrabPack.patient_id, GrabPackVersion, GrabPack).join(
                GrabPackVersion,
                (GrabPackVersion.grab_pack_id == GrabPack.id)
                & (GrabPackVersion.number == GrabPack.current_version_number),
            )
        )
    }
    states = {}
    for patient_id in db.session.scalars(select(Patient.id)):
        if patient_id not in current:
            states[patient_id] = "none"
            continue
        version, pack = current[patient_id]
        due = min(version.review_due_on, pack.review_due_on or version.review_due_on)
        states[patient_id] = (
            "overdue" if due < today else "complete" if version.is_complete else "draft"
        )
    return states


def bad_value(field: Field, value) -> bool:
    """Whether a stored value breaks the rules the grab-pack form enforces."""
    if value is None or value == "":
        return False
    match field.type:
        case FieldType.TEXT | FieldType.LONG_TEXT:
            return not isinstance(value, str) or len(value) > field.max_length
        case FieldType.DATE:
            return date.fromisoformat(value) > NOW.date() and field.not_future
        case FieldType.TIME:
            return time_text(parse_time_of_day(value)) != value
        case FieldType.INTEGER:
            return not isinstance(value, int) or not field.minimum <= value <= field.maximum
        case FieldType.YES_NO:
            return not isinstance(value, bool)
        case FieldType.CHOICE:
            return value not in dict(field.choices)
        case FieldType.NHS_NUMBER:
            return normalise_nhs_number(value) != value
        case FieldType.POSTCODE:
            return normalise_postcode(value) != value
        case FieldType.PHONE:
            return not PHONE_RE.match(value)
        case FieldType.EMAIL:
            return not value.endswith("@example.com")
    return True


def overtaken(pack: LegalFacts, said: LegalFacts) -> bool:
    """Whether the pack's legal position was out of date when the ward gave its own:
    another status or section since, or a period renewed since. A blank in the pack is
    not out of date: the ward does not know what the pack does not say."""
    if pack.legal_status != said.legal_status or pack.section_start_on != said.section_start_on:
        return True
    renewed = None not in (pack.period_ends_on, said.period_ends_on) and (
        pack.period_ends_on < said.period_ends_on
    )
    others = ("section_start_time", "cto_recalled_on", "detention_ended_on")
    return renewed and all(getattr(pack, key) == getattr(said, key) for key in others)


def first_day_absent(episode: MissingEpisode) -> date:
    return absence_began_of(episode).astimezone(LONDON).date()


def schema_problems(data: dict) -> list[str]:
    problems = [f"unknown section {key}" for key in data if key not in {s.key for s in GRAB_PACK}]
    for section in GRAB_PACK:
        values = data.get(section.key) or {}
        known = {item.key for item in section.items}
        problems += [f"unknown field {section.key}.{key}" for key in values if key not in known]
        for item in section.items:
            if isinstance(item, Group):
                for entry in values.get(item.key) or []:
                    problems += [
                        f"{item.key}.{field.key}={entry.get(field.key)!r}"
                        for field in item.fields
                        if bad_value(field, entry.get(field.key))
                    ]
            elif bad_value(item, values.get(item.key)):
                problems.append(f"{section.key}.{item.key}={values.get(item.key)!r}")
    return problems


class LoadedDemo(NamedTuple):
    app: Flask
    logins: tuple


@pytest.fixture(scope="module")
def demo(tmp_path_factory, migrated_database: str) -> Iterator[LoadedDemo]:
    """One full demo (the one ``grabpack demo`` loads), built once for the tests that
    only read it: loading it takes 10-20 seconds, more on PostgreSQL."""
    if POSTGRES_URL:
        url = POSTGRES_URL
    else:
        path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
        shutil.copyfile(migrated_database, path)
        url = f"sqlite:///{path}"
    app = make_app(url)
    with app.app_context():
        logins = load_demo(now=NOW)
        db.session.remove()
    yield LoadedDemo(app, tuple(logins))
    with app.app_context():
        db.session.remove()
        if POSTGRES_URL:
            truncate_postgres()
        db.engine.dispose()


def test_demo_packs_come_in_every_state_with_synthetic_identities(demo):
    with demo.app.app_context():
        assert {login.role for login in demo.logins} == set(ROLES)

        states = Counter(pack_states(london_today(NOW)).values())
        assert set(states) == {"none", "draft", "complete", "overdue"}
        assert states["complete"] > states["draft"] > states["none"] > 0
        assert states["overdue"] > 0

        patients = db.session.scalars(select(Patient)).all()
        numbers = [p.nhs_number for p in patients if p.nhs_number]
        assert 0 < len(numbers) < len(patients)  # a few have none
        assert len(set(numbers)) == len(numbers)
        assert all(n.startswith("999") and check_digit(n[:9]) == int(n[9]) for n in numbers)
        names = " ".join(p.full_name for p in patients)
        for script, pattern in SCRIPTS.items():
            assert pattern.search(names), f"no {script} name"
        assert 0 < sum(p.discharged_at is not None for p in patients) < len(patients) // 4

        versions = db.session.scalars(select(GrabPackVersion)).all()
        problems = [(v.id, p) for v in versions for p in schema_problems(v.data)]
        assert problems == []
        counts = Counter(v.grab_pack_id for v in versions)
        assert sum(1 for n in counts.values() if 2 <= n <= 5) > len(counts) // 3
        notes = " ".join(v.change_note for v in versions)
        assert "Legal status changed" in notes and "Missing-risk category changed" in notes
        assert "Medication" in notes and any(v.kind == "review" for v in versions)
        risks = Counter(v.missing_risk for v in versions if v.missing_risk)
        assert risks["low"] + risks["medium"] > 2 * risks["high"] > 0
        complete = [v for v in versions if v.is_complete]
        assert complete and all(v.photo_id is not None for v in complete)
        assert any(is_photo_stale(True, v.photo_taken_on, london_today(NOW)) for v in complete)
        assert all(v.created_at <= NOW for v in versions)

        places = [p for v in versions for p in v.data.get("places", {}).get("places", [])]
        assert any(p.get("is_risk_location") for p in places)
        phones = [
            c["phone"] for v in versions for c in v.data.get("contacts", {}).get("contacts", [])
        ]
        assert phones and all(DRAMA_MOBILE.match(p) or DRAMA_LANDLINE.match(p) for p in phones)


def test_demo_episodes_are_skewed_and_open_now_in_every_area(demo):
    with demo.app.app_context():
        episodes = db.session.scalars(select(MissingEpisode)).all()
        year_ago = NOW - timedelta(days=366)
        assert 250 <= len(episodes) <= 600
        assert all(year_ago <= e.noticed_at <= NOW for e in episodes)

        open_now = [e for e in episodes if e.returned_at is None]
        assert {e.ward.setting.policing_area.code for e in open_now} == {
            a.code for a in db.session.scalars(select(PolicingArea))
        }
        assert all(NOW - timedelta(hours=6) < e.noticed_at < NOW for e in open_now)
        assert all(e.patient.discharged_at is None for e in open_now)

        # Skewed as real episodes are: most patients 0-1, some 3+ in 90 days, busy months.
        by_patient = defaultdict(list)
        for e in episodes:
            by_patient[e.patient_id].append(e.noticed_at)
        patients = db.session.scalar(select(func.count()).select_from(Patient))
        assert sum(1 for times in by_patient.values() if len(times) > 1) < patients / 2
        repeat = [
            times for times in by_patient.values()
            if any(sum(t <= u < t + timedelta(days=90) for u in times) >= 3 for t in times)
        ]  # fmt: skip
        assert len(repeat) >= 5
        by_ward_month = Counter(
            (e.ward_id, e.noticed_at.astimezone(LONDON).strftime("%Y-%m")) for e in episodes
        )
        assert max(by_ward_month.values()) >= 10

        kinds = Counter(e.kind for e in episodes)
        assert kinds["awol"] > kinds["missing"] > kinds["escapee"] > 0


def test_demo_episodes_give_police_every_answer_as_the_rule_works_it_out(demo):
    """Each of the five answers to "can this person be taken back, until when?", the narrow
    ones included, and each exactly as ``power_to_retake`` gives it for the stored facts."""
    with demo.app.app_context():
        episodes = db.session.scalars(select(MissingEpisode)).all()

        # What police were told is what the rule gives for the facts the episode stores.
        for e in episodes:
            power = power_to_retake(legal_facts_of(e), absence_began_of(e))
            assert e.retake_answer == power.answer
            assert e.retake_ends_at == power.ends_at
            if power.answer is Answer.RETAKE_UNTIL:
                assert e.retake_ends_at > absence_began_of(e)

        answers = Counter(Answer(e.retake_answer) for e in episodes)
        assert set(answers) == set(Answer)
        assert answers[Answer.RETAKE_UNTIL] > answers[Answer.NO_POWER] > answers[Answer.NOT_KNOWN]
        statuses = defaultdict(set)
        for e in episodes:
            statuses[e.retake_answer].add(e.legal_status)
        assert all(legal_status(key).restricted for key in statuses[Answer.RETAKE_ANY_TIME])
        # The Ministry of Justice is told of a restricted patient's absence, mostly at once:
        # late or never is a reporting fault, not something that stops the report.
        restricted = [e for e in episodes if e.retake_answer == Answer.RETAKE_ANY_TIME]
        told_late = [e for e in restricted if facts_of(e, NOW).moj_fault()]
        assert 0 < len(told_late) < len(restricted) / 3
        assert statuses[Answer.OTHER_POWER] <= {"s35", "s36", "s38"}
        assert "informal" in statuses[Answer.NO_POWER]

        until = [e for e in episodes if e.retake_answer == Answer.RETAKE_UNTIL]
        # A holding power, counted in hours to the minute...
        assert any(e.retake_power.counted_in_hours for e in until)
        # ...a section 2 absent in the last 5 of its 28 days...
        assert any(
            e.legal_status == "s2"
            and first_day_absent(e) >= last_day_of_days(e.section_start_on, 28) - timedelta(days=4)
            for e in until
        )
        # ...a renewed section 3 whose period runs past six months from the first day absent...
        assert any(
            e.legal_status == "s3"
            and e.period_ends_on > last_day_of_months(first_day_absent(e), SIX_MONTHS)
            for e in until
        )
        # ...and a patient recalled from a CTO.
        assert any(e.legal_status == "cto_17e" and e.cto_recalled_on for e in until)


def test_demo_episodes_hold_together(demo):
    """Times in order, reporting quality as the pinned pack version stood, the legal
    position as the pack gave it (or as the ward corrected it), kinds that agree with it."""
    with demo.app.app_context():
        versions = {
            (pack.patient_id, version.number): version
            for version, pack in db.session.execute(
                select(GrabPackVersion, GrabPack).join(GrabPack)
            )
        }
        episodes = db.session.scalars(select(MissingEpisode)).all()
        reported = [e for e in episodes if e.reported_at is not None]
        assert 0 < len(reported) < len(episodes)
        late = [e for e in reported if e.reported_at - e.noticed_at > timedelta(hours=1)]
        assert 0 < len(late) < len(reported) / 3
        corrected = []
        for e in episodes:
            assert e.last_seen_at is not None and e.last_seen_at < e.noticed_at
            if e.leave_due_back_at is not None:  # did not come back from s17 leave
                assert e.last_seen_at < e.leave_due_back_at <= e.noticed_at
                assert e.kind == "awol" and legal_status(e.legal_status).detained
            assert e.noticed_at >= e.patient.admitted_at
            if e.reported_at is not None:
                assert e.noticed_at <= e.reported_at <= NOW
                assert re.fullmatch(r"CAD \d{4}/\d{2}[A-Z]{3}\d{2}", e.police_reference)
            if e.police_risk_grade is not None:
                assert PoliceRiskGrade(e.police_risk_grade)
            if e.returned_at is not None:
                assert e.noticed_at < e.returned_at <= NOW
                assert e.found_by in set(FoundBy) - {FoundBy.OTHER}
                assert e.found_category and e.found_place
                assert e.closed_by_id is not None
            if e.prevention_interview_at is not None:
                assert e.returned_at < e.prevention_interview_at <= NOW
            # AWOL where the patient can be taken back, missing where not: never confirmed
            # against the legal position.
            power = e.retake_power
            assert e.kind in expected_kinds(power)
            status = legal_status(e.legal_status)
            assert status is not None or (e.had_no_pack and power.answer is Answer.NOT_KNOWN)
            assert e.kind != "escapee" or status.part_iii
            assert e.moj_notified_at is None or status.restricted
            assert not e.s18_expiry_stated or power.limit_to_state
            assert e.had_no_pack == (e.grab_pack_version_number is None)
            if e.grab_pack_version_number is not None:
                version = versions[(e.patient_id, e.grab_pack_version_number)]
                later = versions.get((e.patient_id, e.grab_pack_version_number + 1))
                assert version.created_at <= e.noticed_at
                assert later is None or later.created_at > e.noticed_at
                assert e.pack_incomplete == (not version.is_complete)
                went_on = london_today(absence_began_of(e))
                assert e.review_overdue == (version.review_due_on < went_on)
                # The ward gives police the pack's legal position unless it is out of date.
                pack, said = legal_facts_from_pack(version.data), legal_facts_of(e)
                if said != pack:
                    assert overtaken(pack, said), (pack, said)
                    corrected.append(e)
        for flag in ("had_no_pack", "pack_incomplete", "review_overdue", "photo_stale"):
            assert 0 < sum(getattr(e, flag) for e in episodes) < len(episodes) / 2, flag
        assert 0 < len(corrected) < len(episodes) / 10


def test_demo_episodes_are_recorded_through_the_episode_service(demo):
    """Audit rows, risk-grade history and the service's own keys, as real use leaves them."""
    with demo.app.app_context():
        episodes = db.session.scalars(select(MissingEpisode)).all()
        audited = defaultdict(set)
        for action, episode_id in db.session.execute(
            select(AuditEvent.action, AuditEvent.episode_id).where(
                AuditEvent.episode_id.is_not(None)
            )
        ):
            audited[episode_id].add(action)
        for e in episodes:
            assert "episode.open" in audited[e.id]
            assert ("episode.close" in audited[e.id]) == (e.returned_at is not None)
            if e.returned_at is not None:
                assert e.found_category in set(FoundCategory)
                assert e.found_by in set(FoundBy)
        assert any("episode.update" in actions for actions in audited.values())

        # Police grade at the report and regrade later; the episode shows the latest grade.
        grades = defaultdict(list)
        for change in db.session.scalars(
            select(RiskGradeChange).order_by(RiskGradeChange.recorded_at, RiskGradeChange.id)
        ):
            grades[change.episode_id].append(change)
        regraded = [history for history in grades.values() if len(history) >= 2]
        assert len(regraded) >= 5
        for e in episodes:
            history = grades.get(e.id, [])
            assert [c.grade for c in history][-1:] == ([e.police_risk_grade] if history else [])
            assert all(PoliceRiskGrade(c.grade) for c in history)
            end = e.returned_at or NOW
            assert all(e.noticed_at <= c.recorded_at <= end for c in history)
            if history:
                assert e.reported_at is not None and history[0].recorded_at >= e.reported_at
            assert all(a.grade != b.grade for a, b in zip(history, history[1:], strict=False))
        checks = {field.key for field in CHECKS}
        assert set(CHECK_RATES) == checks
        assert {key for e in episodes for key in checks if getattr(e, key)} == checks
        assert any(e.moj_notified_at is not None for e in episodes)
        # Where there is a retake limit to give police, the ward mostly says it gave it.
        limited = [e for e in episodes if e.retake_power.limit_to_state]
        unstated = [e for e in limited if not e.s18_expiry_stated]
        assert 0 < len(unstated) < len(limited) / 3


def test_each_demo_episode_pins_the_version_current_when_it_was_noticed(demo):
    with demo.app.app_context():
        saved = defaultdict(list)
        for patient_id, number, created_at in db.session.execute(
            select(GrabPack.patient_id, GrabPackVersion.number, GrabPackVersion.created_at)
            .join(GrabPack)
            .order_by(GrabPackVersion.number)
        ):
            saved[patient_id].append((number, created_at))
        episodes = db.session.scalars(select(MissingEpisode)).all()
        for e in episodes:
            versions = saved[e.patient_id]
            assert [at for _, at in versions] == sorted(at for _, at in versions)
            before = [number for number, at in versions if at <= e.noticed_at]
            assert e.grab_pack_version_number == (before[-1] if before else None)
        # Some absences came before the pack's first version, some after later versions.
        pinned = Counter(e.grab_pack_version_number for e in episodes)
        assert pinned[None] and sum(n for number, n in pinned.items() if (number or 0) >= 2)


def test_demo_gives_the_last_full_month_every_kind_of_review_flag(demo):
    """So that a first look at the monthly review shows what each flag looks like."""
    from grabpack.domain.monthly_review import month_of, previous_month
    from grabpack.policies import review_rules
    from grabpack.services.monthly_report import ReportScope, monthly_report

    with demo.app.app_context():
        month = previous_month(month_of(NOW))
        report = monthly_report(month, ReportScope.everything(), review_rules(), now=NOW)
    assert {flag.rule for flag in report.flags} == {
        "Repeat patient",
        "High-risk repeat",
        "High-volume setting",
        "High-volume ward",
        "Poor reporting (setting)",
        "Poor reporting (ward)",
    }
