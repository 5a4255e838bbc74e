"""A missing episode (Part 2 of the protocol), declared once.

What is known only when someone goes missing: the kind of absence, the times,
the checks done, the legal position as the ward states it at reporting time,
the police report, and the return. The episode forms, the service that records
them, the episode page, the police page, the PDF's Part 2 facts and the CSV
export all read this declaration: adding a fact is one edit here plus its
column on ``MissingEpisode`` (a test checks that the two agree).

An episode never writes to the grab pack (Part 1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from grabpack.domain.clock import LONDON, london_today, long_date, time_text
from grabpack.domain.grab_pack_schema import section_date_problems
from grabpack.domain.mental_health_act import LEGAL_STATUSES, RetakeRule, legal_status
from grabpack.domain.retake import Answer, LegalFacts, RetakePower, absence_began


class EpisodeKind(StrEnum):
    MISSING = "missing"
    AWOL = "awol"
    ESCAPEE = "escapee"

    @property
    def label(self) -> str:
        return {"missing": "Missing", "awol": "AWOL", "escapee": "Escapee"}[self.value]

    @property
    def hint(self) -> str:
        return {
            "missing": "Informal patient (or not liable to be retaken) whose whereabouts are "
            "unknown",
            "awol": "Detained patient who left without leave or did not come back from leave",
            "escapee": "Escaped from custody imposed by a court, or while being taken somewhere",
        }[self.value]


class PoliceRiskGrade(StrEnum):
    """College of Policing APP continuum; owned by police, apart from the trust's category."""

    VERY_LOW = "very_low"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class FoundCategory(StrEnum):
    HOME = "home"
    FAMILY_OR_FRIENDS = "family_or_friends"
    PUBLIC_PLACE = "public_place"
    TRANSPORT = "transport"
    HOSPITAL = "hospital"
    POLICE_CUSTODY = "police_custody"
    RETURNED_TO_WARD = "returned_to_ward"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "home": "Home address",
            "family_or_friends": "Family or friends",
            "public_place": "Public place",
            "transport": "Railway or transport",
            "hospital": "Another hospital or A&E",
            "police_custody": "Police custody",
            "returned_to_ward": "Returned to the ward",
            "other": "Other",
        }[self.value]


class FoundBy(StrEnum):
    SELF_RETURN = "self_return"
    STAFF = "staff"
    POLICE = "police"
    FAMILY = "family"
    PUBLIC = "public"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "self_return": "Returned by themselves",
            "staff": "Hospital staff",
            "police": "Police",
            "family": "Family or friends",
            "public": "Member of the public",
            "other": "Other",
        }[self.value]


class Stage(StrEnum):
    """When a fact is given: reporting the absence, later updates, the return, and the
    prevention interview (often after the episode is closed)."""

    OPEN = "open"
    UPDATE = "update"
    CLOSE = "close"
    INTERVIEW = "interview"


class EpisodeFieldType(StrEnum):
    MOMENT = "moment"  # London date and 24-hour time; stored aware UTC
    DATE = "date"
    TIME = "time"  # time of day on a London clock
    TEXT = "text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    CHECK = "check"  # a tick box: done or not


@dataclass(frozen=True)
class EpisodeField:
    key: str  # the ``MissingEpisode`` column
    label: str
    type: EpisodeFieldType
    stages: tuple[Stage, ...]
    hint: str = ""
    max_length: int = 0
    choices: tuple[tuple[str, str], ...] = ()
    choice_hints: tuple[tuple[str, str], ...] = ()
    blank_choice: str = ""  # the select's empty option, e.g. "Not given yet"
    required: str = ""  # the error message when it is left empty
    not_future: bool = False  # a date or moment that cannot be later than now
    for_police: bool = False  # on the police page and the PDF's "missing now" box
    # A column of the episode CSV for the monthly review. Free text and the police
    # reference stay out: the review needs facts, not identifying detail.
    export: bool = False
    # For a moment: a tick box that records the time the form is sent ("Now").
    now_option: str = ""
    # For a moment: how "cannot be in the future" names it.
    when_name: str = ""

    def choice_label(self, value: str) -> str:
        return dict(self.choices).get(value, value)

    def choice_hint(self, value: str) -> str:
        return dict(self.choice_hints).get(value, "")


