"""The grab pack as police receive it: a briefing sheet, then the whole pack.

Rendered from a ``GrabPackSnapshot``, a plain copy of one stored grab-pack
version (plus the open episode's Part 2 facts, if any), never from the live
record. Page 1 is a briefing sheet an officer can act on alone: it prints what
the declaration marks for it (``grab_pack_schema.Briefing``), block by block,
and the report-at-once triggers as ``triggers.report_at_once`` answers them. The
pages after it print every section of ``GRAB_PACK`` in order, so a field added
to the schema appears here with no edit to this module. The open episode's
facts come as (label, value) rows read from ``episode_schema.EPISODE`` by the
service, so this module names no episode field either; the power to retake is
printed in the words of its ``RetakePower``, never worked out here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, PageBreak

from grabpack.domain.grab_pack_schema import (
    GRAB_PACK,
    Block,
    Entry,
    Field,
    Group,
    Section,
    display_value,
    is_empty,
    on_briefing_sheet,
    value_of,
)
from grabpack.domain.mental_health_act import legal_status
from grabpack.domain.retake import CONFIRM, RetakePower, legal_facts_from_pack
from grabpack.domain.triggers import report_at_once
from grabpack.pdf.document import (
    NOT_RECORDED,
    STYLES,
    DocumentRenderer,
    FieldRow,
    Notice,
    Rule,
    SideBySide,
    Stack,
    heading,
    london_time,
    long_date,
    spacer,
    text,
    to_london,
)
from grabpack.pdf.text import TextBlock, TextStyle, clean, cut_text, layout
from grabpack.pdf.typesetting import JpegReader


@dataclass(frozen=True)
class MissingHistoryLine:
    """One recorded missing episode, for section J."""

    noticed_at: datetime
    kind: str  # label: "Missing", "AWOL", "Escapee"
    returned_at: datetime | None = None
    found_where: str = ""


Rows = tuple[tuple[str, str], ...]  # (label, value as printed), in declaration order


@dataclass(frozen=True)
class OpenEpisodeFacts:
    """Part 2 of the protocol, for a patient missing now: printed on page 1 (a fact
    cut short there is printed in full after it).

    ``rows`` are the episode's facts for police that have a value, as
    ``episode_schema.display`` words them, in the declaration's order (not the
    kind and time noticed, which the title gives, nor the legal facts);
    ``legal_rows`` are the legal facts the ward stated when reporting, besides
    the status itself (``legal_status``, its key: "" when not known; worded as
    ``legal_label``). ``retake`` is the power to retake worked out from them when
    the absence was reported: what police were told.
    """

    kind: str  # label: "Missing", "AWOL", "Escapee"
    noticed_at: datetime
    retake: RetakePower
    rows: Rows = ()
    legal_status: str = ""
    legal_label: str = ""
    legal_rows: Rows = ()


@dataclass(frozen=True)
class ReturnedFacts:
    """The episode police still have access through, in the hours after the patient
    returned (``GRABPACK_POLICE_GRACE_HOURS``: the prevention interview)."""

    kind: str  # label: "Missing", "AWOL", "Escapee"
    noticed_at: datetime
    returned_at: datetime


@dataclass(frozen=True)
class GrabPackSnapshot:
    """Everything the PDF prints, copied from one stored grab-pack version.

    Times are timezone-aware UTC (a naive time is taken as UTC); they print in
    London time.
    """

    patient_id: str
    version: int
    data: dict
    reviewed_on: date
    review_due_on: date
    saved_by: str
    ward: str
    setting: str
    ward_phone: str
    generated_for: str
    generated_at: datetime
    photo_jpeg: bytes | None = None
    photo_taken_on: date | None = None
    photo_stale: bool = False  # by the configured policy (``review.is_photo_stale``)
    missing_history: Sequence[MissingHistoryLine] = ()
    open_episode: OpenEpisodeFacts | None = None
    returned: ReturnedFacts | None = None  # never with ``open_episode``


def render_grab_pack(snapshot: GrabPackSnapshot) -> bytes:
    """The grab pack as a PDF."""
    return GrabPackRenderer(snapshot).render()


# --- page 1 ------------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """How much of the pack page 1 holds: characters per text, entries per list."""

    text: int
    short_text: int  # beside the photo, and in a list's entries
    places: int
    contacts: int

    def entries(self, block: Block) -> int:
        return self.contacts if block is Block.CONTACTS else self.places


# Page 1 tries each in turn until it fits on the page.
BUDGETS = (
    Budget(240, 120, 5, 4),
    Budget(160, 100, 5, 4),
    Budget(120, 80, 4, 4),
    Budget(120, 80, 3, 3),
    Budget(90, 60, 2, 3),
    Budget(60, 40, 2, 2),
    Budget(60, 40, 1, 1),
)
NOTICE_LABEL = 40 * mm
NO_STATEMENT = "The power to retake is worked out when an absence is reported."
RETURNED_STATEMENT = "The patient is no longer absent, so the power to take back no longer applies."
PHOTO_WIDTH = 52 * mm
PHOTO_HEIGHT = 65 * mm
HALF = 88 * mm
# The width of the labels in each block of the sheet.
LABEL_WIDTH = {
    Block.IDENTITY: 40 * mm,
    Block.LEGAL: 30 * mm,
    Block.RESTRICTED: 30 * mm,
    Block.RISKS: 44 * mm,
    Block.PLACES: 27 * mm,
    Block.CONTACTS: 28 * mm,
}


def _is_yes(value: object) -> bool:
    return value is True or str(value).lower() == "yes"


class GrabPackRenderer(DocumentRenderer):
    document_title = "Grab pack"

    def __init__(self, snapshot: GrabPackSnapshot) -> None:
        super().__init__(generated_for=snapshot.generated_for, generated_at=snapshot.generated_at)
        self.snapshot = snapshot
        self.data = snapshot.data if isinstance(snapshot.data, dict) else {}
        # The sections stored as they should be, for rules that read the pack's data.
        self.sections = {key: v for key, v in self.data.items() if isinstance(v, dict)}
        self.today = to_london(snapshot.generated_at).date()
        self.budget = BUDGETS[0]

    # --- lookups ---

    def value(self, section_key: str, field_key: str) -> object:
        return value_of(self.sections, section_key, field_key)

    def group_items(self, section_key: str, group: Group) -> list[dict]:
        items = self.value(section_key, group.key)
        if not isinstance(items, list):
            return []
        return [
            item
            for item in items
            if isinstance(item, dict) and not all(is_empty(v) for v in item.values())
        ]

    def patient_name(self) -> str:
        """The name the sheet's ``Block.NAME`` gives, on every page's header."""
        shown = (
            self._shown(section, item) for section, item in on_briefing_sheet(Block.NAME, GRAB_PACK)
        )
        return " ".join(clean(value) for value in shown if value) or "Name not recorded"

    # --- hooks ---

    def _header_title(self) -> str:
        return f"Grab pack: {self.patient_name()}"

    def _header_note(self, first_page: bool) -> str:
        phone = self.snapshot.ward_phone or NOT_RECORDED
        return f"{self.snapshot.ward} 24-hour line: {phone}"

    def _footer_note(self) -> str:
        snap = self.snapshot
        return (
            f"Grab pack version {snap.version}, last reviewed {long_date(snap.reviewed_on)}, "
            f"next review due {long_date(snap.review_due_on)}"
        )

    def _get_story(self) -> list[Flowable]:
        return [*self._briefing_sheet(), PageBreak(), *self._full_pack()]

    # --- page 1: the briefing sheet ---

    def _briefing_sheet(self) -> list[Flowable]:
        """Page 1 in the longest budget that fits on one page, else in the shortest."""
        width, height = self.frame_size

        def attempt(index: int) -> tuple[list[Flowable], bool]:
            self.budget = BUDGETS[index]
            story = self._briefing_story()
            return story, story_height(story, width, height) <= height

        story, fits = attempt(0)
        if fits:
            return story
        last = len(BUDGETS) - 1
        shortest, fits = attempt(last)
        if not fits:
            return shortest  # it spills onto page 2, as short as it gets
        low, high = 1, last - 1  # budgets only shorten page 1 as they go
        best, chosen = shortest, last
        while low <= high:
            middle = (low + high) // 2
            story, fits = attempt(middle)
            if fits:
                best, chosen, high = story, middle, middle - 1
            else:
                low = middle + 1
        self.budget = BUDGETS[chosen]  # the pages that follow print what page 1 cut
        return best

    def _briefing_story(self) -> list[Flowable]:
        """The blocks the declaration fills (``Briefing``), laid out on the page."""
        story: list[Flowable] = [text("Briefing sheet: missing person", STYLES.title), spacer(2)]
        episode = self.snapshot.open_episode
        if episode is not None:
            story.append(self._episode_notice(episode))
        elif (returned := self.snapshot.returned) is not None:
            story.append(self._returned_notice(returned))
        identity = [text(self.patient_name(), STYLES.name), *self._block(Block.IDENTITY)]
        story.append(SideBySide(self._photo_column(), identity, PHOTO_WIDTH))
        story.append(SideBySide(self._legal_status(), self._triggers(), HALF))
        if episode is not None:
            story += self._why_and_cautions(episode.retake)
        story += self._titled("Risks", Block.RISKS)
        places = self._titled("Places likely to go", Block.PLACES)
        story.append(SideBySide(places, self._who_to_call(), HALF))
        return story

    def _titled(self, title: str, block: Block) -> list[Flowable]:
        """``block`` under its heading, or nothing when it has nothing to print."""
        rows = self._block(block)
        return [heading(title, STYLES.subheading), *rows] if rows else []

    def _block(self, block: Block, every: bool = False) -> list[Flowable]:
        """A row for each field the declaration puts in ``block``, and a row for each
        entry of its lists. An empty field is left out unless the checklist asks for
        it (or ``every`` field is wanted): then it is "Not recorded"."""
        rows: list[Flowable] = []
        width = LABEL_WIDTH[block]
        for section, item in on_briefing_sheet(block, GRAB_PACK):
            if isinstance(item, Group):
                rows += self._entries(section, item, block)
                continue
            shown = self._shown(section, item)
            if shown or every or item.is_needed(self.sections):
                label = item.briefing.label or item.label
                short = block is Block.IDENTITY  # beside the photo
                rows.append(
                    _row(label, self._brief(shown, section.letter, short) or NOT_RECORDED, width)
                )
        return rows

    def _shown(self, section: Section, item: Field) -> str:
        """A field's value as the sheet words it."""
        value = self.value(section.key, item.key)
        show = item.briefing.show if item.briefing else None
        return show(item, value, self.today) if show else display_value(item, value)

    def _entries(self, section: Section, group: Group, block: Block) -> list[Flowable]:
        """An entry a row, as the group's ``Entry`` reads, those it puts first first,
        as many as the budget allows."""
        entry = group.briefing.entry or Entry(line=tuple(item.key for item in group.fields))
        fields = {item.key: item for item in group.fields}
        entries = self.group_items(section.key, group)
        if not entries:
            return [text(f"{group.label}: {NOT_RECORDED.lower()}", STYLES.muted)]

        def flagged(values: dict) -> bool:
            return bool(entry.flag) and _is_yes(values.get(entry.flag))

        def first(values: dict) -> bool:
            return flagged(values) or bool(entry.kind) and values.get(entry.kind) in entry.first

        ordered = sorted(entries, key=lambda values: not first(values))
        limit = self.budget.short_text
        rows: list[Flowable] = []
        for values in ordered[: self.budget.entries(block)]:
            parts = []
            for index, key in enumerate(entry.line):
                shown = cut_text(clean(display_value(fields[key], values.get(key))), limit)
                if not shown and fields[key].counts_for_completeness:
                    label = fields[key].label
                    shown = f"{label if index == 0 else label.lower()} not recorded"
                parts.append(shown)
            line = ", ".join(part for part in parts if part)
            if entry.note:
                note = cut_text(
                    clean(display_value(fields[entry.note], values.get(entry.note))), limit
                )
                line += f" ({note})" if note else ""
            if flagged(values):
                label = fields[entry.flag].label.upper()
                rows.append(_row(label, line, LABEL_WIDTH[block], STYLES.strong, STYLES.strong))
                continue
            kind = display_value(fields[entry.kind], values.get(entry.kind)) if entry.kind else ""
            rows.append(_row(kind or group.item_label, line, LABEL_WIDTH[block]))
        if len(ordered) > self.budget.entries(block):
            more = len(ordered) - self.budget.entries(block)
            rows.append(text(f"{more} more in section {section.letter}", STYLES.small))
        return rows

    def _returned_notice(self, returned: ReturnedFacts) -> Flowable:
        """After the return: a paper printed for the prevention interview must not
        read as if the patient were still missing, nor as if they could be taken back."""
        title = (
            f"RETURNED ({returned.kind}): absence noticed {london_time(returned.noticed_at)}; "
            f"returned {london_time(returned.returned_at)}"
        )
        return Notice(
            [
                text(title, STYLES.warning, direction="ltr"),
                text(RETURNED_STATEMENT, STYLES.small, direction="ltr"),
            ]
        )

    def _episode_notice(self, episode: OpenEpisodeFacts) -> Flowable:
        """The title, then every fact for police the ward gave, in order, each cut to
        the budget (what is cut prints in full on the pages that follow); two facts
        in a row that are short share a line."""
        title = f"MISSING NOW ({episode.kind}): absence noticed {london_time(episode.noticed_at)}"
        rows: list[Flowable] = [text(title, STYLES.warning)]
        facts = [(label, self._brief(value)) for label, value in episode.rows]
        half = (self.frame_size[0] - 2 * Notice.padding - SideBySide.gap) / 2
        index = 0
        while index < len(facts):
            pair = facts[index : index + 2]
            if len(pair) == 2 and all(_on_one_line(*fact, half) for fact in pair):
                left, right = (_row(*fact, NOTICE_LABEL) for fact in pair)
                rows.append(SideBySide([left], [right], half))
                index += 2
            else:
                rows.append(_row(*facts[index], NOTICE_LABEL))
                index += 1
        return Notice(rows)

    def _photo_column(self) -> list[Flowable]:
        """The photo, with the day it was taken and whether it is out of date (the
        snapshot's flag, by the configured policy: the sheet works out no age)."""
        snap = self.snapshot
        photo = scaled_photo(snap.photo_jpeg, PHOTO_WIDTH, PHOTO_HEIGHT)
        if photo is None:
            message = "Photo could not be printed" if snap.photo_jpeg else "No photo on record"
            return [PhotoPlaceholder(message, PHOTO_WIDTH, PHOTO_HEIGHT * 0.5)]
        if snap.photo_taken_on is None:
            caption = "Date photo taken not recorded"
        else:
            caption = f"Photo taken {long_date(snap.photo_taken_on)}"
            if snap.photo_stale:
                caption += " (out of date)"
        return [photo, spacer(1.5), text(caption, STYLES.small)]

    def _legal_status(self) -> list[Flowable]:
        """While a patient is missing: the legal status as the ward stated it when
        reporting, then the power to retake worked out from it (its headline here;
        the reason, cautions and ``CONFIRM`` follow across the page). Otherwise the
        pack's ``Block.LEGAL``, and no statement of the power: it needs the absence.
        A restricted patient's box follows the same status."""
        width = LABEL_WIDTH[Block.LEGAL]
        episode = self.snapshot.open_episode
        if episode is None:
            story = [heading("Legal status", STYLES.subheading), *self._block(Block.LEGAL)]
            said = NO_STATEMENT if self.snapshot.returned is None else RETURNED_STATEMENT
            story.append(text(said, STYLES.small, direction="ltr"))
            status = legal_status(legal_facts_from_pack(self.data).legal_status)
        else:
            title = "Legal status as stated when reported missing"
            story = [heading(title, STYLES.subheading)]
            story.append(_row("Mental Health Act", episode.legal_label or NOT_RECORDED, width))
            story += [_row(label, value, width) for label, value in episode.legal_rows]
            story += [spacer(2), self._headline(episode.retake)]
            status = legal_status(episode.legal_status)
        if status is not None and status.restricted:
            warning = (
                f"RESTRICTED PATIENT ({status.label}): the Ministry of Justice must be told "
                "of any absence."
            )
            story.append(
                Notice([text(warning, STYLES.warning), *self._block(Block.RESTRICTED, every=True)])
            )
        return story

    def _headline(self, power: RetakePower) -> Flowable:
        """The power to retake in one line, as an officer acts on it."""
        headline = power.headline
        if power.has_ended(to_london(self.snapshot.generated_at)):
            headline += " (ended before this was printed)"
        return text(headline, STYLES.strong, "ltr")

    def _why_and_cautions(self, power: RetakePower) -> list[Flowable]:
        """The rest of the statement, in its own words: the reason, each caution, and
        ``CONFIRM`` (printed with every statement of the power)."""
        story: list[Flowable] = [text(power.reason, direction="ltr")]
        story += [text(f"Caution: {caution}", direction="ltr") for caution in power.cautions]
        story.append(text(CONFIRM, STYLES.small, "ltr"))
        return story

    def _triggers(self) -> list[Flowable]:
        """The Code of Practice's three reasons to report to police at once, each with
        why, from ``triggers.report_at_once`` (the police page shows the same)."""
        episode = self.snapshot.open_episode
        triggers = report_at_once(self.data, None if episode is None else episode.legal_status)
        applying = any(trigger.applies for trigger in triggers)
        lines: list[Flowable] = []
        if not applying:
            lines.append(text("No immediate-report trigger recorded", STYLES.strong))
        for index, trigger in enumerate(triggers):
            if trigger.applies:
                lines.append(text(f"{trigger.label}: YES", STYLES.warning, "ltr"))
            else:
                lines.append(text(f"{trigger.label}: {trigger.answer.lower()}", direction="ltr"))
            following = triggers[index + 1] if index + 1 < len(triggers) else None
            if following is None or following.reason != trigger.reason:
                lines.append(text(trigger.reason, STYLES.small, direction="ltr"))  # once a run
        return [
            heading("Immediate-report triggers (Code of Practice)", STYLES.subheading),
            Notice(lines, border=1.6 if applying else 0.6),
        ]

    def _who_to_call(self) -> list[Flowable]:
        snap = self.snapshot
        ward = f"{snap.ward_phone or NOT_RECORDED} ({snap.ward}, {snap.setting})"
        return [
            heading("Who to call", STYLES.subheading),
            _row("Ward 24-hour line", ward, LABEL_WIDTH[Block.CONTACTS], STYLES.strong),
            *self._block(Block.CONTACTS),
        ]

    def _brief(self, value: object, letter: str = "", short: bool = False) -> str:
        """Text for page 1: on one line, cut short to the budget, saying where the rest is."""
        value = _one_line_of(value)
        limit = self.budget.short_text if short else self.budget.text
        if len(value) <= limit:
            return value
        where = f"in section {letter}" if letter else "after page 1"
        return f"{cut_text(value, limit)}\u2026 (continued {where})"

    # --- the following pages: every section in full ---

    def _full_pack(self) -> list[Flowable]:
        story: list[Flowable] = [*self._episode_in_full()]
        story += [text("The grab pack in full", STYLES.title), Rule(1.2, space=1)]
        for section in GRAB_PACK:
            story.append(heading(f"{section.letter}. {section.title}"))
            rows = list(self._section_rows(section))
            if not rows:
                story.append(text(NOT_RECORDED, STYLES.muted))
            story += rows
        return story

    def _episode_in_full(self) -> list[Flowable]:
        """The open episode's facts, when page 1 had to cut any of them short."""
        episode = self.snapshot.open_episode
        if episode is None:
            return []
        if all(len(_one_line_of(value)) <= self.budget.text for _, value in episode.rows):
            return []
        story: list[Flowable] = [
            text(f"The absence as reported ({episode.kind}), in full", STYLES.title),
            Rule(1.2, space=1),
            _field_row("Absence noticed", london_time(episode.noticed_at)),
        ]
        story += [_field_row(label, value) for label, value in episode.rows]
        return [*story, spacer(4)]

    def _section_rows(self, section: Section) -> Iterable[Flowable]:
        """A row per recorded field or list entry; what is not recorded is named in
        one row at the end, or the section says "Not recorded" when nothing is."""
        rows: list[Flowable] = []
        missing: list[str] = []
        for item in section.items:
            if isinstance(item, Group):
                entries = self.group_items(section.key, item)
                if entries:
                    rows += self._group_rows(item, entries)
                else:
                    missing.append(item.label)
                continue
            shown = display_value(item, self.value(section.key, item.key))
            if item.key == "photo_taken_on" and not shown:
                shown = long_date(self.snapshot.photo_taken_on)
            if shown:
                rows.append(_field_row(item.label, shown))
            else:
                missing.append(item.label)
        extra = list(self._extra_rows(section))
        if missing and (rows or extra):
            rows.append(FieldRow(NOT_RECORDED, TextBlock(", ".join(missing), STYLES.muted)))
        return extra + rows

    def _group_rows(self, group: Group, entries: list[dict]) -> Iterable[Flowable]:
        """Every entry in full; one the declaration flags (``Entry.flag``) says so first."""
        shape = group.briefing.entry if group.briefing else None
        flag = next((item for item in group.fields if shape and item.key == shape.flag), None)
        for number, values in enumerate(entries, start=1):
            lines = []
            for item in group.fields:
                shown = display_value(item, values.get(item.key))
                if shown:
                    lines.append(f"{item.label}: {shown}")
            value: Flowable = TextBlock("\n".join(lines), STYLES.value, direction="ltr")
            if flag is not None and _is_yes(values.get(flag.key)):
                value = Stack([TextBlock(flag.label.upper(), STYLES.strong), value])
            yield FieldRow(f"{group.item_label} {number} of {len(entries)}", value)

    def _extra_rows(self, section: Section) -> Iterable[Flowable]:
        """Rows that come from the stored version rather than from its fields."""
        snap = self.snapshot
        if section.key == "description":
            photo = "On record (page 1)" if snap.photo_jpeg else "No photo on record"
            yield _field_row("Photo", photo)
        elif section.key == "history":
            lines = [_history_line(line) for line in snap.missing_history]
            episodes = "\n".join(lines) if lines else "None"
            yield FieldRow("Episodes recorded here", text(episodes, direction="ltr"))
        elif section.key == "contacts":
            yield _field_row(
                "Ward 24-hour phone",
                f"{snap.ward_phone or NOT_RECORDED} ({snap.ward}, {snap.setting})",
            )
        elif section.key == "record":
            yield _field_row("Version", str(snap.version))
            yield _field_row("Completed by", snap.saved_by)
            yield _field_row("Last reviewed", long_date(snap.reviewed_on))
            yield _field_row("Next review due", long_date(snap.review_due_on))


