"""Fonts for grabpack PDFs: found by path, registered once per process.

Latin, Greek and Cyrillic print in Noto Sans, every other script in its own
Noto font, Chinese, Japanese and Korean in WenQuanYi Micro Hei. ReportLab's
``TTFont`` embeds TrueType (``glyf``) outlines only, so the CFF-based Noto Sans
CJK cannot be used; Micro Hei is TrueType. Built-in Helvetica cannot print even
the Ł of Łukasz, so it is never used.

A character is printed in the first family that has a glyph for it (see
``FAMILIES``). Families marked ``shaped`` are shaped with HarfBuzz (joined
Arabic, Indic conjuncts and vowel signs); the others are drawn glyph by glyph.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import groupby

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

NOTO = "/usr/share/fonts/truetype/noto"
WQY = "/usr/share/fonts/truetype/wqy"

# Glyphs that HarfBuzz produces but that have no code point of their own
# (ligatures, conjuncts, contextual forms) are given one in this range by ReportLab.
PRIVATE_USE = range(0xE000, 0xF900)


class FontsMissing(RuntimeError):
    """A font file the PDFs need is not installed; the message names the Debian package."""


@dataclass(frozen=True)
class FontFamily:
    key: str
    regular: str
    bold: str | None
    package: str
    shaped: bool = False
    required: bool = False

    @property
    def name(self) -> str:
        return f"GP-{self.key}"

    def font_name(self, bold: bool = False) -> str:
        return f"{self.name}-Bold" if bold and self.bold else self.name


def _noto(key: str, stem: str, *, shaped: bool = True, bold: bool = True, **kw) -> FontFamily:
    return FontFamily(
        key,
        f"{NOTO}/{stem}-Regular.ttf",
        f"{NOTO}/{stem}-Bold.ttf" if bold else None,
        "fonts-noto-core",
        shaped=shaped,
        **kw,
    )


# Order matters: the first family with a glyph for a character prints it.
FAMILIES: tuple[FontFamily, ...] = (
    _noto("latin", "NotoSans", shaped=False, required=True),
    _noto("arabic", "NotoSansArabic", required=True),
    _noto("bengali", "NotoSansBengali", required=True),
    _noto("hebrew", "NotoSansHebrew"),
    _noto("devanagari", "NotoSansDevanagari"),
    _noto("gurmukhi", "NotoSansGurmukhi"),
    _noto("gujarati", "NotoSansGujarati"),
    _noto("oriya", "NotoSansOriya"),
    _noto("tamil", "NotoSansTamil"),
    _noto("telugu", "NotoSansTelugu"),
    _noto("kannada", "NotoSansKannada"),
    _noto("malayalam", "NotoSansMalayalam"),
    _noto("sinhala", "NotoSansSinhala"),
    _noto("thaana", "NotoSansThaana"),
    _noto("syriac", "NotoSansSyriac", bold=False),
    _noto("thai", "NotoSansThai"),
    _noto("lao", "NotoSansLao"),
    _noto("khmer", "NotoSansKhmer"),
    _noto("myanmar", "NotoSansMyanmar"),
    _noto("ethiopic", "NotoSansEthiopic"),
    _noto("armenian", "NotoSansArmenian", shaped=False),
    _noto("georgian", "NotoSansGeorgian", shaped=False),
    FontFamily(
        "cjk", f"{WQY}/wqy-microhei.ttc", None, "fonts-wqy-microhei", shaped=False, required=True
    ),
    _noto("symbols", "NotoSansSymbols", shaped=False),
    _noto("symbols2", "NotoSansSymbols2", shaped=False, bold=False),
    _noto("math", "NotoSansMath", shaped=False, bold=False),
)
LATIN = FAMILIES[0]
FAMILY_BY_FONT_NAME: dict[str, FontFamily] = {}


class EmbeddedFont(TTFont):
    """A TrueType font whose text extracts back out of the PDF.

    ReportLab writes each subset's ToUnicode map itself; this one also maps the
    glyphs HarfBuzz substitutes without a code point of their own (Bengali
    conjuncts, say) to the characters they stand for, recorded in
    ``private_text`` as the text is shaped, and encodes characters beyond the
    Basic Multilingual Plane as UTF-16 surrogate pairs, as the PDF format requires.
    """

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self.private_text: dict[int, str] = {}
        self.coverage = frozenset(code for code, glyph in self.face.charToGlyph.items() if glyph)

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


_lock = threading.Lock()
_registered: tuple[FontFamily, ...] = ()


def check_fonts(families: Iterable[FontFamily] = FAMILIES) -> None:
    """Raise ``FontsMissing``, naming the Debian packages, if a required font is missing."""
    missing = [
        family
        for family in families
        if family.required
        and not all(os.path.exists(path) for path in (family.regular, family.bold) if path)
    ]
    if missing:
        files = ", ".join(family.regular for family in missing)
        packages = " ".join(sorted({family.package for family in missing}))
        raise FontsMissing(
            f"PDF fonts not found ({files}): install them with `apt-get install {packages}`"
        )


def register_fonts() -> tuple[FontFamily, ...]:
    """Register every installed family with ReportLab, once per process.

    Raises ``FontsMissing`` naming the Debian packages to install when a
    required font is missing; a script whose optional font is absent prints
    as ``[U+XXXX]`` code points.
    """
    global _registered
    if _registered:
        return _registered
    with _lock:
        if _registered:
            return _registered
        check_fonts()
        families = []
        for family in FAMILIES:
            if not os.path.exists(family.regular):
                continue
            pdfmetrics.registerFont(EmbeddedFont(family.name, family.regular))
            if family.bold and os.path.exists(family.bold):
                pdfmetrics.registerFont(EmbeddedFont(family.font_name(bold=True), family.bold))
            else:
                family = replace(family, bold=None)
            FAMILY_BY_FONT_NAME[family.name] = family
            FAMILY_BY_FONT_NAME[family.font_name(bold=True)] = family
            families.append(family)
        _registered = tuple(families)
    return _registered


def embedded_font(name: str) -> EmbeddedFont:
    return pdfmetrics.getFont(name)
