"""The briefing sheet's legal block, read back out of the PDF: the legal status as
the ward stated it when reporting the absence, then the power to retake in the
words of ``retake.power_to_retake`` (never a bare date), with ``CONFIRM``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from grabpack.domain.retake import CONFIRM, LegalFacts, power_to_retake
from grabpack.pdf import render_grab_pack
from tests.pdf import samples
from tests.pdf.conftest import Extracted, extract

ADMITTED = date(2027, 1, 1)
WENT = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)  # last seen 09:00 GMT: the absence began
PRINTED = datetime(2027, 1, 10, 10, 0, tzinfo=UTC)
NO_LEGAL_FACTS = dict.fromkeys(
    ("section_start_on", "section_start_time", "period_ends_on", "cto_recalled_on")
)


def flat(text: str) -> str:
    return " ".join(text.split())


def sheet(printed: datetime = PRINTED, **episode: object) -> Extracted:
    """The PDF for the sample episode with ``episode``'s values (legal facts unset
    unless given)."""
    facts = samples.open_episode(
        **{"last_seen_at": WENT, "noticed_at": WENT + timedelta(minutes=30)},
        **{**NO_LEGAL_FACTS, **episode},
    )
    return extract(render_grab_pack(samples.snapshot(open_episode=facts, generated_at=printed)))


def page_one(printed: datetime = PRINTED, **episode: object) -> str:
    """Page 1 as one line of text."""
    return flat(sheet(printed, **episode).pages[0])


def test_section_2_can_be_taken_back_until_the_end_of_28_days_beginning_with_admission():
    page = page_one(legal_status="s2", section_start_on=ADMITTED)
    assert "Legal status as stated when reported missing" in page
    assert "Section 2" in page and "1 January 2027" in page
    assert "Can be taken back until the end of 28 January 2027 (s18)" in page
    assert "28 days beginning with admission on 1 January 2027" in page
    assert CONFIRM in page


def test_the_sheet_prints_the_statement_in_its_own_words():
    """Headline, reason (apostrophes and parentheses as typed), every caution and
    CONFIRM, from the one function that works the power out."""
    power = power_to_retake(
        LegalFacts(legal_status="s2", section_start_on=ADMITTED, period_ends_on=date(2027, 1, 29)),
        WENT,
    )
    assert len(power.cautions) == 2  # the nearest relative; the period's end given a day late
    pdf = sheet(legal_status="s2", section_start_on=ADMITTED, period_ends_on=date(2027, 1, 29))
    page = flat(pdf.pages[0])
    assert power.headline in page
    assert power.reason in page
    for caution in power.cautions:
        assert f"Caution: {caution}" in page
    rows = flat(pdf.pypdf_pages[0])  # pypdf keeps a row's label and value together
    assert "Current period ends 29 January 2027" in rows  # as the ward stated it
    assert page.index(power.headline) < page.index(power.reason) < page.index(CONFIRM)


def test_an_informal_patient_cannot_be_taken_back():
    page = page_one(kind="missing", legal_status="informal")
    assert "No power to take back" in page
    assert "Informal patient: not detained" in page
    assert CONFIRM in page


def test_a_restricted_patient_can_be_taken_back_at_any_time():
    """The ward stated a restriction the pack does not record (section 3): the
    statement and the Ministry of Justice box follow what the ward stated."""
    page = page_one(legal_status="s37_41")
    assert "Can be taken back at any time while the restriction lasts" in page
    assert "RESTRICTED PATIENT (Section 37/41)" in page
    assert "Until" not in page and "until the end of" not in page


def test_while_missing_the_restriction_box_follows_the_status_as_stated():
    """The pack records a restriction the ward no longer stated when reporting: the
    sheet states one legal position, the ward's."""
    data = samples.typical_data()
    data["legal"].update(legal_status="s37_41", moj_reference="MoJ 2025/01234")
    facts = samples.open_episode(legal_status="s3", last_seen_at=WENT, noticed_at=WENT)
    snapshot = samples.snapshot(data, open_episode=facts, generated_at=PRINTED)
    page = flat(extract(render_grab_pack(snapshot)).pages[0])
    assert "Mental Health Act Section 3" in page
    assert "RESTRICTED PATIENT" not in page
    assert "Section 37/41" not in page


def test_section_3_without_the_end_of_the_current_period_is_not_known_and_says_why():
    page = page_one(legal_status="s3", section_start_on=date(2026, 12, 1))
    assert "Not known: the end of the current period of detention not recorded" in page
    assert "It lasts at least until the end of 9 July 2027." in page
    assert CONFIRM in page


def test_a_power_that_ended_before_printing_says_so():
    page = page_one(
        printed=datetime(2027, 1, 29, 0, 30, tzinfo=UTC),
        legal_status="s2",
        section_start_on=ADMITTED,
    )
    assert (
        "Can be taken back until the end of 28 January 2027 (s18) (ended before this was "
        "printed)" in page
    )


@pytest.mark.parametrize(
    "legal",
    [
        {},
        {"legal_status": "s2"},
        {"legal_status": "s3"},
        {"legal_status": "s5_2", "section_start_on": ADMITTED},
        {"legal_status": "cto_17a"},
        {"legal_status": "s35"},
        {"legal_status": "s47_49"},
    ],
    ids=["no-status", "s2-no-date", "s3", "s5_2-no-time", "cto", "remand", "restricted"],
)
def test_page_one_never_says_no_date(legal):
    page = page_one(**legal)
    assert "No date" not in page
    assert CONFIRM in page


def test_without_an_episode_the_pack_status_is_printed_and_no_power_is_stated():
    page = flat(extract(render_grab_pack(samples.snapshot())).pages[0])
    assert "Section 3: Treatment (6 months, renewable)" in page
    assert "The power to retake is worked out when an absence is reported." in page
    assert "as stated when reported missing" not in page
    assert "taken back" not in page
    assert CONFIRM not in page
    assert "No date" not in page
