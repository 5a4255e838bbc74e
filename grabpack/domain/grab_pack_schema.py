"""The grab pack, declared once.

Every section A-M of the grab pack, its fields, labels, hints, limits and whether a
field counts towards completeness. The form, the stored version, the read-only
view, the diff, the completeness checklist and the PDF are all built from this
declaration: adding a field is one edit here.

What the PDF's page 1 (the briefing sheet an officer acts on alone) prints, and in
what order, is marked here too: a field or list with a ``Briefing`` mark is printed
in that mark's ``Block`` of the sheet, and nothing else is. The report-at-once
triggers box on the sheet is the one exception: it prints the rule in
``domain/triggers.py``, which reads the fields the Code of Practice names.

Stored shape (``GrabPackVersion.data``)::

    {"identity": {"full_name": "...", "date_of_birth": "1990-04-01", ...},
     "places": {"places": [{"address": "...", "is_risk_location": true}, ...]},
     ...}

Dates are ISO strings, numbers are ints, yes/no are bools, choices their key;
an empty value is ``""``, ``None`` or absent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from grabpack.domain.clock import age_on, long_date, parse_time_of_day, time_text
from grabpack.domain.mental_health_act import (
    LEGAL_STATUSES,
    LegalStatus,
    RetakeRule,
    legal_status,
)
from grabpack.domain.nhs_number import format_nhs_number
from grabpack.domain.retake import PACK_KEYS, LegalFacts, legal_facts_from_pack


class FieldType(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # paragraphs
    DATE = "date"
    TIME = "time"  # a time of day on a London clock, stored "HH:MM"
    INTEGER = "integer"
    YES_NO = "yes_no"
    CHOICE = "choice"
    NHS_NUMBER = "nhs_number"
    POSTCODE = "postcode"
    PHONE = "phone"
    EMAIL = "email"


TEXT_LIMIT = 200
LONG_TEXT_LIMIT = 5000


class Block(StrEnum):
    """A block of the briefing sheet (page 1 of the PDF). The sheet's layout places
    them: the name heads the identity rows beside the photo; the legal status sits
    beside the report-at-once triggers (while the patient is missing, the legal
    facts as the ward stated them when reporting take its place); the restricted
    box follows it for a restricted patient; then the risks across the page; then
    the places beside who to call."""

    NAME = "name"
    IDENTITY = "identity"
    LEGAL = "legal"
    RESTRICTED = "restricted"
    RISKS = "risks"
    PLACES = "places"
    CONTACTS = "contacts"


@dataclass(frozen=True)
class Entry:
    """How one entry of a list reads on the briefing sheet, by its fields' keys.

    ``line`` is joined with commas (an empty field the checklist asks for says it
    is not recorded) and ``note`` follows in brackets. An entry whose ``flag`` (a
    yes/no) is yes comes first, labelled with that field's label in capitals;
    otherwise the label is the entry's ``kind`` (a choice) or the list's item label,
    and entries whose kind is one of ``first`` come before the rest. A list marked
    with no ``Entry`` prints every field in its line.
    """

    line: tuple[str, ...]
    note: str = ""
    kind: str = ""
    first: tuple[str, ...] = ()
    flag: str = ""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key in (*self.line, self.note, self.kind, self.flag) if key)


@dataclass(frozen=True)
class Briefing:
    """Printed on the briefing sheet (page 1), as well as in full after it.

    Items of a block print by ``order``, ties in declaration order. ``label`` is a
    shorter label for the sheet; ``show`` words the value for the sheet (given the
    field, the stored value and the day printed) where ``display_value`` is not
    enough; a list gives its ``entry``. An empty value prints "Not recorded" where
    the completeness checklist asks for the field (``Field.is_needed``), and is
    left out otherwise (every field of the restricted box is printed).
    """

    block: Block
    order: int = 0
    label: str = ""
    show: Callable[[Field, object, date], str] | None = None
    entry: Entry | None = None


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: FieldType = FieldType.TEXT
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    counts_for_completeness: bool = False
    minimum: int | None = None
    maximum: int | None = None
    # Dates that cannot be in the future (date of birth, photo taken).
    not_future: bool = False
    # Printed on the PDF's briefing sheet (page 1) as well as in full.
    briefing: Briefing | None = None
    # Counts towards completeness only when this says so of the pack's data (a fact
    # that only some legal statuses need).
    needed_when: Callable[[dict], bool] | None = None
    # Set for a field no version may be saved without, even as a draft: what to say
    # when it is blank (``pack_problems``).
    required: str = ""

    def is_needed(self, data: dict) -> bool:
        """Whether the completeness checklist asks for this field in ``data``."""
        if self.needed_when is not None:
            return self.needed_when(data)
        return self.counts_for_completeness

    @property
    def max_length(self) -> int:
        return LONG_TEXT_LIMIT if self.type is FieldType.LONG_TEXT else TEXT_LIMIT

    def choice_label(self, value: str) -> str:
        return dict(self.choices).get(value, value)


@dataclass(frozen=True)
class Group:
    """A repeatable list (contacts, places, medicines): each item has the same fields."""

    key: str
    label: str
    item_label: str
    fields: tuple[Field, ...]
    hint: str = ""
    # Complete when at least one item has every completeness field filled.
    counts_for_completeness: bool = False
    max_items: int = 50
    # Printed on the PDF's briefing sheet (page 1), an entry a row, as well as in full.
    briefing: Briefing | None = None

    def __post_init__(self) -> None:
        entry = self.briefing.entry if self.briefing else None
        unknown = set(entry.keys if entry else ()) - {item.key for item in self.fields}
        if unknown:
            raise ValueError(f"{self.key}: the briefing entry names no field {sorted(unknown)}")


@dataclass(frozen=True)
class Section:
    key: str
    letter: str
    title: str
    items: tuple[Field | Group, ...]
    hint: str = ""

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(item for item in self.items if isinstance(item, Field))

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(item for item in self.items if isinstance(item, Group))


YES_NO_UNKNOWN = (("yes", "Yes"), ("no", "No"), ("unknown", "Not known"))


def _status_needs(need: Callable[[LegalStatus], bool]) -> Callable[[dict], bool]:
    """A completeness condition on the pack's legal status (see ``LegalStatus``)."""

    def needed(data: dict) -> bool:
        status = legal_status(str(value_of(data, "legal", "legal_status") or ""))
        return status is not None and need(status)

    return needed


