"""The monthly missing review on paper, for the meeting of trust and police.

Rendered from a ``MonthlyReport`` (``services.monthly_report``), the one computation
behind the page, this PDF and the CSV: nothing here counts, ranks or decides a
flag. The order is the meeting's: what the review covers and the rules it used,
the flags with their reasons, the summary with its change against the previous
month and the trailing months, two charts, then the tables per setting and ward
and the repeat patients.

Every name (setting, ward, patient) is user text: it reaches the page through
``pdf.text`` (any script, never markup), in tables as well as in the charts'
labels. Landscape A4, because the tables are wide.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Table, TableStyle

from grabpack.domain.clock import long_date, to_london
from grabpack.domain.episode_schema import EpisodeKind, FoundBy, FoundCategory, PoliceRiskGrade
from grabpack.domain.monthly_review import (
    REPORTING_FAULTS,
    Figures,
    Month,
    MonthlyReport,
    RepeatPatientRow,
    SettingRow,
    WardRow,
    trailing_months,
)
from grabpack.pdf.document import (
    GREY,
    INK,
    RULE,
    SHADE,
    STYLES,
    DocumentRenderer,
    FieldRow,
    heading,
    london_time,
    spacer,
    text,
)
from grabpack.pdf.fonts import LATIN
from grabpack.pdf.text import TextBlock, TextStyle, clean, cut_text, draw_text

NO_VALUE = "–"
# A name in a table cell is cut to this many characters: a row taller than a page
# cannot be printed at all.
CELL_LIMIT = 160
HEAD = TextStyle(size=7, bold=True, leading=8.5)
CELL = TextStyle(size=7.5, leading=9)
CELL_BOLD = TextStyle(size=7.5, leading=9, bold=True)
NUMBER = TextStyle(size=7.5, leading=9, align="right")
NUMBER_BOLD = TextStyle(size=7.5, leading=9, bold=True, align="right")
HEAD_NUMBER = TextStyle(size=7, bold=True, leading=8.5, align="right")
CHART_LABEL = TextStyle(size=7.5, align="right")
LEGEND = TextStyle(size=7.5, align="left")
LEGEND_CENTRE = TextStyle(size=7, align="centre")
THIS_MONTH = colors.Color(0.15, 0.15, 0.15)
EARLIER = colors.Color(0.7, 0.7, 0.7)
SETTINGS_PER_CHART = 20
SECTION_ROOM = 35 * mm  # a heading, a table's column headings and a few of its rows
_REPEAT_NOTE = (
    "The minimum necessary: an opaque reference (the first 8 characters of the patient's "
    "id), the ward of the last repeat episode, the episodes in the window ending at it, and "
    "the highest police risk grade in the month's repeat windows."
)
_NAMES_NOTE = " A name is shown only to a reader who may already see that patient."


def render_monthly_report(report: MonthlyReport, *, generated_for: str | None = None) -> bytes:
    """The review as a PDF. ``generated_for`` names the reader in the footer (the
    scheduled job has none)."""
    return MonthlyReportRenderer(report, generated_for=generated_for).render()


# --- how figures are written ----------------------------------------------------------------


def whole(value: float | Fraction) -> int:
    """Halves rounded up, as the review's percentages are (never to even)."""
    return int(Fraction(value) + Fraction(1, 2)) if value >= 0 else -whole(-value)


def minutes(value: float | None) -> str:
    """A median or a longest time in minutes as counted: ``37``, ``22.5``."""
    if value is None:
        return NO_VALUE
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def duration(value: float | None) -> str:
    """Time missing as hours and minutes, ``25:00`` (minutes rounded, halves up)."""
    if value is None:
        return NO_VALUE
    hours, rest = divmod(whole(value), 60)
    return f"{hours}:{rest:02d}"


def signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def mean(value: Fraction) -> str:
    """A trailing mean to one decimal place, as the volume rule's reason writes it."""
    return f"{float(value):.1f}"


def change_from_mean(figures: Figures) -> str:
    percent = figures.change_from_trailing_percent
    if percent is None:
        return "none before" if figures.episodes else NO_VALUE
    return f"{signed(percent)}%"


def share(count: int, of: int) -> str:
    return f"{count} ({whole(Fraction(count * 100, of))}%)" if of else str(count)


