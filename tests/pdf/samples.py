"""Grab-pack snapshots for the PDF tests and benchmark: a typical pack and a maximal one."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from io import BytesIO

from PIL import Image, ImageDraw

from grabpack.domain.episode_schema import (
    EPISODE,
    LEGAL_FIELDS,
    EpisodeKind,
    absence_began_of,
    display,
    legal_facts_of,
)
from grabpack.domain.grab_pack_schema import GRAB_PACK, FieldType, Group
from grabpack.domain.mental_health_act import legal_label
from grabpack.domain.retake import power_to_retake
from grabpack.pdf import GrabPackSnapshot, MissingHistoryLine, OpenEpisodeFacts

NAMES = {
    "polish": "Łukasz Wójcik",
    "polish_2": "Zuzanna Dąbrowska",
    "irish": "Siobhán Ní Bhriain",
    "arabic": "محمد الحسن",
    "chinese": "王伟",
    "bengali": "রহিম উদ্দিন",
}
MARKUP = (
    "<b>",
    "<font size=500>",
    '<img src="http://example.invalid/x.png">',
    "&amp;",
    "a < b & c",
    "<i>",
)
GENERATED_AT_BST = datetime(2025, 7, 14, 14, 4, tzinfo=UTC)  # 15:04 BST
GENERATED_AT_GMT = datetime(2025, 1, 14, 14, 4, tzinfo=UTC)  # 14:04 GMT

SENTENCE = (
    "Often walks to the canal towpath near Camden Lock and sits by the water for hours; "
    "staff should check the benches first. "
)


@cache
def photo_jpeg() -> bytes:
    """A head-and-shoulders stand-in, drawn rather than photographed."""
    image = Image.new("RGB", (600, 750), (205, 205, 205))
    draw = ImageDraw.Draw(image)
    draw.ellipse((180, 120, 420, 400), fill=(150, 120, 100))
    draw.rectangle((120, 420, 480, 750), fill=(60, 70, 90))
    out = BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def typical_data(every_script: bool = True) -> dict:
    """A typical pack; its contacts include names in Arabic, Chinese and Bengali
    unless ``every_script`` is false."""
    data = _typical_data()
    if not every_script:
        contacts = data["contacts"]["contacts"]
        data["contacts"]["contacts"] = [c for c in contacts if c["name"].isascii()]
    return data


def _typical_data() -> dict:
    return {
        "identity": {
            "full_name": "Łukasz Wójcik",
            "preferred_name": "Luke",
            "aliases": "Lukas Wojcik; 'Woj'",
            "date_of_birth": "1990-04-01",
            "gender": "Male",
            "nhs_number": "9434765919",
            "local_hospital_id": "RV3-118204",
            "home_address": "Flat 3, 12 Mare Street, London",
            "home_postcode": "E8 4RP",
            "previous_addresses": "",
            "first_language": "Polish",
            "interpreter_needed": False,
        },
        "description": {
            "height_cm": 178,
            "build": "Slim",
            "ethnicity": "White European",
            "hair": "Dark brown, short, receding",
            "facial_hair": "Stubble",
            "eye_colour": "Blue",
            "glasses": "None",
            "marks": "Tattoo of an anchor on the left forearm; scar above the right eyebrow.",
            "accent": "Polish",
            "aids": "",
        },
        "clothing": {
            "usual_clothing": "Grey hooded top, black tracksuit trousers, white trainers.",
            "possessions": "Oyster card, a little cash, phone, tobacco.",
        },
        "phone": {
            "mobile_number": "07700 900123",
            "network": "Vodafone",
            "handset": "Samsung Galaxy A14, black",
            "social_media": "Instagram @luke_w90",
        },
        "money": {
            "access_to_money": "About £40 a week from benefits; bank card kept by the ward.",
            "banks_and_cards": "Monzo current account",
            "public_transport": "Uses buses (Oyster), avoids the Underground.",
        },
        "health": {
            "diagnoses": "Paranoid schizophrenia; alcohol dependence.",
            "medications": [
                {"name": "Clozapine", "dose": "300 mg", "timing": "Night"},
                {"name": "Thiamine", "dose": "100 mg", "timing": "Morning"},
            ],
            "missed_doses": "Becomes paranoid and hears voices within 48 hours; "
            "at risk of clozapine re-titration after 48 hours missed.",
            "physical_conditions": "Type 2 diabetes (metformin).",
            "allergies": "Penicillin",
            "substance_use": "Alcohol, cannabis",
            "gp": "Lower Clapton Group Practice",
            "responsible_clinician": "Dr A. Okafor",
            "care_coordinator": "Sam Patel",
        },
        "legal": {
            "legal_status": "s3",
            "section_start_on": "2025-05-02",
            "section_expires_on": "2025-11-01",
            "s17_leave": "escorted",
            "s17_conditions": "Escorted ground leave, 30 minutes, twice a day.",
        },
        "risk": {
            "risk_to_self": "Two overdose attempts (2021, 2023). Has spoken of jumping from "
            "the Hackney Wick footbridge when unwell.",
            "risk_to_others": "Verbal aggression when intoxicated; no weapons history.",
            "risk_from_others": "Known to be targeted for money by local dealers.",
            "considered_dangerous": False,
            "particularly_vulnerable": True,
            "missing_risk": "high",
        },
        "places": {
            "places": [
                {
                    "address": "Hackney Wick footbridge over the canal",
                    "postcode": "E9 5EN",
                    "reason": "Has spoken of jumping here",
                    "is_risk_location": True,
                },
                {
                    "address": "Mother's home, 44 Ridley Road",
                    "postcode": "E8 2NP",
                    "reason": "Family",
                    "is_risk_location": False,
                },
                {
                    "address": "Polish church, Devonia Road",
                    "postcode": "N1 8JJ",
                    "reason": "Place of worship",
                    "is_risk_location": False,
                },
            ]
        },
        "history": {"history_before_tool": "Went missing twice in 2023 from another ward."},
        "contacts": {
            "contacts": [
                {
                    "name": "Zuzanna Dąbrowska",
                    "relationship": "next_of_kin",
                    "phone": "07700 900456",
                    "address": "44 Ridley Road, London E8 2NP",
                    "notes": "Mother; speaks little English.",
                },
                {
                    "name": "Sam Patel",
                    "relationship": "care_coordinator",
                    "phone": "020 7946 0001",
                },
                {
                    "name": "محمد الحسن (Mohammed Al-Hassan)",
                    "relationship": "friend",
                    "phone": "07700 900789",
                    "notes": "Met at the day centre; speaks Arabic and English.",
                },
                {
                    "name": "王伟 (Wang Wei)",
                    "relationship": "associate",
                    "phone": "07700 900321",
                    "address": "Room 4, 9 Gerrard Street, London W1D 5PL",
                },
                {
                    "name": "রহিম উদ্দিন",
                    "relationship": "friend",
                    "phone": "07700 900654",
                    "notes": "Shop owner on Brick Lane who gives him credit.",
                },
            ]
        },
        "routine": {
            "daily_routine": "Sleeps late; smokes in the garden after lunch.",
            "habits": "Buys tobacco from the shop on Mare Street.",
            "favourite_places": "Victoria Park, the canal towpath.",
        },
        "record": {"patient_involved": "yes"},
        "officer": {
            "approach": "Calm, one officer, first name. Shouting or a uniform at the door "
            "escalates: he has punched an officer before.",
            "understands_english": True,
            "place_of_birth": "Kraków",
            "has_passport": False,
        },
    }


def _filled(field, index: int, long_text: str) -> object:
    match field.type:
        case FieldType.LONG_TEXT:
            return long_text
        case FieldType.DATE:
            return "1990-04-01" if field.not_future else "2026-01-31"
        case FieldType.INTEGER:
            return field.maximum or 180
        case FieldType.YES_NO:
            return index % 2 == 0
        case FieldType.CHOICE:
            return field.choices[-1][0]
        case FieldType.NHS_NUMBER:
            return "9434765919"
        case FieldType.POSTCODE:
            return "SW1A 1AA"
        case FieldType.PHONE:
            return "020 7946 0000"
        case FieldType.EMAIL:
            return "someone@example.org"
    return f"{field.label} {index}: " + "a realistic one-line value"[: 200 - len(field.label) - 6]


def maximal_data(long_text_chars: int | None = None, items: int = 20) -> dict:
    """Every field filled, ``items`` contacts, places and medicines.

    Long-text fields hold a realistic paragraph (about 600 characters) or, when
    ``long_text_chars`` is given, that many characters (5000 is the limit).
    """
    long_text = (SENTENCE * 200)[: long_text_chars or 600].rstrip()
    data: dict = {}
    for section in GRAB_PACK:
        values: dict = {}
        for index, item in enumerate(section.items):
            if isinstance(item, Group):
                values[item.key] = [
                    {
                        f.key: _filled(f, number + position, long_text)
                        for position, f in enumerate(item.fields)
                    }
                    for number in range(items)
                ]
            else:
                values[item.key] = _filled(item, index, long_text)
        data[section.key] = values
    data["identity"]["full_name"] = NAMES["polish"]
    data["identity"]["aliases"] = f"{MIXED_LINE}\n{long_text}"
    names = list(NAMES.values())
    for number, contact in enumerate(data["contacts"]["contacts"]):
        contact["name"] = f"{names[number % len(names)]} ({number + 1})"
    for number, place in enumerate(data["places"]["places"]):
        place["reason"] = f"Visits {names[number % len(names)]}"
    data["legal"]["legal_status"] = "s37_41"
    return data


def snapshot(data: dict | None = None, **overrides) -> GrabPackSnapshot:
    base = GrabPackSnapshot(
        patient_id="6f1c2a0e-3d5b-4c1e-9a55-0c2b7e1d9f10",
        version=7,
        data=typical_data() if data is None else data,
        reviewed_on=date(2025, 7, 1),
        review_due_on=date(2025, 7, 8),
        saved_by="Nurse Aoife Byrne",
        ward="Larch Ward",
        setting="Homerton Mental Health Unit",
        ward_phone="020 7946 0999",
        generated_for="PC 4821 Jane Smith",
        generated_at=GENERATED_AT_BST,
        photo_jpeg=photo_jpeg(),
        photo_taken_on=date(2025, 6, 20),
        missing_history=(
            MissingHistoryLine(
                noticed_at=datetime(2025, 3, 2, 18, 30, tzinfo=UTC),
                kind="AWOL",
                returned_at=datetime(2025, 3, 3, 9, 10, tzinfo=UTC),
                found_where="at his mother's home",
            ),
        ),
    )
    return replace(base, **overrides)


def maximal_snapshot(long_text_chars: int | None = None) -> GrabPackSnapshot:
    history = tuple(
        MissingHistoryLine(
            noticed_at=datetime(2024, month, 3, 18, 30, tzinfo=UTC),
            kind="AWOL",
            returned_at=datetime(2024, month, 4, 9, 10, tzinfo=UTC),
            found_where="by police at a bus station",
        )
        for month in range(1, 13)
    )
    return snapshot(
        maximal_data(long_text_chars),
        missing_history=history,
        open_episode=open_episode(long_text_chars, legal_status="s37_41", period_ends_on=None),
    )


def open_episode(long_text_chars: int | None = None, **values: object) -> OpenEpisodeFacts:
    """An AWOL patient on section 3, last seen in the hospital garden; ``values``
    (``MissingEpisode`` column names) replace or add to the episode's."""
    long = (SENTENCE * 200)[: long_text_chars or 300].rstrip()
    episode: dict[str, object] = {
        "kind": "awol",
        "noticed_at": datetime(2025, 7, 14, 13, 40, tzinfo=UTC),
        "last_seen_at": datetime(2025, 7, 14, 13, 5, tzinfo=UTC),
        "last_seen_place": "Hospital garden, by the east gate",
        "clothing": "Navy parka, grey tracksuit, red trainers" if not long_text_chars else long,
        "circumstances": "Left during escorted ground leave" if not long_text_chars else long,
        "legal_status": "s3",
        "section_start_on": date(2025, 5, 2),
        "period_ends_on": date(2025, 11, 1),
        "police_reference": "CAD 4471/14JUL25",
        "police_risk_grade": "high",
    }
    episode.update(values)
    return episode_facts(episode)


