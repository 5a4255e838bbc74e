"""Setting user text: fonts per script, bidi after line breaking, shaping where needed."""

from __future__ import annotations

import pytest

from grabpack.pdf import fonts
from grabpack.pdf.fonts import FontFamily, FontsMissing, check_fonts
from grabpack.pdf.grab_pack import render_grab_pack
from grabpack.pdf.text import TextStyle, clean, cut_text, layout
from tests.pdf import samples
from tests.pdf.conftest import extract, normalise

STYLE = TextStyle(size=9)
ARABIC_NOTE = (
    "يعيش محمد الحسن في لندن منذ عشر سنوات ويعمل في مطعم قريب من المحطة "
    "ويحب المشي على ضفة القناة في المساء مع أصدقائه من المسجد"
)


@pytest.fixture(scope="module", autouse=True)
def registered():
    fonts.register_fonts()


def test_clean_drops_controls_and_keeps_the_words():
    assert clean("a\x00b\u202ec\r\nd\t\te") == "abc\nd e"
    assert clean("\n\n  one  \n\n\n\n two \n\n") == "one\n\ntwo"
    assert clean("Siobha\u0301n") == "Siobhán"  # NFC: one glyph, one character
    assert clean("soft\u00adhyphen zero\u200bwidth ❤\ufe0f") == "softhyphen zerowidth ❤"
    assert clean(None) == "" and clean(12) == "12"


def test_cut_text_cuts_at_a_space():
    assert cut_text("one two three four", 10) == "one two"
    assert cut_text("onetwothreefour", 10) == "onetwothre"
    assert cut_text("short", 12) == "short"


def test_each_script_is_set_in_a_font_that_has_it():
    line = layout(samples.MIXED_LINE, STYLE, float("inf"))[0]
    used = {fonts.FAMILY_BY_FONT_NAME[run.font].key for run in line.runs}
    assert used == {"latin", "arabic", "cjk", "bengali"}
    for run in line.runs:
        if not run.shaped:  # shaped runs hold glyphs, which the font has by construction
            coverage = fonts.embedded_font(run.font).coverage
            assert all(ord(char) in coverage for char in run.text), run


def test_only_complex_scripts_are_shaped():
    line = layout("first aftershock 王伟 محمد রহিম", STYLE, float("inf"))[0]
    shaped = {fonts.FAMILY_BY_FONT_NAME[run.font].key for run in line.runs if run.shaped}
    assert shaped == {"arabic", "bengali"}


def test_bold_text_uses_the_bold_fonts():
    line = layout("Łukasz محمد", TextStyle(bold=True), float("inf"))[0]
    assert {run.font for run in line.runs} == {"GP-latin-Bold", "GP-arabic-Bold"}


def test_lines_fit_their_width():
    text = "Often walks to the canal towpath near Camden Lock and sits by the water. " * 20
    for width in (60, 150, 400):
        lines = layout(text + "x" * 300, STYLE, width)
        assert all(line.width <= width + 0.01 for line in lines)
        assert "".join(run.text for line in lines for run in line.runs).count("x") == 300


def test_chinese_breaks_between_characters():
    lines = layout("王伟住在伦敦东区，经常去唐人街的餐馆吃饭。" * 5, STYLE, 100)
    assert len(lines) > 3
    assert all(line.width <= 100.01 for line in lines)
    assert not any(run.text.startswith("，") for line in lines for run in line.runs[:1])


def test_right_to_left_words_are_reordered_on_their_line():
    line = layout("Name: محمد الحسن, age 35", STYLE, float("inf"))[0]
    arabic = [run for run in line.runs if run.font == "GP-arabic"]
    # Drawn left to right, the second word (الحسن) comes first.
    assert normalise(arabic[0].text[::-1]) == "الحسن"
    assert normalise(arabic[1].text[::-1]) == "محمد"
    assert line.runs[0].text.startswith("Name: ")


def test_a_right_to_left_paragraph_wraps_in_reading_order():
    """Lines are broken before they are reordered, so the first line holds the first words."""
    lines = layout(ARABIC_NOTE, STYLE, 150)
    assert len(lines) >= 3
    assert all(line.rtl for line in lines)
    first_line = lines[0]
    # The rightmost word of the first line is the first word of the text.
    assert normalise(first_line.runs[-1].text[::-1]) == "يعيش"


def test_a_right_to_left_word_wider_than_the_line_starts_on_the_first_line():
    word = "אבגדהוזחטיכלמנסעפצקרשת" * 4
    lines = layout(word, STYLE, 60)
    assert len(lines) > 2
    assert all(line.width <= 60.01 for line in lines)
    # Cut in logical order: the first line holds the word's first letters.
    assert "".join(line.actual[::-1] for line in lines) == word


def test_text_mixing_directions_reads_left_to_right():
    assert not any(line.rtl for line in layout("محمد الحسن (Mohammed)", STYLE, 500))
    assert all(line.rtl for line in layout("محمد الحسن ١٢٣", STYLE, 500))


def test_an_arabic_note_prints_right_aligned_in_reading_order():
    data = samples.typical_data()
    data["routine"]["habits"] = ARABIC_NOTE
    pdf = extract(render_grab_pack(samples.snapshot(data)))
    text = pdf.normalised
    block = text[text.index(ARABIC_NOTE.split()[0]) :].split("\n\n")[0]
    assert len(block.splitlines()) == 2  # wrapped, and the lines come in reading order
    assert " ".join(block.splitlines()) == ARABIC_NOTE
    page = next(words for words in pdf.words if any(w.text == "Habits" for w in words))
    label = next(w for w in page if w.text == "Habits")
    first_line = [w for w in page if abs(w.top - label.top) < 3 and w is not label]
    right_margin = 595.28 - 14 * 72 / 25.4
    assert max(w.right for w in first_line) == pytest.approx(right_margin, abs=1)


def test_characters_beyond_the_basic_plane_extract():
    """ToUnicode entries for astral characters are UTF-16 surrogate pairs."""
    data = samples.typical_data()
    data["identity"]["aliases"] = "Maths bold 𝐀𝐁𝐂"
    pdf = extract(render_grab_pack(samples.snapshot(data)))
    assert "Maths bold 𝐀𝐁𝐂" in pdf.text


def test_conjuncts_extract_as_their_letters():
    data = samples.typical_data()
    data["identity"]["aliases"] = "ক্ষমা শ্রী"
    pdf = extract(render_grab_pack(samples.snapshot(data)))
    text = pdf.normalised
    assert "ক্ষমা" in text
    assert "শ্রী" in text


def test_a_missing_font_names_its_debian_package(tmp_path):
    missing = FontFamily(
        "cjk", str(tmp_path / "wqy-microhei.ttc"), None, "fonts-wqy-microhei", required=True
    )
    with pytest.raises(FontsMissing, match="apt-get install fonts-wqy-microhei"):
        check_fonts([fonts.LATIN, missing])
    check_fonts([fonts.LATIN])  # installed: no error


def test_reportlab_is_accelerated_and_can_shape():
    """``reportlab[shaping,bidi]`` silently installs ReportLab 4.3.1; rl_accel and
    uharfbuzz are installed by name instead."""
    import reportlab
    import uharfbuzz  # noqa: F401 (shaping needs it)
    from reportlab.lib import rl_accel

    assert tuple(int(part) for part in reportlab.Version.split(".")[:2]) >= (4, 4)
    assert type(rl_accel.instanceStringWidthTTF).__name__ == "builtin_function_or_method"
    assert fonts.embedded_font("GP-arabic").shapable