def ordinal(number: int) -> str:
    """``3rd``, ``11th``, ``21st``."""
    suffix = "th" if 10 <= number % 100 <= 20 else SUFFIXES.get(number % 10, "th")
    return f"{number}{suffix}"


SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


def short_month(month: Month) -> str:
    return f"{date(month.year, month.month, 1):%b %Y}"


def months_span(months: Sequence[Month]) -> str:
    """``August to October 2026``, or across a year ``November 2025 to January 2026``."""
    first, last = months[0], months[-1]
    if first.year == last.year:
        return f"{date(first.year, first.month, 1):%B} to {last.label}"
    return f"{first.label} to {last.label}"


def cell_text(value: object, limit: int = CELL_LIMIT) -> str:
    """User text on one line, cut short (with an ellipsis) past ``limit`` characters."""
    shown = clean(value).replace("\n", " ")
    return shown if len(shown) <= limit else cut_text(shown, limit) + "\u2026"


# --- the columns of the tables ----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One figure in a table: its heading and how to read it from a line's figures."""

    heading: str
    value: Callable[[Figures], str]


def _count(read: Callable[[Figures], int]) -> Callable[[Figures], str]:
    return lambda figures: str(read(figures))


def _from(mapping: str, key: str) -> Callable[[Figures], str]:
    return _count(lambda figures: getattr(figures, mapping).get(key, 0))


def _fault(key: str) -> Callable[[Figures], str]:
    return _count(lambda figures: figures.reporting.fault_counts.get(key, 0))


def _tables(month: Month) -> tuple[tuple[str, tuple[Column, ...]], ...]:
    """The four tables, each a title and its columns, read from the enums and
    ``REPORTING_FAULTS``: a kind, grade, place, finder or fault added there is a
    column here with no edit."""
    trailing = trailing_months(month)
    episodes = (
        Column("Episodes", _count(lambda f: f.episodes)),
        Column(f"{short_month(trailing[-1])}", _count(lambda f: f.previous_month_episodes)),
        Column("Change", lambda f: signed(f.change_from_previous)),
        Column(f"Mean {short_month(trailing[0])} to {short_month(trailing[-1])}", _mean_of),
        Column("Change vs mean", change_from_mean),
        Column("Patients", _count(lambda f: f.patients)),
        Column("Repeat patients", _count(lambda f: f.repeat_patients)),
        *(Column(kind.label, _from("kinds", kind.value)) for kind in EpisodeKind),
        Column("Still missing", _count(lambda f: f.still_missing)),
        Column("Median time missing (h:mm)", lambda f: duration(f.median_minutes_missing)),
        Column("Longest time missing (h:mm)", lambda f: duration(f.longest_minutes_missing)),
        Column("Prevention interviews", _count(lambda f: f.prevention_interviews)),
    )
    grades_and_finders = (
        *(
            Column(f"Graded {grade.label.lower()}", _from("grades", grade.value))
            for grade in PoliceRiskGrade
        ),
        Column("Not graded", _from("grades", "")),
        *(
            Column(f"Found by: {finder.label}", _from("found_by", finder.value))
            for finder in FoundBy
        ),
    )
    places = tuple(
        Column(f"Found: {place.label}", _from("found_places", place.value))
        for place in FoundCategory
    )
    reporting = (
        Column("Poorly reported", lambda f: share(f.reporting.poor, f.episodes)),
        *(Column(fault.label, _fault(fault.key)) for fault in REPORTING_FAULTS),
        Column("Not reported to police", _count(lambda f: f.reporting.not_reported)),
        Column("Median minutes to report", lambda f: minutes(f.reporting.median_minutes)),
        Column("90th percentile minutes to report", lambda f: minutes(f.reporting.p90_minutes)),
    )
    return (
        ("Episodes, patients and time missing", episodes),
        ("Police risk grade and who found them", grades_and_finders),
        ("Where they were found", places),
        ("Reporting quality", reporting),
    )


def _mean_of(figures: Figures) -> str:
    return mean(figures.trailing_mean)


# --- charts -------------------------------------------------------------------------------------


Label = tuple[str, float, float, float, TextStyle]  # words, x, baseline, width, style


