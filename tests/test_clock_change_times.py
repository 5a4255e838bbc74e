"""Times typed in the hour a London clock change skips or repeats.

Found by a tester: last seen "01:30" on 29 March 2026 (clocks forward at 01:00) was
saved without a word and shown to police as 02:30, a time the nurse never typed;
in October, last seen 01:50 BST and noticed 01:10 GMT (twenty minutes later) was
refused as out of order, with no way to say "the second 01:10". Now a time that
never happened is refused with what to type, and one that happened twice takes
its zone ("01:10 GMT"), which the form shows again as typed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from grabpack.domain.clock import LONDON, read_london_clock, split_zone
from grabpack.extensions import db
from grabpack.models import MissingEpisode
from tests.factories import FULL_LEGAL, patient_on
from tests.page_checks import form_fields
from tests.test_dates_and_times import TimeForm, error_texts, moment

SPRING = date(2026, 3, 29)  # 01:00 GMT -> 02:00 BST
AUTUMN = date(2026, 10, 25)  # 02:00 BST -> 01:00 GMT


@pytest.mark.parametrize(
    ("day", "at", "zone", "utc"),
    [
        (SPRING, time(0, 59), "", datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),
        (SPRING, time(2, 0), "", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        (AUTUMN, time(1, 10), "BST", datetime(2026, 10, 25, 0, 10, tzinfo=UTC)),
        (AUTUMN, time(1, 10), "GMT", datetime(2026, 10, 25, 1, 10, tzinfo=UTC)),
        (AUTUMN, time(0, 59), "", datetime(2026, 10, 24, 23, 59, tzinfo=UTC)),
        (AUTUMN, time(2, 0), "", datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
        (date(2026, 7, 1), time(14, 0), "BST", datetime(2026, 7, 1, 13, 0, tzinfo=UTC)),
        (date(2026, 12, 1), time(14, 0), "", datetime(2026, 12, 1, 14, 0, tzinfo=UTC)),
    ],
)
def test_a_london_clock_reading_is_one_moment(day, at, zone, utc):
    assert read_london_clock(day, at, zone) == utc


@pytest.mark.parametrize(
    ("day", "at", "zone", "says"),
    [
        (SPRING, time(1, 0), "", "01:00 on 29 March 2026 did not happen in London"),
        (SPRING, time(1, 30), "GMT", "did not happen in London: the clocks went forward"),
        (AUTUMN, time(1, 10), "", "01:10 on 25 October 2026 happened twice in London"),
        (AUTUMN, time(1, 59), "", "Add BST for the first or GMT for the second, like 01:59 GMT"),
        (date(2026, 7, 1), time(14, 0), "GMT", "London was on BST at 14:00 on 1 July 2026"),
    ],
)
def test_a_reading_no_moment_fits_says_why(day, at, zone, says):
    with pytest.raises(ValueError, match=says):
        read_london_clock(day, at, zone)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("01:10 GMT", ("01:10", "GMT")), ("0110bst", ("0110", "BST")), ("1:10am", ("1:10am", ""))],
)
def test_the_zone_is_read_off_the_end_of_the_time(typed, expected):
    assert split_zone(typed) == expected


def test_the_skipped_hour_is_refused_beside_the_time_box_and_kept_as_typed():
    form = TimeForm(MultiDict(moment("at", SPRING, "01:30")))
    assert not form.validate()
    assert form.at.errors == [
        "Last seen: 01:30 on 29 March 2026 did not happen in London: the clocks went "
        "forward from 01:00 to 02:00. Enter the time the clock showed, like 02:30"
    ]
    assert form.at.wrong_parts == ("time",) and form.at.parts["time"] == "01:30"


def test_the_repeated_hour_shows_its_zone_when_the_form_comes_back():
    form = TimeForm(data={"at": datetime(2026, 10, 25, 1, 10, tzinfo=UTC)})
    assert form.at.parts["time"] == "01:10 GMT"
    assert TimeForm(data={"at": datetime(2026, 10, 25, 0, 10, tzinfo=UTC)}).at.parts["time"] == (
        "01:10 BST"
    )
    assert TimeForm(data={"at": datetime(2026, 12, 1, 1, 10, tzinfo=UTC)}).at.parts["time"] == (
        "01:10"
    )


@pytest.fixture
def report_from(app, client, auth, world):
    with app.app_context():
        patient_id = patient_on("WA1", "Clock Change", FULL_LEGAL, world.nurse_a).id
        db.session.commit()
    auth.login(world.nurse_a)
    url = f"/patients/{patient_id}/episodes/new"
    page = client.get(url).text
    return lambda **typed: client.post(url, data={**form_fields(page, url), **typed})


def test_twenty_minutes_across_the_october_change_can_be_reported(app, report_from):
    response = report_from(
        **moment("last_seen_at", AUTUMN, "01:50 BST"),
        **moment("noticed_at", AUTUMN, "01:10 GMT"),
        **moment("reported_at", AUTUMN, "01:20 gmt"),
    )
    assert response.status_code == 302, error_texts(response.text)
    with app.app_context():
        episode = db.session.scalar(select(MissingEpisode))
        assert episode.noticed_at - episode.last_seen_at == (
            datetime(2026, 10, 25, 1, 10, tzinfo=UTC) - datetime(2026, 10, 25, 0, 50, tzinfo=UTC)
        )
        assert episode.minutes_to_report == 10
        assert episode.last_seen_at.astimezone(LONDON).strftime("%H:%M %Z") == "01:50 BST"


def test_a_last_seen_time_that_never_happened_saves_nothing(app, report_from):
    response = report_from(
        **moment("last_seen_at", SPRING, "01:30"), **moment("noticed_at", SPRING, "03:00")
    )
    assert response.status_code == 200
    assert any("did not happen in London" in text for text in error_texts(response.text))
    with app.app_context():
        assert db.session.scalar(select(MissingEpisode)) is None
