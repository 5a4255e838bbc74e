"""Times of day as people type them on a ward, read by one function."""

from __future__ import annotations

from datetime import time

import pytest

from grabpack.domain.clock import parse_time_of_day, time_text

# Every way a ward clock's time is typed (the episode and pack forms read them too).
TYPED_TIMES = [
    ("2330", time(23, 30)),
    ("23:30", time(23, 30)),
    ("23.30", time(23, 30)),
    ("11:30pm", time(23, 30)),
    ("11.30 pm", time(23, 30)),
    ("11:30 P.M.", time(23, 30)),
    ("9am", time(9, 0)),
    ("930", time(9, 30)),
    ("12am", time(0, 0)),
    ("12pm", time(12, 0)),
    (" 07:05 ", time(7, 5)),
    ("0905", time(9, 5)),
    ("11:30 p.m.", time(23, 30)),
]


@pytest.mark.parametrize(("typed", "expected"), TYPED_TIMES)
def test_times_are_read_as_typed(typed, expected):
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize("typed", ["", "24:00", "23:60", "13pm", "23", "half eleven", "9:3"])
def test_what_is_not_a_time_is_refused(typed):
    with pytest.raises(ValueError):
        parse_time_of_day(typed)


def test_times_are_written_on_the_24_hour_clock():
    assert time_text(time(23, 30)) == "23:30" and time_text(None) == ""
