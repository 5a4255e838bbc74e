"""One contract per private ReportLab or python-bidi hook in ``grabpack.pdf.typesetting``.

Each test exercises one hook the way grabpack uses it and, when the library no
longer behaves so, fails with the hook's name and what to check (the hook's
docstring says where to look). Run these first after changing the pins in
``setup.cfg``; see the upgrade notes at the top of ``typesetting.py``.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from grabpack.pdf import fonts, typesetting
from grabpack.pdf.text import SHAPING_FEATURES
from tests.pdf import samples
from tests.pdf.conftest import extract, logical_lines

SETUP_CFG = Path(__file__).resolve().parents[2] / "setup.cfg"


@contextmanager
def hook(name: str, check: str) -> Iterator[None]:
    """Turn any failure inside into one that names the hook and what to check."""
    try:
        yield
    except Exception as error:  # an assertion, or an attribute or signature gone
        pytest.fail(
            f"typesetting hook {name} no longer holds: {type(error).__name__}: {error}\n"
            f"Check: {check}\n"
            "See the upgrade notes in grabpack/pdf/typesetting.py.",
        )


@pytest.fixture(scope="module", autouse=True)
def registered():
    fonts.register_fonts()


def canvas_pdf(draw) -> bytes:
    buffer = BytesIO()
    canvas = Canvas(buffer, initialFontName=fonts.LATIN.name)
    draw(canvas)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- the pins --------------------------------------------------------------------------


@pytest.mark.parametrize("package", ["reportlab", "python-bidi"])
def test_the_installed_version_is_the_pinned_one(package):
    """The contracts below were written against the pinned versions."""
    config = configparser.ConfigParser()
    config.read(SETUP_CFG, encoding="utf-8")
    requirements = config["options"]["install_requires"].split("\n")
    pins = [line.strip() for line in requirements if line.strip().startswith(f"{package}==")]
    assert len(pins) == 1, f"setup.cfg must pin {package} to one exact version (==)"
    pinned = pins[0].split("==")[1]
    installed = metadata.version(package)
    assert installed == pinned, (
        f"{package} {installed} is installed but setup.cfg pins {pinned}: after an upgrade, "
        "run tests/pdf/test_typesetting_contract.py and follow grabpack/pdf/typesetting.py"
    )


# --- shaping ---------------------------------------------------------------------------


def test_shape_gives_glyphs_widths_and_clusters():
    with hook(
        "shape (reportlab.pdfbase.ttfonts.shapeFragWord, ShapedStr.__shapeData__)",
        "shapeFragWord's frag-word list [width, (ABag(fontName, fontSize), text)], its "
        "features argument, and that each ShapeData still has a cluster",
    ):
        conjunct = typesetting.shape("ক্ষমা", "GP-bengali", 10, SHAPING_FEATURES)
        assert conjunct is not None
        assert len(conjunct.glyphs) == len(conjunct.clusters) == 3
        assert conjunct.clusters == (0, 3, 4)  # ক্ষ is one glyph for three characters
        assert ord(conjunct.glyphs[0]) in typesetting.PRIVATE_USE
        assert conjunct.glyphs[1:] == "মা"
        assert 10 < conjunct.width < 40
        # Nothing to shape: None, and the text is drawn as it is.
        assert typesetting.shape("ক", "GP-bengali", 10, SHAPING_FEATURES) is None
        # The features are HarfBuzz's: "fi" is a ligature only with liga on.
        assert typesetting.shape("fi", "GP-latin", 10, {"liga": True}).glyphs == "\ufb01"
        assert typesetting.shape("fi", "GP-latin", 10, {"liga": False}) is None


def test_a_shaped_run_is_drawn_with_its_glyph_offsets():
    with hook(
        "shape (drawing a ShapedStr with PDFTextObject.textLine)",
        "PDFTextObject._formatText still positions a ShapedStr's glyphs by their "
        "HarfBuzz offsets (a TJ array with adjustments, Ts for vertical offsets)",
    ):
        shaped = typesetting.shape("مُحَمَّد", "GP-arabic", 12, SHAPING_FEATURES)
        assert shaped is not None
        canvas = Canvas(BytesIO())
        text = canvas.beginText()
        text.setFont("GP-arabic", 12)
        text.textLine(shaped.glyphs)
        code = text.getCode()
        assert "TJ" in code, code
        assert " Ts" in code, code  # the vowel marks sit above and below their letters


# --- bidi ------------------------------------------------------------------------------


def test_bidi_levels_follow_the_unicode_algorithm():
    with hook(
        "bidi_levels (bidi.algorithm: get_empty_storage, get_embedding_levels, "
        "explicit_embed_and_overrides, resolve_weak_types, resolve_neutral_types, "
        "resolve_implicit_levels)",
        "that python-bidi still ships its Python implementation as bidi.algorithm with "
        "these steps, the storage dict keys base_level, base_dir and chars, and each "
        "char's level",
    ):
        assert typesetting.bidi_levels("Ali علي Khan", 0) == [0] * 4 + [1] * 3 + [0] * 5
        # Digits in right-to-left text: level 2 (rule I1).
        assert typesetting.bidi_levels("محمد 123", 1) == [1] * 5 + [2] * 3
        # A joiner, removed by rule X9, takes the level before it.
        assert typesetting.bidi_levels("سارا\u200cجان", 1) == [1] * 8
        assert typesetting.bidi_levels("a\u200db", 0) == [0, 0, 0]


def test_mirrored_pairs_come_from_python_bidi():
    with hook("MIRRORED (bidi.mirror.MIRRORED)", "that bidi.mirror still maps each character"):
        assert typesetting.MIRRORED["("] == ")"
        assert typesetting.MIRRORED["]"] == "["
        assert typesetting.MIRRORED["«"] == "»"
        assert "a" not in typesetting.MIRRORED


# --- fonts -----------------------------------------------------------------------------


def test_the_public_coverage_is_what_reportlab_draws():
    """``fonts.coverage`` (uharfbuzz, public) replaced ReportLab's ``face.charToGlyph``:
    they must agree, or a character would go to a font that draws it as .notdef."""
    with hook(
        "EmbeddedFont coverage (fonts.coverage against TTFont.face.charToGlyph)",
        "that ReportLab still reads the same cmap subtable as HarfBuzz",
    ):
        for family in fonts.register_fonts():
            for name in {family.name, family.font_name(bold=True)}:
                font = fonts.embedded_font(name)
                drawn = {code for code, glyph in font.face.charToGlyph.items() if glyph}
                drawn -= set(typesetting.PRIVATE_USE)  # codes ReportLab gave shaped glyphs
                assert font.coverage == drawn, name


def test_split_string_fast_path_matches_reportlab():
    with hook(
        "EmbeddedFont.splitString (TTFont.state[doc].assignments)",
        "TTFont.splitString's return value [(subset, bytes)] and TTFont.State.assignments",
    ):
        font = fonts.embedded_font("GP-latin")
        canvas = Canvas(BytesIO())
        doc = canvas._doc
        covered = (chr(code) for code in range(0x100, 0x500) if code in font.coverage)
        text = "Łukasz Wójcik " + "".join(covered)
        first = font.splitString(text, doc)  # ReportLab assigns the codes
        assert doc in font.state and font.state[doc].assignments
        again = font.splitString(text, doc)  # the fast path
        assert again == first == super(typesetting.EmbeddedFont, font).splitString(text, doc)
        assert len({subset for subset, _ in first}) > 1  # more than one 256-code subset


def test_to_unicode_maps_name_shaped_glyphs_and_astral_characters():
    """Read back by pypdf, which ignores ActualText and uses only the ToUnicode maps."""
    with hook(
        "EmbeddedFont.addObjects (TTFont.state[doc].subsets, SUBSETN, face.name, "
        "face.subfontNameX, doc.idToObject['toUnicodeCMap:' + name])",
        "how TTFont.addObjects names each subset's ToUnicode stream and that the state "
        "still holds the subsets before addObjects deletes it",
    ):
        from grabpack.pdf.text import TextStyle, draw_lines, layout

        style = TextStyle(size=12)

        def draw(canvas):
            for number, value in enumerate(["Maths 𝐀𝐁𝐂", "ক্ষমা শ্রী"]):
                draw_lines(canvas, layout(value, style, 400), 50, 700 - 30 * number, 400, style)

        pdf = canvas_pdf(draw)
        maps = b"".join(
            obj.get_object()["/ToUnicode"].get_object().get_data()
            for page in PdfReader(BytesIO(pdf)).pages
            for obj in page["/Resources"]["/Font"].values()
        )
        assert b"<D835DC00>" in maps  # 𝐀 as a surrogate pair
        text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
        assert "𝐀𝐁𝐂" in text
        assert "ক্ষ" in text  # the conjunct glyph stands for its three characters
        assert not re.search("[\ue000-\uf8ff]", text)


# --- marked content --------------------------------------------------------------------


def test_actual_text_goes_into_the_text_object():
    with hook(
        "begin_actual_text / end_marked_content (PDFTextObject._code)",
        "that PDFTextObject still collects its operators in the list _code, joined by getCode()",
    ):

        def draw(canvas):
            text = canvas.beginText(50, 700)
            text.setFont(fonts.LATIN.name, 12)
            typesetting.begin_actual_text(text, "Łucja")
            text.textLine("glyphs")
            typesetting.end_marked_content(text)
            code = text.getCode()
            assert re.search(r"/Span <</ActualText <FEFF014100750063006A0061>>> BDC.*Tj.*EMC", code)
            canvas.drawText(text)

        assert logical_lines(extract(canvas_pdf(draw)).pages[0]) == ["Łucja"]


# --- pages -----------------------------------------------------------------------------


def test_held_pages_are_written_in_order_with_their_totals():
    with hook(
        "PageHoldingCanvas (Canvas.__dict__ per page, Canvas._startPage)",
        "that a Canvas's page state is still all in its __dict__ and that _startPage() "
        "begins a fresh page as showPage() does after writing one",
    ):

        class Numbered(typesetting.PageHoldingCanvas):
            def on_held_page(self, number, total):
                self.setFont(fonts.LATIN.name, 10)
                self.drawString(50, 50, f"Page {number} of {total}")

        buffer = BytesIO()
        canvas = Numbered(buffer, initialFontName=fonts.LATIN.name)
        for number in range(1, 4):
            canvas.setFont(fonts.LATIN.name, 14)
            canvas.drawString(50, 700, f"Content {number}")
            canvas.showPage()
        canvas.save()
        pages = [logical_lines(page) for page in extract(buffer.getvalue()).pages]
        assert pages == [[f"Content {n}", f"Page {n} of 3"] for n in range(1, 4)]


# --- images ----------------------------------------------------------------------------


def test_a_jpeg_goes_in_undecoded(monkeypatch):
    with hook(
        "JpegReader (ImageReader._image, _data, _dataA; drawImage naming images by getRGBData)",
        "that Canvas.drawImage still names an ImageReader by getRGBData() and _dataA, and "
        "that PDFImageXObject copies a JPEG's bytes (ImageReader.jpeg_fh) as they are",
    ):
        from PIL import Image

        jpeg = samples.photo_jpeg()
        reader = typesetting.JpegReader(jpeg)
        assert reader.getSize() == (600, 750)

        def never_decode(*args, **kwargs):
            raise AssertionError("the JPEG was decoded")

        monkeypatch.setattr(Image.Image, "tobytes", never_decode)
        monkeypatch.setattr(Image.Image, "load", never_decode)
        assert reader.getRGBData() is jpeg
        pdf = canvas_pdf(lambda canvas: canvas.drawImage(reader, 50, 50, 120, 150))
        monkeypatch.undo()
        page = PdfReader(BytesIO(pdf)).pages[0]
        (image,) = page["/Resources"]["/XObject"].values()
        assert image.get_object()["/Filter"][-1] == "/DCTDecode"
        assert image.get_object().get_data() == jpeg


def test_a_jpeg_reader_refuses_anything_else():
    png = BytesIO()
    from PIL import Image

    Image.new("RGB", (4, 4)).save(png, format="PNG")
    with pytest.raises(ValueError, match="JPEG"):
        typesetting.JpegReader(png.getvalue())


# --- nothing private outside typesetting.py ---------------------------------------------

GRABPACK = Path(__file__).resolve().parents[2] / "grabpack"
# Modules whose every name is internal, and the one public name we import from ttfonts.
PRIVATE_MODULES = ("bidi.algorithm", "bidi.mirror", "reportlab.lib.abag")
PUBLIC_FROM_TTFONTS = {"TTFont", "TTFError"}
# Library classes whose internals a subclass reaches into.
HOOKED_CLASSES = {"TTFont", "ImageReader", "Canvas", "PDFTextObject"}
PRIVATE_NAMES = {
    "__shapeData__",
    "_code",
    "_data",
    "_dataA",
    "_formatText",
    "_image",
    "_startPage",
    "charToGlyph",
    "glyphToChar",
    "hbFace",
    "hbFont",
    "idToObject",
    "shapeFragWord",
    "subfontNameX",
}


def private_uses() -> set[tuple[str, str]]:
    import ast

    found = set()
    for path in GRABPACK.rglob("*.py"):
        where = path.relative_to(GRABPACK).as_posix()
        if where == "pdf/typesetting.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {alias.name for alias in node.names}
                if node.module.startswith(PRIVATE_MODULES) or (
                    node.module == "reportlab.pdfbase.ttfonts" and names - PUBLIC_FROM_TTFONTS
                ):
                    found.add((where, f"from {node.module} import {', '.join(sorted(names))}"))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith(PRIVATE_MODULES):
                        found.add((where, f"import {alias.name}"))
            elif isinstance(node, ast.ClassDef):
                bases = {getattr(base, "id", getattr(base, "attr", "")) for base in node.bases}
                for base in sorted(bases & HOOKED_CLASSES):
                    found.add((where, f"class {node.name}({base})"))
            elif isinstance(node, ast.Attribute) and node.attr in PRIVATE_NAMES:
                found.add((where, f".{node.attr}"))
    return found


def test_private_apis_are_used_only_in_typesetting():
    assert private_uses() == set(), (
        "a private ReportLab or python-bidi API used outside grabpack/pdf/typesetting.py: "
        "move it there as a hook, with a contract test in this module"
    )