def _age_and_birth_date(field: Field, value: object, today: date) -> str:
    """``35 (born 1 April 1990)``: the age on the day printed, then the date."""
    shown = display_value(field, value)
    age = age_on(str(value), today) if shown else None
    return f"{age} (born {shown})" if age is not None else shown


def _centimetres(field: Field, value: object, today: date) -> str:
    shown = display_value(field, value)
    return f"{shown} cm" if shown else ""


def _status_and_meaning(field: Field, value: object, today: date) -> str:
    """``Section 3: Treatment (6 months, renewable)``."""
    status = legal_status(str(value or ""))
    return f"{status.label}: {status.meaning}" if status else display_value(field, value)


RISK_CATEGORIES = (("low", "Low"), ("medium", "Medium"), ("high", "High"))

GRAB_PACK: tuple[Section, ...] = (
    Section(
        "identity",
        "A",
        "Identity",
        (
            Field(
                "full_name",
                "Full name",
                counts_for_completeness=True,
                briefing=Briefing(Block.NAME),
                # Police read the name off the pack: never "Name not recorded" beside
                # the registered name on their list.
                required="Enter the patient's full name",
            ),
            Field("preferred_name", "Preferred name", briefing=Briefing(Block.IDENTITY)),
            Field(
                "aliases",
                "Previous names and aliases",
                FieldType.LONG_TEXT,
                briefing=Briefing(Block.IDENTITY),
            ),
            Field(
                "date_of_birth",
                "Date of birth",
                FieldType.DATE,
                counts_for_completeness=True,
                not_future=True,
                briefing=Briefing(Block.IDENTITY, label="Age", show=_age_and_birth_date),
                hint="For example, 27 3 1985",
            ),
            Field(
                "gender", "Gender", counts_for_completeness=True, briefing=Briefing(Block.IDENTITY)
            ),
            Field(
                "nhs_number",
                "NHS number",
                FieldType.NHS_NUMBER,
                hint="10 digits, like 943 476 5919",
                briefing=Briefing(Block.IDENTITY),
            ),
            Field("local_hospital_id", "Local hospital number"),
            Field(
                "home_address", "Home address", FieldType.LONG_TEXT, counts_for_completeness=True
            ),
            Field("home_postcode", "Home postcode", FieldType.POSTCODE),
            Field("previous_addresses", "Previous addresses", FieldType.LONG_TEXT),
            Field("first_language", "First language", counts_for_completeness=True),
            Field("interpreter_needed", "Interpreter needed", FieldType.YES_NO),
        ),
    ),
    Section(
        "description",
        "B",
        "Description",
        (
            Field(
                "height_cm",
                "Height in centimetres",
                FieldType.INTEGER,
                minimum=50,
                maximum=250,
                counts_for_completeness=True,
                briefing=Briefing(Block.IDENTITY, label="Height", show=_centimetres),
            ),
            Field(
                "build",
                "Build",
                counts_for_completeness=True,
                briefing=Briefing(Block.IDENTITY),
                hint="For example, slim, medium, heavy",
            ),
            Field(
                "ethnicity",
                "Ethnicity (as described)",
                counts_for_completeness=True,
                briefing=Briefing(Block.IDENTITY),
            ),
            Field(
                "hair",
                "Hair: colour, style and length",
                counts_for_completeness=True,
                briefing=Briefing(Block.IDENTITY),
            ),
            Field("facial_hair", "Facial hair", briefing=Briefing(Block.IDENTITY)),
            Field("eye_colour", "Eye colour", briefing=Briefing(Block.IDENTITY)),
            Field("glasses", "Glasses or contact lenses"),
            Field(
                "marks",
                "Scars, tattoos, piercings and marks",
                FieldType.LONG_TEXT,
                counts_for_completeness=True,
                briefing=Briefing(Block.IDENTITY),
            ),
            Field("accent", "Accent"),
            Field("aids", "Mobility or communication aids", FieldType.LONG_TEXT),
            Field("photo_taken_on", "Date the photo was taken", FieldType.DATE, not_future=True),
        ),
        hint="A recent head-and-shoulders photo is uploaded with the pack.",
    ),
    Section(
        "clothing",
        "C",
        "Clothing and possessions",
        (
            Field(
                "usual_clothing",
                "Usual clothing",
                FieldType.LONG_TEXT,
                counts_for_completeness=True,
            ),
            Field(
                "possessions",
                "Possessions usually carried",
                FieldType.LONG_TEXT,
                hint="Cash, bank cards, travel card, keys, ID, medication",
            ),
        ),
    ),
    Section(
        "phone",
        "D",
        "Phone and online",
        (
            Field("mobile_number", "Mobile number", FieldType.PHONE),
            Field("network", "Mobile network"),
            Field("handset", "Handset"),
            Field("other_devices", "Other devices", FieldType.LONG_TEXT),
            Field("email", "Email address", FieldType.EMAIL),
            Field("social_media", "Social media handles", FieldType.LONG_TEXT),
        ),
        hint="Never record passwords or PINs.",
    ),
    Section(
        "money",
        "E",
        "Money and transport",
        (
            Field("access_to_money", "Access to money", FieldType.LONG_TEXT),
            Field("banks_and_cards", "Banks and cards (for financial checks)", FieldType.LONG_TEXT),
            Field("driving", "Driving or vehicle access", FieldType.LONG_TEXT),
            Field("public_transport", "Public transport habits", FieldType.LONG_TEXT),
        ),
    ),
    Section(
        "health",
        "F",
        "Health",
        (
            Field("diagnoses", "Diagnoses", FieldType.LONG_TEXT, counts_for_completeness=True),
            Group(
                "medications",
                "Current medication",
                "Medicine",
                (
                    Field("name", "Medicine", counts_for_completeness=True),
                    Field("dose", "Dose"),
                    Field("timing", "When taken"),
                ),
                counts_for_completeness=True,
            ),
            Field(
                "missed_doses",
                "What happens if doses are missed",
                FieldType.LONG_TEXT,
                counts_for_completeness=True,
                briefing=Briefing(Block.RISKS, order=5),
            ),
            Field(
                "physical_conditions",
                "Physical conditions",
                FieldType.LONG_TEXT,
                hint="For example, diabetes, epilepsy",
                briefing=Briefing(Block.RISKS, order=6),
            ),
            Field("allergies", "Allergies", FieldType.LONG_TEXT),
            Field("substance_use", "Substance or alcohol use", FieldType.LONG_TEXT),
            Field("gp", "GP practice"),
            Field("responsible_clinician", "Responsible clinician", counts_for_completeness=True),
            Field("care_coordinator", "Care coordinator"),
        ),
    ),
    Section(
        "legal",
        "G",
        "Legal status",
        (
            Field(
                "legal_status",
                "Mental Health Act status",
                FieldType.CHOICE,
                choices=tuple((s.key, s.label) for s in LEGAL_STATUSES),
                counts_for_completeness=True,
                briefing=Briefing(Block.LEGAL, label="Mental Health Act", show=_status_and_meaning),
            ),
            Field(
                "section_start_on",
                "Section start date",
                FieldType.DATE,
                not_future=True,
                briefing=Briefing(Block.LEGAL),
                hint="The day of admission under the section, or the day the holding power began "
                "(section 135 or 136: the day they arrived at the place of safety)",
                needed_when=_status_needs(lambda status: status.needs_start),
            ),
            Field(
                "section_start_time",
                "Section start time",
                FieldType.TIME,
                briefing=Briefing(Block.LEGAL),
                hint="24-hour clock, like 22:00. Needed for section 5(4), 5(2), 4, 135 and "
                "136, which last a number of hours (135 or 136: when they arrived at the place "
                "of safety)",
                needed_when=_status_needs(lambda status: status.needs_start_time),
            ),
            Field(
                "section_expires_on",
                "Current period ends",
                FieldType.DATE,
                briefing=Briefing(Block.LEGAL),
                hint="The last day of the current period of detention, CTO or guardianship, "
                "after any renewal",
                needed_when=_status_needs(lambda status: status.needs_period_end),
            ),
            Field(
                "cto_recalled_on",
                "CTO recall date",
                FieldType.DATE,
                not_future=True,
                briefing=Briefing(Block.LEGAL),
                hint="Only for a CTO patient who has been recalled to hospital (section 17E)",
                needed_when=_status_needs(lambda status: status.key == "cto_17e"),
            ),
            Field(
                "detention_ended_on",
                "Detention ended",
                FieldType.DATE,
                not_future=True,
                briefing=Briefing(Block.LEGAL),
                hint="If the section was discharged or lapsed; leave blank while it lasts",
            ),
            Field(
                "moj_reference",
                "Ministry of Justice reference",
                hint="Restricted patients only (37/41, 47/49, 48/49)",
                briefing=Briefing(Block.RESTRICTED),
            ),
            Field(
                "s17_leave",
                "Current section 17 leave",
                FieldType.CHOICE,
                choices=(("none", "None"), ("escorted", "Escorted"), ("unescorted", "Unescorted")),
            ),
            Field("s17_conditions", "Section 17 leave conditions", FieldType.LONG_TEXT),
        ),
    ),
    Section(
        "risk",
        "H",
        "Risk",
        (
            Field(
                "risk_to_self",
                "Risk to self",
                FieldType.LONG_TEXT,
                counts_for_completeness=True,
                hint="Self-harm, suicide attempts and methods",
                briefing=Briefing(Block.RISKS, order=1),
            ),
            Field(
                "risk_to_others",
                "Risk to others",
                FieldType.LONG_TEXT,
                counts_for_completeness=True,
                hint="Violence, weapons",
                briefing=Briefing(Block.RISKS, order=2),
            ),
            Field(
                "risk_from_others",
                "Risk from others",
                FieldType.LONG_TEXT,
                counts_for_completeness=True,
                hint="Exploitation, abuse",
                briefing=Briefing(Block.RISKS, order=3),
            ),
            # The two triggers the pack answers: the sheet prints them with the third
            # (Part III) from the report-at-once rule, ``triggers.report_at_once``.
            Field(
                "considered_dangerous",
                "Considered dangerous",
                FieldType.YES_NO,
                hint="Code of Practice: report to police immediately",
            ),
            Field(
                "particularly_vulnerable",
                "Considered particularly vulnerable",
                FieldType.YES_NO,
                hint="Code of Practice: report to police immediately",
            ),
            Field(
                "missing_risk",
                "Trust's missing-risk category",
                FieldType.CHOICE,
                choices=RISK_CATEGORIES,
                counts_for_completeness=True,
                briefing=Briefing(Block.RISKS, order=4),
            ),
        ),
    ),
    Section(
        "places",
        "I",
        "Places likely to go",
        (
            Group(
                "places",
                "Places likely to go",
                "Place",
                (
                    Field(
                        "address",
                        "Address or description",
                        FieldType.LONG_TEXT,
                        counts_for_completeness=True,
                    ),
                    Field("postcode", "Postcode", FieldType.POSTCODE),
                    Field(
                        "reason",
                        "Why they may go there",
                        hint="Family, former home, work, place of worship, a bridge or railway",
                    ),
                    Field("is_risk_location", "Risk location", FieldType.YES_NO),
                ),
                counts_for_completeness=True,
                briefing=Briefing(
                    Block.PLACES,
                    entry=Entry(
                        line=("address", "postcode"), note="reason", flag="is_risk_location"
                    ),
                ),
            ),
        ),
    ),
    Section(
        "history",
        "J",
        "Previous missing history",
        (
            Field(
                "history_before_tool",
                "Missing history before this record",
                FieldType.LONG_TEXT,
                hint="Episodes logged here are listed automatically",
            ),
        ),
    ),
    Section(
        "contacts",
        "K",
        "Contacts",
        (
            Group(
                "contacts",
                "Contacts",
                "Contact",
                (
                    Field("name", "Name", counts_for_completeness=True),
                    Field(
                        "relationship",
                        "Relationship",
                        FieldType.CHOICE,
                        choices=(
                            ("next_of_kin", "Next of kin"),
                            ("nearest_relative", "Nearest relative"),
                            ("family", "Family"),
                            ("friend", "Friend"),
                            ("associate", "Associate"),
                            ("care_coordinator", "Care coordinator"),
                            ("other", "Other"),
                        ),
                    ),
                    Field("phone", "Phone", FieldType.PHONE, counts_for_completeness=True),
                    Field("address", "Address", FieldType.LONG_TEXT),
                    Field("notes", "Notes", FieldType.LONG_TEXT),
                ),
                counts_for_completeness=True,
                briefing=Briefing(
                    Block.CONTACTS,
                    entry=Entry(
                        line=("name", "phone"),
                        kind="relationship",
                        first=("next_of_kin", "nearest_relative"),
                    ),
                ),
            ),
        ),
        hint="The ward's 24-hour phone is printed on every pack.",
    ),
    Section(
        "routine",
        "L",
        "Routine and interests",
        (
            Field("daily_routine", "Daily routine", FieldType.LONG_TEXT),
            Field("habits", "Habits", FieldType.LONG_TEXT),
            Field("favourite_places", "Favourite places", FieldType.LONG_TEXT),
        ),
    ),
    Section(
        "record",
        "M",
        "Form record",
        (
            Field(
                "patient_involved",
                "Patient involved in completing the pack",
                FieldType.CHOICE,
                choices=(("yes", "Yes"), ("no", "No"), ("best_interests", "Best interests")),
                counts_for_completeness=True,
            ),
            Field("best_interests_note", "Best-interests note", FieldType.LONG_TEXT),
        ),
        hint="Who completed it, when and the version are recorded with every save.",
    ),
    # What police call handlers ask first (and the Herbert and Philomena forms): the
    # approach heads the risks on the briefing sheet, before any other risk.
    Section(
        "officer",
        "N",
        "What an officer needs first",
        (
            Field(
                "approach",
                "How to approach them",
                FieldType.LONG_TEXT,
                hint="What calms them, what escalates, and any officer-safety warning",
                briefing=Briefing(Block.RISKS, order=0),
            ),
            Field("understands_english", "Understands spoken English", FieldType.YES_NO),
            Field(
                "warning_signs",
                "Triggers and warning signs before past absences",
                FieldType.LONG_TEXT,
            ),
            Field("place_of_birth", "Place of birth"),
            Field("has_passport", "Has a passport", FieldType.YES_NO),
            Field(
                "links_abroad",
                "Links abroad",
                FieldType.LONG_TEXT,
                hint="Family or places abroad they might try to reach",
            ),
            Field(
                "leave_address",
                "Address they must stay at on section 17 leave",
                FieldType.LONG_TEXT,
                hint="The time they are due back is recorded with each absence",
            ),
        ),
        hint="Asked by police call handlers first. Access to a car is under money and "
        "transport (E).",
    ),
)