@dataclass(frozen=True)
class EpisodeSection:
    key: str
    title: str
    fields: tuple[EpisodeField, ...]
    hint: str = ""


T = EpisodeFieldType
OPEN, UPDATE, CLOSE, INTERVIEW = Stage.OPEN, Stage.UPDATE, Stage.CLOSE, Stage.INTERVIEW


def _labels(enum: type[StrEnum]) -> tuple[tuple[str, str], ...]:
    return tuple((member.value, member.label) for member in enum)  # type: ignore[attr-defined]


EPISODE: tuple[EpisodeSection, ...] = (
    EpisodeSection(
        "absence",
        "The absence",
        (
            EpisodeField(
                "kind",
                "What kind of absence is this?",
                T.CHOICE,
                # Corrected later with the legal status it has to agree with.
                (OPEN, UPDATE),
                choices=_labels(EpisodeKind),
                choice_hints=tuple((kind.value, kind.hint) for kind in EpisodeKind),
                required="Choose missing, AWOL or escapee",
                for_police=True,
                export=True,
            ),
            EpisodeField(
                "noticed_at",
                "Absence noticed",
                T.MOMENT,
                (OPEN,),
                hint="Filled in with the time now: change it if needed",
                required="Enter when the absence was noticed",
                when_name="The time the absence was noticed",
                for_police=True,
                export=True,
            ),
            EpisodeField(
                "last_seen_at",
                "Last seen",
                T.MOMENT,
                (OPEN,),
                hint="The last time anyone saw them, for example at the last observation",
                required="Enter when the patient was last seen",
                when_name="Last seen",
                for_police=True,
                export=True,
            ),
            EpisodeField(
                "last_seen_place",
                "Where last seen",
                T.TEXT,
                (OPEN,),
                max_length=500,
                for_police=True,
            ),
            EpisodeField(
                "leave_due_back_at",
                "Leave due back",
                T.MOMENT,
                (OPEN,),
                hint="Only if they did not come back from section 17 leave: when they were due. "
                "The absence began then.",
                for_police=True,
                export=True,
            ),
            EpisodeField(
                "clothing",
                "Clothing when last seen",
                T.LONG_TEXT,
                (OPEN,),
                max_length=2000,
                for_police=True,
            ),
            EpisodeField(
                "circumstances",
                "Circumstances",
                T.LONG_TEXT,
                (OPEN,),
                max_length=5000,
                for_police=True,
            ),
        ),
    ),
    EpisodeSection(
        "checks",
        "Checks done before reporting",
        tuple(
            EpisodeField(key, label, T.CHECK, (OPEN,), export=True)
            for key, label in (
                ("ward_and_grounds_searched", "Ward and grounds searched"),
                ("cctv_checked", "CCTV checked"),
                ("security_told", "Security told"),
                ("next_of_kin_contacted", "Next of kin contacted"),
            )
        ),
    ),
    EpisodeSection(
        "legal",
        "Legal status when the patient went",
        (
            EpisodeField(
                "legal_status",
                "Mental Health Act status",
                T.CHOICE,
                (OPEN, UPDATE),
                choices=tuple((status.key, status.label) for status in LEGAL_STATUSES),
                blank_choice="Not known",
                for_police=True,
                export=True,
            ),
            EpisodeField(
                "section_start_on",
                "Section start date",
                T.DATE,
                (OPEN, UPDATE),
                hint="The day of admission under the section, or the day the holding power began "
                "(section 135 or 136: the day they arrived at the place of safety)",
                not_future=True,
                for_police=True,
            ),
            EpisodeField(
                "section_start_time",
                "Section start time",
                T.TIME,
                (OPEN, UPDATE),
                hint="24-hour clock. Needed for section 5(4), 5(2), 4, 135 and 136 (135 or 136: "
                "when they arrived at the place of safety)",
                for_police=True,
            ),
            EpisodeField(
                "period_ends_on",
                "Current period ends",
                T.DATE,
                (OPEN, UPDATE),
                hint="The last day of the current period of detention, CTO or guardianship, "
                "after any renewal",
                for_police=True,
            ),
            EpisodeField(
                "cto_recalled_on",
                "CTO recall date",
                T.DATE,
                (OPEN, UPDATE),
                hint="Only for a CTO patient who has been recalled (section 17E)",
                not_future=True,
                for_police=True,
            ),
            EpisodeField(
                "detention_ended_on",
                "Detention ended",
                T.DATE,
                (OPEN, UPDATE),
                hint="If the section was discharged or lapsed",
                not_future=True,
                for_police=True,
            ),
        ),
        hint="From the grab pack. Correct it if it has changed: police are told what you "
        "enter here, and the grab pack becomes due for review.",
    ),
    EpisodeSection(
        "police",
        "Police",
        (
            EpisodeField(
                "reported_at",
                "Reported to police",
                T.MOMENT,
                (OPEN, UPDATE),
                hint="Leave blank if not reported yet",
                now_option="Now",
                when_name="The time reported to police",
                export=True,
            ),
            EpisodeField(
                "police_reference",
                "Police reference number",
                T.TEXT,
                (OPEN, UPDATE),
                max_length=50,
                for_police=True,
            ),
            EpisodeField(
                "police_risk_grade",
                "Police risk grade",
                T.CHOICE,
                (OPEN, UPDATE),
                choices=_labels(PoliceRiskGrade),
                blank_choice="Not given yet",
                for_police=True,
                export=True,
            ),
            EpisodeField(
                "s18_expiry_stated",
                "I have told police until when the patient can be taken back (s18)",
                T.CHECK,
                (OPEN, UPDATE),
                export=True,
            ),
            EpisodeField(
                "moj_notified_at",
                "Ministry of Justice told",
                T.MOMENT,
                (OPEN, UPDATE),
                hint="Restricted patients: tell the Mental Health Casework Section at once",
                when_name="The time the Ministry of Justice was told",
                export=True,
            ),
        ),
    ),
    EpisodeSection(
        "return",
        "Return",
        (
            EpisodeField(
                "returned_at",
                "Returned or found",
                T.MOMENT,
                (CLOSE,),
                required="Enter when the patient returned or was found",
                when_name="The return time",
                export=True,
            ),
            EpisodeField(
                "found_category",
                "Where found",
                T.CHOICE,
                (CLOSE,),
                choices=_labels(FoundCategory),
                blank_choice="Choose where",
                required="Choose where the patient was found",
                export=True,
            ),
            EpisodeField("found_place", "Place", T.TEXT, (CLOSE,), max_length=500),
            EpisodeField(
                "found_by",
                "Found by",
                T.CHOICE,
                (CLOSE,),
                choices=_labels(FoundBy),
                blank_choice="Choose who",
                export=True,
            ),
            EpisodeField(
                "harm_while_missing", "Harm while missing", T.LONG_TEXT, (CLOSE,), max_length=5000
            ),
            EpisodeField(
                "prevention_interview_at",
                "Prevention interview (safe and well check)",
                T.MOMENT,
                (CLOSE, INTERVIEW),
                hint="When police did the safe and well check, if done",
                when_name="The prevention interview",
                export=True,
            ),
        ),
    ),
)

