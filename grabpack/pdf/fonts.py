"""Fonts for grabpack PDFs: found by path, registered once per process.

Latin, Greek and Cyrillic print in Noto Sans, every other script in its own
Noto font, Chinese, Japanese and Korean in WenQuanYi Micro Hei. ReportLab's
``TTFont`` embeds TrueType (``glyf``) outlines only, so the CFF-based Noto Sans
CJK cannot be used; Micro Hei is TrueType. Built-in Helvetica cannot print even
the Ł of Łukasz, so it is never used.

A character is printed in the first family that has a glyph for it (see
``FAMILIES``). Families marked ``shaped`` are shaped with HarfBuzz (joined
Arabic, Indic conjuncts and vowel signs); the others are drawn glyph by glyph.
Each is registered as a ``typesetting.EmbeddedFont``, the ReportLab font class
whose private hooks make its text extract.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace

import uharfbuzz
from reportlab.pdfbase import pdfmetrics

from grabpack.pdf.typesetting import EmbeddedFont

NOTO = "/usr/share/fonts/truetype/noto"
WQY = "/usr/share/fonts/truetype/wqy"


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


def coverage(path: str) -> frozenset[int]:
    """The code points the font file at ``path`` (its first face) has glyphs for,
    read with uharfbuzz's public ``Face.unicodes`` (the same set as the font's
    cmap as ReportLab reads it; a contract test checks that they agree)."""
    return frozenset(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(path)).unicodes)


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
            pdfmetrics.registerFont(
                EmbeddedFont(family.name, family.regular, coverage(family.regular))
            )
            if family.bold and os.path.exists(family.bold):
                bold = EmbeddedFont(family.font_name(bold=True), family.bold, coverage(family.bold))
                pdfmetrics.registerFont(bold)
            else:
                family = replace(family, bold=None)
            FAMILY_BY_FONT_NAME[family.name] = family
            FAMILY_BY_FONT_NAME[family.font_name(bold=True)] = family
            families.append(family)
        _registered = tuple(families)
    return _registered


def embedded_font(name: str) -> EmbeddedFont:
    return pdfmetrics.getFont(name)
