"""What the demo says about missing episodes: circumstances, where last seen, where found.

Found categories and finders are the episode declaration's own enums
(``FoundCategory``, ``FoundBy``), checks are keyed by its ``CHECKS`` fields, police
grades by ``PoliceRiskGrade`` value (``grabpack.domain.episode_schema``): a key the
declaration does not know fails as the demo loads.
"""

from __future__ import annotations

from grabpack.demo.data.tables import lines, rows, words
from grabpack.domain.episode_schema import FoundBy, FoundCategory, PoliceRiskGrade

MONTHS = words("JAN, FEB, MAR, APR, MAY, JUN, JUL, AUG, SEP, OCT, NOV, DEC")

# What happened, by scenario; {time} is when they were due back.
CIRCUMSTANCES = {
    "leave": lines("""
        Did not return from one hour of unescorted section 17 leave to the shops; due by {time}.
        Went to the hospital café on leave in the grounds and did not come back by {time}.
    """),
    "absconded": lines("""
        Left the ward behind a visitor through the airlock during evening visiting.
        Ran from escorted leave in the grounds towards the main road; the escort lost sight.
        Climbed the garden fence during fresh-air time.
    """),
    "missing": lines("""
        Left saying they were going to the hospital shop; not back, staff concerned about mood.
        Did not return by {time} from agreed time off the ward; phone switched off.
    """),
    "escapee": lines("""
        Ran from escort at the court entrance while being taken to a hearing.
        Ran from escort during an outpatient hospital appointment.
    """),
}
LAST_SEEN = {
    "leave": ("High street, on section 17 leave", "Hospital café", "Bus stop outside the hospital"),
    "absconded": ("Ward airlock", "Ward garden", "Hospital main reception", "Hospital car park"),
    "missing": ("Hospital shop", "Main entrance", "Ward day room"),
    "escapee": ("Court entrance (under escort)", "Outpatients (under escort)"),
}
# Who found them, and how often.
FOUND_BY: dict[FoundBy, float] = {
    FoundBy.SELF_RETURN: 45,
    FoundBy.POLICE: 25,
    FoundBy.FAMILY: 15,
    FoundBy.STAFF: 10,
    FoundBy.PUBLIC: 5,
}
# found by (a FoundBy value) | found category (a FoundCategory value) | found place
# ({park}, {station}, {home})
FOUND = tuple(
    (FoundBy(by), FoundCategory(category), place)
    for by, category, place in rows("""
    self_return | returned_to_ward | Walked back onto the ward.
    self_return | returned_to_ward | Returned by taxi; the ward paid the fare.
    self_return | returned_to_ward | Came back to main reception and asked for the ward.
    family | family_or_friends | At mother's address; brought back by family.
    family | home | {home}
    police | public_place | Sitting in {park}.
    police | transport | On the platform at {station}; British Transport Police attended.
    police | police_custody | Arrested for shoplifting; brought back from custody.
    police | hospital | Taken to A&E by police under section 136.
    police | home | {home}
    staff | public_place | Found by staff near {station}.
    staff | home | {home}
    public | public_place | A member of the public called 999 from {park}.
    public | hospital | Brought to A&E by ambulance after a member of the public called.
""")
)
HARM = lines("""
    Minor cut to the hand; treated on the ward.
    Intoxicated with alcohol on return; monitored overnight.
    Asked to carry a package by people they did not know; safeguarding referral made.
    Taken to A&E after a paracetamol overdose; medically cleared and returned.
    Cold and hungry after sleeping outside; no injuries.
""")
# The police grade first given, by the trust's missing-risk category in the pinned pack.
_G = PoliceRiskGrade
POLICE_GRADES = {
    "high": {_G.HIGH: 45, _G.MEDIUM: 45, _G.LOW: 10},
    "medium": {_G.VERY_LOW: 5, _G.LOW: 35, _G.MEDIUM: 50, _G.HIGH: 10},
    "low": {_G.VERY_LOW: 25, _G.LOW: 50, _G.MEDIUM: 25},
}
# How often each pre-report check was done, by the keys of the declaration's CHECKS
# (the demo asks for a rate for every check it declares).
CHECK_RATES = {
    "ward_and_grounds_searched": 0.9,
    "cctv_checked": 0.6,
    "security_told": 0.7,
    "next_of_kin_contacted": 0.65,
}