FIELDS_BY_KEY = {field.key: field for section in EPISODE for field in section.fields}
CHECKS = tuple(field for field in EPISODE[1].fields)
LEGAL_FIELDS = tuple(field for field in EPISODE[2].fields)


def sections_for(stage: Stage) -> Iterator[tuple[EpisodeSection, tuple[EpisodeField, ...]]]:
    """The sections that have fields at ``stage``, each with those fields, in order."""
    for section in EPISODE:
        fields = tuple(field for field in section.fields if stage in field.stages)
        if fields:
            yield section, fields


def fields_for(stage: Stage) -> tuple[EpisodeField, ...]:
    return tuple(field for _, fields in sections_for(stage) for field in fields)


def display(field: EpisodeField, value: object) -> str:
    """A stored value as people read it on screen, paper and in exports: labels for
    choices, long dates, London times. Empty for nothing recorded."""
    if value is None or value == "":
        return ""
    match field.type:
        case T.CHECK:
            return "Yes" if value else "No"
        case T.CHOICE:
            return field.choice_label(str(value))
        case T.MOMENT if isinstance(value, datetime):
            local = value.astimezone(LONDON)
            return f"{local:%H:%M} on {long_date(local.date())}"
        case T.DATE if isinstance(value, date):
            return long_date(value)
        case T.TIME if isinstance(value, time):
            return time_text(value)
    return str(value)


