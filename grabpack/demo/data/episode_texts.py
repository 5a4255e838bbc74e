"""What the demo says about missing episodes: circumstances, where last seen, where found.

Found categories and finders are the episode service's own keys
(``FOUND_CATEGORIES`` and ``FOUND_BY`` in ``grabpack.services.episodes``); checks
are keyed as its ``CHECKS``; police grades by ``PoliceRiskGrade`` value.
"""

from __future__ import annotations

from grabpack.demo.data.tables import lines, rows, words

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
# Who found them, as the service's FOUND_BY keys, and how often.
FOUND_BY = {"self_return": 45, "police": 25, "family": 15, "staff": 10, "public": 5}
# found by | found category (a FOUND_CATEGORIES key) | found place ({park}, {station}, {home})
FOUND = rows("""
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
HARM = lines("""
    Minor cut to the hand; treated on the ward.
    Intoxicated with alcohol on return; monitored overnight.
    Asked to carry a package by people they did not know; safeguarding referral made.
    Taken to A&E after a paracetamol overdose; medically cleared and returned.
    Cold and hungry after sleeping outside; no injuries.
""")
# The police grade first given, by the trust's missing-risk category in the pinned pack.
POLICE_GRADES = {
    "high": {"high": 45, "medium": 45, "low": 10},
    "medium": {"very_low": 5, "low": 35, "medium": 50, "high": 10},
    "low": {"very_low": 25, "low": 50, "medium": 25},
}
# How often each pre-report check (the service's CHECKS keys) was done.
CHECK_RATES = {
    "ward_and_grounds_searched": 0.9,
    "cctv_checked": 0.6,
    "security_told": 0.7,
    "next_of_kin_contacted": 0.65,
}