# --- helpers -------------------------------------------------------------------------


def story_height(story: list[Flowable], width: float, height: float) -> float:
    """The height ``story`` takes in a frame (space between flowables overlaps, as
    ReportLab's frames do)."""
    total, space_after = 0.0, None
    for item in story:
        if space_after is not None:
            total += max(item.getSpaceBefore(), space_after)
        total += item.wrap(width, height)[1]
        space_after = item.getSpaceAfter()
    return total


def _row(
    label: str,
    value: str,
    label_width: float = 44 * mm,
    style: TextStyle = STYLES.value,
    label_style: TextStyle | None = None,
) -> FieldRow:
    """A row whose value we composed around user text: it reads left to right."""
    if value == NOT_RECORDED:
        style = STYLES.muted
    return FieldRow(label, TextBlock(value, style, direction="ltr"), label_width, label_style)


def _on_one_line(label: str, value: str, width: float) -> bool:
    """Whether a ``_row`` of ``width`` with the notice's labels takes one line."""
    value_width = width - NOTICE_LABEL - FieldRow.gap
    return (
        len(layout(label, STYLES.label, NOTICE_LABEL)) == 1
        and len(layout(value, STYLES.value, value_width, "ltr")) == 1
    )


def _field_row(label: str, value: str) -> FieldRow:
    """A row whose value is one field as the user wrote it, in its own direction."""
    if not value:
        return FieldRow(label, TextBlock(NOT_RECORDED, STYLES.muted))
    return FieldRow(label, TextBlock(value, STYLES.value))


