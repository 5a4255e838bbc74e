"""Reading generated PDFs back: text per page (pdftotext and pypdf) and word positions."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from html import unescape
from io import BytesIO

import pytest
from pypdf import PdfReader

PDFTOTEXT = shutil.which("pdftotext")

# pdftotext marks right-to-left runs with embedding controls; they are not text.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


@dataclass(frozen=True)
class Word:
    text: str
    left: float  # points from the left edge of the page
    top: float  # points from the top edge of the page
    right: float
    bottom: float


@dataclass(frozen=True)
class Extracted:
    """What text extraction gets back out of one PDF."""

    pages: list[str]  # pdftotext in reading order (right-to-left runs in logical order)
    raw_pages: list[str]  # pdftotext -raw: as drawn, spaces as drawn
    pypdf_pages: list[str]
    words: list[list[Word]]  # pdftotext -bbox, per page
    page_height: float

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @property
    def raw(self) -> str:
        return "\n".join(self.raw_pages)

    @property
    def normalised(self) -> str:
        """The text after NFKC (Arabic presentation forms back to letters), no bidi controls."""
        return normalise(self.text)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", _BIDI_CONTROLS.sub("", text))


def logical_lines(page: str) -> list[str]:
    """pdftotext's non-blank lines, stripped, with the bidi controls dropped and
    nothing else changed (no NFC, no NFKC): poppler wraps right-to-left text in
    embedding controls and grabpack's ``ActualText`` puts RLM and LRM marks
    beside right-to-left stretches, all of which ``text.clean`` drops from
    stored text too."""
    lines = (_BIDI_CONTROLS.sub("", line).strip() for line in page.splitlines())
    return [line for line in lines if line]


def _pdftotext(pdf: bytes, *args: str) -> str:
    if PDFTOTEXT is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    result = subprocess.run(
        [PDFTOTEXT, "-enc", "UTF-8", *args, "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def extract(pdf: bytes) -> Extracted:
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    pages = _pdftotext(pdf).split("\f")[:-1]
    raw_pages = _pdftotext(pdf, "-raw").split("\f")[:-1]
    bbox = _pdftotext(pdf, "-bbox")
    words, height = [], 0.0
    for match in _PAGE.finditer(bbox):
        height = float(match.group(2))
        words.append(
            [
                Word(unescape(m.group(5)), *(float(m.group(i)) for i in range(1, 5)))
                for m in _WORD.finditer(match.group(3))
            ]
        )
    reader = PdfReader(BytesIO(pdf))
    pypdf_pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == len(raw_pages) == len(pypdf_pages) == len(words)
    return Extracted(pages, raw_pages, pypdf_pages, words, height)
