"""Live setting flags in the daily work: the ward dashboard and the officer's list
say when a ward or setting has already reached the high-volume threshold this
London month, and which episode of its ward's month each open episode is.

The data: a July 2026 worked by hand (BST, UTC+1).

* Ward A (Site One, area 1): four episodes in each of April, May and June (the
  last at 23:59 BST on 30 June), so a 3-month average of 4.0; in July six by the
  20th, the first at 00:30 BST on 1 July (23:30 UTC on 30 June), then one on the
  25th. Open now: the 1st and the 4th of July, and the one from 30 June.
* Ward B (Site Two, area 2): nothing before July; five in July, the 5th (open) on
  the 16th.
* Ward A Two (Site One, nobody's ward here): two in July, both closed.

On 15 July Ward A has 5 (under the 50% rise on 4.0, which needs 6) and Ward B 4
(under the minimum of 5); on 20 July Ward A has 6 and Ward B 5: both just reach it.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from grabpack.domain.monthly_review import Month, VolumeRule
from grabpack.extensions import db
from grabpack.models import Setting, User, Ward
from grabpack.policies import review_rules
from grabpack.services.access import staff_ward_query as wards_of_staff
from grabpack.services.episodes import close_episode
from grabpack.services.live_flags import live_flags
from grabpack.services.monthly_report import ReportScope, monthly_report
from grabpack.services.police_access import officer_ward_query as wards_of_officer
from tests.factories import open_for, patient_on, staff
from tests.test_query_counts import queries


def utc(month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


LAST_OF_JUNE = utc(6, 30, 22, 59)  # 23:59 BST on 30 June: June's
FIRST_OF_JULY = utc(6, 30, 23, 30)  # 00:30 BST on 1 July: July's
FOURTH_OF_JULY = utc(7, 8)
UNDER = utc(7, 15)  # before Ward A's 6th and Ward B's 5th July episodes
OVER = utc(7, 20)  # after both
RULE = VolumeRule()  # the defaults: at least 5, and at least 50% above the average

WARD_A_FLAG = (
    "6 episodes this month, 50% above the 3-month average of 4.0 "
    "(flag: at least 5 and at least 50% above)"
)
WARD_B_FLAG = (
    "5 episodes this month, none in the previous 3 months (flag: at least 5 and at least 50% above)"
)

# (ward, noticed, left open)
EPISODES = [
    *[("WA1", utc(month, day), False) for month in (4, 5) for day in (3, 9, 15, 21)],
    *[("WA1", utc(6, day), False) for day in (3, 9, 15)],
    ("WA1", LAST_OF_JUNE, True),
    ("WA1", FIRST_OF_JULY, True),
    ("WA1", utc(7, 3), False),
    ("WA1", utc(7, 5), False),
    ("WA1", FOURTH_OF_JULY, True),
    ("WA1", utc(7, 12), False),
    ("WA1", utc(7, 18), False),
    ("WA1", utc(7, 25), False),  # after OVER: not yet noticed then
    *[("WB1", utc(7, day), False) for day in (2, 4, 6, 9)],
    ("WB1", utc(7, 16, 9), True),
    ("WA2", utc(7, 6), False),
    ("WA2", utc(7, 7), False),
]


@pytest.fixture
def july(app, world) -> dict:
    """The episodes above, recorded through the service in a shuffled order (the
    ordinal follows when each was noticed, not when it was typed in)."""
    with app.app_context():
        site_one = db.session.scalar(select(Setting).where(Setting.code == "S1"))
        db.session.add(Ward(code="WA2", name="Ward A Two", setting=site_one, phone_24h="0"))
        db.session.flush()
        opened = {}
        authors = {"WA1": world.nurse_a, "WB1": world.nurse_b, "WA2": world.nurse_a}
        for n, (ward, noticed, left_open) in enumerate(
            random.Random(11).sample(EPISODES, len(EPISODES))
        ):
            episode = open_for(
                patient_on(ward, f"Patient {n}"),
                authors[ward],
                noticed_at=noticed,
                last_seen_at=noticed - timedelta(minutes=20),
                reported_at=noticed + timedelta(minutes=15),
                kind_confirmed=True,
            )
            if left_open:
                opened[noticed] = (episode.id, episode.patient_id)
            else:
                close_episode(
                    episode,
                    staff(authors[ward]),
                    {"returned_at": noticed + timedelta(hours=3), "found_category": "home"},
                )
        db.session.commit()
        wards = {w.code: w.id for w in db.session.scalars(select(Ward))}
    return {"open": opened, "wards": wards}


# --- The service -----------------------------------------------------------------------


def test_a_month_starts_at_london_midnight_in_summer_time(app, july):
    wa1 = july["wards"]["WA1"]
    with app.app_context():
        first_hour = live_flags([wa1], utc(6, 30, 23, 45), RULE)  # 00:45 BST, 1 July
        last_minute = live_flags([wa1], utc(6, 30, 22, 59, 30), RULE)  # 23:59 BST, 30 June
    assert first_hour.month == Month(2026, 7)
    assert first_hour.wards[wa1].count == 1  # the 00:30 BST episode is July's
    assert first_hour.wards[wa1].trailing == (4, 4, 4)  # and the 23:59 BST one June's
    assert last_minute.month == Month(2026, 6)
    assert last_minute.wards[wa1].count == 4


def test_a_ward_just_under_the_rise_is_not_flagged_and_just_over_it_is(app, july):
    wa1 = july["wards"]["WA1"]
    with app.app_context():
        under, over = (live_flags([wa1], now, RULE).wards[wa1] for now in (UNDER, OVER))
    assert (under.count, under.trailing, under.flag) == (5, (4, 4, 4), None)
    assert (over.count, over.flag.rule, over.flag.reason) == (6, "High-volume ward", WARD_A_FLAG)
    assert over.flag.subject == "Ward A (Site One)"


def test_a_ward_just_under_the_minimum_is_not_flagged_and_just_over_it_is(app, july):
    wb1 = july["wards"]["WB1"]
    with app.app_context():
        under, over = (live_flags([wb1], now, RULE).wards[wb1] for now in (UNDER, OVER))
    assert (under.count, under.trailing, under.flag) == (4, (0, 0, 0), None)
    assert (over.count, over.flag.reason) == (5, WARD_B_FLAG)


def test_a_setting_counts_all_its_wards_whoever_reads(app, july):
    """As in the monthly review: a setting's figure is the whole setting's, so Ward A's
    nurse and the area's officers read the same Site One (aggregates only: Ward A
    Two's own figures and episodes stay out of the nurse's scope)."""
    wa1, wa2 = july["wards"]["WA1"], july["wards"]["WA2"]
    with app.app_context():
        both = live_flags([wa1, wa2], OVER, RULE)
        one = live_flags([wa1], OVER, RULE)
    for live in (both, one):
        site_one = live.settings[live.setting_of[wa1]]
        assert (site_one.count, site_one.trailing) == (8, (4, 4, 4))
        assert site_one.flag.rule == "High-volume setting"
        assert site_one.flag.reason.startswith("8 episodes this month, 100% above")
        assert [f.rule for f in live.flags_for(wa1)] == ["High-volume ward", "High-volume setting"]
    assert set(one.wards) == {wa1}
    assert set(both.wards) == {wa1, wa2}


def test_a_setting_of_one_ward_is_said_once_as_the_ward(app, july):
    wb1 = july["wards"]["WB1"]
    with app.app_context():
        live = live_flags([wb1], OVER, RULE)
    assert [f.rule for f in live.flags_for(wb1)] == ["High-volume ward"]


def test_each_open_episode_has_its_place_in_its_wards_month(app, july):
    wa1, wb1 = july["wards"]["WA1"], july["wards"]["WB1"]
    with app.app_context():
        live = live_flags([wa1, wb1], OVER, RULE)
    by_noticed = {noticed: live.ordinal_line(ids[0]) for noticed, ids in july["open"].items()}
    assert by_noticed == {
        FIRST_OF_JULY: "1st episode from this ward this month",
        FOURTH_OF_JULY: "4th episode from this ward this month",
        utc(7, 16, 9): "5th episode from this ward this month",
        LAST_OF_JUNE: None,  # open, but noticed last month
    }
    patient = july["open"][FOURTH_OF_JULY][1]
    assert live.ordinal_line_for_patient(patient) == "4th episode from this ward this month"


def test_wards_out_of_scope_give_no_counts_and_no_places(app, july):
    wa1 = july["wards"]["WA1"]
    with app.app_context():
        live = live_flags([wa1], OVER, RULE)
        nothing = live_flags([], OVER, RULE)
    assert live.ordinal_line(july["open"][utc(7, 16, 9)][0]) is None  # Ward B's
    assert live.flags_for(july["wards"]["WB1"]) == ()
    assert (nothing.wards, nothing.open_episodes) == ({}, {})


def test_scopes_are_the_readers_wards(app, world, july):
    with app.app_context():

        def scope(email: str) -> set[int]:
            user = db.session.scalar(select(User).where(User.email == email))
            ward_ids = wards_of_officer(user) if user.role == "police" else wards_of_staff(user)
            return set(live_flags(ward_ids, OVER, RULE).wards)

        wards = july["wards"]
        assert scope(world.nurse_a) == scope(world.manager_a) == {wards["WA1"]}
        assert scope(world.police_a) == {wards["WA1"], wards["WA2"]}
        assert scope(world.police_b) == {wards["WB1"]}


def test_at_the_months_end_the_live_flags_are_the_monthly_reviews(app, july):
    with app.app_context():
        rules = review_rules()
        report = monthly_report(Month(2026, 7), ReportScope.everything(), rules)
        live = live_flags(select(Ward.id), utc(7, 31, 22, 59, 59), rules.volume)
    reviewed = {f for f in report.flags if f.rule.startswith("High-volume")}
    live_now = {v.flag for v in [*live.wards.values(), *live.settings.values()] if v.flag}
    assert live_now == reviewed
    assert {f.subject for f in reviewed} == {
        "Ward A (Site One)",
        "Site One",
        "Ward B (Site Two)",
        "Site Two",
    }


# --- The pages ---------------------------------------------------------------------------


@pytest.fixture
def on_the_20th(monkeypatch):
    """The pages see 20 July 2026, 13:00 BST."""
    monkeypatch.setattr("grabpack.ward.routes.utcnow", lambda: OVER)
    monkeypatch.setattr("grabpack.police.routes.utcnow", lambda: OVER)


def text_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.mark.parametrize("who", ["nurse_a", "manager_a"])
def test_the_ward_dashboard_shows_the_wards_flag_and_each_missing_patients_place(
    client, auth, world, july, on_the_20th, who
):
    auth.login(getattr(world, who))
    page = text_of(client.get("/wards/WA1").text)
    assert f"High volume of missing episodes this month High-volume ward: {WARD_A_FLAG}" in page
    assert (
        "This month so far (July 2026): 6 missing episodes from this ward; "
        "8 from Site One, all its wards." in page
    )  # the whole site, as police and the monthly review count it
    assert "High-volume setting (Site One, all its wards): 8 episodes this month" in page
    assert page.count("episode from this ward this month") == 2
    assert "Missing now 1st episode from this ward this month" in page
    assert "Missing now 4th episode from this ward this month" in page
    assert WARD_B_FLAG not in page


def test_a_ward_under_the_threshold_shows_its_count_and_no_flag(
    client, auth, world, july, monkeypatch
):
    monkeypatch.setattr("grabpack.ward.routes.utcnow", lambda: UNDER)
    auth.login(world.manager_a)
    page = text_of(client.get("/wards/WA1").text)
    assert "High-volume ward" not in page  # 5, not yet 50% above 4.0
    assert "This month so far (July 2026): 5 missing episodes from this ward; 7 from" in page


def test_the_officers_list_shows_each_cards_place_and_its_wards_flag(
    client, auth, world, july, on_the_20th
):
    auth.login(world.police_a)
    for path in ("/police/", "/police/open-episodes"):  # the page and its 15-second refresh
        page = client.get(path).text
        cards = {
            noticed: text_of(page.split(f'data-episode="{ids[0]}"')[1].split("</li>")[0])
            for noticed, ids in july["open"].items()
            if noticed != utc(7, 16, 9)
        }
        assert "This month 1st episode from this ward this month" in cards[FIRST_OF_JULY]
        assert "This month 4th episode from this ward this month" in cards[FOURTH_OF_JULY]
        assert "episode from this ward" not in cards[LAST_OF_JUNE]
        for card in cards.values():  # Ward A Two is in the officer's area: Site One has 8
            assert f"High-volume ward {WARD_A_FLAG}" in card
            assert "High-volume setting 8 episodes this month, 100% above" in card
        assert WARD_B_FLAG not in page


def test_an_officer_never_sees_flags_of_wards_outside_their_areas(
    client, auth, world, july, on_the_20th
):
    auth.login(world.police_b)
    for path in ("/police/", "/police/open-episodes"):
        page = text_of(client.get(path).text)
        assert "This month 5th episode from this ward this month" in page
        assert f"High-volume ward {WARD_B_FLAG}" in page
        assert WARD_A_FLAG not in page
        assert "Site One" not in page
        assert "1st episode" not in page and "4th episode" not in page


def away(ward: str, name: str, author: str, *, back: bool) -> None:
    episode = open_for(patient_on(ward, name), author, kind_confirmed=True)
    if back:
        returned = episode.noticed_at + timedelta(minutes=30)
        close_episode(episode, staff(author), {"returned_at": returned, "found_category": "home"})


def test_the_pages_issue_as_many_queries_whatever_the_months_size(app, client, auth, world):
    with app.app_context():
        away("WA1", "First", world.nurse_a, back=False)
        away("WA1", "Second", world.nurse_a, back=True)
        db.session.commit()
    auth.login(world.manager_a)
    dashboard_few = queries(app, client, "/wards/WA1")
    auth.logout()
    auth.login(world.police_a)
    police_few = queries(app, client, "/police/")
    with app.app_context():
        for n in range(8):
            away("WA1", f"Away {n}", world.nurse_a, back=bool(n % 2))
        db.session.commit()
    assert queries(app, client, "/police/") == police_few
    auth.logout()
    auth.login(world.manager_a)
    assert queries(app, client, "/wards/WA1") == dashboard_few