def shown_rows(
    values: Mapping[str, object] | object,
    section_keys: tuple[str, ...],
    for_police: bool = False,
    skip: tuple[str, ...] = (),
) -> list[tuple[str, str]]:
    """(label, value as read) for the fields of some sections, in declaration order:
    the episode page, the police page and the PDF list the same facts the same way.
    Empty values are ``""`` (the page says "Not recorded"); tick boxes are left out."""
    get = getter_of(values)
    return [
        (field.label, display(field, get(field.key)))
        for section in EPISODE
        if section.key in section_keys
        for field in section.fields
        if field.type is not T.CHECK
        and (field.for_police or not for_police)
        and field.key not in skip
    ]


def getter_of(values: Mapping[str, object] | object) -> Callable[[str], object]:
    """Read a field by key from an episode or from a mapping of episode values alike."""
    if isinstance(values, Mapping):
        return values.get
    return lambda key: getattr(values, key, None)


def legal_facts_of(values: Mapping[str, object] | object) -> LegalFacts:
    """The legal facts from an episode, or from a mapping of episode values."""
    get = getter_of(values)
    return LegalFacts(
        legal_status=str(get("legal_status") or ""),
        **{field.key: get(field.key) or None for field in LEGAL_FIELDS[1:]},  # type: ignore[arg-type]
    )


def absence_began_of(values: Mapping[str, object] | object) -> datetime | None:
    """When the patient went, from an episode or a mapping of episode values."""
    get = getter_of(values)
    return absence_began(get("last_seen_at"), get("leave_due_back_at"))  # type: ignore[arg-type]


def expected_kinds(power: RetakePower) -> tuple[EpisodeKind, ...]:
    """The kinds that agree with the legal position: AWOL needs a power to take the
    patient back, and a patient who cannot be taken back is missing. Any kind when the
    position is not known."""
    if power.answer is Answer.NOT_KNOWN:
        return tuple(EpisodeKind)
    if power.answer is Answer.NO_POWER:
        return (EpisodeKind.MISSING,)
    return (EpisodeKind.AWOL, EpisodeKind.ESCAPEE)


# --- times: in the past and in order ------------------------------------------------------

CLOCK_SLACK = timedelta(minutes=5)  # clocks on ward PCs drift
PAGE_ORDER = {key: position for position, key in enumerate(FIELDS_BY_KEY)}


@dataclass(frozen=True)
class TimeOrder:
    """``first`` cannot come after ``then``. The error sits beside whichever of the two
    comes later on the page (where the ward is looking when they see it)."""

    first: str
    then: str
    message: str

    @property
    def shown_on(self) -> str:
        return max(self.first, self.then, key=PAGE_ORDER.__getitem__)


