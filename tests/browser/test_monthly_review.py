"""The monthly review on a 390 x 844 phone, as a ward manager opens it: every table
and both charts fit without sideways scrolling (a long ward name included), the
charts are images with names, and axe-core finds nothing critical or serious."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grabpack.domain.monthly_review import previous_month
from grabpack.extensions import db
from grabpack.models import Ward
from tests import factories
from tests.browser.test_sign_in import sign_in
from tests.browser.test_ward_phone import PHONE, horizontal_overflow, serious_violations
from tests.test_reports_page import LAST, add_episode, day_in

LONG_WARD = "Psychiatric-Intensive-Care-Unit-Extension-North-Wing Ward A"


@pytest.fixture
def month_of_episodes(app, world) -> None:
    """Ward A, renamed long: a repeat patient, two others, and a month before."""
    with app.app_context():
        db.session.scalar(select(Ward).where(Ward.code == world.ward_a)).name = LONG_WARD
        repeat = factories.patient_on(world.ward_a, "Łukasz Wójcik-Kowalczyk")
        for day in (3, 10, 17, 24):
            add_episode(repeat, day_in(LAST, day), world.nurse_a)
        for name, day in (("Aoife Byrne", 6), ("Grace Mensah", 12)):
            add_episode(factories.patient_on(world.ward_a, name), day_in(LAST, day), world.nurse_a)
        add_episode(repeat, day_in(previous_month(LAST), 20), world.nurse_a)
        db.session.commit()


def test_a_ward_manager_reads_the_review_on_a_phone(page, world, month_of_episodes):
    page.set_viewport_size(PHONE)
    sign_in(page, world.manager_a)
    page.goto("/reports/monthly")
    expect(page).to_have_url(re.compile(rf"/reports/monthly/{LAST}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(LAST.label)
    expect(page.get_by_role("img", name=re.compile("^Missing episodes each month"))).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile("^Change from the month before"))
    ).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Łukasz Wójcik-Kowalczyk"))).to_be_visible()
    assert horizontal_overflow(page) <= 0
    page.get_by_text("The charts' figures as a table").click()
    figures = page.locator("details table")
    expect(figures.get_by_role("cell", name=LAST.label, exact=True)).to_be_visible()
    assert horizontal_overflow(page) <= 0
    assert not serious_violations(page)
