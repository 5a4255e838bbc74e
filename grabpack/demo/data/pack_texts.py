"""Text banks for a grab pack's sections: addresses, health, risk, description, habits.

Every phrase is invented. Contacts' phone numbers come from Ofcom's drama ranges
and are made where they are used, not listed here.
"""

from __future__ import annotations

from grabpack.demo.data.tables import lines, words

STREETS = words(
    "Albion Road, Cedar Grove, Church Street, Victoria Road, Mill Lane, Station Approach, "
    "Park Terrace, Canal Walk, Market Row, Queens Road, Elm Close, Harbour Street, "
    "Orchard Way, Bramble Lane, Foundry Street, Tanners Row"
)
BLOCKS = ("Kingsley House", "Mercer Court", "Lime Tree House", "Fenwick Court", "Ashdown House")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
STAFF_SURNAMES = words("Okafor, Fenwick, Lindqvist, Adebayo, Marsh, Kaur, Pereira, Whitfield, Osei")
FRIENDS = ("Jay", "Dee", "Kemi", "Sully", "Marta", "Bash")
RELATIVES = ("Mother", "Sister", "Brother", "Aunt", "Cousin")
CLINICIANS = words(
    "Dr A. Lindqvist, Dr R. Okonjo, Dr S. Bhattacharya, Dr M. Keane, Dr H. Castellano, "
    "Dr J. Whitmore, Dr P. Adeyinka"
)
GP_PRACTICES = words(
    "Canal Walk Surgery, Elm Close Medical Centre, Harbour Street Practice, "
    "Victoria Road Health Centre, Not registered with a GP"
)
ALLERGIES = lines("""
    No known drug allergies
    No known drug allergies
    Penicillin (rash)
    Haloperidol (severe stiffness)
    Peanuts (anaphylaxis, carries an adrenaline pen)
""")
SUBSTANCES = lines("""
    None reported
    Cannabis most days before admission
    Alcohol, up to 10 units a day
    Crack cocaine, last use reported two weeks before admission
    Synthetic cannabinoids (spice) when missing
    Alcohol binges at weekends; cannabis
""")
RISK_TO_SELF = {
    "low": lines("""
        No history of self-harm. Denies suicidal thoughts; future-focused on the ward.
        One paracetamol overdose in 2019 while intoxicated; no self-harm since.
    """),
    "medium": lines("""
        Cuts forearms when distressed, last three months ago. Fleeting suicidal thoughts, no plan.
        Overdose of prescribed medication before admission; mood remains low.
        Neglects self when unwell: stops eating and sleeps outside.
    """),
    "high": lines("""
        Tried to jump from a railway bridge before admission. Voices tell them to harm themselves.
        Two ligature attempts on the ward last month; talks of the river as a place to die.
    """),
}
RISK_TO_OTHERS = {
    "low": lines("""
        No history of violence.
        Verbally hostile when paranoid; no physical aggression recorded.
    """),
    "medium": lines("""
        Punched a nurse during restraint in 2022. Threatens people they think are following them.
        Damaged property at the family home when unwell; no injuries to others.
    """),
    "high": lines("""
        Index offence: knife assault while psychotic (2019). Has carried a knife when unwell.
        Assaulted a stranger believed to be spying on them (2021). Approach calmly, in pairs.
    """),
}
RISK_FROM_OTHERS = lines("""
    No known risks from others.
    Known to local drug dealers; his flat was taken over (cuckooing) before admission.
    Vulnerable to financial exploitation; has given bank cards to people met on the street.
    Ex-partner subject to a non-molestation order; may seek her out.
    Sleeps rough when missing and has been assaulted before.
    Contacted online by older men asking to meet; safeguarding referral made.
""")
HISTORY = lines("""
    No known missing episodes before this admission.
    Two AWOLs in a 2022 admission, both from unescorted leave; found at mother's address.
    Went missing several times from supported accommodation; usually found near the river.
    Missing from home twice in 2023, reported by family.
""")
MONEY = lines("""
    Universal Credit paid fortnightly; usually has little cash.
    Personal Independence Payment managed by an appointee (sister).
    Works part-time in a warehouse; has savings.
    No income at present; borrows from friends.
""")
BANKS = ("Monzo debit card", "Barclays current account", "Post Office card account", "HSBC")
DRIVING = ("Does not drive.", "Does not drive.", "Full licence; can use brother's grey Corsa.")
TRANSPORT = lines("""
    Buses with an Oyster card; knows the Overground well.
    Freedom Pass; travels by bus to the town centre most days.
    Walks everywhere; rarely uses public transport.
    Has dodged fares on trains to the coast before.
""")
ROUTINES = lines("""
    Sleeps late; smokes in the garden every hour; phones mother most evenings.
    Up early; walks the grounds; goes to the ward's music group on Thursdays.
    Spends most of the day in their room; eats little before evening.
""")
HABITS = lines("""
    Smokes roll-ups.
    Drinks a lot of energy drinks.
    Paces when anxious.
    Prays five times a day.
    Keeps a notebook with them at all times.
""")
POSSESSIONS = lines("""
    Mobile phone, Oyster card, a little cash, tobacco and lighter.
    Phone, bank card, keys to mother's flat.
    Usually carries nothing but cigarettes; phone often out of charge.
    Freedom Pass, purse with cards, reading glasses.
    Rucksack with clothes, phone charger and passport.
""")
MARKS = lines("""
    Tattoo of a rose on the left forearm.
    Scar through the right eyebrow.
    Healed self-harm scars on both forearms.
    Nose piercing; several ear piercings.
    Tattoo of a name across the knuckles of the right hand.
    Burn scar on the back of the left hand.
    No known scars, tattoos or piercings.
""")
BUILDS = ("Slim", "Medium", "Stocky", "Heavy", "Thin", "Athletic", "Tall and thin")
EYES = ("Brown", "Dark brown", "Blue", "Green", "Hazel", "Grey")
HAIR_STYLES = ("cropped", "shaved at the sides", "braids", "locs", "tied back", "curly", "straight")
HAIR_LENGTHS = ("short", "collar length", "shoulder length", "long")
FACIAL_HAIR = ("Short beard", "Clean-shaven", "Stubble", "Moustache")
AIDS = ("Walks with a stick", "Hearing aid in the left ear", "Uses a walking frame")
NETWORKS = ("EE", "Vodafone", "O2", "Three", "Lebara", "giffgaff", "Lyca Mobile")
HANDSETS = words(
    "Black iPhone 12 with a cracked screen, Samsung Galaxy A14 in a blue case, "
    "Old Nokia basic phone, Motorola in a clear case"
)
JACKETS = ("puffer jacket with a hood", "denim jacket", "parka", "zip-up hoodie", "long wool coat")
TOPS = ("T-shirt", "football shirt", "jumper", "hoodie", "blouse", "sweatshirt")
BOTTOMS = ("tracksuit bottoms", "jeans", "joggers", "leggings", "cargo trousers", "long skirt")
SHOES = ("white trainers", "black trainers", "sliders with socks", "walking boots", "black boots")
COLOURS = ("black", "grey", "navy", "red", "green", "white", "beige", "dark blue", "maroon")
EXTRAS = ("black beanie", "baseball cap", "small rucksack", "headscarf", "large headphones")
EDITS = ("medication", "clothing", "places", "contact", "photo", "phone")
# Parts a partial pack leaves out; routine, money and phone do not count for completeness,
# the end of the current period only for the statuses that need it (s3, s37, CTO).
DROPPABLE: tuple[tuple[str, str | None], ...] = (
    ("places", None), ("contacts", None), ("description", "marks"), ("description", "hair"),
    ("risk", "risk_from_others"), ("health", "missed_doses"), ("record", None),
    ("routine", None), ("money", None), ("phone", None),
    ("legal", "section_expires_on"),  # the MHA office has not given the renewed period's end
)  # fmt: skip