TIME_ORDER: tuple[TimeOrder, ...] = (
    TimeOrder("last_seen_at", "noticed_at", "Last seen must be before the absence was noticed"),
    TimeOrder(
        "leave_due_back_at", "noticed_at", "Leave due back must be before the absence was noticed"
    ),
    TimeOrder(
        "noticed_at", "reported_at", "Reported to police must be after the absence was noticed"
    ),
    TimeOrder(
        "last_seen_at",
        "moj_notified_at",
        "The Ministry of Justice cannot have been told before the patient was last seen",
    ),
    TimeOrder(
        "noticed_at", "returned_at", "Returned or found must be after the absence was noticed"
    ),
    TimeOrder(
        "returned_at",
        "prevention_interview_at",
        "The prevention interview must be after the return",
    ),
)
TIMED_KEYS = tuple(
    sorted({key for rule in TIME_ORDER for key in (rule.first, rule.then)}, key=PAGE_ORDER.get)
)


def _in_future(value: object, now: datetime) -> bool:
    if isinstance(value, datetime):
        return value > now + CLOCK_SLACK
    return isinstance(value, date) and value > london_today(now)


def time_problems(values: Mapping[str, object], now: datetime) -> list[tuple[str, str]]:
    """Every time in ``values`` that is in the future or out of order, as (the key of
    the field the error sits beside, the message), in page order: one rule for the
    form (which shows each beside its field) and the service (which refuses the
    first). Unknown times are not judged."""
    found: list[tuple[str, str]] = []
    for key, value in values.items():
        field = FIELDS_BY_KEY.get(key)
        if field is None or not (field.when_name or field.not_future):
            continue
        if _in_future(value, now):
            found.append((key, f"{field.when_name or field.label} cannot be in the future"))
    for rule in TIME_ORDER:
        first, then = values.get(rule.first), values.get(rule.then)
        if isinstance(first, datetime) and isinstance(then, datetime) and then < first:
            found.append((rule.shown_on, rule.message))
    found += section_date_problems(legal_facts_of(values))  # the pack's own rule
    return sorted(found, key=lambda problem: PAGE_ORDER[problem[0]])


# The legal facts only a detention has: an informal patient has no section.
SECTION_FACTS = (
    "section_start_on",
    "section_start_time",
    "period_ends_on",
    "cto_recalled_on",
    "detention_ended_on",
)


def has_no_section(status_key: object) -> bool:
    """An informal patient: no section, so none of ``SECTION_FACTS`` applies."""
    status = legal_status(str(status_key or ""))
    return status is not None and status.rule is RetakeRule.NOT_DETAINED


def without_unused_legal_facts(values: Mapping[str, object]) -> dict[str, object]:
    """``values`` with the section's facts left out when the stated status has no
    section (informal): dates left on the form from the pack, or typed before the
    status was changed, would otherwise print beside "Informal" as if they applied."""
    if not has_no_section(values.get("legal_status")):
        return dict(values)
    return {**values, **dict.fromkeys(SECTION_FACTS)}


def known_times(episode: Mapping[str, object] | object) -> dict[str, object]:
    """The times of a recorded episode that later stages are judged against."""
    get = getter_of(episode)
    return {key: get(key) for key in TIMED_KEYS if get(key) is not None}


# --- the kind the legal status suggests ---------------------------------------------------


def suggested_kind(legal: LegalFacts) -> EpisodeKind | None:
    """The kind the report form starts with: AWOL for a patient liable to be taken back,
    missing for one who is not (informal, or a CTO patient not recalled), and nothing
    when the status is not known or detention may have ended (the ward chooses)."""
    status = legal_status(legal.legal_status)
    if status is None or legal.detention_ended_on is not None:
        return None
    if status.rule is RetakeRule.NOT_DETAINED:
        return EpisodeKind.MISSING
    if status.rule is RetakeRule.NOT_RECALLED:
        return None if legal.cto_recalled_on else EpisodeKind.MISSING
    return EpisodeKind.AWOL
