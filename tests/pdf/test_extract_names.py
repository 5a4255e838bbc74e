"""A name copied out of the PDF is the name stored, in every script.

Officers copy names from the grab pack into police systems, so for every name
in the corpus below ``pdftotext`` (poppler, as in Evince and Okular) must give
back exactly the stored string, in logical order: not "the same characters",
not after NFKC. The one thing dropped from poppler's lines before comparing is
the bidi controls (``conftest.logical_lines``): poppler wraps right-to-left
text in RLE...PDF, and grabpack's ``ActualText`` puts an RLM or LRM beside a
right-to-left stretch (``text.extraction_text``); ``text.clean`` drops the same
characters from what a user types, so no stored name holds one.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grabpack.pdf import fonts, render_grab_pack
from grabpack.pdf.document import MARKING, DocumentRenderer, FieldRow, text
from grabpack.pdf.text import TextStyle, clean, layout
from tests.pdf import samples
from tests.pdf.conftest import extract, logical_lines

# One name (or two, where a script has a case of its own) per script the PDF prints.
CORPUS = {
    "polish": "Łucja Wiśniewska-Żak",
    "irish": "Siobhán Ní Bhriain",
    "vietnamese": "Nguyễn Thị Minh Khai",
    "arabic": "محمد عبد الله",
    "arabic, vowelled": "مُحَمَّد",
    "persian, with a non-joiner": "سارا‌جان",
    "hebrew": "יעל כהן-לוי",
    "bengali": "সুমাইয়া রহমান",
    "bengali, vowel sign before its consonant": "রহিম উদ্দিন মেহেদী",
    "gurmukhi": "ਹਰਪ੍ਰੀਤ ਕੌਰ",
    "gurmukhi, vowel sign before its consonant": "ਸਿਮਰਨਜੀਤ ਸਿੰਘ",
    "devanagari": "प्रिया शर्मा",
    "gujarati": "ગીતા પટેલ",
    "oriya": "ପ୍ରିୟଙ୍କା ମିଶ୍ର",
    "tamil": "தமிழ்செல்வி முருகன்",
    "telugu": "శ్రీనివాస్ రెడ్డి",
    "kannada": "ಕಿರಣ್ ಕುಮಾರ್",
    "malayalam": "ശ്രീലക്ഷ്മി നായർ",
    "sinhala": "නිමල් පෙරේරා",
    "thaana": "އަޙްމަދު ނަސީމް",
    "syriac": "ܐܦܪܝܡ ܒܪ ܫܡܥܘܢ",
    "thai": "สมชาย ใจดี",
    "lao": "ສົມພອນ ແກ້ວມະນີ",
    "khmer": "សុខា ចាន់",
    "myanmar": "အောင်ကျော်",
    "ethiopic": "አበበ ቢቂላ",
    "armenian": "Արամ Խաչատրյան",
    "georgian": "ნინო ბერიძე",
    "chinese": "王小明",
    "mixed direction": "Ali علي Khan",
    "mixed direction, brackets": "محمد الحسن (Mohammed Al-Hassan)",
    "mixed direction, digits": "Ward 3: יעל כהן, bed 12",
}
NAMES = list(CORPUS.values())
IDS = list(CORPUS)


class Sheet(DocumentRenderer):
    """A small document: the given flowables under the shared page furniture."""

    document_title = "Extraction test"

    def __init__(self, story=()) -> None:
        super().__init__(generated_for="PC 1", generated_at=datetime(2025, 7, 14, tzinfo=UTC))
        self.story = story

    def _get_story(self):
        return self.story


def body_lines(pdf: bytes) -> list[str]:
    """The lines of a ``Sheet`` without its page furniture."""
    furniture = (MARKING, Sheet.document_title, "Generated for ", "Page ")
    lines = [line for page in extract(pdf).pages for line in logical_lines(page)]
    return [line for line in lines if not line.startswith(furniture)]


@pytest.fixture(scope="module")
def sheet_lines() -> list[str]:
    """Every name twice: as a block of its own, and as the value of a labelled field."""
    story = []
    for name in NAMES:
        story += [text(name), FieldRow("Full name", text(name))]
    return body_lines(Sheet(story).render())


def test_the_corpus_is_stored_text():
    """Each name is as ``clean`` stores it, so equality below is with the stored string."""
    assert [clean(name) for name in NAMES] == NAMES


def test_the_corpus_has_every_shaped_and_right_to_left_script():
    registered = fonts.register_fonts()
    families = set()
    for name in NAMES:
        for line in layout(name, TextStyle(), float("inf")):
            families |= {fonts.FAMILY_BY_FONT_NAME[run.font].key for run in line.runs}
    shaped = {family.key for family in registered if family.shaped}
    assert shaped <= families, f"no name in {sorted(shaped - families)}"
    assert {"latin", "cjk", "armenian", "georgian"} <= families


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_a_name_extracts_exactly(sheet_lines, name):
    assert sheet_lines.count(name) == 2, f"{name!r} not found in {sheet_lines}"


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_a_name_extracts_exactly_from_the_grab_pack(name):
    data = samples.typical_data()
    data["identity"]["full_name"] = name
    pages = [
        logical_lines(page) for page in extract(render_grab_pack(samples.snapshot(data))).pages
    ]
    assert name in pages[0], "the name at the top of the briefing sheet"
    assert all(f"Grab pack: {name}" in page for page in pages), "the header of every page"


WRAPPING = [
    CORPUS["arabic"],
    CORPUS["hebrew"],
    CORPUS["bengali, vowel sign before its consonant"],
    CORPUS["gurmukhi, vowel sign before its consonant"],
    CORPUS["devanagari"],
    CORPUS["mixed direction"],
    CORPUS["mixed direction, brackets"],
]
# Every grab-pack page has more left-to-right text (labels, headings, page
# furniture) than right-to-left; poppler reads a page that has not right to left
# (see the last test).
LATIN = (samples.SENTENCE * 3).strip()


@pytest.mark.parametrize("name", WRAPPING)
def test_a_name_that_wraps_extracts_line_by_line(name):
    """Each line carries its own text: the lines, in reading order, are the stored
    text broken at spaces (a right-to-left paragraph's first line holds its first words)."""
    stored = " ".join([name] * 16)
    lines = body_lines(Sheet([text(LATIN), text(stored)]).render())
    assert stored not in lines, "it wraps"
    assert " ".join(lines) == f"{LATIN} {stored}"


@pytest.mark.parametrize("name", WRAPPING)
def test_a_name_in_a_narrow_column_wraps_and_extracts(name):
    narrow = FieldRow("Contact", text(name), label_width=Sheet().frame_size[0] - 60)
    lines = body_lines(Sheet([text(LATIN), narrow]).render())
    label = lines.index("Contact")
    assert " ".join(lines[label + 1 :]) == name


@pytest.mark.xfail(strict=True, reason="poppler reads a mostly right-to-left page right to left")
def test_a_page_mostly_in_right_to_left_text():
    """poppler decides one direction per page, by counting letters. On a page with
    more right-to-left letters than left-to-right ones it reads every line from the
    right, and a line with a number, a hyphen or Latin in it comes out in another
    order (here "לוי-יעל כהן"). ``extraction_text`` writes for the usual case."""
    stored = " ".join([CORPUS["hebrew"]] * 20)
    lines = body_lines(Sheet([text(stored)]).render())
    assert " ".join(lines) == stored


# --- the extraction order, against poppler's reordering --------------------------------

# poppler's own bidi class for each character used below (poppler/UnicodeTypeTable.cc):
# R right to left, L left to right, "#" a number (digits and their separators), N neutral.
POPPLER_CLASSES = {
    **dict.fromkeys("abcXYZ", "L"),
    **dict.fromkeys("0123456789-,.", "#"),
    **dict.fromkeys("\u0660\u0661", "#"),  # Arabic-Indic digits
    **dict.fromkeys("محمدعلي", "R"),
    **dict.fromkeys("יעל", "R"),
    **dict.fromkeys(" ()!\u064e\u0651\u200c", "N"),  # space, brackets, harakat, ZWNJ
    "\u200e": "L",  # LRM
    "\u200f": "R",  # RLM
}


def poppler_reorder(text: str) -> str:
    """poppler's ``reorderText`` for a page read left to right: every stretch from
    a right-to-left character up to the next left-to-right one or number is
    reversed (its embedding controls left out)."""
    kinds = [POPPLER_CLASSES[char] for char in text]
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and kinds[j] != "R":
            j += 1
        out.append(text[i:j])
        i = j
        while j < len(text) and kinds[j] not in "L#":
            j += 1
        out.append(text[i:j][::-1])
        i = j
    return "".join(out)


@given(st.text(alphabet=sorted(set(POPPLER_CLASSES) - {"\u200e", "\u200f"}), max_size=40))
def test_extraction_text_reads_back_through_popplers_reordering(logical):
    from grabpack.pdf.text import extraction_text

    read = poppler_reorder(extraction_text(logical))
    assert read.replace("\u200e", "").replace("\u200f", "") == logical


def test_only_lines_that_need_it_carry_actual_text():
    """Latin and Chinese extract from their glyphs; shaped and right-to-left lines
    carry their text, the Bengali in logical order and the Arabic as poppler reads it."""
    from grabpack.pdf.text import extraction_text

    def actual(value: str) -> str | None:
        return layout(value, TextStyle(), float("inf"))[0].actual

    assert actual(CORPUS["polish"]) is None
    assert actual(CORPUS["chinese"]) is None
    assert actual("রহিম") == "রহিম"
    assert actual("Ali علي Khan") == "Ali يلع\u200e Khan" == extraction_text("Ali علي Khan")