class Chart(Flowable):
    """A ReportLab graphics drawing with its words drawn by ``pdf.text``, so that a
    setting's name prints in any script and never as markup: ``labels`` are
    ``(text, x, baseline, width, style)`` in the drawing's coordinates."""

    def __init__(self, drawing: Drawing, labels: Iterable[Label]) -> None:
        super().__init__()
        self.drawing = drawing
        self.labels = list(labels)
        self.width, self.height = drawing.width, drawing.height

    def wrap(self, availWidth, availHeight):  # noqa: N803 (ReportLab's names)
        return self.width, self.height

    def getSpaceBefore(self):  # noqa: N802
        return 4

    def getSpaceAfter(self):  # noqa: N802
        return 6

    def draw(self):
        renderPDF.draw(self.drawing, self.canv, 0, 0)
        for words, x, y, width, style in self.labels:
            draw_text(self.canv, words, x, y, style, width, direction="auto")


def _axis_top(values: Iterable[float]) -> float:
    """A value axis that has room above the tallest bar for its label (1 at least)."""
    highest = max([1.0, *values])
    return highest * 1.18


def _value_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _style_axes(chart) -> None:
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = LATIN.name
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.strokeColor = GREY
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = SHADE
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.categoryAxis.strokeColor = INK
    chart.categoryAxis.labels.fontName = LATIN.name
    chart.categoryAxis.labels.fontSize = 7
    chart.barLabels.fontName = LATIN.name
    chart.barLabels.fontSize = 6.5
    chart.barLabelFormat = _value_label
    chart.bars.strokeColor = None


def trend_chart(report: MonthlyReport, width: float) -> Chart:
    """Episodes in each of the twelve months to this one; this month's bar darkest."""
    height = 52 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = width - 16 * mm, height - 14 * mm
    counts = [point.episodes for point in report.trend]
    chart.data = [counts]
    chart.valueAxis.valueMax = _axis_top(counts)
    _style_axes(chart)
    chart.categoryAxis.labels.visible = False
    chart.barLabels.nudge = 5
    chart.bars[0].fillColor = EARLIER
    if counts:
        chart.bars[(0, len(counts) - 1)].fillColor = THIS_MONTH
    drawing.add(chart)
    step = chart.width / max(len(counts), 1)
    labels = [
        (short_month(point.month), chart.x + index * step, 4 * mm, step, LEGEND_CENTRE)
        for index, point in enumerate(report.trend)
    ]
    return Chart(drawing, labels)


def setting_charts(report: MonthlyReport, width: float) -> list[Flowable]:
    """Each setting's episodes this month beside the mean of the three months before,
    twenty settings to a chart so that each fits on a page."""
    settings = list(report.settings)
    charts: list[Flowable] = []
    for start in range(0, len(settings), SETTINGS_PER_CHART):
        charts.append(_setting_chart(report, settings[start : start + SETTINGS_PER_CHART], width))
    return charts


def _setting_chart(report: MonthlyReport, settings: list[SettingRow], width: float) -> Chart:
    label_width = 62 * mm
    row = 17.0
    legend = 9 * mm
    height = len(settings) * row + 10 * mm + legend
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width + 3 * mm, 8 * mm
    chart.width, chart.height = width - label_width - 8 * mm, len(settings) * row
    ordered = list(reversed(settings))  # the chart counts its categories from the bottom
    this_month = [s.figures.episodes for s in ordered]
    means = [round(float(s.figures.trailing_mean), 1) for s in ordered]
    chart.data = [means, this_month]  # drawn from the bottom: this month on top
    chart.valueAxis.valueMax = _axis_top([*this_month, *means])
    _style_axes(chart)
    chart.categoryAxis.labels.visible = False
    chart.barLabels.nudge = 8
    chart.bars[0].fillColor = EARLIER
    chart.bars[1].fillColor = THIS_MONTH
    chart.groupSpacing = 4
    drawing.add(chart)
    labels = [
        (
            cell_text(setting.name, 80),
            0,
            chart.y + index * row + row / 2 - 2.5,
            label_width,
            CHART_LABEL,
        )
        for index, setting in enumerate(ordered)
    ]
    labels += _legend(drawing, chart.x, height - 5 * mm, report.month)
    return Chart(drawing, labels)


