"""User text on the page: any script, never markup.

Everything a user typed reaches the PDF through this module, and never through
ReportLab's ``Paragraph`` markup parser: ``<b>``, ``&amp;`` or an unbalanced
``<i>`` are characters like any other, so there is nothing to escape and
nothing that can be fetched.

How a line of text is set:

1. Cleaned: NFC, control and bidi-override characters dropped, runs of spaces
   collapsed, at most one blank line in a row.
2. Each character goes to the first font family that has a glyph for it
   (``fonts.FAMILIES``); one that none has prints as ``[U+XXXX]``, never as a
   box or a question mark.
3. Lines holding right-to-left text get Unicode bidi levels from python-bidi
   (``bidi.algorithm``, rules P2-I2); other lines skip this.
4. Runs in scripts that need it (Arabic, Indic, ...) are shaped with
   ReportLab's HarfBuzz binding, without the ``dlig`` feature; Latin and CJK
   are never shaped, which keeps "st" extractable and costs nothing.
5. Lines are broken greedily in logical order, at spaces and between CJK
   characters, and only then reordered for display (bidi rules L1-L4), so a
   right-to-left paragraph that wraps still reads from its first line down.
6. A line with a shaped or right-to-left run carries its text as ``ActualText``
   marked content (``extraction_text``): what is drawn there is glyphs in
   display order, and a name copied out of the PDF must be the name typed.

ReportLab's ``Paragraph`` can do neither 5 (its own bidi needs ``rlbidi``,
which is not on PyPI) nor shape a word that mixes fonts, hence this module.
What it needs of ReportLab's and python-bidi's internals is in ``typesetting``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Flowable

from grabpack.pdf import fonts, typesetting
from grabpack.pdf.typesetting import MIRRORED

# HarfBuzz features for shaped runs: ReportLab's default adds ``dlig``, whose
# ligatures extract as nothing useful.
SHAPING_FEATURES = {"kern": True, "liga": True, "dlig": False}

_DROPPED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0/C1 controls (newline and tab handled apart)
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, isolates
    "\u00ad\u180e\u200b\u2060-\u2064\ufe00-\ufe0f\U000e0100-\U000e01ef"  # invisible
    "\ufeff\ufff9-\ufffb]"  # BOM, interlinear annotation
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_NEWLINES = re.compile("\r\n|[\r\v\f\u0085\u2028\u2029]")
_SPACES = re.compile("[ \t\u1680\u2000-\u200a\u205f\u3000]+")
_BLANK_LINES = re.compile("\n{3,}")
# Printable ASCII lines, single spaces, no space at either end of a line, no blank line.
_NOTHING_TO_CLEAN = re.compile("(?:[!-~]+(?: [!-~]+)*)(?:\n[!-~]+(?: [!-~]+)*)*")
_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
# Han, kana and CJK punctuation: a line may break between any two of these.
_CJK = "\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CLOSING = "\u3001\u3002\u300d\u300f\u3011\uff01\uff09\uff0c\uff0e\uff1a\uff1b\uff1f"
_TOKENS = re.compile(f"( )|([{_CJK}][{_CJK_CLOSING}]*)|([^ {_CJK}]+)")


@dataclass(frozen=True)
class TextStyle:
    """How a block of text is set; ``align="start"`` follows the text's own direction."""

    size: float = 9.5
    leading: float = 0.0  # 0: 1.25 times the size
    bold: bool = False
    colour: colors.Color = colors.black
    align: str = "start"  # start | left | right | centre
    space_before: float = 0.0
    space_after: float = 0.0

    @cached_property
    def line_height(self) -> float:
        return self.leading or round(self.size * 1.25, 2)

    @cached_property
    def baseline(self) -> float:
        """Distance from the top of a line to its baseline."""
        return self.size * 0.8 + (self.line_height - self.size) / 2

    def resized(self, size: float) -> TextStyle:
        return replace(self, size=size, leading=size * 1.25)


@dataclass(slots=True)
class Run:
    """Part of a line drawn in one font; ``text`` is in display order (glyphs,
    for a shaped run), ``logical`` the text it stands for when that differs."""

    text: str
    font: str
    width: float
    level: int = 0
    shaped: bool = False
    logical: str | None = None


