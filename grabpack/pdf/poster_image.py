"""The public appeal poster as a square PNG for social media (1080 x 1080).

Drawn with Pillow from the same ``domain.appeal_poster.Poster`` value as the PDF,
and from nothing else. Text is set in the PDF's font files (``fonts.FAMILIES``: a
character goes to the first family with a glyph for it); right-to-left runs are
put in display order by the same bidi levels as the PDF (``typesetting.bidi_levels``)
and each run is shaped by libraqm (HarfBuzz and FriBiDi) when Pillow has it, which
joins Arabic and orders Bengali vowel signs. The photo is pasted as decoded pixels
and the PNG is written with no text chunks, so the file carries nothing but the
picture.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, features

from grabpack.domain.appeal_poster import Poster
from grabpack.pdf import fonts, typesetting
from grabpack.pdf.text import clean

SIZE = 1080
MARGIN = 40
INK = (0, 0, 0)
PAPER = (255, 255, 255)
GREY = (85, 85, 85)
RAQM = features.check("raqm")
LAYOUT = ImageFont.Layout.RAQM if RAQM else ImageFont.Layout.BASIC
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]")


def render_poster_image(poster: Poster) -> bytes:
    """The poster as a square PNG with no metadata."""
    image = Image.new("RGB", (SIZE, SIZE), PAPER)
    draw = ImageDraw.Draw(image)
    _draw(image, draw, poster)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- fonts and runs ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _families() -> tuple[tuple[fonts.FontFamily, frozenset[int]], ...]:
    installed = fonts.register_fonts()
    return tuple((family, fonts.coverage(family.regular)) for family in installed)


@lru_cache(maxsize=256)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=LAYOUT)


def _family_for(char: str) -> int:
    code = ord(char)
    for index, (_family, covered) in enumerate(_families()):
        if code in covered:
            return index
    return 0


@dataclass(frozen=True)
class _Run:
    text: str
    family: int
    rtl: bool


def _runs(line: str) -> list[_Run]:
    """A line as runs of one font and one direction, in display order."""
    if not line:
        return []
    levels = typesetting.bidi_levels(line, 0) if _RTL.search(line) else [0] * len(line)
    chosen: list[int] = []
    for index, char in enumerate(line):
        neutral = char.isspace() or unicodedata.category(char)[0] in "PZM"
        family = _family_for(char)
        if neutral and index and family == 0:
            previous = chosen[-1]
            covered = _families()[previous][1]
            family = previous if ord(char) in covered else family
        chosen.append(family)
    runs: list[tuple[str, int, int]] = []
    for char, family, level in zip(line, chosen, levels, strict=True):
        if runs and runs[-1][1] == family and runs[-1][2] == level:
            runs[-1] = (runs[-1][0] + char, family, level)
        else:
            runs.append((char, family, level))
    # Rule L2: from the highest level down to the lowest odd one, reverse each
    # stretch of runs at that level or higher.
    if any(level for _text, _family, level in runs):
        top = max(level for _t, _f, level in runs)
        for level in range(top, 0, -1):
            index = 0
            while index < len(runs):
                if runs[index][2] >= level:
                    end = index
                    while end < len(runs) and runs[end][2] >= level:
                        end += 1
                    runs[index:end] = runs[index:end][::-1]
                    index = end
                else:
                    index += 1
    return [_Run(text, family, bool(level % 2)) for text, family, level in runs]


def _path(family: int, bold: bool) -> str:
    chosen = _families()[family][0]
    return chosen.bold if bold and chosen.bold else chosen.regular


def _run_width(run: _Run, size: int, bold: bool) -> float:
    font = _font(_path(run.family, bold), size)
    if RAQM:
        return font.getlength(run.text, direction="rtl" if run.rtl else "ltr")
    return font.getlength(run.text)


def _width(line: str, size: int, bold: bool) -> float:
    return sum(_run_width(run, size, bold) for run in _runs(line))


def _wrap(text: str, size: int, bold: bool, width: int) -> list[str]:
    """Lines that fit ``width``, broken at spaces (a word too long is cut)."""
    lines: list[str] = []
    for paragraph in clean(text).split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if _width(candidate, size, bold) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = word
            while _width(current, size, bold) > width and len(current) > 1:
                cut = len(current) - 1
                while cut > 1 and _width(current[:cut], size, bold) > width:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
        if current:
            lines.append(current)
    return lines


def _draw_line(
    draw: ImageDraw.ImageDraw,
    line: str,
    x: float,
    y: float,
    size: int,
    bold: bool,
    fill,
    width: int | None = None,
) -> None:
    """One line with its top at ``y``; centred in ``width`` when given."""
    runs = _runs(line)
    if width is not None:
        x += (width - sum(_run_width(run, size, bold) for run in runs)) / 2
    for run in runs:
        font = _font(_path(run.family, bold), size)
        options = {"direction": "rtl" if run.rtl else "ltr"} if RAQM else {}
        draw.text((x, y + size * 0.9), run.text, font=font, fill=fill, anchor="ls", **options)
        x += _run_width(run, size, bold)


@dataclass(frozen=True)
class _Block:
    text: str
    size: int
    bold: bool = False
    fill: tuple[int, int, int] = INK
    gap: int = 6


def _height(blocks: list[_Block], width: int) -> int:
    return sum(
        len(_wrap(b.text, b.size, b.bold, width)) * round(b.size * 1.25) + b.gap for b in blocks
    )


# --- the layout ---------------------------------------------------------------------


def _draw(image: Image.Image, draw: ImageDraw.ImageDraw, poster: Poster) -> None:
    inner = SIZE - 2 * MARGIN
    # The headline band.
    draw.rectangle((0, 0, SIZE, 130), fill=INK)
    _draw_line(draw, poster.headline, MARGIN, 18, 88, True, PAPER, inner)
    top = 150
    if poster.name:
        size = 64
        while size > 28 and _width(poster.name, size, True) > inner:
            size -= 4
        for line in _wrap(poster.name, size, True, inner)[:2]:
            _draw_line(draw, line, MARGIN, top, size, True, INK, inner)
            top += round(size * 1.2)
    top += 16

    # The call line band at the foot, then the footer under it.
    call_top, call_size = _call_band(draw, poster, inner)
    body_bottom = call_top - 16

    photo_width = 0
    if poster.photo:
        photo_width = _paste_photo(image, poster.photo, MARGIN, top, 440, body_bottom - top)
    left = MARGIN + (photo_width + 36 if photo_width else 0)
    width = SIZE - MARGIN - left

    def blocks(size: int) -> list[_Block]:
        small = max(size - 8, 16)
        items = [_Block(poster.age_line, size + 8, bold=True)] if poster.age_line else []
        for line in poster.description:
            items.append(_Block(line.label, small, fill=GREY, gap=0))
            items.append(_Block(line.value, size))
        if poster.last_seen_line:
            items.append(_Block("Last seen", small, fill=GREY, gap=0))
            value = ", ".join(p for p in (poster.last_seen_at, poster.last_seen_place) if p)
            items.append(_Block(value, size))
        if poster.clothing:
            items.append(_Block("Wearing", small, fill=GREY, gap=0))
            items.append(_Block(poster.clothing, size))
        if poster.area_line:
            items.append(_Block(poster.area_line, size))
        return items

    size = 34
    while size > 14 and _height(blocks(size), width) > body_bottom - top:
        size -= 2
    y = top
    for block in blocks(size):
        for line in _wrap(block.text, block.size, block.bold, width):
            if y + block.size * 1.25 > body_bottom:
                break  # the smallest type and still too long: what fits
            _draw_line(draw, line, left, y, block.size, block.bold, block.fill)
            y += round(block.size * 1.25)
        y += block.gap


def _call_band(draw: ImageDraw.ImageDraw, poster: Poster, inner: int) -> tuple[int, int]:
    """The "If you see..." band and the footer; the band's top and type size."""
    footer_size = 20
    footer_top = SIZE - MARGIN + 8 - footer_size
    size = 42
    while size > 20 and len(_wrap(poster.call_line, size, True, inner - 20)) > 2:
        size -= 2
    lines = _wrap(poster.call_line, size, True, inner - 20)[:3]
    band_height = len(lines) * round(size * 1.25) + 36
    band_top = footer_top - 14 - band_height
    draw.rectangle((0, band_top, SIZE, band_top + band_height), fill=INK)
    y = band_top + 18
    for line in lines:
        _draw_line(draw, line, MARGIN, y, size, True, PAPER, inner)
        y += round(size * 1.25)
    _draw_line(draw, poster.footer, MARGIN, footer_top, footer_size, False, GREY)
    return band_top, size


def _paste_photo(
    image: Image.Image, jpeg: bytes, left: int, top: int, max_width: int, max_height: int
) -> int:
    """The photo's pixels (never its metadata), scaled into the box; its width."""
    try:
        with Image.open(io.BytesIO(jpeg)) as source:
            photo = source.convert("RGB")
    except (OSError, ValueError, SyntaxError):
        return 0
    photo.thumbnail((max_width, max(max_height, 1)))
    image.paste(photo, (left, top))
    return photo.width