def _one_line_of(value: object) -> str:
    """User text on one line: its lines joined with semicolons."""
    return "; ".join(line for line in clean(value).split("\n") if line)


def _history_line(line: MissingHistoryLine) -> str:
    parts = [f"{london_time(line.noticed_at)}: {line.kind}"]
    if line.returned_at:
        parts.append(f"returned {london_time(line.returned_at)}")
    else:
        parts.append("not yet returned")
    if line.found_where:
        parts.append(f"found {line.found_where}")
    return ", ".join(parts)


def scaled_photo(
    jpeg: bytes | None, max_width: float, max_height: float, flowable: type[Flowable] | None = None
) -> Flowable | None:
    """The photo scaled to fit, as ``flowable`` (``Photo`` by default), or ``None``
    when there is none or it cannot be read."""
    if not jpeg:
        return None
    try:
        reader = JpegReader(jpeg)
        pixel_width, pixel_height = reader.getSize()
    except (OSError, ValueError, SyntaxError):
        return None
    if not pixel_width or not pixel_height:
        return None
    scale = min(max_width / pixel_width, max_height / pixel_height)
    return (flowable or Photo)(reader, pixel_width * scale, pixel_height * scale)


class Photo(Flowable):
    def __init__(self, reader: ImageReader, width: float, height: float) -> None:
        super().__init__()
        self.reader, self.width, self.height = reader, width, height

    def wrap(self, availWidth, availHeight):  # noqa: N803 (ReportLab's names)
        return self.width, self.height

    def draw(self):
        self.canv.drawImage(self.reader, 0, 0, self.width, self.height)


class PhotoPlaceholder(Flowable):
    """A dashed box saying plainly that there is no photo."""

    def __init__(self, message: str, width: float, height: float) -> None:
        super().__init__()
        self.message = message
        self.width, self.height = width, height

    def wrap(self, availWidth, availHeight):  # noqa: N803 (ReportLab's names)
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        canvas.saveState()
        canvas.setDash(4, 3)
        canvas.setLineWidth(1)
        canvas.rect(0.5, 0.5, self.width - 1, self.height - 1)
        canvas.restoreState()
        block = TextBlock(self.message.upper(), TextStyle(size=10, bold=True, align="centre"))
        _, h = block.wrap(self.width - 8, self.height)
        block.drawOn(canvas, 4, (self.height - h) / 2)
