"""The poster's PDF and square image print only what the ``Poster`` value holds.

Whatever the pack holds (a sentinel word in every field), the PDF's text carries
no field outside the allow-list; the PNG is drawn from the same value, and the file
carries nothing else (no text chunks, no metadata). The PDF is one A4 portrait
page with no OFFICIAL-SENSITIVE marking, and any script comes back out exactly.
"""

from __future__ import annotations

import io
import struct
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from PIL import Image
from pypdf import PdfReader

from grabpack.domain.appeal_poster import NameShown, PosterChoices, PosterEpisode, build_poster
from grabpack.pdf.appeal_poster import render_appeal_poster
from grabpack.pdf.document import MARKING
from grabpack.pdf.poster_image import RAQM, render_poster_image
from tests.domain.test_appeal_poster import (
    EPISODE,
    allowed_keys,
    choice_values,
    filled_packs,
)
from tests.pdf import samples
from tests.pdf.conftest import extract, logical_lines

TODAY = date(2026, 12, 2)
BENGALI_NAME = "সুমাইয়া রহমান"
ARABIC_CLOTHING = "معطف أسود وحذاء أبيض"


def png_chunks(png: bytes) -> list[str]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    chunks, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        chunks.append(png[offset + 4 : offset + 8].decode("ascii"))
        offset += 12 + length
    return chunks


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filled_packs(), choice_values)
def test_no_field_outside_the_allow_list_reaches_the_pdf_or_the_png(filled, choices):
    poster = build_poster(filled.data, EPISODE, choices, TODAY, photo=samples.photo_jpeg())
    printed = extract(render_appeal_poster(poster)).normalised
    allowed = allowed_keys(choices)
    for key, sentinel in filled.sentinels.items():
        assert (sentinel in printed) is (key in allowed), key
    png = render_poster_image(poster)
    assert set(png_chunks(png)) <= {"IHDR", "IDAT", "IEND"}
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (1080, 1080)
        assert image.info == {} and image.text == {}


def test_one_a4_portrait_page_for_the_public():
    data = samples.typical_data()
    poster = build_poster(
        data, EPISODE, PosterChoices(features=frozenset({"marks"})), TODAY, samples.photo_jpeg()
    )
    pdf = render_appeal_poster(poster)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert MARKING not in pdf.decode("latin-1")  # not in the text, nor the metadata
    text = extract(pdf).text
    assert MARKING not in text
    assert "Police reference CAD 1234/23NOV. Poster made 2 December 2026." in text
    assert reader.pages[0].images  # the photo


def test_a_long_pack_still_fits_one_page():
    data = samples.maximal_data(long_text_chars=5000)
    every = frozenset({"facial_hair", "eye_colour", "glasses", "marks", "accent", "aids"})
    long_episode = PosterEpisode("R1", None, "x " * 300, "y " * 2000, "Area")
    poster = build_poster(data, long_episode, PosterChoices(features=every), TODAY)
    assert len(PdfReader(io.BytesIO(render_appeal_poster(poster))).pages) == 1


def test_a_bengali_name_and_arabic_clothing_come_back_exactly():
    data = {"identity": {"full_name": BENGALI_NAME}}
    episode = PosterEpisode("CAD 1/23", datetime(2026, 12, 1, 9, tzinfo=UTC), "", ARABIC_CLOTHING)
    poster = build_poster(data, episode, PosterChoices(NameShown.FULL), TODAY)
    lines = logical_lines(extract(render_appeal_poster(poster)).text)
    assert BENGALI_NAME in lines
    assert ARABIC_CLOTHING in lines
    assert poster.call_line == f"If you see {BENGALI_NAME}, call 999 and quote CAD 1/23"
    assert render_poster_image(poster).startswith(b"\x89PNG")


def test_markup_is_printed_literally():
    data = {"identity": {"full_name": "<b>Amara</b> & Okoye"}}
    poster = build_poster(data, EPISODE, PosterChoices(), TODAY)
    assert "<b>Amara</b> & Okoye" in extract(render_appeal_poster(poster)).text


def test_pillow_shapes_with_raqm_here():
    """Arabic joins and Bengali vowel signs order in the PNG only with libraqm."""
    assert RAQM