SECTIONS_BY_KEY = {section.key: section for section in GRAB_PACK}


def on_briefing_sheet(
    block: Block, sections: Sequence[Section] | None = None
) -> list[tuple[Section, Field | Group]]:
    """What the declaration (``sections``, the grab pack's by default) puts in ``block``
    of the briefing sheet, in its order (ties keep declaration order): page 1 of the
    PDF and the police patient page both read it."""
    marked = [
        (section, item)
        for section in (GRAB_PACK if sections is None else sections)
        for item in section.items
        if item.briefing is not None and item.briefing.block is block
    ]
    return sorted(marked, key=lambda pair: pair[1].briefing.order)


# --- what no version may be saved with --------------------------------------------------

PERIOD_ENDS_BEFORE_START = (
    "The date the current period ends must be on or after the date the section started"
)
RECALLED_BEFORE_START = "The CTO recall date must be on or after the date the CTO started"
ENDED_BEFORE_START = "The date detention ended must be on or after the date the section started"
ENDED_BEFORE_RECALL = "The date detention ended must be on or after the CTO recall date"


def period_end_problem(section_start_on: date | None, period_ends_on: date | None) -> str | None:
    """Why the end of the current period cannot be right, or ``None``.

    A period cannot end before the section started: such a date is a typo, and the
    power to retake worked from it tells police "No power to take back", giving the
    patient up too early. Unknown dates are not judged.
    """
    if section_start_on is None or period_ends_on is None:
        return None
    return PERIOD_ENDS_BEFORE_START if period_ends_on < section_start_on else None


