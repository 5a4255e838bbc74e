"""Dates and times as a nurse types them at 3 a.m.: "2330" and "11:30pm" are times,
only the box that is wrong turns red, a time out of order is shown beside the field
to change, and the error summary reads down the page with links that go somewhere."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import DecimalField, FieldList, FloatField, Form, FormField, IntegerField

from grabpack.domain.clock import LONDON, london_today
from grabpack.domain.episode_schema import (
    EpisodeKind,
    Stage,
    fields_for,
    suggested_kind,
    time_problems,
)
from grabpack.domain.grab_pack_schema import GRAB_PACK
from grabpack.domain.retake import LegalFacts
from grabpack.episodes.forms import episode_form_class
from grabpack.extensions import db
from grabpack.models import MissingEpisode
from grabpack.models.base import utcnow
from grabpack.packs.fields import LondonDateTimeField
from grabpack.packs.forms import grab_pack_form_class, wtforms_field
from tests.domain.test_clock import TYPED_TIMES
from tests.factories import FULL_LEGAL, open_for, patient_on
from tests.page_checks import form_fields

YESTERDAY = london_today() - timedelta(days=1)
BOXES = ("day", "month", "year", "time")


def moment(key: str, day: date, typed_time: str) -> dict[str, str]:
    return {
        f"{key}-day": str(day.day),
        f"{key}-month": str(day.month),
        f"{key}-year": str(day.year),
        f"{key}-time": typed_time,
    }


def red_boxes(html: str, field_id: str) -> set[str]:
    """The boxes of a date or date-and-time input that carry the error style."""
    red = set()
    for part in BOXES:
        tag = re.search(rf'<input[^>]*id="{field_id}-{part}"[^>]*>', html)
        if tag and "nhsuk-input--error" in tag.group(0):
            red.add(part)
    return red


def summary_links(html: str) -> list[str]:
    summary = re.search(r'class="nhsuk-error-summary".*?</div>\s*</div>', html, re.S)
    assert summary, "no error summary on the page"
    return re.findall(r'href="#([^"]+)"', summary.group(0))


def error_texts(html: str) -> list[str]:
    summary = re.search(r'class="nhsuk-error-summary".*?</div>\s*</div>', html, re.S)
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li>(.*?)</li>", summary.group(0), re.S)
    ]


@pytest.fixture
def report(app, client, auth, world):
    """Post the report-missing form for a section 3 patient: noticed yesterday at 23:45,
    last seen at 23:00, with ``extra`` typed over it."""
    with app.app_context():
        patient_id = patient_on("WA1", "Clock Test", FULL_LEGAL, world.nurse_a).id
        db.session.commit()
    auth.login(world.nurse_a)
    url = f"/patients/{patient_id}/episodes/new"
    page = client.get(url).text

    def post(**extra):
        data = {
            **form_fields(page, url),
            **moment("noticed_at", YESTERDAY, "23:45"),
            **moment("last_seen_at", YESTERDAY, "23:00"),
            **extra,
        }
        return client.post(url, data=data)

    post.url = url
    return post


# --- times as people type them ------------------------------------------------------------


class TimeForm(Form):
    at = LondonDateTimeField("Last seen")


@pytest.mark.parametrize(("typed", "expected"), TYPED_TIMES)
def test_a_time_is_read_as_typed(typed, expected):
    form = TimeForm(MultiDict(moment("at", date(2026, 3, 27), typed)))
    assert form.validate(), form.at.errors
    assert form.at.data.astimezone(LONDON).time() == expected
    assert form.at.data.astimezone(LONDON).date() == date(2026, 3, 27)


@pytest.mark.parametrize("typed", ["25:00", "23", "half eleven", "13pm", "23:60"])
def test_a_time_that_is_not_one_says_what_to_type_and_marks_only_the_time(typed):
    form = TimeForm(MultiDict(moment("at", date(2026, 3, 27), typed)))
    assert not form.validate()
    assert form.at.errors == ["Last seen: enter a time like 23:30, 2330 or 11:30pm"]
    assert form.at.wrong_parts == ("time",)
    assert form.at.error_anchor == "at-time"
    assert form.at.parts["time"] == typed  # kept as typed, to correct


def test_a_time_typed_2330_is_recorded_through_the_report_form(app, report):
    response = report(**moment("last_seen_at", YESTERDAY, "2330"))
    assert response.status_code == 302, error_texts(response.text)
    with app.app_context():
        episode = db.session.scalar(select(MissingEpisode))
        assert episode.last_seen_at.astimezone(LONDON).time() == time(23, 30)


# --- dates: which box is wrong, in plain words ---------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message", "red"),
    [
        ({"day": ""}, "Last seen must include a day", {"day"}),
        ({"month": "", "year": ""}, "Last seen must include a month and a year", {"month", "year"}),
        ({"time": ""}, "Last seen must include a time", {"time"}),
        ({"day": "32"}, "Last seen: enter the day as a number from 1 to 31", {"day"}),
        ({"month": "13"}, "Last seen: enter the month as a number from 1 to 12", {"month"}),
        ({"year": "26"}, "Last seen: enter the year in full, like 2026", {"year"}),
        ({"year": "226"}, "Last seen: enter the year in full, like 2026", {"year"}),
        (
            {"day": "x", "month": "y"},
            "Last seen must be a real date, like 27 3 2026",
            {"day", "month"},
        ),
        ({"time": "7"}, "Last seen: enter a time like 23:30, 2330 or 11:30pm", {"time"}),
        (
            {"year": "26", "time": "7"},
            "Last seen: enter the year in full, like 2026",
            {"year", "time"},
        ),
    ],
)
def test_only_the_wrong_box_turns_red(report, typed, message, red):
    data = moment("last_seen_at", YESTERDAY, "23:00")
    data.update({f"last_seen_at-{part}": value for part, value in typed.items()})
    response = report(**data)
    assert response.status_code == 200
    assert error_texts(response.text) == [message]
    assert red_boxes(response.text, "last_seen_at") == red
    assert red_boxes(response.text, "noticed_at") == set()
    first = next(part for part in BOXES if part in red)
    assert summary_links(response.text) == [f"last_seen_at-{first}"]
    for part, value in typed.items():  # what was typed is kept, to correct
        assert re.search(rf'id="last_seen_at-{part}"[^>]*value="{value}"', response.text)


def test_a_date_that_does_not_exist_says_why_and_marks_the_day(report):
    response = report(
        **{"last_seen_at-day": "29", "last_seen_at-month": "2", "last_seen_at-year": "2027"}
    )
    assert error_texts(response.text) == [
        "Last seen must be a real date: February 2027 has 28 days"
    ]
    assert red_boxes(response.text, "last_seen_at") == {"day"}


def test_a_month_can_be_typed_as_a_name(app, report):
    day = YESTERDAY
    response = report(
        **moment("noticed_at", day, "23:45"),
        **{"last_seen_at-month": day.strftime("%b").lower()},
    )
    assert response.status_code == 302, error_texts(response.text)


def test_a_two_digit_year_is_not_mistaken_for_a_time_out_of_order(report):
    """Year "26" once read as the year 26, so the nurse was told last seen must be
    before noticed: true, and no help."""
    response = report(**{"last_seen_at-year": str(YESTERDAY.year)[2:]})
    assert error_texts(response.text) == ["Last seen: enter the year in full, like 2026"]
    assert "before the absence was noticed" not in response.text


# --- times out of order: beside the later field -------------------------------------------


def test_last_seen_after_noticed_is_shown_beside_last_seen(report):
    response = report(**moment("last_seen_at", YESTERDAY, "23:50"))
    assert error_texts(response.text) == ["Last seen must be before the absence was noticed"]
    assert summary_links(response.text) == ["last_seen_at-day"]
    assert red_boxes(response.text, "last_seen_at") == set(BOXES)
    assert red_boxes(response.text, "noticed_at") == set()
    group = response.text[response.text.index('id="last_seen_at-error"') - 2000 :]
    assert "Last seen must be before the absence was noticed" in group[:2500]


def test_leave_due_back_after_noticed_is_shown_beside_leave_due_back(report):
    response = report(**moment("leave_due_back_at", YESTERDAY, "2355"))
    assert error_texts(response.text) == ["Leave due back must be before the absence was noticed"]
    assert summary_links(response.text) == ["leave_due_back_at-day"]
    assert red_boxes(response.text, "leave_due_back_at") == set(BOXES)


def test_reported_before_noticed_is_shown_beside_reported(report):
    response = report(**moment("reported_at", YESTERDAY, "11:40pm"))
    assert error_texts(response.text) == [
        "Reported to police must be after the absence was noticed"
    ]
    assert summary_links(response.text) == ["reported_at-day"]


def test_a_time_in_the_future_is_shown_beside_its_field(report):
    tomorrow = london_today() + timedelta(days=1)
    response = report(
        **moment("noticed_at", tomorrow, "09:00"), **moment("last_seen_at", tomorrow, "08:00")
    )
    assert error_texts(response.text) == [
        "The time the absence was noticed cannot be in the future",
        "Last seen cannot be in the future",
    ]
    assert summary_links(response.text) == ["noticed_at-day", "last_seen_at-day"]


def test_the_summary_follows_the_page_and_every_link_reaches_a_field(report):
    response = report(
        kind="",
        **moment("noticed_at", YESTERDAY, "23:45"),
        **moment("last_seen_at", YESTERDAY, "23:50"),  # after noticed
        **{"section_start_on-month": "14"},
        **{"section_start_time": "quarter past"},
        **moment("reported_at", YESTERDAY, "2561"),
        police_reference="X" * 60,
    )
    html = response.text
    links = summary_links(html)
    assert len(links) == len(error_texts(html)) == 6, error_texts(html)
    positions = []
    for target in links:
        found = re.search(rf'<(input|select|textarea|div)[^>]*\sid="{re.escape(target)}"', html)
        assert found, f"the summary links to #{target}, which is not on the page"
        positions.append(found.start())
    assert positions == sorted(positions), links
    assert links[0] == "kind"
    assert "Not a valid" not in html


def test_a_later_stage_is_checked_against_the_recorded_times(app, client, auth, world):
    with app.app_context():
        patient = patient_on("WA1", "Update Times", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a, hours_ago=2, report_after_minutes=None)
        db.session.commit()
        episode_id, noticed = episode.id, episode.noticed_at.astimezone(LONDON)
    auth.login(world.nurse_a)
    page = client.get(f"/episodes/{episode_id}").text
    early = noticed - timedelta(minutes=30)
    data = {
        **form_fields(page, f"/episodes/{episode_id}/update"),
        **moment("reported_at", early.date(), f"{early:%H:%M}"),
    }
    response = client.post(f"/episodes/{episode_id}/update", data=data)
    assert response.status_code == 200
    assert error_texts(response.text) == [
        "Reported to police must be after the absence was noticed"
    ]
    assert summary_links(response.text) == ["reported_at-day"]
    assert 'id="reported_at-day"' in response.text

    close_data = {
        **form_fields(page, f"/episodes/{episode_id}/close"),
        **moment("returned_at", early.date(), f"{early:%H:%M}"),
        "found_category": "home",
    }
    response = client.post(f"/episodes/{episode_id}/close", data=close_data)
    assert error_texts(response.text) == ["Returned or found must be after the absence was noticed"]
    assert summary_links(response.text) == ["returned_at-day"]


def test_time_problems_sit_beside_the_later_field_in_page_order():
    now = datetime(2026, 3, 27, 12, 0, tzinfo=LONDON)
    values = {
        "noticed_at": now - timedelta(hours=2),
        "last_seen_at": now - timedelta(hours=1),
        "reported_at": now - timedelta(hours=3),
        "moj_notified_at": now + timedelta(hours=1),
    }
    assert time_problems(values, now) == [
        ("last_seen_at", "Last seen must be before the absence was noticed"),
        ("reported_at", "Reported to police must be after the absence was noticed"),
        ("moj_notified_at", "The time the Ministry of Justice was told cannot be in the future"),
    ]
    assert time_problems({"noticed_at": now, "last_seen_at": None}, now) == []


# --- the "Now" option ----------------------------------------------------------------------


def test_reported_to_police_now_records_the_time_the_form_is_sent(app, report):
    before = utcnow().replace(second=0, microsecond=0)
    response = report(
        **moment(
            "noticed_at",
            london_today(),
            (utcnow() - timedelta(minutes=1)).astimezone(LONDON).strftime("%H:%M"),
        ),
        **moment("last_seen_at", YESTERDAY, "23:00"),
        **{"reported_at-now": "y"},
    )
    assert response.status_code == 302, error_texts(response.text)
    with app.app_context():
        episode = db.session.scalar(select(MissingEpisode))
        assert before <= episode.reported_at <= utcnow()


def test_the_now_option_is_a_plain_tick_box_on_the_form(report, client):
    page = client.get(report.url).text
    tick = re.search(r'<input[^>]*name="reported_at-now"[^>]*>', page)
    assert tick and 'type="checkbox"' in tick.group(0)
    assert re.search(r'<label[^>]*for="reported_at-now"[^>]*>\s*Now\s*</label>', page)


# --- whole numbers -------------------------------------------------------------------------


def test_height_says_what_to_type_in_plain_words():
    height = next(
        item
        for section in GRAB_PACK
        for item in section.items
        if getattr(item, "key", "") == "height_cm"
    )
    form = type("HeightForm", (Form,), {"height_cm": wtforms_field(height)})(
        MultiDict({"height_cm": "tall"})
    )
    assert not form.validate()
    assert form.height_cm.errors == ["Enter height in centimetres, like 170"]
    form = type("HeightForm", (Form,), {"height_cm": wtforms_field(height)})(
        MultiDict({"height_cm": "900"})
    )
    assert not form.validate()
    assert form.height_cm.errors == ["Height in centimetres must be between 50 and 250"]


def _boxes(fields) -> list:
    """Every input field of a (nested) form, with one entry of each repeating group."""
    found = []
    for field in fields:
        if isinstance(field, FormField):
            found += _boxes(field.form)
        elif isinstance(field, FieldList):
            found += _boxes([field.append_entry()])
        else:
            found.append(field)
    return found


def test_no_number_box_on_the_pack_or_episode_forms_says_not_a_valid_integer(app):
    classes = [grab_pack_form_class(), *(episode_form_class(stage) for stage in Stage)]
    with app.test_request_context():
        number_boxes = [
            field
            for form_class in classes
            for field in _boxes(form_class(meta={"csrf": False}))
            if isinstance(field, IntegerField | DecimalField | FloatField)
        ]
        assert number_boxes, "the pack form has a height box"
        for field in number_boxes:
            field.process(MultiDict({field.name: "about 6 foot"}))
            assert field.process_errors, field.name
            assert "Not a valid" not in field.process_errors[0]
            assert field.process_errors[0].startswith("Enter "), field.process_errors[0]


# --- the kind of absence the legal status suggests ----------------------------------------


@pytest.mark.parametrize(
    ("legal", "kind"),
    [
        (LegalFacts("s3"), EpisodeKind.AWOL),
        (LegalFacts("s2"), EpisodeKind.AWOL),
        (LegalFacts("s37_41"), EpisodeKind.AWOL),
        (LegalFacts("informal"), EpisodeKind.MISSING),
        (LegalFacts(""), None),
        (LegalFacts("s3", detention_ended_on=date(2026, 1, 1)), None),
    ],
)
def test_the_legal_status_suggests_the_kind(legal, kind):
    assert suggested_kind(legal) is kind


def test_the_report_form_starts_with_awol_for_a_detained_patient(app, client, auth, world):
    with app.app_context():
        detained = patient_on("WA1", "Detained", FULL_LEGAL, world.nurse_a).id
        informal = patient_on(
            "WA1", "Informal", {"legal": {"legal_status": "informal"}}, world.nurse_a
        ).id
        unknown = patient_on("WA1", "No Pack Yet").id
        db.session.commit()
    auth.login(world.nurse_a)
    kinds = {
        who: form_fields(client.get(f"/patients/{pid}/episodes/new").text, "/episodes/new").get(
            "kind"
        )
        for who, pid in (("detained", detained), ("informal", informal), ("unknown", unknown))
    }
    assert kinds == {"detained": "awol", "informal": "missing", "unknown": None}


# --- the report form: the question first, nothing lost ------------------------------------


def test_the_pack_checklist_comes_after_the_times_and_never_loses_the_form(
    app, client, auth, world
):
    with app.app_context():
        patient_id = patient_on("WA1", "Checklist", FULL_LEGAL, world.nurse_a).id
        db.session.commit()
    auth.login(world.nurse_a)
    page = client.get(f"/patients/{patient_id}/episodes/new").text
    assert page.index('id="kind"') < page.index('id="noticed_at"') < page.index('id="prompts"')
    assert page.index('id="last_seen_at"') < page.index('id="prompts"')
    prompts = page[page.index('id="prompts"') : page.index("</div>", page.index('id="prompts"'))]
    assert "Report now: later updates to the grab pack reach police" in prompts
    assert "Grab pack incomplete" in prompts and "Photo out of date or missing" in prompts
    form = page[page.index("<form") : page.index("</form>")]
    for link in re.findall(r"<a\s[^>]*>.*?</a>", form, re.S):
        assert 'target="_blank"' in link and 'rel="noopener"' in link, link
        assert "(opens in a new tab)" in link, link
    assert "will be given grab pack version" not in page


def test_no_page_of_an_episode_says_police_get_a_fixed_version(app, client, auth, world):
    with app.app_context():
        patient = patient_on("WA1", "Version Words", FULL_LEGAL, world.nurse_a)
        episode_id = open_for(patient, world.nurse_a).id
        db.session.commit()
    auth.login(world.nurse_a)
    page = client.get(f"/episodes/{episode_id}").text
    assert "will be given grab pack version" not in page
    assert "police see the current version" in page


def test_every_date_on_the_report_form_marks_only_its_wrong_box(report):
    response = report(
        **{
            "section_start_on-day": "1",
            "section_start_on-month": "1",
            "section_start_on-year": "26",
        }
    )
    assert error_texts(response.text) == ["Section start date: enter the year in full, like 2026"]
    assert red_boxes(response.text, "section_start_on") == {"year"}
    assert summary_links(response.text) == ["section_start_on-year"]


def test_the_report_form_declares_every_date_and_time_once():
    """Every date and time on the report form is one of the two date fields, so each
    of the rules above holds for all of them."""
    kinds = {
        field.type for field in fields_for(Stage.OPEN) if "_at" in field.key or "_on" in field.key
    }
    assert kinds <= {"moment", "date"}
