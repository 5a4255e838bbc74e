"""The review's two charts as inline SVG, drawn on the server: no script, nothing
fetched, and nothing a strict Content Security Policy would block (presentation
attributes only, no ``style``).

Pure functions: figures in, markup out. Every piece of text is escaped here, so
a place name cannot become markup, and each chart names itself (``<title>``) and
says what it shows (``<desc>``) for screen readers, which read it as one image;
the page prints the same figures in a table beside it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup, escape

from grabpack.domain.monthly_review import Month, TrendPoint

WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 30, 6, 18, 36
TEXT = "#212b32"
GRID = "#d8dde0"
BAR = "#005eb8"  # NHS blue
SHOWN = "#003087"  # the month the review is of
FALL = "#4c6272"  # a fall in the change chart: still 3:1 against white
MINUS = "\u2212"
_ID = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class _Plot:
    """Where the bars go: the drawing area inside the axis labels."""

    left: float = LEFT
    top: float = TOP
    width: float = WIDTH - LEFT - RIGHT
    height: float = HEIGHT - TOP - BOTTOM

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def slot(self, count: int) -> float:
        return self.width / max(count, 1)


def nice_ceiling(value: float) -> tuple[int, int]:
    """``(top, step)`` of an axis that holds ``value`` in at most 4 round steps
    (1, 2 or 5 times a power of ten); at least ``(1, 1)``."""
    if value <= 1:
        return 1, 1
    magnitude = 10 ** math.floor(math.log10(value / 4))
    for multiple in (1, 2, 5, 10):
        step = multiple * magnitude
        if step * 4 >= value:
            break
    step = max(1, int(step))
    return step * math.ceil(value / step), step


def _number(value: float) -> str:
    """A coordinate: one decimal place at most, so the markup stays small and stable."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, content: str, size: int = 11, anchor: str = "middle") -> str:
    return (
        f'<text x="{_number(x)}" y="{_number(y)}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{TEXT}">{escape(content)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str = GRID) -> str:
    return (
        f'<line x1="{_number(x1)}" y1="{_number(y1)}" x2="{_number(x2)}" y2="{_number(y2)}" '
        f'stroke="{colour}" stroke-width="1"/>'
    )


def _bar(x: float, y: float, width: float, height: float, colour: str) -> str:
    return (
        f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(width)}" '
        f'height="{_number(height)}" fill="{colour}"/>'
    )


def _month_labels(months: Sequence[Month], plot: _Plot) -> list[str]:
    """Three-letter months under the plot, with the year under the first and under
    each January, so twelve months across a new year read without doubt."""
    slot = plot.slot(len(months))
    labels = []
    for index, month in enumerate(months):
        x = plot.left + slot * (index + 0.5)
        labels.append(_text(x, plot.bottom + 14, month.label[:3], size=10))
        if index == 0 or month.month == 1:
            labels.append(_text(x, plot.bottom + 27, str(month.year), size=9))
    return labels


def _svg(chart_id: str, title: str, description: str, body: list[str]) -> Markup:
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"not a usable id: {chart_id!r}")
    parts = [
        f'<svg class="app-chart" id="{chart_id}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        *body,
        "</svg>",
    ]
    # Every part above is built from escaped text, numbers and constants.
    return Markup("".join(parts))  # noqa: S704


def _span(points: Sequence[TrendPoint]) -> str:
    return f"{points[0].month.label} to {points[-1].month.label}"


def trend_chart(points: Sequence[TrendPoint], subject: str, chart_id: str) -> Markup:
    """Episodes in each month, as columns with their counts above; the last column,
    the month reviewed, darker."""
    if not points:
        raise ValueError("a trend needs at least one month")
    plot = _Plot()
    top, step = nice_ceiling(max(p.episodes for p in points))
    body = []
    for value in range(0, top + 1, step):
        y = plot.bottom - plot.height * value / top
        body += [
            _line(plot.left, y, plot.left + plot.width, y),
            _text(LEFT - 4, y + 4, str(value), 10, "end"),
        ]
    slot = plot.slot(len(points))
    for index, point in enumerate(points):
        height = plot.height * point.episodes / top
        x = plot.left + slot * index
        colour = SHOWN if index == len(points) - 1 else BAR
        if height:
            body.append(_bar(x + slot * 0.2, plot.bottom - height, slot * 0.6, height, colour))
        body.append(_text(x + slot / 2, plot.bottom - height - 4, str(point.episodes), 10))
    body += _month_labels([p.month for p in points], plot)
    busiest = max(points, key=lambda p: p.episodes)
    description = (
        f"Missing episodes each month, {_span(points)}. {points[-1].month.label}: "
        f"{points[-1].episodes}. Highest: {busiest.episodes} in {busiest.month.label}. "
        "Each month's figure is in the table after the charts."
    )
    return _svg(chart_id, f"Missing episodes each month: {subject}", description, body)


def signed(change: int) -> str:
    """``+38``, ``−17`` (a true minus sign), ``0``."""
    if change > 0:
        return f"+{change}"
    if change < 0:
        return f"{MINUS}{-change}"
    return "0"


def changes(points: Sequence[TrendPoint]) -> list[tuple[Month, int]]:
    """Each month's episodes less the month before's, from the trend's second month."""
    return [(point.month, point.episodes - before.episodes) for before, point in pairwise(points)]


def change_chart(points: Sequence[TrendPoint], subject: str, chart_id: str) -> Markup:
    """The change from each month to the next: rises above the zero line, falls
    below it (in a second colour, but the sign and the side say it without one)."""
    moves = changes(points)
    if not moves:
        raise ValueError("a change needs at least two months")
    plot = _Plot()
    top, step = nice_ceiling(max(abs(change) for _, change in moves))
    zero = plot.top + plot.height / 2
    half = plot.height / 2 - 14  # room for a label beyond the longest bar either way
    body = []
    for value in range(-top, top + 1, step):
        y = zero - half * value / top
        body += [
            _line(plot.left, y, plot.left + plot.width, y),
            _text(LEFT - 4, y + 4, signed(value), 10, "end"),
        ]
    body.append(_line(plot.left, zero, plot.left + plot.width, zero, TEXT))
    slot = plot.slot(len(moves))
    for index, (_month, change) in enumerate(moves):
        height = half * abs(change) / top
        x = plot.left + slot * index
        if change > 0:
            body.append(_bar(x + slot * 0.2, zero - height, slot * 0.6, height, BAR))
            label_y = zero - height - 4
        elif change < 0:
            body.append(_bar(x + slot * 0.2, zero, slot * 0.6, height, FALL))
            label_y = zero + height + 12
        else:
            label_y = zero - 4
        body.append(_text(x + slot / 2, label_y, signed(change), 10))
    body += _month_labels([month for month, _ in moves], plot)
    rise = max(moves, key=lambda move: move[1])
    fall = min(moves, key=lambda move: move[1])
    extremes = ""
    if rise[1] > 0:
        extremes += f"Biggest rise: {signed(rise[1])} in {rise[0].label}. "
    if fall[1] < 0:
        extremes += f"Biggest fall: {signed(fall[1])} in {fall[0].label}. "
    description = (
        f"Change in missing episodes from the month before, {moves[0][0].label} to "
        f"{moves[-1][0].label}. {extremes or 'No change in any month. '}"
        "Each month's change is in the table after the charts."
    )
    return _svg(chart_id, f"Change from the month before: {subject}", description, body)
