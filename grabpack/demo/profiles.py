"""A patient's grab pack with every section filled in (Part 1), before versions are cut.

Legal status is left out here: each version takes the status in force on the
day it was saved (``grabpack.demo.legal.legal_section``).
"""

from __future__ import annotations

import random
import unicodedata
from datetime import timedelta

from grabpack.demo.chance import phone, pick
from grabpack.demo.context import Demo
from grabpack.demo.data.clinical import DIAGNOSES, MISSED_DOSES, PHYSICAL, REGIMENS
from grabpack.demo.data.london import AREAS, PARKS, STATIONS, WARDS
from grabpack.demo.data.pack_texts import (
    AIDS,
    ALLERGIES,
    BANKS,
    BOTTOMS,
    BUILDS,
    CLINICIANS,
    COLOURS,
    DRIVING,
    EXTRAS,
    EYES,
    FACIAL_HAIR,
    GP_PRACTICES,
    HABITS,
    HAIR_LENGTHS,
    HAIR_STYLES,
    HANDSETS,
    HISTORY,
    JACKETS,
    MARKS,
    MONEY,
    NETWORKS,
    POSSESSIONS,
    RISK_FROM_OTHERS,
    RISK_TO_OTHERS,
    RISK_TO_SELF,
    ROUTINES,
    SHOES,
    STAFF_SURNAMES,
    STREETS,
    SUBSTANCES,
    TOPS,
    TRANSPORT,
)
from grabpack.demo.places import contacts, home_address, places
from grabpack.demo.plans import Plan
from grabpack.domain.nhs_number import check_digit


def profile(demo: Demo, plan: Plan) -> dict:
    """The pack with every section filled in; legal status is added per version."""
    rng = demo.rng
    area = plan.ward.area if rng.random() < 0.85 else rng.choice(list(AREAS))
    home, home_postcode = home_address(rng, area)
    return {
        "identity": _identity(demo, plan, home, home_postcode),
        "description": _description(rng, plan),
        "clothing": {"usual_clothing": outfit(rng), "possessions": rng.choice(POSSESSIONS)},
        "phone": _phone_section(rng, plan),
        "money": _money(rng, plan),
        "health": _health(rng, plan),
        "risk": _risk(rng, plan),
        "places": {"places": places(demo, plan, area, home, home_postcode)},
        "history": {"history_before_tool": f"Synthetic demo record. {rng.choice(HISTORY)}"},
        "contacts": {"contacts": contacts(demo, plan)},
        "routine": {
            "daily_routine": rng.choice(ROUTINES),
            "habits": rng.choice(HABITS),
            "favourite_places": f"{rng.choice(PARKS[area])}; {rng.choice(STATIONS[area])}.",
        },
        "record": _record(rng),
        "officer": _officer(plan),
    }


def _identity(demo: Demo, plan: Plan, home: str, home_postcode: str) -> dict:
    rng, heritage = demo.rng, plan.heritage
    age = rng.randint(*plan.kind.ages)
    born = demo.now.date() - timedelta(days=age * 365 + rng.randint(0, 364))
    language = rng.choice(heritage.languages) if rng.random() < 0.3 else heritage.languages[0]
    previous = f"{rng.randint(1, 120)} {rng.choice(STREETS)}, London (until 2022)"
    preferred = plan.latin_name.split()[0] if plan.alias and rng.random() < 0.5 else ""
    return {
        "full_name": plan.patient.full_name,
        "preferred_name": preferred,
        "aliases": f"Also written {plan.alias}" if plan.alias else "",
        "date_of_birth": born.isoformat(),
        "gender": plan.gender,
        "nhs_number": "" if rng.random() < 0.07 else _nhs_number(demo),
        "local_hospital_id": f"{plan.ward.site}{rng.randint(1_000_000, 9_999_999)}",
        "home_address": home,
        "home_postcode": home_postcode,
        "previous_addresses": previous if rng.random() < 0.4 else "",
        "first_language": language,
        "interpreter_needed": language != "English" and rng.random() < 0.5,
    }


def _nhs_number(demo: Demo) -> str:
    """Unique, in the 999 test range, with a valid check digit."""
    while True:
        first_nine = f"999{demo.rng.randrange(1_000_000):06d}"
        digit = check_digit(first_nine)
        number = f"{first_nine}{digit}"
        if digit is not None and number not in demo.nhs_numbers:
            demo.nhs_numbers.add(number)
            return number


def _description(rng: random.Random, plan: Plan) -> dict:
    male = plan.gender == "Male"
    older = plan.ward.kind == "older"
    colour = "Grey" if older and rng.random() < 0.7 else rng.choice(plan.heritage.hair)
    return {
        "height_cm": rng.randint(165, 192) if male else rng.randint(150, 178),
        "build": rng.choice(BUILDS),
        "ethnicity": plan.heritage.ethnicity,
        "hair": f"{colour}, {rng.choice(HAIR_STYLES)}, {rng.choice(HAIR_LENGTHS)}",
        "facial_hair": rng.choice(FACIAL_HAIR) if male else "",
        "eye_colour": rng.choice(EYES),
        "glasses": "Wears glasses" if rng.random() < 0.3 else "",
        "marks": rng.choice(MARKS),
        "accent": plan.heritage.accent,
        "aids": rng.choice(AIDS) if older else "",
    }


def outfit(rng: random.Random) -> str:
    """Usual clothing in the pack, or what was worn when last seen."""
    parts = [f"{rng.choice(COLOURS)} {rng.choice(items)}" for items in (JACKETS, TOPS, BOTTOMS)]
    parts.append(rng.choice(SHOES))
    if rng.random() < 0.4:
        parts.append(rng.choice(EXTRAS))
    text = ", ".join(parts)
    return f"{text[0].upper()}{text[1:]}."