def section_date_problems(facts: LegalFacts) -> list[tuple[str, str]]:
    """Every date of the section's that comes before a date it cannot precede, as (the
    ``LegalFacts`` name of the later date, the message), at most one per date.

    Each is a typo with the same harm: the power to retake worked from it ends before
    the absence began, and police are told "No power to take back" (a detention
    "ended" in the year before the section started, say). Unknown dates are not
    judged, nor dates a status does not use: an informal patient has no section, and
    a recall date left from an earlier CTO means nothing to a patient now on s3. The
    grab pack's section G and the episode's legal position both obey this one rule.
    """
    status = legal_status(facts.legal_status)
    if status is not None and status.rule is RetakeRule.NOT_DETAINED:
        return []
    recalled = facts.cto_recalled_on if facts.legal_status == "cto_17e" else None
    started, ended = facts.section_start_on, facts.detention_ended_on
    checks = (
        ("period_ends_on", started, facts.period_ends_on, PERIOD_ENDS_BEFORE_START),
        ("cto_recalled_on", started, recalled, RECALLED_BEFORE_START),
        ("detention_ended_on", started, ended, ENDED_BEFORE_START),
        ("detention_ended_on", recalled, ended, ENDED_BEFORE_RECALL),
    )
    found: dict[str, str] = {}
    for later_key, earlier, later, message in checks:
        if earlier is not None and later is not None and later < earlier:
            found.setdefault(later_key, message)
    return list(found.items())