def _legend(drawing: Drawing, x: float, y: float, month: Month) -> list[Label]:
    """A key for the two series: its swatches drawn, its words returned to draw."""
    trailing = trailing_months(month)
    keys = (
        (THIS_MONTH, f"Episodes in {month.label}"),
        (EARLIER, f"Mean of {months_span(trailing)}"),
    )
    labels: list[Label] = []
    for colour, words in keys:
        drawing.add(Rect(x, y, 8, 6, fillColor=colour, strokeColor=None))
        labels.append((words, x + 11, y, 70 * mm, LEGEND))
        x += 80 * mm
    return labels


# --- the renderer ---------------------------------------------------------------------------------


class MonthlyReportRenderer(DocumentRenderer):
    pagesize = landscape(A4)
    document_title = "Monthly missing review"

    def __init__(self, report: MonthlyReport, *, generated_for: str | None = None) -> None:
        super().__init__(
            generated_for=generated_for or "the monthly missing review",
            generated_at=report.made_at,
        )
        self.report = report

    # --- hooks ---

    def _header_title(self) -> str:
        so_far = "" if self.report.month_is_over else " (not over: figures so far)"
        return f"Monthly missing review: {self.report.month.label}{so_far}"

    def _header_note(self, first_page: bool) -> str:
        return self.report.covers_in_words

    def _footer_note(self) -> str:
        return (
            f"Figures as at {london_time(self.report.made_at)}; months and times are London time."
        )

    def _get_story(self) -> list[Flowable]:
        return [
            *self._scope(),
            *self._rules(),
            *self._flags(),
            *self._summary(),
            *self._charts(),
            *self._figure_tables(),
            *self._repeat_patients(),
        ]

    # --- what the review covers, and its rules ---

    def _scope(self) -> list[Flowable]:
        report = self.report
        month = report.month
        last_day = calendar.monthrange(month.year, month.month)[1]
        covers = (
            f"{month.label}: episodes noticed from 00:00 on 1 {date(*month, 1):%B} to the end "
            f"of {last_day} {date(*month, 1):%B}, London time"
        )
        rows = [
            text(report.title, STYLES.name),
            spacer(2),
            FieldRow("Month", text(covers, direction="ltr")),
            FieldRow("Covers", text(report.covers_in_words)),
            FieldRow("Figures as at", text(london_time(report.made_at), direction="ltr")),
        ]
        if not report.month_is_over:
            rows.append(
                FieldRow(
                    "Not over yet",
                    text(
                        f"{month.label} had not ended when these figures were made: they are "
                        "the figures so far, not the whole month's.",
                        STYLES.warning,
                    ),
                )
            )
        return rows

    def _rules(self) -> list[Flowable]:
        rules = self.report.rules
        repeat, volume, poor = rules.repeat, rules.volume, rules.poor_reporting
        faults = "; ".join(fault.label for fault in REPORTING_FAULTS)
        lines = (
            (
                "Repeat patient",
                f"An episode noticed this month is at least the patient's "
                f"{ordinal(repeat.episodes)} in the {repeat.window_days} days "
                f"({repeat.window_days} × 24 hours) ending when it was noticed, from any ward.",
            ),
            ("High-risk repeat", "A repeat patient graded high risk by police in that window."),
            (
                "High-volume setting or ward",
                f"At least {volume.episodes} episodes in the month and at least "
                f"{volume.rise_percent}% above the mean of the {volume.trailing} months before.",
            ),
            (
                "Poor reporting",
                f"At least {poor.share_percent}% of a setting's or ward's episodes in the month "
                f"had a reporting fault: {faults}.",
            ),
            (
                "Reported late",
                f"More than {rules.reporting.late_report_minutes} minutes from noticing the "
                "absence to reporting it to police.",
            ),
            (
                "Ministry of Justice",
                f"A restricted patient's absence not told within "
                f"{rules.reporting.moj_notify_minutes} minutes of noticing it.",
            ),
        )
        rows = [FieldRow(label, text(value, direction="ltr")) for label, value in lines]
        return [heading("Rules used"), *rows]

    # --- the flags, first ---

    def _flags(self) -> list[Flowable]:
        flags = self.report.flags
        story = _section(f"Flags ({len(flags)})")
        if not flags:
            return [*story, text("No setting, ward or patient met a rule this month.")]
        widths = (42 * mm, 80 * mm)
        rows = [
            [_head("Rule"), _head("About"), _head("Why")],
            *(
                [
                    TextBlock(flag.rule, CELL_BOLD, direction="ltr"),
                    TextBlock(cell_text(flag.subject), CELL, direction="ltr"),
                    TextBlock(cell_text(flag.reason, 600), CELL, direction="ltr"),
                ]
                for flag in flags
            ),
        ]
        width = self.frame_size[0]
        return [*story, _table(rows, [*widths, width - sum(widths)])]

    # --- the summary ---

    def _summary(self) -> list[Flowable]:
        """Episodes against the months before, then every other total figure."""
        width = self.frame_size[0]
        return [
            KeepTogether(
                [
                    heading("Summary: every ward in this review"),
                    self._episodes_change(width),
                    spacer(4),
                    _pairs_table(_summary_pairs(self.report.total), width, per_row=3),
                ]
            )
        ]

    def _episodes_change(self, width: float) -> Table:
        report, total = self.report, self.report.total
        headings = (
            report.month.label,
            report.previous_month.label,
            "Change",
            f"Mean of {months_span(trailing_months(report.month))}",
            "Change vs mean",
        )
        values = (
            str(total.episodes),
            str(total.previous_month_episodes),
            signed(total.change_from_previous),
            mean(total.trailing_mean),
            change_from_mean(total),
        )
        rows = [
            [_head(""), *(_head(words, right=True) for words in headings)],
            [TextBlock("Episodes", CELL_BOLD), *(TextBlock(v, NUMBER_BOLD) for v in values)],
        ]
        return _table(rows, [width * 0.2, *([width * 0.16] * len(values))])

    # --- the charts ---

    def _charts(self) -> list[Flowable]:
        width = self.frame_size[0]
        story: list[Flowable] = [
            heading("Episodes in the last twelve months"),
            trend_chart(self.report, width),
        ]
        if self.report.settings:
            trailing = trailing_months(self.report.month)
            story.append(
                heading(
                    f"Episodes per setting: {self.report.month.label} beside the mean of "
                    f"{months_span(trailing)}"
                )
            )
            story += setting_charts(self.report, width)
        return story

    # --- the tables ---

    def _figure_tables(self) -> list[Flowable]:
        story: list[Flowable] = []
        for title, columns in _tables(self.report.month):
            story += _section(f"Per setting and ward: {title.lower()}")
            story.append(self._figure_table(columns))
        return story

    def _figure_table(self, columns: Sequence[Column]) -> Table:
        width = self.frame_size[0]
        name_width = 50 * mm
        number_width = (width - name_width) / len(columns)
        rows: list[list[Flowable]] = [
            [_head("Setting / ward"), *(_head(c.heading, right=True) for c in columns)]
        ]
        setting_rows: list[int] = []
        ward_rows: list[int] = []
        for setting in self.report.settings:
            setting_rows.append(len(rows))
            rows.append(_figure_row(setting.name, setting.figures, columns, bold=True))
            for ward in setting.wards:
                ward_rows.append(len(rows))
                rows.append(_figure_row(_ward_label(ward), ward.figures, columns))
        total = len(rows)
        rows.append(_figure_row("Every ward in this review", self.report.total, columns, True))
        table = _table(rows, [name_width, *([number_width] * len(columns))], setting_rows)
        extra = [("LEFTPADDING", (0, row), (0, row), 12) for row in ward_rows]
        extra.append(("LINEABOVE", (0, total), (-1, total), 1.2, INK))
        table.setStyle(TableStyle(extra))
        return table

    # --- the repeat patients ---

    def _repeat_patients(self) -> list[Flowable]:
        patients = self.report.repeat_patients
        story = _section("Repeat patients")
        if patients is None:
            return [
                *story,
                text(
                    "Not listed: this review shows aggregate figures only, with no rows "
                    "about patients."
                ),
            ]
        if not patients:
            return [*story, text("No repeat patients this month.")]
        named = any(patient.name for patient in patients)
        story.append(text(_REPEAT_NOTE + (_NAMES_NOTE if named else ""), STYLES.muted, "ltr"))
        headings = [
            "Reference",
            *(["Name"] if named else []),
            "Ward",
            "Setting",
            "Episodes in window",
            "Last episode",
            "Highest police risk grade",
        ]
        rows = [[_head(h, right=h == "Episodes in window") for h in headings]]
        rows += [_patient_row(patient, named) for patient in patients]
        width = self.frame_size[0]
        widths = [24 * mm, *([55 * mm] if named else []), 55 * mm, 55 * mm, 24 * mm, 32 * mm]
        widths.append(width - sum(widths))
        return [*story, _table(rows, widths)]


