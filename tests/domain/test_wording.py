"""English ordinals, as "5th episode from this ward this month" uses them."""

from __future__ import annotations

import pytest

from grabpack.domain.wording import ordinal


@pytest.mark.parametrize(
    ("number", "written"),
    [
        (0, "0th"),
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (14, "14th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (100, "100th"),
        (101, "101st"),
        (102, "102nd"),
        (111, "111th"),
        (112, "112th"),
        (113, "113th"),
        (121, "121st"),
        (1001, "1001st"),
        (1011, "1011th"),
    ],
)
def test_ordinals_take_the_suffix_they_are_said_with(number, written):
    assert ordinal(number) == written


def test_a_negative_number_has_no_ordinal():
    with pytest.raises(ValueError):
        ordinal(-1)
