"""The month worked by hand (tests/monthly_month.py) reads the same on the page, in the
PDF and in the CSV: the three outputs of one computation, on either database."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from tests import monthly_month as hand
from tests.conftest import AuthActions

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

# The figures every output shows, per line of the review, in the page's words.
PAGE_ROWS = {
    "Episodes": "episodes",
    "Patients": "patients",
    "Repeat patients": "repeat_patients",
    "Still missing when this review was made": "still_missing",
    "Not reported to police": "not_reported",
}


class Tables(HTMLParser):
    """Each table's rows as lists of cell texts (the responsive tables' hidden
    column labels left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "span" and (self._hidden or "nhsuk-table__heading" in classes):
            self._hidden += 1  # a column label, or a span inside one

    def handle_endtag(self, tag):
        if tag == "span" and self._hidden:
            self._hidden -= 1
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None and not self._hidden:
            self._cell.append(data)


@pytest.fixture
def admin_client(app, world, client):
    with app.app_context():
        hand.build(world.nurse_a)
    AuthActions(client).login(world.admin)
    return client


def setting_table(html: str, ward_names: list[str]) -> dict[str, dict[str, str]]:
    """The figures table whose columns are these wards, then the whole setting."""
    parser = Tables()
    parser.feed(html)
    for table in parser.tables:
        if table and table[0][1:] == [*ward_names, "Whole setting"]:
            return {row[0]: dict(zip(table[0][1:], row[1:], strict=True)) for row in table[1:]}
    raise AssertionError(f"no table for {ward_names}")


@pytest.mark.parametrize(
    ("wards", "lines"),
    [(["Ward A", "Ward A2"], ["WA1", "WA2", "S1"]), (["Ward B"], ["WB1", "S2"])],
)
def test_the_page_shows_the_hand_worked_figures(admin_client, wards, lines):
    response = admin_client.get("/reports/monthly/2026-03")
    assert response.status_code == 200
    table = setting_table(response.text, wards)
    for column, line in zip([*wards, "Whole setting"], lines, strict=True):
        for label, key in PAGE_ROWS.items():
            assert table[label][column] == str(hand.EXPECTED[line][key]), (label, column)


def test_the_page_pdf_and_csv_give_the_same_flags_and_totals(admin_client, tmp_path):
    page = admin_client.get("/reports/monthly/2026-03").text
    pdf = admin_client.get("/reports/monthly/2026-03.pdf")
    assert pdf.mimetype == "application/pdf"
    (tmp_path / "review.pdf").write_bytes(pdf.data)
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "review.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat_pdf = " ".join(pdf_text.split())
    flat_page = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    reasons = [
        "6 episodes this month, 50% above the 3-month average of 4.0",
        "1 of 1 episodes (100%) poorly reported: no grab pack 1",
        "2 of 7 episodes (29%) poorly reported: no grab pack 1, reported to police late 1",
    ]
    for reason in reasons:
        assert reason in flat_page
        assert reason in flat_pdf
    # Administrators get figures, never patient rows: no repeat-patient flags anywhere.
    assert "Repeat patient" not in {line.strip() for line in pdf_text.splitlines()}

    rows = list(csv.DictReader(io.StringIO(admin_client.get("/reports/monthly/2026-03.csv").text)))
    by_ward = {row["ward_code"]: row for row in rows}
    for ward in ("WA1", "WA2", "WB1"):
        assert by_ward[ward]["episodes"] == str(hand.EXPECTED[ward]["episodes"])
        assert by_ward[ward]["repeat_patients"] == str(hand.EXPECTED[ward]["repeat_patients"])
    assert sum(int(row["episodes"]) for row in rows) == hand.EXPECTED["total"]["episodes"]
