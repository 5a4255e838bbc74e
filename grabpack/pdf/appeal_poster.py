"""The public appeal poster: one A4 portrait page, made for the public.

Drawn from a ``domain.appeal_poster.Poster`` and nothing else, so only what the
allow-list lets through can be printed. Through the shared document base (fonts,
any script, user text never parsed as markup), but with the base's furniture
replaced: no OFFICIAL-SENSITIVE marking (it is for the public), no "Generated for",
just a small footer with the police reference and the date the poster was made.
The page is set as large as it fits: the type shrinks step by step until the
whole poster is on one page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from grabpack.domain.appeal_poster import Poster
from grabpack.pdf.document import (
    GREY,
    STYLES,
    DocumentRenderer,
    FieldRow,
    Notice,
    spacer,
)
from grabpack.pdf.grab_pack import scaled_photo, story_height
from grabpack.pdf.text import TextBlock, TextStyle, cut_text, draw_text
from grabpack.pdf.typesetting import JpegReader

DOCUMENT_TITLE = "Missing person appeal"
# Each scale is tried in turn until the poster fits on one page.
SCALES = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.42)
# At the smallest scale, long texts are cut to this many characters.
SHORTEST_TEXT = 240


def render_appeal_poster(poster: Poster) -> bytes:
    """The poster as a one-page A4 PDF."""
    return AppealPosterRenderer(poster).render()


@dataclass(frozen=True)
class _Sizes:
    headline: float
    name: float
    body: float
    label: float
    call: float
    photo_height: float


def _sizes(scale: float) -> _Sizes:
    return _Sizes(
        headline=60 * scale,
        name=34 * scale,
        body=17 * scale,
        label=12 * scale,
        call=22 * scale,
        photo_height=120 * mm * scale,
    )


class AppealPosterRenderer(DocumentRenderer):
    document_title = DOCUMENT_TITLE
    margin = 14 * mm
    header_height = 0
    footer_height = 9 * mm

    def __init__(self, poster: Poster) -> None:
        made = datetime.combine(poster.made_on, time(12), tzinfo=UTC)
        super().__init__(generated_for="", generated_at=made)
        self.poster = poster

    # --- the page: no marking, a small footer -------------------------------------

    def metadata(self) -> tuple[str, str]:
        """For the public: no marking, and no name in the file's metadata."""
        return DOCUMENT_TITLE, DOCUMENT_TITLE

    def _draw_page_furniture(self, canvas: Canvas, first_page: bool) -> None:
        width, _height = self.pagesize
        inner = width - 2 * self.margin
        canvas.saveState()
        draw_text(
            canvas,
            self.poster.footer,
            self.margin,
            self.margin + 2,
            TextStyle(size=8, colour=GREY, align="left"),
            inner,
        )
        canvas.restoreState()

    def _draw_page_number(self, canvas: Canvas, number: int, total: int) -> None:
        """One page: no page numbers."""

    # --- the story ------------------------------------------------------------------

    def _get_story(self) -> list[Flowable]:
        width, height = self.frame_size
        story: list[Flowable] = []
        for index, scale in enumerate(SCALES):
            story = self._story(_sizes(scale), shorten=index == len(SCALES) - 1)
            if story_height(story, width, height) <= height:
                break
        return story

    def _story(self, sizes: _Sizes, shorten: bool) -> list[Flowable]:
        poster = self.poster

        def cut(value: str) -> str:
            return cut_text(value, SHORTEST_TEXT) if shorten else value

        centre = dict(bold=True, align="centre")
        story: list[Flowable] = [
            TextBlock(poster.headline, TextStyle(size=sizes.headline, **centre), direction="ltr")
        ]
        if poster.name:
            story.append(TextBlock(poster.name, TextStyle(size=sizes.name, **centre)))
        story.append(spacer(2 * mm))
        photo = _photo(poster.photo, self.frame_size[0] * 0.75, sizes.photo_height)
        if photo is not None:
            story += [photo, spacer(3 * mm)]
        if poster.age_line:
            age = TextStyle(size=sizes.body * 1.2, **centre)
            story.append(TextBlock(poster.age_line, age, direction="ltr"))
        body = TextStyle(size=sizes.body)
        label = TextStyle(size=sizes.label, colour=GREY, align="left")
        label_width = 48 * mm * max(sizes.body / 17, 0.6)
        for line in poster.description:
            story.append(FieldRow(line.label, TextBlock(cut(line.value), body), label_width, label))
        if poster.last_seen_line:
            value = ", ".join(p for p in (poster.last_seen_at, poster.last_seen_place) if p)
            story.append(FieldRow("Last seen", TextBlock(cut(value), body), label_width, label))
        if poster.clothing:
            story.append(
                FieldRow("Wearing", TextBlock(cut(poster.clothing), body), label_width, label)
            )
        if poster.area_line:
            area = TextStyle(size=sizes.body, align="centre", space_before=3)
            story.append(TextBlock(poster.area_line, area, direction="ltr"))
        call = TextStyle(size=sizes.call, **centre)
        story.append(spacer(2 * mm))
        story.append(Notice([TextBlock(poster.call_line, call, direction="ltr")], border=2.4))
        return story


class _CentredPhoto(Flowable):
    """The photo, scaled to fit, in the middle of the frame."""

    def __init__(self, reader: JpegReader, width: float, height: float) -> None:
        super().__init__()
        self.reader, self.photo_width, self.height = reader, width, height

    def wrap(self, availWidth, availHeight):  # noqa: N803 (ReportLab's names)
        self.width = availWidth
        return availWidth, self.height

    def draw(self):
        left = (self.width - self.photo_width) / 2
        self.canv.drawImage(self.reader, left, 0, self.photo_width, self.height)


def _photo(jpeg: bytes | None, max_width: float, max_height: float) -> Flowable | None:
    return scaled_photo(jpeg, max_width, max_height, _CentredPhoto)


__all__ = ["AppealPosterRenderer", "render_appeal_poster", "STYLES"]