def pack_problems(data: dict) -> list[tuple[str, str, str]]:
    """What stops ``data`` being saved, even as a draft, as (section key, field key,
    message) in page order: a required field left blank, and a date of the section's
    before one it cannot precede (``section_date_problems``). A draft may lack anything
    else (the checklist lists it); these would tell police something wrong. The form
    shows each beside its field and the save service refuses on the same rule."""
    found = [
        (section.key, field.key, field.required)
        for section, field in iter_fields()
        if field.required and not str(value_of(data, section.key, field.key) or "").strip()
    ]
    legal = legal_facts_from_pack(data)  # unreadable dates count as not recorded
    found += [("legal", PACK_KEYS[key], message) for key, message in section_date_problems(legal)]
    return found


def iter_fields() -> Iterator[tuple[Section, Field]]:
    """Every top-level (non-repeatable) field with its section."""
    for section in GRAB_PACK:
        for field in section.fields:
            yield section, field


def value_of(data: dict, section_key: str, field_key: str):
    """A field's stored value, or ``None`` when the section or field is absent."""
    return (data.get(section_key) or {}).get(field_key)


def is_empty(value) -> bool:
    return value is None or value == "" or value == []


def display_value(field: Field, value) -> str:
    """A stored value as people read it, on screen and on paper: labels for choices,
    Yes/No, long dates, spaced NHS numbers. Never fails, whatever was stored."""
    if is_empty(value):
        return ""
    try:
        match field.type:
            case FieldType.YES_NO:
                if isinstance(value, bool):
                    return "Yes" if value else "No"
                return dict(YES_NO_UNKNOWN).get(str(value).lower(), str(value))
            case FieldType.CHOICE:
                return str(field.choice_label(value))
            case FieldType.DATE:
                return long_date(value if isinstance(value, date) else date.fromisoformat(value))
            case FieldType.TIME:
                return time_text(parse_time_of_day(str(value)))
            case FieldType.NHS_NUMBER:
                digits = str(value).replace(" ", "")
                if len(digits) == 10:
                    return format_nhs_number(digits)
    except (TypeError, ValueError):
        pass
    return str(value)
