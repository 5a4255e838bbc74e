"""Every use of a private ReportLab or python-bidi API, in one module.

grabpack's PDFs need a few things neither library offers publicly: HarfBuzz
shaping with our own feature set, Unicode bidi levels per character (not just
a reordered string), ToUnicode maps that name shaped glyphs and astral
characters, marked content in a text object, pages held back until their
total is known, and a JPEG embedded without decoding it. Each is a *hook*
below, and nothing else in grabpack touches an underscored or undocumented
name of either library. ``tests/pdf/test_typesetting_contract.py`` has one
test per hook; when one fails, its message names the hook and what to check.

The hooks, each with its contract test:

- ``shape``: ReportLab's ``shapeFragWord``, ``ShapedStr.__shapeData__`` and
  ``ABag``; a ``ShapedStr`` drawn by ``PDFTextObject.textLine``.
- ``bidi_levels`` and ``MIRRORED``: python-bidi's ``bidi.algorithm`` steps and
  ``bidi.mirror.MIRRORED``.
- ``EmbeddedFont``: ``TTFont.splitString`` and ``TTFont.addObjects``
  overridden, ``TTFont.state``, ``SUBSETN``, the ToUnicode stream's name.
- ``begin_actual_text`` and ``end_marked_content``: ``PDFTextObject._code``.
- ``PageHoldingCanvas``: ``Canvas.__dict__`` and ``Canvas._startPage``.
- ``JpegReader``: ``ImageReader._image``, ``_data`` and ``_dataA``.

Pinned in ``setup.cfg``: ``reportlab==5.1.0`` and ``python-bidi==0.6.12``.

When upgrading either library:

1. Change the pin, reinstall, then run
   ``pytest tests/pdf/test_typesetting_contract.py`` before anything else.
2. For each failing contract, read the hook's docstring here and the
   library's source at the names it gives (``reportlab/pdfbase/ttfonts.py``,
   ``reportlab/pdfgen/textobject.py``, ``reportlab/pdfgen/canvas.py``,
   ``reportlab/lib/utils.py``; ``bidi/algorithm.py``, ``bidi/mirror.py``).
   Prefer replacing the hook with a public API if the new version has one.
3. Even when every contract passes, run the whole of ``tests/pdf`` (the
   extraction tests copy each name back out with ``pdftotext``), render a
   pack with every script (``benchmarks/pdf.py --keep DIR``) and look at it,
   and run ``benchmarks/pdf.py``: a hook can keep its shape and lose its speed.
4. ReportLab: read the CHANGES for "shaping", "harfbuzz", "ttfonts",
   "ToUnicode", "subset", "ImageReader"; ``reportlab[shaping,bidi]`` once
   silently installed an older ReportLab, so install ``uharfbuzz`` by name.
   python-bidi: 0.5 moved the default implementation to Rust and kept the
   Python one as ``bidi.algorithm``; a release that drops it breaks
   ``bidi_levels`` (the Rust API gives a reordered string; its
   ``get_display(debug=True)`` prints levels per UTF-8 byte in a Rust debug
   format, which is not an API either).

Public APIs used instead of private ones: a font's character coverage comes
from uharfbuzz's ``Face.unicodes`` (``fonts.py``), no longer from ReportLab's
undocumented ``TTFont.face.charToGlyph``; the benchmark reads the photo from
the snapshot, not from ``ImageReader._data``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from itertools import groupby

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

try:  # the private names, so that an upgrade that drops one says so
    from bidi import algorithm as bidi_algorithm
    from bidi.mirror import MIRRORED as _BIDI_MIRRORED
    from reportlab.lib.abag import ABag
    from reportlab.pdfbase.ttfonts import SUBSETN, shapeFragWord
except ImportError as error:  # pragma: no cover (only after an upgrade)
    raise ImportError(
        f"a private ReportLab or python-bidi name that grabpack.pdf.typesetting hooks into "
        f"is gone ({error}): see the upgrade notes at the top of grabpack/pdf/typesetting.py"
    ) from error

# --- shaping ---------------------------------------------------------------------

# Glyphs that HarfBuzz produces but that have no code point of their own
# (ligatures, conjuncts, contextual forms) are given one in this range by
# ReportLab (``TTFont.__addPrivate``, asserting ``<= 0xF800``).
PRIVATE_USE = range(0xE000, 0xF900)


@dataclass(frozen=True, slots=True)
class Shaped:
    """A run as HarfBuzz shaped it."""

    glyphs: str  # a ReportLab ``ShapedStr``: one character per glyph, in display order
    width: float
    clusters: tuple[int, ...]  # per glyph: index in the text of the first character it draws


def shape(text: str, font_name: str, size: float, features: Mapping[str, bool]) -> Shaped | None:
    """``text`` shaped by HarfBuzz in one registered TrueType font, or ``None``
    when shaping changes nothing (draw the characters as they are).

    Hook: ``reportlab.pdfbase.ttfonts.shapeFragWord`` (undocumented; the only
    ReportLab entry point that takes HarfBuzz features, which we need to turn
    ``dlig`` off) with its "frag word" list ``[width, (style, text)]`` whose
    style is a ``reportlab.lib.abag.ABag`` with ``fontName`` and ``fontSize``;
    it returns the same list when nothing changed, otherwise
    ``[width, (style, ShapedStr)]``. ``ShapedStr.__shapeData__`` holds one
    ``ShapeData`` per glyph whose ``cluster`` we read. Drawing a ``ShapedStr``
    with ``PDFTextObject.textLine`` positions each glyph by its HarfBuzz
    offsets (``PDFTextObject._formatText``).
    """
    width = stringWidth(text, font_name, size)
    word = [width, (ABag(fontName=font_name, fontSize=size), text)]
    shaped = shapeFragWord(word, features=dict(features))
    if shaped is word:
        return None
    glyphs = shaped[1][1]
    data = getattr(glyphs, "__shapeData__", None) or ()
    return Shaped(glyphs, shaped[0], tuple(d.cluster for d in data))


# --- bidi -----------------------------------------------------------------------


def bidi_levels(line: str, base_level: int) -> list[int]:
    """Resolved embedding level of each character of ``line`` (UAX #9 up to rule I2).

    Hook: python-bidi's Python implementation, ``bidi.algorithm`` (kept since
    0.5 beside the Rust one, which only gives a reordered string): the storage
    dict from ``get_empty_storage()`` with ``base_level``, ``base_dir`` and
    ``chars`` (dicts with ``level``), and the steps ``get_embedding_levels``,
    ``explicit_embed_and_overrides``, ``resolve_weak_types``,
    ``resolve_neutral_types(storage, debug)``, ``resolve_implicit_levels(storage, debug)``.
    Rule X9 removes characters (joiners, embeddings) from ``chars``: they take
    the level of the character before them.
    """
    storage = bidi_algorithm.get_empty_storage()
    storage["base_level"] = base_level
    storage["base_dir"] = "LR"[base_level]
    bidi_algorithm.get_embedding_levels(line, storage)
    for index, char in enumerate(storage["chars"]):
        char["index"] = index
    bidi_algorithm.explicit_embed_and_overrides(storage)
    bidi_algorithm.resolve_weak_types(storage)
    bidi_algorithm.resolve_neutral_types(storage, False)
    bidi_algorithm.resolve_implicit_levels(storage, False)
    levels: list[int | None] = [None] * len(line)
    for char in storage["chars"]:
        levels[char["index"]] = char["level"]
    resolved, last = [], base_level
    for level in levels:
        last = last if level is None else level
        resolved.append(last)
    return resolved


# Hook: ``bidi.mirror.MIRRORED``, the Unicode BidiMirroring pairs ("(" -> ")"),
# for rule L4 on right-to-left text drawn glyph by glyph. The standard library
# knows only *whether* a character mirrors (``unicodedata.mirrored``).
MIRRORED: Mapping[str, str] = _BIDI_MIRRORED


# --- fonts ----------------------------------------------------------------------


class EmbeddedFont(TTFont):
    """A TrueType font whose text extracts back out of the PDF.

    ReportLab writes each subset's ToUnicode map itself; this one also maps the
    glyphs HarfBuzz substitutes without a code point of their own (Bengali
    conjuncts, say) to the characters they stand for, recorded in
    ``private_text`` as the text is shaped, and encodes characters beyond the
    Basic Multilingual Plane as UTF-16 surrogate pairs, as the PDF format
    requires (ReportLab 5.1 writes ``<1D400>``).

    Hooks: the overridden ``TTFont.splitString`` and ``TTFont.addObjects``;
    ``TTFont.state[doc]`` with ``assignments`` (code point -> code in the
    document) and ``subsets`` (lists of code points, 256 to a subset, read
    before ``addObjects`` deletes the state); ``SUBSETN``, ``face.name`` and
    ``face.subfontNameX``, which make a subset's base font name; and the
    ToUnicode stream registered as ``doc.idToObject["toUnicodeCMap:" + name]``.
    ``coverage`` is given by ``fonts.py`` from a public API.
    """

    def __init__(self, name: str, filename: str, coverage: frozenset[int]) -> None:
        super().__init__(name, filename)
        self.private_text: dict[int, str] = {}
        self.coverage = coverage

    def splitString(self, text, doc, encoding="utf-8"):  # noqa: N802 (ReportLab's name)
        """ReportLab's, with a fast path for text whose characters already have
        codes in this document (after the first page, nearly all of it)."""
        state = self.state.get(doc)
        if state is not None and isinstance(text, str):
            try:
                codes = list(map(state.assignments.__getitem__, map(ord, text)))
            except KeyError:
                pass  # a character new to this document: ReportLab assigns it a code
            else:
                if not codes or max(codes) < 256:
                    return [(0, bytes(codes))] if codes else []
                return [
                    (subset, bytes(code & 0xFF for code in group))
                    for subset, group in groupby(codes, key=lambda code: code >> 8)
                ]
        return super().splitString(text, doc, encoding)

    def addObjects(self, doc) -> None:  # noqa: N802 (ReportLab's name)
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state else []
        super().addObjects(doc)
        for number, subset in enumerate(subsets):
            base_name = b"".join(
                (SUBSETN(number), b"+", self.face.name, self.face.subfontNameX)
            ).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base_name)
            if stream is not None:
                stream.content = to_unicode_cmap(base_name, subset, self.private_text)


def to_unicode_cmap(name: str, codes: list[int], private_text: dict[int, str]) -> str:
    """A ToUnicode CMap for one 256-glyph subset (PDF 1.7 section 9.10.3)."""
    entries = []
    for index, code in enumerate(codes):
        if not code:
            continue  # an unused slot (.notdef)
        text = private_text.get(code, "") if code in PRIVATE_USE else chr(code)
        if text:
            entries.append(f"<{index:02X}> <{text.encode('utf-16-be').hex().upper()}>")
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
        f"/CMapName /{name} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{max(len(codes) - 1, 0):02X}>",
        "endcodespacerange",
    ]
    # At most 100 entries per bfchar block.
    for start in range(0, len(entries), 100):
        block = entries[start : start + 100]
        lines += [f"{len(block)} beginbfchar", *block, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


# --- marked content ---------------------------------------------------------------


def begin_actual_text(text: PDFTextObject, actual: str) -> None:
    """Open a ``/Span`` whose ``/ActualText`` is ``actual`` in the text object
    ``text``: what a reader extracts, searches and copies for the glyphs drawn
    until ``end_marked_content`` (PDF 1.7 section 14.9.4).

    Hook: ``PDFTextObject._code``, the list of operators that ``getCode()``
    joins; ReportLab has no public way to put marked content in a text object
    (``Canvas.addLiteral`` writes outside it).
    """
    text._code.append(_span_operator(actual))


def end_marked_content(text: PDFTextObject) -> None:
    """Close the span opened by ``begin_actual_text`` (hook: ``PDFTextObject._code``)."""
    text._code.append("EMC")


@lru_cache(maxsize=4096)  # page headers repeat on every page
def _span_operator(actual: str) -> str:
    # A text string as UTF-16BE with its byte order mark, written in hex.
    return f"/Span <</ActualText <FEFF{actual.encode('utf-16-be').hex().upper()}>>> BDC"


# --- pages ------------------------------------------------------------------------


class PageHoldingCanvas(Canvas):
    """A canvas that holds every page back until ``save()``, then calls
    ``on_held_page(number, total)`` on each before writing it, so that a page
    can say "Page X of Y".

    Hook: the canvas's whole state is its ``__dict__`` (the page's operators in
    ``_code`` among it), copied at ``showPage()`` and restored at ``save()``;
    ``Canvas._startPage()`` begins a fresh page, as ``Canvas.showPage()`` does
    after writing one. (A public two-pass build would lay every document out twice.)
    """

    on_held_page: Callable[[int, int], None]

    def showPage(self):  # noqa: N802 (ReportLab's name)
        held = self.__dict__.setdefault("_grabpack_held_pages", [])
        held.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        held = self.__dict__.get("_grabpack_held_pages", [])
        total = len(held)
        for number, state in enumerate(held, start=1):
            self.__dict__.update(state)
            self.on_held_page(number, total)
            super().showPage()
        super().save()


# --- images -----------------------------------------------------------------------


class JpegReader(ImageReader):
    """A JPEG that goes into the PDF as it is, never decoded.

    ReportLab names an ``ImageReader``'s image by hashing its decoded pixels
    (``Canvas.drawImage`` calls ``getRGBData()``), which takes longer than
    laying out a page; the JPEG's own bytes name it as well, and
    ``PDFImageXObject`` copies a JPEG's bytes (``jpeg_fh``) without decoding.
    Anything but an 8-bit greyscale or RGB JPEG is refused with ``ValueError``.

    Hook: ``ImageReader._image`` (the PIL image, opened lazily by Pillow),
    ``_data`` (what ``getRGBData()`` returns once set) and ``_dataA`` (the
    alpha mask ``drawImage`` reads).
    """

    def __init__(self, jpeg: bytes) -> None:
        super().__init__(BytesIO(jpeg))
        image = self._image
        if image.format != "JPEG" or image.mode not in ("L", "RGB"):
            raise ValueError("not an 8-bit greyscale or RGB JPEG")
        self._data = jpeg  # what getRGBData() returns: the canvas only hashes it
        self._dataA = None
