"""The monthly review page: who sees which wards and which patients, months and
areas that have no review, flags before figures, escaped names in the page and in
its charts, a bounded number of queries, and the PDF and CSV downloads."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from grabpack.domain.monthly_review import (
    Month,
    TrendPoint,
    month_bounds,
    month_of,
    next_month,
    previous_month,
)
from grabpack.extensions import db
from grabpack.models import AuditEvent, MissingEpisode, Patient, PolicingArea, Setting, Ward
from grabpack.models.base import utcnow
from grabpack.reports import charts
from grabpack.reports.presenting import minutes_as_counted, minutes_in_words
from tests.factories import open_for, patient_on, staff
from tests.test_query_counts import counted


def last_full_month() -> Month:
    return previous_month(month_of(utcnow()))


LAST = last_full_month()
PAGE = f"/reports/monthly/{LAST}"


def day_in(month: Month, day: int, hour: int = 12) -> datetime:
    """Noon London-ish on ``day`` of ``month`` (well clear of either end)."""
    start, _ = month_bounds(*month)
    return start + timedelta(days=day - 1, hours=hour)


def add_episode(patient: Patient, noticed_at: datetime, author: str, **fields) -> None:
    """An episode that is over: reported after 15 minutes, back 3 hours later."""
    values = {
        "kind": "awol",
        "reported_at": noticed_at + timedelta(minutes=15),
        "returned_at": noticed_at + timedelta(hours=3),
        "found_category": "home",
        "found_by": "police",
        "police_risk_grade": "medium",
        **fields,
    }
    db.session.add(
        MissingEpisode(
            patient_id=patient.id,
            ward_id=patient.ward_id,
            noticed_at=noticed_at,
            opened_by_id=staff(author).id,
            **values,
        )
    )


@pytest.fixture
def review(app, world) -> dict[str, str]:
    """Last month: on Ward A a repeat patient (3 episodes, one graded high) and a
    patient missing once; on Ward B (another area) a repeat patient of its own."""
    with app.app_context():
        rita = patient_on(world.ward_a, "Rita Repeat")
        olu = patient_on(world.ward_a, "Olu Once")
        ben = patient_on(world.ward_b, "Ben Bravo")
        for day in (2, 9, 16):
            add_episode(rita, day_in(LAST, day), world.nurse_a)
            add_episode(ben, day_in(LAST, day), world.nurse_b)
        add_episode(rita, day_in(LAST, 20), world.nurse_a, police_risk_grade="high")
        add_episode(olu, day_in(LAST, 5), world.nurse_a)
        db.session.commit()
        return {
            "rita": rita.id.hex[:8].upper(),
            "ben": ben.id.hex[:8].upper(),
            "rita_id": str(rita.id),
        }


def page(client, auth, email: str, path: str = PAGE):
    auth.login(email)
    return client.get(path)


# --- Who sees what ---------------------------------------------------------------------


def test_signed_out_readers_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/reports/monthly",
        PAGE,
        f"{PAGE}.pdf",
        f"{PAGE}.csv",
        f"{PAGE}?area=AREA1",
        f"{PAGE}?area=NOPE",  # the same refusal: nothing said about which codes exist
        "/reports/monthly?area=NOPE",
    ],
)
def test_nurses_are_refused(client, auth, world, path):
    auth.login(world.nurse_a)
    assert client.get(path).status_code == 403


def test_a_ward_manager_sees_their_wards_and_their_patients_names(client, auth, world, review):
    response = page(client, auth, world.manager_a)
    assert response.status_code == 200
    html = response.text
    assert "Ward A" in html and "Site One" in html
    assert "Ward B" not in html and "Site Two" not in html
    repeat = section(html, "repeat-patients")
    assert review["rita"] in repeat and "Rita Repeat" in repeat
    assert review["ben"] not in html
    assert "Olu Once" not in html  # not a repeat patient: no row at all
    assert "High-risk repeat" in section(html, "flags")


def test_police_see_their_area_by_reference_without_names(client, auth, world, review):
    html = page(client, auth, world.police_a).text
    assert "Ward A" in html and "Ward B" not in html
    repeat = section(html, "repeat-patients")
    assert review["rita"] in repeat
    assert "Rita Repeat" not in html
    assert ">Name<" not in repeat  # no name column when no name may be shown
    assert review["ben"] not in html


def test_police_see_a_name_while_an_episode_gives_them_reason(app, client, auth, world, review):
    with app.app_context():
        open_for(db.session.get(Patient, uuid.UUID(review["rita_id"])), world.nurse_a)
        db.session.commit()
    repeat = section(page(client, auth, world.police_a).text, "repeat-patients")
    assert "Rita Repeat" in repeat and ">Name<" in repeat


def test_administrators_see_every_area_in_aggregate_only(client, auth, world, review):
    html = page(client, auth, world.admin).text
    assert "Ward A" in html and "Ward B" in html
    repeat = section(html, "repeat-patients")
    assert "Administrators see aggregate figures only" in repeat
    for private in (review["rita"], review["ben"], "Rita Repeat", "Ben Bravo", "Olu Once"):
        assert private not in html
    assert "<table" not in repeat
    assert "Repeat patient" not in section(html, "flags")  # patient flags name patients


def test_the_whole_review_counts_every_ward_in_scope(client, auth, world, review):
    admin = section(page(client, auth, world.admin).text, "figures")
    assert f"8 missing episodes in {LAST.label}" in admin
    assert re.search(r"Repeat patients</dt>\s*<dd[^>]*>2<", admin)


# --- Narrowing to one area ---------------------------------------------------------------


def test_a_settings_figures_are_the_whole_settings_whoever_reads(app, client, auth, world, review):
    """Ward A's manager reads Ward A's rows, but Site One's figures and flags are the
    whole site's, the same as police and administrators see: Ward A alone went from
    none to 5 episodes (a rise), the site from a mean of 5 to 6 (no high volume)."""
    with app.app_context():
        site = db.session.scalar(select(Setting).where(Setting.code == "S1"))
        other = Ward(code="WA2", name="Ward A Two", setting=site, phone_24h="020 7946 0003")
        db.session.add(other)
        db.session.flush()
        patient = patient_on("WA2", "Nia Neighbour")
        for back in (1, 2, 3):
            earlier = LAST
            for _ in range(back):
                earlier = previous_month(earlier)
            for day in range(1, 6):
                add_episode(patient, day_in(earlier, day), world.nurse_a)
        add_episode(patient, day_in(LAST, 22), world.nurse_a)
        db.session.commit()

    def rows(email: str) -> dict[str, dict[str, str]]:
        auth.login(email)
        text = client.get(f"{PAGE}.csv").text
        auth.logout()
        return {row["ward_code"]: row for row in csv.DictReader(io.StringIO(text))}

    manager, admin = rows(world.manager_a), rows(world.admin)
    assert set(manager) == {world.ward_a}  # the manager's ward rows only
    setting_columns = ("setting_volume_flag", "setting_poor_reporting_flag")
    assert manager[world.ward_a]["volume_flag"] == "yes"  # the ward: 5 after none
    assert [manager[world.ward_a][c] for c in setting_columns] == ["no", "no"]
    assert [admin[world.ward_a][c] for c in setting_columns] == ["no", "no"]
    flags = section(page(client, auth, world.manager_a).text, "flags")
    assert "High-volume ward" in flags and "High-volume setting" not in flags


def test_an_administrator_can_narrow_to_one_area(client, auth, world, review):
    html = page(client, auth, world.admin, f"{PAGE}?area=AREA2").text
    assert "Area Two" in html.split("</h1>")[0]
    assert "Ward B" in html and "Ward A" not in html
    assert f'href="/reports/monthly/{LAST}.pdf?area=AREA2"' in html


@pytest.mark.parametrize(
    ("reader", "area", "reason"),
    [
        ("manager_a", "AREA2", "None of your wards is in policing area AREA2"),
        ("police_a", "AREA2", "Policing area AREA2 is not one of yours"),
        ("admin", "NOWHERE", "No policing area with code"),
    ],
)
def test_an_area_the_reader_does_not_cover_is_a_404_that_says_so(
    client, auth, world, reader, area, reason
):
    response = page(client, auth, getattr(world, reader), f"{PAGE}?area={area}")
    assert response.status_code == 404
    assert reason in response.text
    assert "There is no review for that policing area" in response.text


def test_the_area_chooser_is_offered_only_to_readers_of_more_than_one_area(
    client, auth, world, review
):
    html = page(client, auth, world.admin).text
    assert '<select class="nhsuk-select" id="area" name="area">' in html
    assert 'value="AREA1"' in html and 'value="AREA2"' in html
    auth.logout()
    assert 'id="area"' not in page(client, auth, world.manager_a).text


# --- Months -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-13", "2026-7", "July", "0000-01"])
def test_a_month_that_is_not_one_is_a_404_with_the_reason(client, auth, world, text):
    response = page(client, auth, world.manager_a, f"/reports/monthly/{text}")
    assert response.status_code == 404
    assert "is not a month</h1>" in response.text
    assert f"Write it as YYYY-MM, like {LAST}." in response.text


def test_a_month_not_yet_begun_is_a_404_that_says_so(client, auth, world):
    future = next_month(month_of(utcnow()))
    response = page(client, auth, world.manager_a, f"/reports/monthly/{future}")
    assert response.status_code == 404
    assert f"{future.label} has not started yet" in response.text
    assert f"The latest full month is {LAST.label}" in response.text


def test_a_month_long_before_any_record_is_a_404(client, auth, world):
    response = page(client, auth, world.manager_a, "/reports/monthly/0001-01")
    assert response.status_code == 404
    assert "Reviews start from January 2000" in response.text


def test_the_current_month_shows_the_figures_so_far(client, auth, world):
    current = month_of(utcnow())
    html = page(client, auth, world.manager_a, f"/reports/monthly/{current}").text
    assert f"{current.label} is not over yet" in html
    assert f"1 {next_month(current).label}" in html
    assert "Next" not in pagination(html)


def test_the_review_link_leads_to_the_last_full_month(client, auth, world):
    auth.login(world.police_a)
    response = client.get("/reports/monthly")
    assert response.headers["Location"] == f"/reports/monthly/{LAST}"
    chosen = client.get("/reports/monthly?month=2026-03&area=AREA1")
    assert chosen.headers["Location"] == "/reports/monthly/2026-03?area=AREA1"


def test_the_header_offers_the_review_to_managers_police_and_administrators(client, auth, world):
    for reader, offered in (
        ("nurse_a", False),
        ("manager_a", True),
        ("police_a", True),
        ("admin", True),
    ):
        auth.login(getattr(world, reader))
        home = client.get("/", follow_redirects=True).text
        assert ('href="/reports/monthly"' in home) is offered, reader
        auth.logout()


# --- What the page shows, and in which order ---------------------------------------------


def test_rules_then_flags_come_before_the_figures_charts_and_tables(client, auth, world, review):
    html = page(client, auth, world.manager_a).text
    order = ["rules", "flags", "figures", "trend", "change", "settings", "repeat-patients"]
    positions = [html.index(f'id="{name}"') for name in order]
    assert positions == sorted(positions)
    flags = section(html, "flags")
    assert f"Patient {review['rita']}, Ward A" in flags
    assert "4 episodes in the 90 days" in flags
    assert "at least 3 in 90 days" in flags
    assert "3rd noticed in 90 days" in section(html, "rules")


def test_each_setting_has_a_table_of_its_wards_figures(client, auth, world, review):
    settings = section(page(client, auth, world.manager_a).text, "settings")
    assert ">Whole setting<" in settings and ">Ward A<" in settings
    assert re.search(r"Repeat patients</th>.*?<span>1</span>", settings, re.S)
    assert "3 hours" in settings  # median and longest time missing, in words
    assert "Medium 4, High 1" in settings  # the risk-grade mix
    assert "15 minutes" in settings  # median time to report, as counted


def test_the_charts_are_inline_svg_with_a_title_and_a_description(client, auth, world, review):
    html = page(client, auth, world.manager_a).text
    for chart in ("trend-chart", "change-chart"):
        svg = re.search(rf'<svg class="app-chart" id="{chart}".*?</svg>', html, re.S).group(0)
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in svg
        assert "<title" in svg and "<desc" in svg
    assert "The charts' figures as a table" in html


HOSTILE_WARD = '<script>alert("ward")</script>'
HOSTILE_SETTING = 'Site "One" & <b>bold</b>'
HOSTILE_AREA = "<svg onload=alert(1)>"


def test_hostile_names_are_text_in_the_page_and_in_the_charts(app, client, auth, world, review):
    with app.app_context():
        db.session.scalar(select(Ward).where(Ward.code == world.ward_a)).name = HOSTILE_WARD
        db.session.scalar(select(Setting).where(Setting.code == "S1")).name = HOSTILE_SETTING
        area = db.session.scalar(select(PolicingArea).where(PolicingArea.code == world.area_a))
        area.name = HOSTILE_AREA
        db.session.commit()
    html = page(client, auth, world.police_a, f"{PAGE}?area={world.area_a}").text
    assert HOSTILE_WARD not in html and HOSTILE_SETTING not in html
    assert "&lt;script&gt;alert(&#34;ward&#34;)&lt;/script&gt;" in html
    assert "Site &#34;One&#34; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<svg onload" not in html
    trend = re.search(r'<svg class="app-chart" id="trend-chart".*?</svg>', html, re.S).group(0)
    assert "&lt;svg onload=alert(1)&gt;" in trend


def test_every_view_is_audited_without_patient_data(app, client, auth, world, review):
    page(client, auth, world.manager_a)
    client.get(f"{PAGE}?area={world.area_a}")
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "monthly_review.view")
        ).all()
        assert [e.detail for e in events] == [
            {"month": str(LAST), "area": None},
            {"month": str(LAST), "area": world.area_a},
        ]
        assert all(e.patient_id is None and e.user.email == world.manager_a for e in events)


def test_the_page_issues_as_many_queries_for_40_episodes_as_for_2(app, client, auth, world):
    """Two months, each with a repeat patient: 2 episodes in one, 40 in the other."""
    quiet, busy = LAST, previous_month(previous_month(LAST))
    with app.app_context():
        few = patient_on(world.ward_a, "Few Times")
        add_episode(few, day_in(previous_month(quiet), 25), world.nurse_a)
        for day in (3, 4):
            add_episode(few, day_in(quiet, day), world.nurse_a)
        patients = [patient_on(world.ward_a, f"Busy {n}") for n in range(8)]
        for n in range(40):
            add_episode(patients[n % 8], day_in(busy, 1 + n % 27, hour=n % 20), world.nurse_a)
        db.session.commit()
    auth.login(world.manager_a)
    counts = {}
    for month in (quiet, busy):
        with counted(app) as statements:
            response = client.get(f"/reports/monthly/{month}")
            assert response.status_code == 200
        counts[month] = len(statements)
    assert "2 missing episodes" in client.get(f"/reports/monthly/{quiet}").text
    assert "40 missing episodes" in client.get(f"/reports/monthly/{busy}").text
    assert counts[quiet] == counts[busy]


# --- The charts and words on their own --------------------------------------------------


def trend(*counts: int) -> list[TrendPoint]:
    months = [Month(2026, 1)]
    while len(months) < len(counts):
        months.append(next_month(months[-1]))
    return [TrendPoint(m, c) for m, c in zip(months, counts, strict=True)]


def test_a_chart_escapes_its_text_and_names_itself():
    svg = charts.trend_chart(trend(1, 5, 2), '<b>"A" & B</b>', "trend-x")
    assert "<b>" not in svg
    assert '<title id="trend-x-title">Missing episodes each month: &lt;b&gt;' in svg
    assert "Highest: 5 in February 2026" in svg
    with pytest.raises(ValueError, match="usable id"):
        charts.trend_chart(trend(1), "x", 'a" onload="x')


def test_the_change_chart_says_its_rises_and_falls():
    svg = charts.change_chart(trend(4, 9, 2, 2), "All", "change-x")
    assert "Biggest rise: +5 in February 2026. Biggest fall: \u22127 in March 2026." in svg
    flat = charts.change_chart(trend(3, 3), "All", "change-y")
    assert "No change in any month." in flat


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (None, "None"),
        (0, "Under a minute"),
        (0.5, "1 minute"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (634.5, "10 hours 35 minutes"),
        (4179, "69 hours 39 minutes"),
    ],
)
def test_times_missing_read_in_hours_and_minutes(minutes, words):
    assert minutes_in_words(minutes) == words


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(None, "None"), (1, "1 minute"), (22.5, "22.5 minutes"), (128, "128 minutes")],
)
def test_times_to_report_stay_in_minutes_as_counted(minutes, words):
    assert minutes_as_counted(minutes) == words


# --- Downloads ---------------------------------------------------------------------------


def test_the_pdf_is_the_review_and_its_download_is_audited(app, client, auth, world, review):
    response = page(client, auth, world.police_a, f"{PAGE}.pdf?area={world.area_a}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert f'filename="grabpack-monthly-review-{LAST}-{world.area_a}.pdf"' in disposition
    assert audited(app, "monthly_review.pdf") == [{"month": str(LAST), "area": world.area_a}]


def test_the_csv_streams_and_its_download_is_audited(app, client, auth, world, review):
    response = page(client, auth, world.admin, f"{PAGE}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        f'filename="grabpack-monthly-review-{LAST}.csv"'
        in (response.headers["Content-Disposition"])
    )
    assert "Ward A" in response.text and "Ward B" in response.text
    assert audited(app, "monthly_review.csv") == [{"month": str(LAST), "area": None}]


def test_downloads_refuse_what_the_page_refuses(client, auth, world):
    auth.login(world.police_a)
    assert client.get(f"{PAGE}.pdf?area=AREA2").status_code == 404
    assert client.get("/reports/monthly/2026-13.csv").status_code == 404


# --- Helpers ------------------------------------------------------------------------------


def section(html: str, heading_id: str) -> str:
    """From the ``h2`` with this id to the next ``h2`` (or the end)."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<h2", start)
    return html[start : end if end != -1 else len(html)]


def pagination(html: str) -> str:
    """The links to the month before and after."""
    return re.search(r'<nav class="nhsuk-pagination".*?</nav>', html, re.S).group(0)


def audited(app, action: str) -> list[dict]:
    with app.app_context():
        return [
            event.detail
            for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        ]