def _phone_section(rng: random.Random, plan: Plan) -> dict:
    """Numbers and handles on example domains only; never a password."""
    slug = _slug(plan.latin_name).replace(" ", ".")
    section = {
        "mobile_number": phone(rng) if rng.random() < 0.85 else "",
        "network": rng.choice(NETWORKS),
        "handset": rng.choice(HANDSETS),
        "other_devices": "Old tablet kept at mother's flat" if rng.random() < 0.2 else "",
        "email": f"{slug}.demo@example.com" if rng.random() < 0.5 else "",
    }
    social = rng.random() < 0.4 and plan.ward.kind != "older"
    section["social_media"] = f"Instagram @{slug.replace('.', '_')}_demo" if social else ""
    return section


def _slug(text: str) -> str:
    """ASCII letters, digits and spaces only: for handles made from a name."""
    folded = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in folded if c.isascii() and c.isalnum() or c == " ").lower()


def _money(rng: random.Random, plan: Plan) -> dict:
    older = "State Pension; a daughter helps with bills."
    return {
        "access_to_money": older if plan.ward.kind == "older" else rng.choice(MONEY),
        "banks_and_cards": rng.choice(BANKS),
        "driving": rng.choice(DRIVING),
        "public_transport": rng.choice(TRANSPORT),
    }


def _health(rng: random.Random, plan: Plan) -> dict:
    """A diagnosis for the ward's kind, its medicines, and what missed doses mean."""
    diagnosis, medicine_class = DIAGNOSES[rng.choice(plan.kind.diagnoses)]
    regimen = [row for row in REGIMENS if row[0] == medicine_class]
    medicines = [medicine(regimen[0])]
    if len(regimen) > 1 and rng.random() < 0.3:
        medicines.append(medicine(rng.choice(regimen[1:])))
    if rng.random() < 0.4:
        medicines.append(medicine(rng.choice([r for r in REGIMENS if r[0] == "extra"])))
    _, condition, *drug, missed = rng.choices(PHYSICAL, [int(p[0]) for p in PHYSICAL])[0]
    if drug[0] != "-":
        medicines.append(medicine(("physical", *drug)))
    coordinator = f"{rng.choice('ABCDEFGHJKLMNPRSTW')}. {rng.choice(STAFF_SURNAMES)}"
    return {
        "diagnoses": diagnosis,
        "medications": medicines,
        "missed_doses": MISSED_DOSES[medicine_class] + (f" {missed}." if missed != "-" else ""),
        "physical_conditions": condition if condition != "-" else "",
        "allergies": rng.choice(ALLERGIES),
        "substance_use": rng.choice(SUBSTANCES),
        "gp": rng.choice(GP_PRACTICES),
        "responsible_clinician": CLINICIANS[WARDS.index(plan.ward) % len(CLINICIANS)],
        "care_coordinator": f"{coordinator}, community mental health team",
    }


def medicine(row: tuple[str, ...]) -> dict:
    """A regimen row as the pack's medication entry."""
    return {"name": row[1], "dose": row[2], "timing": row[3]}


def _risk(rng: random.Random, plan: Plan) -> dict:
    forensic = plan.ward.kind == "forensic"
    others = "high" if forensic and rng.random() < 0.4 else plan.risk
    return {
        "risk_to_self": rng.choice(RISK_TO_SELF[plan.risk]),
        "risk_to_others": rng.choice(RISK_TO_OTHERS[others]),
        "risk_from_others": rng.choice(RISK_FROM_OTHERS),
        "considered_dangerous": forensic and rng.random() < 0.3,
        "particularly_vulnerable": plan.ward.kind == "older" or rng.random() < 0.2,
        "missing_risk": plan.risk,
    }


def _record(rng: random.Random) -> dict:
    involved = pick(rng, {"yes": 70, "no": 15, "best_interests": 15})
    note = ""
    if involved == "best_interests":
        note = "Too unwell to take part at admission; completed from notes and family."
    return {"patient_involved": involved, "best_interests_note": note}


APPROACHES = (
    "Calm and quiet, one officer, first name. Raised voices or a crowd escalate quickly.",
    "Talk about football; do not touch without warning. Has carried a knife in the past.",
    "Frightened of uniforms: speak from a distance first and explain why you are there.",
    "Responds to a female officer; becomes mute if cornered. No officer-safety markers.",
    "Give time to answer. Known to run when approached from behind.",
)
WARNING_SIGNS = (
    "Stops eating and paces the corridor the day before.",
    "Talks about going home to see her mother; packs a bag.",
    "Asks staff repeatedly what day leave is due.",
)
BIRTHPLACES = ("London", "Dhaka", "Kraków", "Lagos", "Dublin", "Mogadishu", "Kingston")


def _officer(plan: Plan) -> dict:
    """Section N, drawn from its own generator (seeded by the patient's name) so that
    adding it changed nothing else the demo draws: the same seed, the same rows."""
    rng = random.Random(plan.patient.full_name)
    abroad = rng.random() < 0.3
    return {
        "approach": rng.choice(APPROACHES),
        "understands_english": rng.random() < 0.9,
        "warning_signs": rng.choice(WARNING_SIGNS),
        "place_of_birth": rng.choice(BIRTHPLACES),
        "has_passport": abroad or rng.random() < 0.5,
        "links_abroad": "Family abroad; has talked about flying out to them." if abroad else "",
    }
