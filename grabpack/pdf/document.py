"""The shape every grabpack PDF shares, after pretix's invoice renderer.

A document is a ``DocumentRenderer`` subclass: it gives ``_get_story()`` and a
few small hooks (header title and note, footer note); the base class gives the
fonts, the one stylesheet (``STYLES``), first-page and later-page templates, the
government security marking at the top and bottom of every page, "Generated for
<user> at <time>" in London time and "Page X of Y" from a numbered canvas.

ReportLab shares TrueType file state between documents, so builds run one at a
time per process (``BUILD_LOCK``); gunicorn sync workers give one build per
process anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageTemplate,
    Spacer,
)

from grabpack.domain.clock import long_date, to_london
from grabpack.pdf.fonts import LATIN, register_fonts
from grabpack.pdf.text import TextBlock, TextStyle, draw_lines, draw_text
from grabpack.pdf.typesetting import PageHoldingCanvas

MARKING = "OFFICIAL-SENSITIVE"
BUILD_LOCK = threading.Lock()

INK = colors.black
GREY = colors.Color(0.33, 0.33, 0.33)
RULE = colors.Color(0.6, 0.6, 0.6)
SHADE = colors.Color(0.9, 0.9, 0.9)


@dataclass(frozen=True)
class Styles:
    """The one stylesheet: every text style a grabpack document uses."""

    marking: TextStyle = TextStyle(size=10, bold=True, align="centre")
    header: TextStyle = TextStyle(size=9, bold=True, align="left")
    header_note: TextStyle = TextStyle(size=8.5, align="right")
    footer: TextStyle = TextStyle(size=7.5, colour=GREY, align="left")
    page_number: TextStyle = TextStyle(size=8.5, bold=True, align="right")
    title: TextStyle = TextStyle(size=13, bold=True, space_after=1)
    name: TextStyle = TextStyle(size=16, bold=True, leading=20, space_after=1)
    heading: TextStyle = TextStyle(size=11, bold=True, space_before=7, space_after=1)
    subheading: TextStyle = TextStyle(size=9.5, bold=True, space_before=4.5, space_after=0)
    label: TextStyle = TextStyle(size=8, colour=GREY, align="left")
    value: TextStyle = TextStyle(size=9)
    strong: TextStyle = TextStyle(size=9, bold=True)
    muted: TextStyle = TextStyle(size=8.5, colour=GREY, align="left")
    warning: TextStyle = TextStyle(size=10, bold=True, align="left")
    small: TextStyle = TextStyle(size=7.5, colour=GREY)


STYLES = Styles()
NOT_RECORDED = "Not recorded"


# --- times ---------------------------------------------------------------------


def london_time(moment: datetime | None) -> str:
    """``14 July 2025, 15:04 BST`` (GMT in winter)."""
    if moment is None:
        return ""
    local = to_london(moment)
    return f"{local.day} {local:%B %Y, %H:%M %Z}"


# --- flowables -------------------------------------------------------------------


class Rule(Flowable):
    """A horizontal line across the frame."""

    def __init__(self, thickness: float = 0.6, colour=RULE, space: float = 2) -> None:
        super().__init__()
        self.thickness, self.colour, self.space = thickness, colour, space

    def wrap(self, availWidth, availHeight):  # noqa: N803 (ReportLab's names)
        self.width = availWidth
        return availWidth, self.thickness + 2 * self.space

    def draw(self):
        self.canv.setStrokeColor(self.colour)
        self.canv.setLineWidth(self.thickness)
        y = self.space + self.thickness / 2
        self.canv.line(0, y, self.width, y)


class FieldRow(Flowable):
    """A label beside its value; a long value continues on the next page under
    the same label marked "(continued)"."""

    padding = 1.6
    gap = 3 * mm

    def __init__(
        self,
        label: str,
        value: Flowable,
        label_width: float = 44 * mm,
        label_style: TextStyle | None = None,
    ) -> None:
        super().__init__()
        self.label_text = label
        self.label = TextBlock(label, label_style or STYLES.label)
        self.value = value
        self.label_width = label_width

    def _value_width(self, width: float) -> float:
        return max(width - self.label_width - self.gap, 20 * mm)

    def wrap(self, availWidth, availHeight):  # noqa: N803
        self.width = availWidth
        _, self._label_height = self.label.wrap(self.label_width, availHeight)
        _, self._value_height = self.value.wrap(self._value_width(availWidth), availHeight)
        self.height = max(self._label_height, self._value_height) + 2 * self.padding
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803
        self.wrap(availWidth, availHeight)
        if self.height <= availHeight:
            return [self]
        room = availHeight - 2 * self.padding
        if self._label_height > room:
            return []
        parts = self.value.split(self._value_width(availWidth), room)
        if len(parts) < 2:
            return []
        style = self.label.style
        first = FieldRow(self.label_text, parts[0], self.label_width, style)
        if first.wrap(availWidth, availHeight)[1] > availHeight:
            return []
        label = f"{self.label_text} (continued)"
        return [first, FieldRow(label, _stack(parts[1:]), self.label_width, style)]

    def draw(self):
        canvas = self.canv
        top = self.height - self.padding
        label, value = self.label, self.value
        text = canvas.beginText()
        draw_lines(
            canvas, label.lines(self.label_width), 0, top, self.label_width, label.style, text
        )
        value_x = self.label_width + self.gap
        if isinstance(value, TextBlock):  # the usual case: one text object for the row
            draw_lines(
                canvas, value.lines(value.width), value_x, top, value.width, value.style, text
            )
            canvas.drawText(text)
        else:
            canvas.drawText(text)
            value.drawOn(canvas, value_x, top - self._value_height)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.3)
        canvas.line(0, 0, self.width, 0)


class Stack(Flowable):
    """Flowables one above the other, as one flowable (for a cell or a column)."""

    def __init__(self, items: Iterable[Flowable]) -> None:
        super().__init__()
        self.items = list(items)

    def wrap(self, availWidth, availHeight):  # noqa: N803
        self.width = availWidth
        self._heights = []
        height = 0.0
        for index, item in enumerate(self.items):
            _, h = item.wrap(availWidth, availHeight)
            space = item.getSpaceBefore() if index else 0
            self._heights.append((space, h))
            height += space + h + (item.getSpaceAfter() if index < len(self.items) - 1 else 0)
        self.height = height
        return self.width, height

    def split(self, availWidth, availHeight):  # noqa: N803
        self.wrap(availWidth, availHeight)
        if self.height <= availHeight:
            return [self]
        used = 0.0
        for index, item in enumerate(self.items):
            space = item.getSpaceBefore() if index else 0
            _, h = item.wrap(availWidth, availHeight)
            if used + space + h > availHeight:
                parts = item.split(availWidth, availHeight - used - space)
                if len(parts) >= 2:
                    head = [*self.items[:index], parts[0]]
                    tail = [*parts[1:], *self.items[index + 1 :]]
                else:
                    head, tail = self.items[:index], self.items[index:]
                while head and getattr(head[-1], "keepWithNext", False):
                    tail.insert(0, head.pop())  # a heading goes with what it heads
                if not head or not tail:
                    return []
                return [Stack(head), Stack(tail)]
            used += space + h + item.getSpaceAfter()
        return [self]

    def getSpaceBefore(self):  # noqa: N802
        return self.items[0].getSpaceBefore() if self.items else 0

    def draw(self):
        y = self.height
        for item, (space, h) in zip(self.items, self._heights, strict=True):
            y -= space + h
            item.drawOn(self.canv, 0, y)
            y -= item.getSpaceAfter()


def _stack(items: list[Flowable]) -> Flowable:
    return items[0] if len(items) == 1 else Stack(items)


class Notice(Flowable):
    """Text that must not be missed: a heavy black border, a pale grey ground
    (both survive a black-and-white printer); splits into two boxes if it must."""

    padding = 2.2 * mm
    keep_whole_below = 80 * mm

    def __init__(self, items: Iterable[Flowable], border: float = 1.6) -> None:
        super().__init__()
        self.stack = Stack(items)
        self.border = border

    def wrap(self, availWidth, availHeight):  # noqa: N803
        self.width = availWidth
        inner = availWidth - 2 * self.padding
        _, h = self.stack.wrap(inner, availHeight)
        self.height = h + 2 * self.padding
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803
        self.wrap(availWidth, availHeight)
        if self.height <= availHeight:
            return [self]
        if self.height < self.keep_whole_below:
            return []  # a small box moves to the next page whole
        parts = self.stack.split(availWidth - 2 * self.padding, availHeight - 2 * self.padding)
        if len(parts) < 2:
            return []
        return [Notice(part.items, self.border) for part in parts]

    def getSpaceBefore(self):  # noqa: N802
        return 4

    def getSpaceAfter(self):  # noqa: N802
        return 4

    def draw(self):
        canvas = self.canv
        canvas.setFillColor(SHADE)
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(self.border)
        half = self.border / 2
        canvas.rect(half, half, self.width - self.border, self.height - self.border, 1, 1)
        self.stack.drawOn(canvas, self.padding, self.padding)


class SideBySide(Flowable):
    """Two columns side by side; each column continues on the next page if it must."""

    gap = 5 * mm

    def __init__(self, left: list[Flowable], right: list[Flowable], left_width: float) -> None:
        super().__init__()
        self.left, self.right = Stack(left), Stack(right)
        self.left_width = left_width

    def _right_width(self, width: float) -> float:
        return width - self.left_width - self.gap

    def wrap(self, availWidth, availHeight):  # noqa: N803
        self.width = availWidth
        _, self._left_height = self.left.wrap(self.left_width, availHeight)
        _, self._right_height = self.right.wrap(self._right_width(availWidth), availHeight)
        self.height = max(self._left_height, self._right_height)
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803
        self.wrap(availWidth, availHeight)
        if self.height <= availHeight:
            return [self]
        left = _split_column(self.left, self.left_width, availHeight)
        right = _split_column(self.right, self._right_width(availWidth), availHeight)
        if not left[0] and not right[0]:
            return []
        return [
            SideBySide(left[0], right[0], self.left_width),
            SideBySide(left[1], right[1], self.left_width),
        ]

    def getSpaceBefore(self):  # noqa: N802
        return max(self.left.getSpaceBefore(), self.right.getSpaceBefore())

    def draw(self):
        self.left.drawOn(self.canv, 0, self.height - self._left_height)
        self.right.drawOn(self.canv, self.left_width + self.gap, self.height - self._right_height)


def _split_column(
    column: Stack, width: float, height: float
) -> tuple[list[Flowable], list[Flowable]]:
    """What of a column fits in ``height``, and what is left for the next page."""
    if column.wrap(width, height)[1] <= height:
        return column.items, []
    parts = column.split(width, height)
    if len(parts) == 2:
        return parts[0].items, parts[1].items
    return [], column.items


def heading(text: str, style: TextStyle = STYLES.heading) -> TextBlock:
    block = TextBlock(text, style)
    block.keepWithNext = True
    return block


def text(value: object, style: TextStyle = STYLES.value, direction: str = "auto") -> TextBlock:
    return TextBlock(value, style, direction=direction)


# --- the numbered canvas and the renderer ------------------------------------------


class NumberedCanvas(PageHoldingCanvas):
    """Holds every page back until the end so that each can say "Page X of Y"."""

    def __init__(self, *args, page_footer: Callable[[Canvas, int, int], None], **kwargs):
        super().__init__(*args, **kwargs)
        self._page_footer = page_footer

    def on_held_page(self, number: int, total: int) -> None:
        self._page_footer(self, number, total)


class DocumentRenderer:
    """Base class for a grabpack PDF. Subclasses give ``_get_story()`` and may
    override the small hooks below; ``render()`` returns the PDF's bytes."""

    pagesize = A4
    margin = 14 * mm
    header_height = 13 * mm
    footer_height = 17 * mm
    document_title = "grabpack document"

    def __init__(self, *, generated_for: str, generated_at: datetime) -> None:
        self.generated_for = generated_for
        self.generated_at = generated_at

    # Hooks ----------------------------------------------------------------------

    def _get_story(self) -> list[Flowable]:
        raise NotImplementedError

    def _header_title(self) -> str:
        """Left of the header on every page (for a grab pack, the patient's name)."""
        return self.document_title

    def _header_note(self, first_page: bool) -> str:
        """Right of the header."""
        return ""

    def _footer_note(self) -> str:
        """First line of the footer (for a grab pack, its version and last review)."""
        return ""

    # Machinery --------------------------------------------------------------------

    @property
    def frame_size(self) -> tuple[float, float]:
        """Width and height of the text area of every page."""
        width, height = self.pagesize
        return (
            width - 2 * self.margin,
            height - 2 * self.margin - self.header_height - self.footer_height,
        )

    def metadata(self) -> tuple[str, str]:
        """The PDF's title and subject: the protective marking, unless a subclass is
        for the public (the appeal poster)."""
        return f"{self.document_title} ({MARKING})", MARKING

    def render(self) -> bytes:
        register_fonts()
        title, subject = self.metadata()
        with BUILD_LOCK:
            buffer = BytesIO()
            doc = BaseDocTemplate(
                buffer,
                pagesize=self.pagesize,
                pageTemplates=self._page_templates(),
                title=title,
                author="grabpack",
                subject=subject,
                creator="grabpack",
            )
            story = [NextPageTemplate("later"), *self._get_story()]
            doc.build(story, canvasmaker=self._make_canvas)
            return buffer.getvalue()

    def _make_canvas(self, *args, **kwargs) -> NumberedCanvas:
        kwargs.setdefault("initialFontName", LATIN.name)  # never Helvetica: it has no Ł
        kwargs.setdefault("lang", "en-GB")
        return NumberedCanvas(*args, page_footer=self._draw_page_number, **kwargs)

    def _page_templates(self) -> list[PageTemplate]:
        width, height = self.frame_size
        frame = dict(
            x1=self.margin,
            y1=self.margin + self.footer_height,
            width=width,
            height=height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        return [
            PageTemplate("first", [Frame(id="first", **frame)], onPage=self._draw_first_page),
            PageTemplate("later", [Frame(id="later", **frame)], onPage=self._draw_later_page),
        ]

    def _draw_first_page(self, canvas: Canvas, doc) -> None:
        self._draw_page_furniture(canvas, first_page=True)

    def _draw_later_page(self, canvas: Canvas, doc) -> None:
        self._draw_page_furniture(canvas, first_page=False)

    def _draw_page_furniture(self, canvas: Canvas, first_page: bool) -> None:
        styles = STYLES
        width, height = self.pagesize
        left, right = self.margin, width - self.margin
        inner = right - left
        canvas.saveState()
        top = height - self.margin
        draw_text(canvas, MARKING, left, top - 8, styles.marking, inner)
        draw_text(canvas, self._header_title(), left, top - 21, styles.header, inner * 0.55)
        note = self._header_note(first_page)
        if note:
            draw_text(canvas, note, left + inner * 0.56, top - 21, styles.header_note, inner * 0.44)
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.8)
        canvas.line(left, top - self.header_height + 5, right, top - self.header_height + 5)

        bottom = self.margin
        canvas.line(left, bottom + self.footer_height - 4, right, bottom + self.footer_height - 4)
        footer_note = self._footer_note()
        if footer_note:
            draw_text(canvas, footer_note, left, bottom + 25, styles.footer, inner * 0.8)
        generated = f"Generated for {self.generated_for} at {london_time(self.generated_at)}"
        draw_text(canvas, generated, left, bottom + 15, styles.footer, inner * 0.8)
        draw_text(canvas, MARKING, left, bottom + 1, styles.marking, inner)
        canvas.restoreState()

    def _draw_page_number(self, canvas: Canvas, number: int, total: int) -> None:
        width, _ = self.pagesize
        inner = width - 2 * self.margin
        canvas.saveState()
        draw_text(
            canvas,
            f"Page {number} of {total}",
            self.margin + inner * 0.8,
            self.margin + 25,
            STYLES.page_number,
            inner * 0.2,
        )
        canvas.restoreState()


def spacer(height: float) -> Spacer:
    return Spacer(1, height)


__all__ = [
    "BUILD_LOCK",
    "MARKING",
    "NOT_RECORDED",
    "STYLES",
    "DocumentRenderer",
    "FieldRow",
    "Notice",
    "NumberedCanvas",
    "Rule",
    "SideBySide",
    "Stack",
    "Styles",
    "to_london",
    "heading",
    "london_time",
    "long_date",
    "spacer",
    "text",
]