def episode_facts(episode: dict[str, object]) -> OpenEpisodeFacts:
    """What ``services.pdf_documents`` gives the PDF for an episode with these values:
    rows from the declaration, and the power worked out by ``power_to_retake``."""

    def rows(fields) -> tuple[tuple[str, str], ...]:
        shown = ((field.label, display(field, episode.get(field.key))) for field in fields)
        return tuple((label, value) for label, value in shown if value)

    legal_keys = {field.key for field in LEGAL_FIELDS}
    for_police = [
        field
        for section in EPISODE
        for field in section.fields
        if field.for_police and field.key not in {"kind", "noticed_at", *legal_keys}
    ]
    return OpenEpisodeFacts(
        kind=EpisodeKind(str(episode["kind"])).label,
        noticed_at=episode["noticed_at"],  # type: ignore[arg-type]
        retake=power_to_retake(legal_facts_of(episode), absence_began_of(episode)),
        rows=rows(for_police),
        legal_status=str(episode.get("legal_status") or ""),
        legal_label=legal_label(str(episode.get("legal_status") or "")),
        legal_rows=rows(field for field in LEGAL_FIELDS if field.key != "legal_status"),
    )


def scripts_data() -> dict:
    """A pack whose names are in every script the tests check, and whose free
    text is full of markup that must print as typed."""
    data = typical_data()
    data["identity"].update(
        full_name=NAMES["irish"],
        preferred_name=NAMES["polish"],
        aliases="\n".join(
            [
                NAMES["polish_2"],
                NAMES["arabic"],
                NAMES["chinese"],
                NAMES["bengali"],
                MIXED_LINE,
            ]
        ),
    )
    data["description"]["marks"] = "Tattoo reading <b> on the wrist"
    data["phone"]["handset"] = "<font size=500>"
    data["phone"]["social_media"] = '<img src="http://example.invalid/x.png">'
    data["money"]["access_to_money"] = "&amp;"
    data["routine"]["habits"] = "a < b & c"
    data["routine"]["daily_routine"] = "<i>unbalanced italic"
    data["routine"]["favourite_places"] = "The first aftershock listing, near محمد الحسن's shop"
    return data


MIXED_LINE = "Mixed: Łukasz محمد الحسن 王伟 রহিম উদ্দিন Siobhán"
