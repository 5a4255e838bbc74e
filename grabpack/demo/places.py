"""Addresses, places likely to go and contacts: the parts of a pack police act on first.

Postcodes are real districts with invented inward codes; phone numbers are in
Ofcom's drama ranges; the places of concern are public landmarks.
"""

from __future__ import annotations

import random

from grabpack.demo.chance import phone, pick
from grabpack.demo.context import Demo
from grabpack.demo.data.london import DISTRICTS, RISK_PLACES, STATIONS
from grabpack.demo.data.pack_texts import (
    BLOCKS,
    FRIENDS,
    INWARD_LETTERS,
    RELATIVES,
    STAFF_SURNAMES,
    STREETS,
)
from grabpack.demo.data.people import name_part
from grabpack.demo.plans import Plan
from grabpack.domain.postcode import normalise_postcode


def home_address(rng: random.Random, area: str) -> tuple[str, str]:
    """(address, postcode); one patient in twenty has no fixed abode and no postcode."""
    if rng.random() < 0.05:
        return f"No fixed abode. Has slept near {rng.choice(STATIONS[area])}.", ""
    if rng.random() < 0.5:
        home = f"Flat {rng.randint(1, 60)}, {rng.choice(BLOCKS)}, {rng.choice(STREETS)}, London"
    else:
        home = f"{rng.randint(1, 180)} {rng.choice(STREETS)}, London"
    return home, postcode(rng, area)


def postcode(rng: random.Random, area: str) -> str:
    """A well-formed postcode in one of the area's districts."""
    inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    return normalise_postcode(f"{rng.choice(DISTRICTS[area])} {inward}")


def places(demo: Demo, plan: Plan, area: str, home: str, home_postcode: str) -> list[dict]:
    """Places likely to go: home, family, sometimes worship, a risk location, a hang-out."""
    rng = demo.rng
    found = []
    if home_postcode:
        found.append(_place(home, home_postcode, "Own home"))
    relative = rng.choice(RELATIVES)
    family_home = f"{rng.randint(1, 200)} {rng.choice(STREETS)}, London"
    found.append(_place(family_home, postcode(rng, area), f"{relative} lives here"))
    if plan.heritage.worship and rng.random() < 0.5:
        worship = f"{plan.heritage.worship}, {rng.choice(STREETS)}"
        found.append(_place(worship, postcode(rng, area), "Place of worship"))
    if rng.random() < 0.35:
        found.append(risk_place(demo, plan))
    if rng.random() < 0.3:
        cafes = f"Betting shop and cafés by {rng.choice(STATIONS[area])}"
        found.append(_place(cafes, postcode(rng, area), "Spends time here with friends"))
    return found


def risk_place(demo: Demo, plan: Plan) -> dict:
    """A landmark of concern in the ward's own policing area."""
    choices = [row for row in RISK_PLACES if row[0] == plan.ward.area]
    _, address, code, why = demo.rng.choice(choices)
    return _place(address, normalise_postcode(code), why, risk=True)


def _place(address: str, code: str, reason: str, risk: bool = False) -> dict:
    return {"address": address, "postcode": code, "reason": reason, "is_risk_location": risk}


def contacts(demo: Demo, plan: Plan) -> list[dict]:
    """A relative always; a care coordinator for half; a friend for some."""
    rng, heritage = demo.rng, plan.heritage
    relative = name_part(rng.choice(heritage.women + heritage.men), "Male")[1]
    found = [{
        "name": f"{relative} {plan.latin_name.split(' ', 1)[-1]}",
        "relationship": pick(rng, {"next_of_kin": 60, "nearest_relative": 30, "family": 10}),
        "phone": phone(rng),
        "address": f"{rng.randint(1, 200)} {rng.choice(STREETS)}, London",
        "notes": rng.choice(("Visits on Sundays.", "Prefers a call after 6pm.", "")),
    }]  # fmt: skip
    if rng.random() < 0.5:
        found.append({
            "name": f"{rng.choice('ABCDEFGHJKLMNPRSTW')}. {rng.choice(STAFF_SURNAMES)}",
            "relationship": "care_coordinator",
            "phone": f"020 7946 0{rng.randint(300, 999):03d}",
            "address": "",
            "notes": "Community mental health team, weekdays 9 to 5.",
        })  # fmt: skip
    if rng.random() < 0.3:
        found.append(friend(rng))
    return found


def friend(rng: random.Random) -> dict:
    """A friend the patient meets when missing."""
    return {
        "name": rng.choice(FRIENDS), "relationship": "friend", "phone": phone(rng),
        "address": "", "notes": "Known to meet up when missing.",
    }  # fmt: skip