@dataclass(slots=True)
class Line:
    runs: list[Run]
    width: float
    rtl: bool = False
    # What text extraction reads for the line (``extraction_text``), when its
    # glyphs alone would not give its text back in logical order.
    actual: str | None = None


@dataclass(slots=True)
class _Word:
    """Runs between two places a line may break, in logical order."""

    runs: list[Run]
    width: float
    space_before: bool
    space_level: int = 0


def clean(text: object) -> str:
    """The printable form of user text: see the module docstring."""
    if text is None:
        return ""
    text = str(text)
    if text.isascii() and _NOTHING_TO_CLEAN.fullmatch(text):
        return text
    text = unicodedata.normalize("NFC", text)
    text = _SURROGATE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)
    text = _DROPPED.sub("", _NEWLINES.sub("\n", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


# --- fonts per character ---------------------------------------------------


@lru_cache(maxsize=8192)
def _family_of(char: str) -> fonts.FontFamily | None:
    code = ord(char)
    for family in fonts.register_fonts():
        if code in fonts.embedded_font(family.name).coverage:
            return family
    return None


@lru_cache(maxsize=64)
def _latin_chars(bold: bool) -> frozenset[str]:
    """Characters the Latin font prints, for the fast path."""
    fonts.register_fonts()
    font = fonts.embedded_font(fonts.LATIN.font_name(bold))
    return frozenset(map(chr, font.coverage))


def _font_name(family: fonts.FontFamily, char: str, bold: bool) -> str:
    if bold and family.bold:
        name = family.font_name(bold=True)
        if ord(char) in fonts.embedded_font(name).coverage:
            return name
    return family.name


def _char_fonts(line: str, bold: bool) -> list[str | None]:
    """The font for each character; ``None`` where no installed font has a glyph."""
    result: list[str | None] = []
    previous: fonts.FontFamily | None = None
    for char in line:
        if (
            previous is not None
            and unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf")
            and ord(char) in fonts.embedded_font(previous.name).coverage
        ):
            family = previous  # marks and joiners stay with their letter, for shaping
        else:
            family = _family_of(char)
        result.append(None if family is None else _font_name(family, char, bold))
        previous = family
    return result


# --- bidi ------------------------------------------------------------------


def _has_ltr_letters(text: str) -> bool:
    return any(unicodedata.bidirectional(char) == "L" for char in text)


def _reorder(runs: list[Run]) -> list[Run]:
    """Rule L2: from the highest level down to the lowest odd one, reverse each
    contiguous sequence of runs at that level or above."""
    levels = [run.level for run in runs]
    highest = max(levels)
    odd = [level for level in levels if level % 2]
    if not odd:
        return runs
    runs = list(runs)
    for level in range(highest, min(odd) - 1, -1):
        index = 0
        while index < len(runs):
            if runs[index].level >= level:
                end = index
                while end < len(runs) and runs[end].level >= level:
                    end += 1
                runs[index:end] = runs[index:end][::-1]
                index = end
            else:
                index += 1
    return runs


# --- shaping and measuring -------------------------------------------------


def _needs_shaping(text: str) -> bool:
    return any(unicodedata.category(char)[0] in "LM" for char in text)


@lru_cache(maxsize=4096)
def _shape(text: str, font_name: str, size: float) -> tuple[str, float, bool]:
    """Glyphs for ``text`` in display order, their width, and whether they are shaped."""
    shaped = typesetting.shape(text, font_name, size, SHAPING_FEATURES)
    if shaped is None:
        return text, stringWidth(text, font_name, size), False
    _record_private_glyphs(fonts.embedded_font(font_name), text, shaped.glyphs, shaped.clusters)
    return shaped.glyphs, shaped.width, True


# Vowel signs drawn before the consonant they follow in memory (Indic scripts).
_PRE_BASE_MATRAS = frozenset(
    "\u093f\u094e\u09bf\u09c7\u09c8\u0a3f\u0abf\u0b47\u0bc6\u0bc7\u0bc8"
    "\u0d46\u0d47\u0d48\u0dd9\u0dda\u0ddb\u1031"
)


def _record_private_glyphs(
    font: typesetting.EmbeddedFont, text: str, glyphs: str, glyph_clusters: tuple[int, ...]
) -> None:
    """Note what each code-point-less glyph in ``glyphs`` stands for, so that a
    reader that ignores ``ActualText`` still extracts characters (in visual
    order), not private-use codes."""
    private_use = typesetting.PRIVATE_USE
    if not any(ord(glyph) in private_use for glyph in glyphs):
        return
    starts = sorted(set(glyph_clusters))
    ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
    clusters: dict[int, list[str]] = {}
    for glyph, cluster in zip(glyphs, glyph_clusters, strict=True):
        clusters.setdefault(cluster, []).append(glyph)
    for start, members in clusters.items():
        private = [g for g in members if ord(g) in private_use and g not in text]
        if not private:
            continue
        remaining = list(text[start : ends[start]])
        for glyph in members:
            if glyph not in private and glyph in remaining:
                remaining.remove(glyph)
        shares = [""] * len(private)
        matra = next((c for c in remaining if c in _PRE_BASE_MATRAS), None)
        if len(private) > 1 and matra and members[0] == private[0]:
            remaining.remove(matra)
            shares[0], shares[1] = matra, "".join(remaining)
        else:
            shares[0] = "".join(remaining)
        for glyph, share in zip(private, shares, strict=True):
            if share:
                font.private_text.setdefault(ord(glyph), share)


def _make_run(text: str, font: str | None, level: int, size: float, bold: bool) -> Run:
    if font is None:  # no installed font has these: print their code points
        chars = reversed(text) if level % 2 else text
        text = "".join(f"[U+{ord(char):04X}]" for char in chars)
        font = fonts.LATIN.font_name(bold)
        return Run(text, font, stringWidth(text, font, size), level)
    family = fonts.FAMILY_BY_FONT_NAME[font]
    if family.shaped and _needs_shaping(text):
        glyphs, width, shaped = _shape(text, font, size)
        if shaped:
            return Run(glyphs, font, width, level, shaped=True, logical=text)
    else:
        width = stringWidth(text, font, size)
    if level % 2:
        # Rule L4 and the reversal of a right-to-left run drawn glyph by glyph.
        shown = "".join(MIRRORED.get(char, char) for char in reversed(text))
        return Run(shown, font, width, level, logical=text)
    return Run(text, font, width, level)


# --- line breaking ---------------------------------------------------------

_widths: dict[tuple[str, float], dict[str, float]] = {}


def _width_table(font: str, size: float) -> dict[str, float]:
    """Measured words in one font and size: long texts repeat their words."""
    table = _widths.get((font, size))
    if table is None or len(table) > 20_000:
        table = _widths[(font, size)] = {}
    return table


def _word_width(word: str, font: str, size: float, table: dict[str, float]) -> float:
    width = table.get(word)
    if width is None:
        width = table[word] = stringWidth(word, font, size)
    return width


def layout(text: object, style: TextStyle, width: float, direction: str = "auto") -> list[Line]:
    """Break cleaned ``text`` into display-ordered lines no wider than ``width``.

    ``direction="auto"`` sets the text right to left when it has right-to-left
    letters and no left-to-right ones (a note written in Arabic); text that
    mixes them reads left to right like the rest of the document. Use "ltr" for
    text we compose around user text ("Name: ...").
    """
    lines: list[Line] = []
    latin = _latin_chars(style.bold)
    text = clean(text)
    if latin.issuperset(text.replace("\n", "")):
        for source in text.split("\n"):
            lines.extend(_layout_latin(source, style, width) if source else [Line([], 0.0)])
        return lines
    rtl = direction == "auto" and _RTL.search(text) is not None and not _has_ltr_letters(text)
    for source in text.split("\n"):
        if not source:
            lines.append(Line([], 0.0))
        elif latin.issuperset(source) and not rtl:
            lines.extend(_layout_latin(source, style, width))
        else:
            lines.extend(_layout_any(source, style, width, rtl))
    return lines


def _layout_latin(source: str, style: TextStyle, width: float) -> list[Line]:
    """Fast path: one font, no shaping, no bidi."""
    font = fonts.LATIN.font_name(style.bold)
    size = style.size
    full = stringWidth(source, font, size)
    if full <= width:
        return [Line([Run(source, font, full)], full)]
    table = _width_table(font, size)
    space = _word_width(" ", font, size, table)
    lines: list[Line] = []
    current: list[str] = []
    current_width = 0.0
    for word in source.split(" "):
        word_width = _word_width(word, font, size, table)
        if current and current_width + space + word_width <= width:
            current.append(word)
            current_width += space + word_width
            continue
        if current:
            lines.append(Line([Run(" ".join(current), font, current_width)], current_width))
        if word_width <= width:
            current, current_width = [word], word_width
            continue
        pieces = _split_long(word, font, size, width)
        lines.extend(Line([Run(p, font, w)], w) for p, w in pieces[:-1])
        current, current_width = [pieces[-1][0]], pieces[-1][1]
    if current:
        lines.append(Line([Run(" ".join(current), font, current_width)], current_width))
    return lines


def _split_long(word: str, font: str, size: float, width: float) -> list[tuple[str, float]]:
    """A word wider than the line, cut between characters (never before a mark)."""
    pieces: list[tuple[str, float]] = []
    start = 0
    while start < len(word):
        end, used = start, 0.0
        while end < len(word):
            char_width = stringWidth(word[end], font, size)
            if used + char_width > width and end > start:
                break
            used += char_width
            end += 1
        while start < end < len(word) and unicodedata.category(word[end])[0] == "M":
            end -= 1
        if end == start:
            end = start + 1
        piece = word[start:end]
        pieces.append((piece, stringWidth(piece, font, size)))
        start = end
    return pieces


def _layout_any(source: str, style: TextStyle, width: float, rtl: bool) -> list[Line]:
    """Any script: fonts per character, bidi where needed, shaping where needed."""
    size, bold = style.size, style.bold
    base = 1 if rtl else 0
    levels = typesetting.bidi_levels(source, base) if rtl or _RTL.search(source) else None
    char_fonts = _char_fonts(source, bold)
    latin = fonts.LATIN.font_name(bold)
    space_width = stringWidth(" ", latin, size)

    words: list[_Word] = []
    space_before, space_level = False, base
    for match in _TOKENS.finditer(source):
        start, end = match.span()
        if match.group(1):
            space_before, space_level = True, levels[start] if levels else 0
            continue
        runs: list[Run] = []
        run_start = start
        for index in range(start + 1, end + 1):
            if index == end or (
                char_fonts[index] != char_fonts[run_start]
                or (levels and levels[index] != levels[run_start])
            ):
                runs.append(
                    _make_run(
                        source[run_start:index],
                        char_fonts[run_start],
                        levels[run_start] if levels else 0,
                        size,
                        bold,
                    )
                )
                run_start = index
        words.append(_Word(runs, sum(r.width for r in runs), space_before, space_level))
        space_before = False

    lines: list[Line] = []
    current: list[Run] = []
    current_width = 0.0
    for word in words:
        gap = space_width if word.space_before else 0.0
        if current and current_width + gap + word.width <= width:
            if gap:
                current.append(Run(" ", latin, gap, word.space_level))
            current.extend(word.runs)
            current_width += gap + word.width
            continue
        if current:
            lines.append(_finish_line(current, current_width, base))
        current, current_width = [], 0.0
        if word.width <= width:
            current, current_width = list(word.runs), word.width
            continue
        for run in word.runs:  # a single word wider than the line
            if current and current_width + run.width > width:
                lines.append(_finish_line(current, current_width, base))
                current, current_width = [], 0.0
            if run.width <= width:
                current.append(run)
                current_width += run.width
                continue
            for piece in _split_run(run, size, bold, width):
                if current:
                    lines.append(_finish_line(current, current_width, base))
                current, current_width = [piece], piece.width
    if current:
        lines.append(_finish_line(current, current_width, base))
    return lines


def _split_run(run: Run, size: float, bold: bool, width: float) -> list[Run]:
    """A run wider than the line, in pieces that fit (cut in logical order, then
    each piece shaped or reversed on its own)."""
    if run.logical is None:
        return [
            Run(p, run.font, w, run.level) for p, w in _split_long(run.text, run.font, size, width)
        ]
    return [
        _make_run(piece, run.font, run.level, size, bold)
        for piece, _ in _split_long(run.logical, run.font, size, width)
    ]


def _finish_line(runs: list[Run], width: float, base: int) -> Line:
    """A line from its runs in logical order: reordered for display (rule L2)."""
    actual = None
    if any(run.logical is not None for run in runs):
        actual = extraction_text(
            "".join(run.text if run.logical is None else run.logical for run in runs)
        )
    if base or any(run.level % 2 for run in runs):
        runs = _reorder(runs)
    merged: list[Run] = []
    for run in runs:
        last = merged[-1] if merged else None
        if last and last.font == run.font and last.logical is None and run.logical is None:
            last.text += run.text
            last.width += run.width
        else:
            merged.append(Run(run.text, run.font, run.width, run.level, run.shaped, run.logical))
    return Line(merged, width, rtl=bool(base), actual=actual)


# --- text extraction -------------------------------------------------------

_RLM, _LRM = "\u200f", "\u200e"
# Bidi classes as poppler's reordering sees them: a right-to-left stretch starts
# at a right-to-left letter and runs up to the next left-to-right letter or number.
_RTL_LETTER = frozenset(("R", "AL"))
_ENDS_RTL = frozenset(("L", "EN", "ES", "ET", "CS", "AN"))
_MARKS = frozenset(("NSM", "BN"))


def _bidi_class(char: str) -> str:
    # poppler's table covers the Basic Multilingual Plane only: beyond it, neutral.
    return unicodedata.bidirectional(char) if char <= "\uffff" else "ON"


def extraction_text(logical: str) -> str:
    """What a line's ``ActualText`` says: the characters of ``logical``, each
    right-to-left stretch in display order, as readers expect drawn text.

    A shaped run draws glyphs, not characters (a Bengali vowel sign before its
    consonant, an Arabic letter in its joined form), so each line that has one
    carries its text in ``ActualText`` marked content. Readers put
    right-to-left text into logical order themselves, assuming it was drawn in
    display order: poppler (``pdftotext``, Evince, Okular) spreads a span's
    characters from left to right over its glyphs, then reverses each stretch
    that starts at a right-to-left letter and runs to the next left-to-right
    letter or number. So each such stretch is given reversed, up to its last
    right-to-left letter (and the marks on it); an LRM after it stops poppler's
    stretch there, so that the spaces and brackets after it stay after it, and
    an RLM before it when it would start with a mark. Both marks are invisible,
    and ``clean`` drops them, like the embedding controls poppler puts around
    right-to-left text. Text with no right-to-left letters is given as it is.

    poppler reads a whole page in one direction, chosen by counting its
    letters. This is for a page with more left-to-right letters than
    right-to-left ones, as every grab-pack page is (its labels and headings):
    on a page of mostly right-to-left text, a line that mixes in digits, a
    hyphen or Latin comes out in another order. Readers that ignore
    ``ActualText`` read the glyphs' ToUnicode maps (``typesetting.EmbeddedFont``).
    """
    if not _RTL.search(logical):
        return logical
    classes = [_bidi_class(char) for char in logical]
    parts: list[str] = []
    start, end = 0, len(logical)
    while start < end:
        stretch = start
        while stretch < end and classes[stretch] not in _RTL_LETTER:
            stretch += 1
        parts.append(logical[start:stretch])
        if stretch == end:
            break
        stop = stretch
        while stop < end and classes[stop] not in _ENDS_RTL:
            stop += 1
        last = max(i for i in range(stretch, stop) if classes[i] in _RTL_LETTER) + 1
        while last < stop and classes[last] in _MARKS:
            last += 1
        reversed_part = logical[stretch:last][::-1]
        if classes[last - 1] not in _RTL_LETTER:
            parts.append(_RLM)
        parts.append(reversed_part)
        if last < stop:
            parts.append(_LRM)
            parts.append(logical[last:stop])
        start = stop
    return "".join(parts)


# --- drawing ---------------------------------------------------------------


def draw_lines(
    canvas,
    lines: list[Line],
    x: float,
    top: float,
    width: float,
    style: TextStyle,
    text: PDFTextObject | None = None,
) -> None:
    """Draw laid-out ``lines`` in a box ``width`` wide whose top edge is at ``top``;
    into the text object ``text`` when given (the caller then draws it)."""
    own = text is None
    if text is None:
        text = canvas.beginText()
    text.setFillColor(style.colour)
    font = None
    y = top - style.baseline
    size, line_height, align = style.size, style.line_height, style.align
    for line in lines:
        if align == "left" or (align == "start" and not line.rtl):
            left = x
        elif align == "centre":
            left = x + (width - line.width) / 2
        else:
            left = x + width - line.width
        if line.actual is not None:
            typesetting.begin_actual_text(text, line.actual)
        for run in line.runs:
            text.setTextOrigin(left, y)
            if run.font != font:
                text.setFont(run.font, size)
                font = run.font
            text.textLine(run.text)  # textOut would measure the run again; we know its width
            left += run.width
        if line.actual is not None:
            typesetting.end_marked_content(text)
        y -= line_height
    if own:
        canvas.drawText(text)


def draw_text(
    canvas,
    text: object,
    x: float,
    y: float,
    style: TextStyle,
    width: float,
    *,
    min_size: float = 6.0,
    direction: str = "ltr",
) -> None:
    """One line of text with its baseline at ``y`` in a box ``width`` wide from
    ``x``, shrunk to fit and then cut short with an ellipsis if still too wide."""
    line, style = _fitted_line(clean(text).replace("\n", " "), style, width, min_size, direction)
    draw_lines(canvas, [line], x, y + style.baseline, width, style)


@lru_cache(maxsize=512)  # page headers and footers repeat on every page
def _fitted_line(
    flat: str, style: TextStyle, width: float, min_size: float, direction: str
) -> tuple[Line, TextStyle]:
    line = _one_line(flat, style, direction)
    if line.width > width and style.size > min_size:
        style = style.resized(max(min_size, style.size * width / line.width - 0.05))
        line = _one_line(flat, style, direction)
    keep = len(flat)
    while line.width > width and keep > 1:
        keep = min(keep - 1, int(keep * width / line.width))
        line = _one_line(cut_text(flat, keep) + "\u2026", style, direction)
    return line, style


def _one_line(text: str, style: TextStyle, direction: str) -> Line:
    lines = layout(text, style, float("inf"), direction)
    return lines[0] if lines else Line([], 0.0)


def cut_text(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a space where there is one near."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit, 1)]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    while cut and unicodedata.category(cut[-1])[0] == "M":
        cut = cut[:-1]
    return cut.rstrip(" ,;:")


# --- the flowable ------------------------------------------------------------


class TextBlock(Flowable):
    """A block of user text in one style: wraps, splits across pages, any script."""

    keep_whole_below = 6  # lines

    def __init__(
        self,
        text: object,
        style: TextStyle,
        *,
        direction: str = "auto",
        lines: list[Line] | None = None,
    ) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.direction = direction
        # A part split off keeps the lines it was given (every frame is one width).
        self._fixed = lines is not None
        self._lines = lines or []
        self._laid_out_for: float | None = None

    def lines(self, width: float) -> list[Line]:
        if not self._fixed and self._laid_out_for != width:
            self._lines = layout(self.text, self.style, width, self.direction)
            self._laid_out_for = width
        return self._lines

    def wrap(self, availWidth, availHeight):  # noqa: N803 (ReportLab's names)
        self.width = availWidth
        self.height = len(self.lines(availWidth)) * self.style.line_height
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803
        lines = self.lines(availWidth)
        fits = int((availHeight + 1e-6) // self.style.line_height)
        if fits >= len(lines):
            return [self]
        # A short block moves whole; a long one leaves at least two lines each side.
        fits = min(fits, len(lines) - 2)
        if len(lines) < self.keep_whole_below or fits < 2:
            return []
        first = TextBlock(self.text, self.style, lines=lines[:fits])
        rest = TextBlock(self.text, self.style, lines=lines[fits:])
        first.direction = rest.direction = self.direction
        first.spaceAfter = rest.spaceBefore = 0
        return [first, rest]

    def getSpaceBefore(self):  # noqa: N802
        return getattr(self, "spaceBefore", self.style.space_before)

    def getSpaceAfter(self):  # noqa: N802
        return getattr(self, "spaceAfter", self.style.space_after)

    def draw(self):
        draw_lines(self.canv, self._lines, 0, self.height, self.width, self.style)