# --- table helpers ----------------------------------------------------------------------------


def _section(title: str) -> list[Flowable]:
    """A heading over a table that may run over pages: on a new page only when too
    little of this one is left for it and a few rows (a kept-together heading would
    move a long table whole, leaving the rest of the page blank)."""
    return [CondPageBreak(SECTION_ROOM), TextBlock(title, STYLES.heading)]


def _head(words: str, right: bool = False) -> TextBlock:
    return TextBlock(words, HEAD_NUMBER if right else HEAD, direction="ltr")


def _pairs_table(pairs: Sequence[tuple[str, str]], width: float, per_row: int) -> Table:
    """Labelled figures, ``per_row`` to a row, read across."""
    cells = [
        cell
        for label, value in pairs
        for cell in (
            TextBlock(label, STYLES.label),
            TextBlock(value, STYLES.strong, direction="ltr"),
        )
    ]
    cells += [TextBlock("", STYLES.label)] * (-len(cells) % (2 * per_row))
    rows = [cells[start : start + 2 * per_row] for start in range(0, len(cells), 2 * per_row)]
    pair = width / per_row
    table = Table(rows, colWidths=[pair * 0.45, pair * 0.55] * per_row, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _summary_pairs(total: Figures) -> tuple[tuple[str, str], ...]:
    reporting = total.reporting
    return (
        ("Patients", str(total.patients)),
        ("Repeat patients", str(total.repeat_patients)),
        *((kind.label, str(total.kinds.get(kind.value, 0))) for kind in EpisodeKind),
        ("Returned", str(total.returned)),
        ("Still missing", str(total.still_missing)),
        ("Median time missing", _long_duration(total.median_minutes_missing)),
        ("Longest time missing", _long_duration(total.longest_minutes_missing)),
        ("Prevention interviews", str(total.prevention_interviews)),
        ("Poorly reported", share(reporting.poor, total.episodes)),
        ("Not reported to police", str(reporting.not_reported)),
        ("Median minutes to report", minutes(reporting.median_minutes)),
        ("90th percentile minutes to report", minutes(reporting.p90_minutes)),
    )


def _long_duration(value: float | None) -> str:
    if value is None:
        return NO_VALUE
    return f"{duration(value)} ({minutes(value)} minutes)"


def _ward_label(ward: WardRow) -> str:
    return f"{cell_text(ward.name)} ({cell_text(ward.code, 40)})"


def _figure_row(
    name: str, figures: Figures, columns: Sequence[Column], bold: bool = False
) -> list[Flowable]:
    return [
        TextBlock(cell_text(name), CELL_BOLD if bold else CELL),
        *(TextBlock(column.value(figures), NUMBER_BOLD if bold else NUMBER) for column in columns),
    ]


def _patient_row(patient: RepeatPatientRow, named: bool) -> list[Flowable]:
    last = to_london(patient.last_noticed_at)
    grade = patient.highest_grade.label if patient.highest_grade else "Not graded"
    cells: list[Flowable] = [TextBlock(patient.reference, CELL_BOLD, direction="ltr")]
    if named:
        cells.append(TextBlock(cell_text(patient.name or ""), CELL))
    cells += [
        TextBlock(f"{cell_text(patient.ward_name)} ({cell_text(patient.ward_code, 40)})", CELL),
        TextBlock(cell_text(patient.setting_name), CELL),
        TextBlock(str(patient.episodes_in_window), NUMBER),
        TextBlock(long_date(last.date()), CELL, direction="ltr"),
        TextBlock(grade, CELL_BOLD if patient.high_risk else CELL, direction="ltr"),
    ]
    return cells


def _table(
    rows: list[list[Flowable]], widths: Sequence[float], shaded_rows: Iterable[int] = ()
) -> Table:
    """A table whose heading row repeats on every page it runs onto."""
    table = Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
    ]
    style += [("BACKGROUND", (0, row), (-1, row), SHADE) for row in shaded_rows]
    table.setStyle(TableStyle(style))
    return table


__all__ = ["MonthlyReportRenderer", "render_monthly_report"]
