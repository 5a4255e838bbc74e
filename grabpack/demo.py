"""The synthetic London dataset behind ``grabpack demo``.

Everything here is invented: trusts, hospitals, wards, staff, patients and
episodes. Only public, organisational facts are real: the Met's basic command
units, postcode districts and a few London landmarks named as places of
concern. Phone numbers are in Ofcom's drama ranges, NHS numbers in the 999
test range, email addresses on example domains, photos are silhouettes, and
every trust carries ``is_synthetic`` so the demo can tell its data from real data.

The data is skewed as DOMAIN.md says real data is: most patients never go
missing, a minority go missing again and again, and a few wards have a month
of ten or more episodes. Packs are saved through the real grab-pack service,
so versions, change notes and audit rows exist as in use (audit rows carry the
time the demo ran: they record when rows were really written).

Deterministic: the same seed and ``now`` give the same dataset.
"""

from __future__ import annotations

import copy
import io
import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select

from grabpack.domain.clock import LONDON, london_today
from grabpack.domain.mental_health_act import legal_status
from grabpack.domain.nhs_number import check_digit
from grabpack.domain.postcode import normalise_postcode
from grabpack.domain.review import is_photo_stale, triggering_change
from grabpack.extensions import db
from grabpack.models import (
    EpisodeKind,
    GrabPack,
    MissingEpisode,
    Patient,
    Photo,
    PoliceRiskGrade,
    PolicingArea,
    Role,
    Setting,
    Trust,
    User,
    Ward,
)
from grabpack.models.base import utcnow
from grabpack.policies import review_policy
from grabpack.services.grab_packs import mark_reviewed, request_review, save_version
from grabpack.services.photos import store_photo
from grabpack.services.users import create_user

DEMO_PASSWORD = "grabpack-demo-2021"  # noqa: S105 - printed for anyone to use, by design


class DemoRefused(Exception):
    """The database holds data that is not the demo's; the message says what."""


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    scope: str


def _lines(block: str) -> tuple[str, ...]:
    """One entry per non-blank line of a text block: keeps the banks below readable."""
    return tuple(line.strip() for line in block.strip().splitlines() if line.strip())


def _words(text: str) -> tuple[str, ...]:
    """A comma-separated list."""
    return tuple(word.strip() for word in text.split(","))


def _weights(text: str) -> dict[str, float]:
    """``"low 38, medium 47"`` as ``{"low": 38.0, "medium": 47.0}``."""
    return {key: float(value) for key, value in (item.split() for item in _words(text))}


def _rows(block: str) -> tuple[tuple[str, ...], ...]:
    """A table written one row a line, cells separated by ``|``."""
    return tuple(tuple(cell.strip() for cell in line.split("|")) for line in _lines(block))


MONTHS = _words("JAN, FEB, MAR, APR, MAY, JUN, JUL, AUG, SEP, OCT, NOV, DEC")

# --- Organisations: fictional trusts, sites and wards in three real Met areas -----------------

TRUSTS = _rows("""
    SYN-NT | North Thames Mental Health NHS Foundation Trust (synthetic)
    SYN-ER | East River Mental Health NHS Trust (synthetic)
    SYN-SR | South Riverside NHS Foundation Trust (synthetic)
    SYN-MH | Meridian Healthcare, independent provider (synthetic)
""")
AREAS = dict(
    _rows("""
    CE | Central East
    NE | North East
    SW | South West
""")
)
DISTRICTS = {
    "CE": _words("E1, E2, E3, E5, E8, E9, E14, N1, N16"),
    "NE": _words("E6, E7, E10, E11, E12, E13, E15, E16, E17"),
    "SW": _words("SW11, SW12, SW15, SW17, SW18, SW19, KT1, KT2, TW9, TW10"),
}
STATIONS = {
    "CE": ("Bethnal Green station", "Whitechapel station", "Hackney Central station"),
    "NE": ("Stratford station", "Walthamstow Central station", "East Ham station"),
    "SW": ("Clapham Junction station", "Tooting Broadway station", "Wimbledon station"),
}
PARKS = {
    "CE": ("Victoria Park", "London Fields", "Mile End Park"),
    "NE": ("West Ham Park", "Wanstead Flats", "Lloyd Park"),
    "SW": ("Tooting Common", "Wandsworth Common", "King George's Park"),
}
# area | place | postcode | why it matters
RISK_PLACES = _rows("""
    CE | Tower Bridge, footway over the river | SE1 2UP | Stood at the railings in a past absence
    CE | Liverpool Street station concourse | EC2M 7PY | Talks of taking a train to the coast
    CE | Regent's Canal towpath by Mile End Park | E3 4QY | Found by the lock during an AWOL
    NE | Stratford station, Jubilee line platforms | E15 1AZ | Found near the platform edge before
    NE | River Lea towpath by the Olympic Park | E20 2ST | Speaks of the river when low in mood
    NE | Canning Town station footbridge | E16 1DQ | Detained under section 136 here in 2023
    SW | Clapham Junction station footbridge | SW11 2QP | Stood on the footbridge over the tracks
    SW | Putney Bridge | SW15 1LB | Has said they would go to the river if things got bad
    SW | Wandsworth Bridge | SW18 1TU | Found here by police during an episode in 2023
""")
# code | name | trust | area | address | postcode
SITES = _rows("""
    NTH | Northfield Hospital | SYN-NT | CE | Northfield Road, London | E2 9QF
    LEA | Lea Bank Centre for Mental Health | SYN-NT | CE | 2 Lea Bank Walk, London | E5 9RX
    SAL | Saltmarsh Unit | SYN-ER | NE | 140 Saltmarsh Road, London | E13 8TY
    GRN | Greenway House Secure Unit | SYN-ER | NE | Greenway Close, London | E15 2PJ
    MER | Meridian House | SYN-MH | NE | 9 Chapel Place, London | E17 4HN
    HTH | Heathside Hospital | SYN-SR | SW | Heathside Lane, London | SW17 9TB
    WAN | Wandle Vale Unit | SYN-SR | SW | 3 Wandle Vale, London | SW18 4DJ
""")
SITE_NAMES = {site[0]: site[1] for site in SITES}
SITE_AREAS = {site[0]: site[3] for site in SITES}


@dataclass(frozen=True)
class _WardSpec:
    code: str
    name: str
    kind: str  # acute, picu, older, forensic, rehab
    busy: bool = False

    @property
    def site(self) -> str:
        return self.code.split("-")[0]

    @property
    def area(self) -> str:
        return SITE_AREAS[self.site]


WARDS = tuple(
    _WardSpec(code, name, kind, busy == "busy")
    for code, name, kind, busy in _rows("""
        NTH-WIL | Willow Ward | acute | busy
        NTH-ROW | Rowan Ward | acute | -
        NTH-HAZ | Hazel Ward | picu | -
        NTH-JUN | Juniper Ward | older | -
        LEA-ALD | Alder Ward | acute | -
        LEA-BIR | Birch Ward | acute | busy
        LEA-ELD | Elder Ward | rehab | -
        SAL-ASP | Aspen Ward | acute | -
        SAL-CED | Cedar Ward | acute | -
        SAL-HOL | Holly Ward | picu | -
        GRN-LAU | Laurel Ward | forensic | -
        GRN-MAP | Maple Ward | forensic | -
        GRN-YEW | Yew Ward | forensic | -
        MER-LIN | Linden Ward | rehab | -
        MER-POP | Poplar Ward | acute | -
        HTH-OAK | Oak Ward | acute | busy
        HTH-ASH | Ash Ward | acute | -
        HTH-HAW | Hawthorn Ward | older | -
        WAN-SYC | Sycamore Ward | acute | -
        WAN-CHE | Chestnut Ward | rehab | -
    """)
)
WARDS_BY_CODE = {ward.code: ward for ward in WARDS}
# The month of many episodes on each busy ward, counted back from this month.
SPIKE_MONTHS_BACK = {"NTH-WIL": 1, "LEA-BIR": 3, "HTH-OAK": 6}

# role | email | name | wards or areas
USERS = _rows("""
    nurse | nurse.willow@example.nhs.uk | Amara Okafor | NTH-WIL
    ward_manager | manager.willow@example.nhs.uk | Daniel Reeves | NTH-WIL
    nurse | nurse.heathside@example.nhs.uk | Kasia Nowicka | HTH-OAK HTH-ASH
    ward_manager | manager.heathside@example.nhs.uk | Femi Adeyinka | HTH-OAK HTH-ASH HTH-HAW
    nurse | nurse.northfield@example.nhs.uk | Helen Marsh | NTH-ROW NTH-HAZ NTH-JUN
    nurse | nurse.leabank@example.nhs.uk | Jamal Rahman | LEA-ALD LEA-BIR LEA-ELD
    nurse | nurse.saltmarsh@example.nhs.uk | Priya Nair | SAL-ASP SAL-CED SAL-HOL
    nurse | nurse.greenway@example.nhs.uk | Owen Pritchard | GRN-LAU GRN-MAP GRN-YEW
    nurse | nurse.meridian@example.nhs.uk | Sofia Almeida | MER-LIN MER-POP
    nurse | nurse.wandlevale@example.nhs.uk | Ruth Boateng | WAN-SYC WAN-CHE
    police | officer.ce@example.police.uk | PC Sam Doyle | CE
    police | officer.ne@example.police.uk | PC Nadia Hussain | NE
    police | officer.sw@example.police.uk | PC Tom Bradley | SW
    admin | admin@example.nhs.uk | Chris Lowe | -
""")


# --- How each kind of ward behaves -------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    size: int  # relative share of patients
    ages: tuple[int, int]
    stays: tuple[tuple[float, int, int], ...]  # (share, min days, max days) so far
    legal: dict[str, float]  # legal status on admission
    risk: dict[str, float]  # the trust's missing-risk category
    episodes: dict[str, float]  # over a whole year: none, one, two, or a repeat cluster
    diagnoses: tuple[str, ...]


KINDS = {
    "acute": _Kind(
        size=20,
        ages=(18, 64),
        stays=((0.3, 2, 45), (0.35, 45, 200), (0.35, 200, 700)),
        legal=_weights("s2 50, s3 24, informal 12, cto_17e 5, s5_2 3, s4 2, s5_4 1, s35 1, s37 2"),
        risk={"low": 38, "medium": 47, "high": 15},
        episodes={"none": 34, "one": 33, "two": 18, "repeat": 15},
        diagnoses=_words("schizophrenia, schizoaffective, bipolar, psychotic_depression, eupd")
        + ("fep", "drug_psychosis"),
    ),
    "picu": _Kind(
        size=10,
        ages=(18, 55),
        stays=((0.7, 2, 40), (0.3, 40, 150)),
        legal={"s2": 35, "s3": 50, "s37": 5, "cto_17e": 5, "s5_2": 5},
        risk={"low": 20, "medium": 45, "high": 35},
        episodes={"none": 52, "one": 28, "two": 12, "repeat": 8},
        diagnoses=("schizophrenia", "bipolar", "fep", "drug_psychosis"),
    ),
    "older": _Kind(
        size=14,
        ages=(66, 92),
        stays=((0.5, 10, 90), (0.5, 90, 300)),
        legal={"s2": 45, "s3": 35, "informal": 20},
        risk={"low": 55, "medium": 35, "high": 10},
        episodes={"none": 58, "one": 26, "two": 10, "repeat": 6},
        diagnoses=("alzheimers", "mixed_dementia", "late_psychosis", "psychotic_depression"),
    ),
    "forensic": _Kind(
        size=15,
        ages=(21, 60),
        stays=((0.3, 60, 365), (0.7, 365, 2500)),
        legal=_weights("s37_41 34, s37 18, s3 14, s47_49 12, s48_49 4, s38 8, s35 4, s36 4, s2 2"),
        risk={"low": 50, "medium": 40, "high": 10},
        episodes={"none": 64, "one": 21, "two": 8, "repeat": 7},
        diagnoses=("forensic_schizophrenia", "resistant", "schizoaffective", "delusional"),
    ),
    "rehab": _Kind(
        size=12,
        ages=(20, 60),
        stays=((0.4, 60, 365), (0.6, 365, 1100)),
        legal={"s3": 70, "informal": 16, "s37": 14},
        risk={"low": 60, "medium": 35, "high": 5},
        episodes={"none": 50, "one": 28, "two": 12, "repeat": 10},
        diagnoses=("resistant", "schizophrenia", "schizoaffective"),
    ),
}

# key | diagnosis | medicines class
DIAGNOSES = {
    row[0]: row[1:]
    for row in _rows("""
    schizophrenia | Paranoid schizophrenia | antipsychotic
    schizoaffective | Schizoaffective disorder, bipolar type | mood
    bipolar | Bipolar affective disorder, manic with psychotic symptoms | mood
    psychotic_depression | Severe depressive episode with psychotic symptoms | antidepressant
    eupd | Emotionally unstable personality disorder; recurrent self-harm | eupd
    fep | First episode psychosis | antipsychotic
    drug_psychosis | Drug-induced psychosis (cannabis and synthetic cannabinoids) | antipsychotic
    alzheimers | Alzheimer's disease with behavioural and psychological symptoms | dementia
    mixed_dementia | Mixed Alzheimer's and vascular dementia | dementia
    late_psychosis | Late-onset schizophrenia-like psychosis | antipsychotic
    forensic_schizophrenia | Paranoid schizophrenia; antisocial personality traits | antipsychotic
    resistant | Treatment-resistant schizophrenia | clozapine
    delusional | Delusional disorder | antipsychotic
""")
}
# class | medicine | dose | when (the first of each class is the main one)
REGIMENS = _rows("""
    antipsychotic | Olanzapine | 15 mg | At night
    antipsychotic | Aripiprazole | 15 mg | Morning
    antipsychotic | Paliperidone palmitate depot | 100 mg | Monthly injection
    clozapine | Clozapine | 350 mg | 150 mg morning, 200 mg night
    mood | Lithium carbonate | 800 mg | At night
    mood | Sodium valproate | 1 g | 500 mg twice daily
    antidepressant | Sertraline | 100 mg | Morning
    antidepressant | Quetiapine | 150 mg | At night
    eupd | Sertraline | 50 mg | Morning
    eupd | Promethazine | 25 mg | As needed at night
    dementia | Donepezil | 10 mg | At night
    dementia | Memantine | 20 mg | Morning
    extra | Procyclidine | 5 mg | As needed for stiffness
    extra | Lorazepam | 1 mg | As needed, up to twice daily
    extra | Zopiclone | 7.5 mg | At night for up to two weeks
    extra | Hyoscine hydrobromide | 300 micrograms | At night for hypersalivation
""")
MISSED_DOSES = {
    "antipsychotic": "Missing more than two or three days usually brings back paranoid thinking "
    "and poor sleep; when untreated has become guarded and hostile.",
    "clozapine": "Clozapine: after 48 hours or more of missed doses it must be restarted at a low "
    "dose under medical supervision; the full dose risks collapse. Tell the ward at once.",
    "mood": "Missed doses risk a rapid return of manic symptoms. On lithium, vomiting, shaking "
    "or confusion suggest toxicity and need A&E.",
    "antidepressant": "Missed doses cause dizziness and low mood within two days; suicide risk "
    "rises as mood drops.",
    "eupd": "Missed doses are not dangerous in themselves; the main risk while missing is "
    "impulsive self-harm, often with alcohol.",
    "dementia": "Missed doses are not dangerous in themselves, but alone is at risk from "
    "confusion, falls, cold and not eating or drinking.",
}
# weight | physical condition | medicine | dose | when | if missed
PHYSICAL = _rows("""
    60 | - | - | - | - | -
    12 | Type 2 diabetes | Metformin | 500 mg | Twice daily with meals | High sugars if missed
    5 | Epilepsy, tonic-clonic | Levetiracetam | 750 mg | Twice daily | Seizure risk within a day
    12 | Asthma | Salbutamol inhaler | 100 micrograms | Two puffs as needed | -
    8 | High blood pressure | Amlodipine | 5 mg | Morning | -
    3 | Hepatitis C, untreated | - | - | - | -
""")


# --- People: names in the scripts London writes them in ---------------------------------------


@dataclass(frozen=True)
class _Heritage:
    key: str
    weight: float
    ethnicity: str  # as described
    accent: str
    languages: tuple[str, ...]
    native_share: float  # how often the record holds the name in its own script
    worship: str
    hair: tuple[str, ...]
    men: tuple[str, ...]
    women: tuple[str, ...]
    surnames: tuple[str, ...]


# Four lines each. First: key; weight; ethnicity; accent; first languages; share of records in
# the native script; place of worship; hair colours (default black, dark brown). Then men's
# given names, women's, and family names: "native|Latin" where the script is not Latin,
# "his/hers" where a family name differs by gender.
HERITAGE_TABLE = """
english; 22; White British; London; English; 0; ; Brown, Mousy brown, Fair, Dark blonde, Ginger
    James, Daniel, Thomas, Ryan, Callum, Jack, Liam, Matthew, Stephen, Paul, Gary, Connor
    Emma, Sophie, Chloe, Charlotte, Hannah, Jade, Lauren, Rebecca, Kirsty, Natalie, Joanne
    Smith, Taylor, Brown, Wilson, Walker, Hughes, Green, Clarke, Baker, Harris, Turner, Cooper
irish; 6; White Irish; Irish; English, Irish; 0; Catholic church; Brown, Red, Dark brown, Fair
    Seán, Cian, Pádraig, Eoin, Darragh, Ciarán, Dónal
    Siobhán, Aoife, Niamh, Caoimhe, Róisín, Bríd, Orla
    Ó Briain/Ní Bhriain, Ó Súilleabháin/Ní Shúilleabháin, Murphy, Kelly, Byrne, Walsh
caribbean; 8; Black British (Caribbean); London; English; 0; Pentecostal church
    Marcus, Andre, Dwayne, Jermaine, Leon, Winston, Delroy
    Shanice, Marcia, Simone, Jasmine, Beverley, Tanisha, Yvonne
    Campbell, Thompson, Williams, Francis, Grant, Morgan, Reid, Henry
polish; 7; White other (Polish); Polish; Polish; 0; Polish Catholic church; Brown, Fair, Dark blonde
    Łukasz, Paweł, Michał, Krzysztof, Tomasz, Jakub, Grzegorz
    Zuzanna, Agnieszka, Małgorzata, Katarzyna, Joanna, Magdalena, Justyna
    Wójcik, Dąbrowski/Dąbrowska, Kowalski/Kowalska, Zieliński/Zielińska, Nowak, Woźniak
romanian; 4; White other (Romanian); Romanian; Romanian; 0; Romanian Orthodox church
    Andrei, Ștefan, Mihai, Ionuț, Alexandru
    Ioana, Elena, Andreea, Mădălina, Cristina
    Popescu, Dumitrescu, Ionescu, Stan, Constantinescu, Munteanu
arabic; 7; Arab; Arabic; Arabic; 0.5; Mosque
    محمد|Mohammed, أحمد|Ahmed, عمر|Omar, يوسف|Youssef, خالد|Khaled, كريم|Karim
    فاطمة|Fatima, مريم|Maryam, ليلى|Layla, نور|Nour, عائشة|Aisha, هدى|Huda
    الحسن|Al-Hassan, العلي|Al-Ali, حداد|Haddad, منصور|Mansour, الشامي|Al-Shami
bengali; 8; Asian British (Bangladeshi); London; Sylheti, Bengali, English; 0.5; Mosque
    রহিম|Rahim, করিম|Karim, আব্দুল|Abdul, শাহেদ|Shahed, জামাল|Jamal, সাইফুল|Saiful
    নাসরিন|Nasrin, রুমানা|Rumana, শাহানা|Shahana, ফাতেমা|Fatema, তাসলিমা|Taslima
    উদ্দিন|Uddin/বেগম|Begum, আহমেদ|Ahmed, মিয়া|Miah/খাতুন|Khatun, হোসেন|Hussain
chinese; 4; Chinese; Chinese; Mandarin, Cantonese; 0.5; Chinese community centre
    伟|Wei, 磊|Lei, 洋|Yang, 俊|Jun, 浩|Hao
    娜|Na, 敏|Min, 静|Jing, 丽|Li, 芳|Fang
    王|Wang, 李|Li, 张|Zhang, 刘|Liu, 陈|Chen, 杨|Yang, 黄|Huang
somali; 6; Black African (Somali); Somali; Somali; 0; Mosque
    Abdirahman, Mohamed, Abdullahi, Hassan, Abdikarim, Yusuf
    Hodan, Faadumo, Ayaan, Sahra, Hibo, Nimco
    Warsame, Farah, Mohamud, Abdi, Jama, Osman
yoruba; 6; Black African (Nigerian); Nigerian; English, Yoruba; 0; Pentecostal church
    Oluwaseun, Adebayo, Babatunde, Olúmidé, Tunde, Ayọ̀dé
    Folasade, Adéọlá, Titilayo, Oluwakemi, Yetunde, Ìfẹ́olúwa
    Adeyemi, Ogunbanjo, Àyìnlá, Oyelaran, Akinola, Balogun
akan; 4; Black African (Ghanaian); Ghanaian; English, Twi; 0; Methodist church
    Kwame, Kofi, Kwabena, Yaw, Kojo
    Ama, Akosua, Abena, Efua, Adwoa
    Mensah, Boateng, Asante, Owusu, Appiah, Ofori
turkish; 5; Turkish; Turkish; Turkish; 0; Mosque
    Mehmet, Emre, Burak, Oğuz, Hüseyin, Mustafa
    Ayşe, Zeynep, Elif, Gülşen, Şeyma, Fatma
    Yılmaz, Kaya, Demir, Çelik, Şahin, Öztürk, Aydın
portuguese; 5; White other (Portuguese); Portuguese; Portuguese; 0; Catholic church
    João, Tiago, Gonçalo, Rui, André, Luís
    Inês, Ana, Mariana, Beatriz, Conceição, Luísa
    Gonçalves, Ferreira, Sousa, Pereira, Rodrigues, Simões, Araújo
south_asian; 6; Asian British (Indian); London; Gujarati, Punjabi, Tamil, English; 0; Gurdwara
    Rajesh, Sandeep, Arjun, Harpreet, Vikram, Karthik
    Priya, Anjali, Harjit, Meena, Kavita, Lakshmi
    Patel, Shah, Singh/Kaur, Sharma, Gill, Sivakumar
vietnamese; 2; Vietnamese; Vietnamese; Vietnamese; 0; Buddhist temple
    Văn Minh, Đức Anh, Quang Huy
    Thị Lan, Thu Hà, Ngọc Ánh
    Nguyễn, Trần, Lê, Phạm
"""


def _heritages(table: str) -> tuple[_Heritage, ...]:
    lines = [line for line in table.splitlines() if line.strip()]
    heritages = []
    for start in range(0, len(lines), 4):
        head = [cell.strip() for cell in lines[start].split(";")] + [""]  # hair is optional
        key, weight, ethnicity, accent, languages, native, worship, hair = head[:8]
        men, women, surnames = (
            tuple(name.strip() for name in line.split(",")) for line in lines[start + 1 : start + 4]
        )
        heritages.append(
            _Heritage(
                key,
                float(weight),
                ethnicity,
                accent,
                tuple(languages.split(", ")),
                float(native),
                worship,
                tuple((hair or "Black, Dark brown").split(", ")),
                men,
                women,
                surnames,
            )
        )
    return tuple(heritages)


HERITAGES = _heritages(HERITAGE_TABLE)
HERITAGES_BY_KEY = {heritage.key: heritage for heritage in HERITAGES}
FAMILY_NAME_FIRST = {"chinese"}  # in the native script, family name first, no space

# Spread through the list so that every run, whatever its size, shows these scripts:
# heritage | gender | given name | family name | recorded in the native script
FORCED_NAMES = _rows("""
    arabic | Male | Mohammed | Al-Hassan | yes
    chinese | Male | Wei | Wang | yes
    bengali | Male | Rahim | Uddin | yes
    polish | Male | Łukasz | Wójcik | no
    polish | Female | Zuzanna | Dąbrowska | no
    irish | Female | Siobhán | Ní Bhriain | no
""")


# --- Text banks ---------------------------------------------------------------------------------

STREETS = _words(
    "Albion Road, Cedar Grove, Church Street, Victoria Road, Mill Lane, Station Approach, "
    "Park Terrace, Canal Walk, Market Row, Queens Road, Elm Close, Harbour Street, "
    "Orchard Way, Bramble Lane, Foundry Street, Tanners Row"
)
BLOCKS = ("Kingsley House", "Mercer Court", "Lime Tree House", "Fenwick Court", "Ashdown House")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
STAFF_SURNAMES = _words(
    "Okafor, Fenwick, Lindqvist, Adebayo, Marsh, Kaur, Pereira, Whitfield, Osei"
)
FRIENDS = ("Jay", "Dee", "Kemi", "Sully", "Marta", "Bash")
RELATIVES = ("Mother", "Sister", "Brother", "Aunt", "Cousin")
CLINICIANS = _words(
    "Dr A. Lindqvist, Dr R. Okonjo, Dr S. Bhattacharya, Dr M. Keane, Dr H. Castellano, "
    "Dr J. Whitmore, Dr P. Adeyinka"
)
GP_PRACTICES = _words(
    "Canal Walk Surgery, Elm Close Medical Centre, Harbour Street Practice, "
    "Victoria Road Health Centre, Not registered with a GP"
)
ALLERGIES = _lines("""
    No known drug allergies
    No known drug allergies
    Penicillin (rash)
    Haloperidol (severe stiffness)
    Peanuts (anaphylaxis, carries an adrenaline pen)
""")
SUBSTANCES = _lines("""
    None reported
    Cannabis most days before admission
    Alcohol, up to 10 units a day
    Crack cocaine, last use reported two weeks before admission
    Synthetic cannabinoids (spice) when missing
    Alcohol binges at weekends; cannabis
""")
RISK_TO_SELF = {
    "low": _lines("""
        No history of self-harm. Denies suicidal thoughts; future-focused on the ward.
        One paracetamol overdose in 2019 while intoxicated; no self-harm since.
    """),
    "medium": _lines("""
        Cuts forearms when distressed, last three months ago. Fleeting suicidal thoughts, no plan.
        Overdose of prescribed medication before admission; mood remains low.
        Neglects self when unwell: stops eating and sleeps outside.
    """),
    "high": _lines("""
        Tried to jump from a railway bridge before admission. Voices tell them to harm themselves.
        Two ligature attempts on the ward last month; talks of the river as a place to die.
    """),
}
RISK_TO_OTHERS = {
    "low": _lines("""
        No history of violence.
        Verbally hostile when paranoid; no physical aggression recorded.
    """),
    "medium": _lines("""
        Punched a nurse during restraint in 2022. Threatens people they think are following them.
        Damaged property at the family home when unwell; no injuries to others.
    """),
    "high": _lines("""
        Index offence: knife assault while psychotic (2019). Has carried a knife when unwell.
        Assaulted a stranger believed to be spying on them (2021). Approach calmly, in pairs.
    """),
}
RISK_FROM_OTHERS = _lines("""
    No known risks from others.
    Known to local drug dealers; his flat was taken over (cuckooing) before admission.
    Vulnerable to financial exploitation; has given bank cards to people met on the street.
    Ex-partner subject to a non-molestation order; may seek her out.
    Sleeps rough when missing and has been assaulted before.
    Contacted online by older men asking to meet; safeguarding referral made.
""")
HISTORY = _lines("""
    No known missing episodes before this admission.
    Two AWOLs in a 2022 admission, both from unescorted leave; found at mother's address.
    Went missing several times from supported accommodation; usually found near the river.
    Missing from home twice in 2023, reported by family.
""")
MONEY = _lines("""
    Universal Credit paid fortnightly; usually has little cash.
    Personal Independence Payment managed by an appointee (sister).
    Works part-time in a warehouse; has savings.
    No income at present; borrows from friends.
""")
BANKS = ("Monzo debit card", "Barclays current account", "Post Office card account", "HSBC")
DRIVING = ("Does not drive.", "Does not drive.", "Full licence; can use brother's grey Corsa.")
TRANSPORT = _lines("""
    Buses with an Oyster card; knows the Overground well.
    Freedom Pass; travels by bus to the town centre most days.
    Walks everywhere; rarely uses public transport.
    Has dodged fares on trains to the coast before.
""")
ROUTINES = _lines("""
    Sleeps late; smokes in the garden every hour; phones mother most evenings.
    Up early; walks the grounds; goes to the ward's music group on Thursdays.
    Spends most of the day in their room; eats little before evening.
""")
HABITS = _lines("""
    Smokes roll-ups.
    Drinks a lot of energy drinks.
    Paces when anxious.
    Prays five times a day.
    Keeps a notebook with them at all times.
""")
POSSESSIONS = _lines("""
    Mobile phone, Oyster card, a little cash, tobacco and lighter.
    Phone, bank card, keys to mother's flat.
    Usually carries nothing but cigarettes; phone often out of charge.
    Freedom Pass, purse with cards, reading glasses.
    Rucksack with clothes, phone charger and passport.
""")
MARKS = _lines("""
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
HANDSETS = _words(
    "Black iPhone 12 with a cracked screen, Samsung Galaxy A14 in a blue case, "
    "Old Nokia basic phone, Motorola in a clear case"
)
JACKETS = ("puffer jacket with a hood", "denim jacket", "parka", "zip-up hoodie", "long wool coat")
TOPS = ("T-shirt", "football shirt", "jumper", "hoodie", "blouse", "sweatshirt")
BOTTOMS = ("tracksuit bottoms", "jeans", "joggers", "leggings", "cargo trousers", "long skirt")
SHOES = ("white trainers", "black trainers", "sliders with socks", "walking boots", "black boots")
COLOURS = ("black", "grey", "navy", "red", "green", "white", "beige", "dark blue", "maroon")
EXTRAS = ("black beanie", "baseball cap", "small rucksack", "headscarf", "large headphones")

# What happened, by scenario; {time} is when they were due back.
CIRCUMSTANCES = {
    "leave": _lines("""
        Did not return from one hour of unescorted section 17 leave to the shops; due by {time}.
        Went to the hospital café on leave in the grounds and did not come back by {time}.
    """),
    "absconded": _lines("""
        Left the ward behind a visitor through the airlock during evening visiting.
        Ran from escorted leave in the grounds towards the main road; the escort lost sight.
        Climbed the garden fence during fresh-air time.
    """),
    "missing": _lines("""
        Left saying they were going to the hospital shop; not back, staff concerned about mood.
        Did not return by {time} from agreed time off the ward; phone switched off.
    """),
    "escapee": _lines("""
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
# found by | found category | found place ({park}, {station} and {home} are filled in)
FOUND = _rows("""
    self_return | returned to ward | Walked back onto the ward.
    self_return | returned to ward | Returned by taxi; the ward paid the fare.
    self_return | returned to ward | Came back to main reception and asked for the ward.
    family | family | At mother's address; brought back by family.
    family | home address | {home}
    police | public place | Sitting in {park}.
    police | railway | On the platform at {station}; British Transport Police attended.
    police | police custody | Arrested for shoplifting; brought back from custody.
    police | hospital | Taken to A&E by police under section 136.
    police | home address | {home}
    staff | public place | Found by staff near {station}.
    staff | home address | {home}
    public | public place | A member of the public called 999 from {park}.
    public | hospital | Brought to A&E by ambulance after a member of the public called.
""")
HARM = _lines("""
    Minor cut to the hand; treated on the ward.
    Intoxicated with alcohol on return; monitored overnight.
    Asked to carry a package by people they did not know; safeguarding referral made.
    Taken to A&E after a paracetamol overdose; medically cleared and returned.
    Cold and hungry after sleeping outside; no injuries.
""")
POLICE_GRADES = {
    "high": {"high": 45, "medium": 45, "low": 10},
    "medium": {"very_low": 5, "low": 35, "medium": 50, "high": 10},
    "low": {"very_low": 25, "low": 50, "medium": 25},
}
EDITS = ("medication", "clothing", "places", "contact", "photo", "phone")
# Parts a partial pack leaves out; routine, money and phone do not count for completeness.
DROPPABLE: tuple[tuple[str, str | None], ...] = (
    ("places", None), ("contacts", None), ("description", "marks"), ("description", "hair"),
    ("risk", "risk_from_others"), ("health", "missed_doses"), ("record", None),
    ("routine", None), ("money", None), ("phone", None),
)  # fmt: skip


# --- Small helpers ------------------------------------------------------------------------------


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A time in [start, end], to the second."""
    span = max(0, int((end - start).total_seconds()))
    return start + timedelta(seconds=rng.randint(0, span))


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in folded if c.isascii() and c.isalnum() or c == " ").lower()


def _phone(rng: random.Random) -> str:
    return f"07700 900{rng.randint(0, 999):03d}"


def _part(entry: str, gender: str) -> tuple[str, str]:
    """(as written, in Latin script) for a name-bank entry, in its gendered form if it has one."""
    forms = entry.split("/")
    form = forms[1] if len(forms) > 1 and gender == "Female" else forms[0]
    written, _, latin = form.partition("|")
    return written, latin or written


def _counts(drop: tuple[str, str | None]) -> bool:
    """Whether leaving this out makes a pack incomplete."""
    return drop[0] not in ("routine", "money", "phone")


def _medicine(row: tuple[str, ...]) -> dict:
    return {"name": row[1], "dose": row[2], "timing": row[3]}


def _section_expiry(key: str, start: date, on: date) -> date | None:
    """When the section in force on ``on`` ends (renewals applied); None when it has no limit."""
    status = legal_status(key)
    if status is None or not status.detained or status.restricted:
        return None
    fixed = {"s5_4": 0, "s5_2": 3, "s4": 3, "s2": 28, "s35": 28, "s36": 28, "s38": 84}
    if key in fixed or key == "cto_17e":  # a CTO recall lasts 72 hours
        return start + timedelta(days=fixed.get(key, 3))
    end = start + timedelta(days=182)
    if end < on:
        end += timedelta(days=182)
    while end < on:
        end += timedelta(days=365)
    return end


def _s18_expiry(key: str, start: date, day: date) -> date | None:
    """The retake limit as DOMAIN.md tabulates it; None for restricted patients (any time)."""
    section_end = _section_expiry(key, start, day)
    if section_end is not None and key in ("s3", "s37"):
        return max(day + timedelta(days=182), section_end)
    return section_end


# --- Plans: everything decided about a patient before anything is saved -------------------------


@dataclass
class _Version:
    at: datetime
    number: int
    is_complete: bool
    review_due_on: date
    photo_taken_on: date | None
    has_photo: bool
    legal_status: str
    section_start: str
    missing_risk: str


@dataclass
class _Episode:
    noticed_at: datetime
    returned_at: datetime | None
    spike: bool = False


@dataclass
class _Plan:
    patient: Patient
    ward: _WardSpec
    heritage: _Heritage
    gender: str
    latin_name: str
    alias: str
    admitted: datetime
    spike: bool
    discharged: datetime | None = None
    state: str = "complete"  # none, draft, complete or overdue
    open_episode: bool = False
    episode_mode: str = "none"
    legal: list[tuple[datetime, str]] = field(default_factory=list)
    risk: str = "low"
    risk_change: tuple[datetime, str] | None = None
    s17_leave: str = "none"
    episodes: list[_Episode] = field(default_factory=list)
    versions: list[_Version] = field(default_factory=list)
    profile: dict = field(default_factory=dict)

    @property
    def kind(self) -> _Kind:
        return KINDS[self.ward.kind]

    @property
    def end(self) -> datetime:
        """The last moment the patient was on the ward, or could be if still there."""
        return self.discharged or datetime.max.replace(tzinfo=UTC)

    def legal_at(self, at: datetime) -> tuple[datetime, str]:
        current = self.legal[0]
        for entry in self.legal:
            if entry[0] <= at:
                current = entry
        return current

    def risk_at(self, at: datetime) -> str:
        if self.risk_change is not None and self.risk_change[0] <= at:
            return self.risk_change[1]
        return self.risk


# --- The builder --------------------------------------------------------------------------------


class _Builder:
    def __init__(self, rng: random.Random, now: datetime, patient_count: int):
        self.rng = rng
        self.now = now
        self.patient_count = patient_count
        self.wards: dict[str, Ward] = {}
        self.staff: dict[str, list[User]] = {}
        self.photos: dict[tuple[int, int], Photo] = {}
        self.nhs_numbers: set[str] = set()
        self.policy = review_policy()  # the trust's review periods decide each pack's state

    def build(self) -> list[DemoLogin]:
        self._organisations()
        logins = self._users()
        plans = self._plan_patients()
        for plan in plans:
            self._plan_episodes(plan)
        db.session.add_all([plan.patient for plan in plans])
        db.session.flush()
        for plan in plans:
            self._save_pack(plan)
            self._add_episodes(plan)
            plan.patient.discharged_at = plan.discharged  # last: a discharged pack is read-only
        db.session.flush()
        return logins

    # Organisations and users ----------------------------------------------------------------

    def _organisations(self) -> None:
        trusts = {code: Trust(code=code, name=name, is_synthetic=True) for code, name in TRUSTS}
        areas = {code: PolicingArea(code=code, name=name) for code, name in AREAS.items()}
        settings = {
            code: Setting(
                code=code, name=name, address=address, postcode=normalise_postcode(postcode),
                trust=trusts[trust], policing_area=areas[area],
            )
            for code, name, trust, area, address, postcode in SITES
        }  # fmt: skip
        for index, spec in enumerate(WARDS):
            self.wards[spec.code] = Ward(
                code=spec.code, name=spec.name, setting=settings[spec.site],
                phone_24h=f"020 7946 0{110 + index * 5:03d}",
            )  # fmt: skip
        db.session.add_all([*trusts.values(), *areas.values(), *settings.values()])
        db.session.add_all(self.wards.values())
        db.session.flush()

    def _users(self) -> list[DemoLogin]:
        logins = []
        for role, email, full_name, scope in USERS:
            codes = tuple(scope.split()) if scope != "-" else ()
            staff = Role(role).is_staff
            user = create_user(
                email, role, DEMO_PASSWORD, full_name=full_name,
                ward_codes=codes if staff else (), area_codes=() if staff else codes,
            )  # fmt: skip
            user.created_at = self.now - timedelta(days=400)
            for code in codes if staff else ():
                self.staff.setdefault(code, []).append(user)
            logins.append(DemoLogin(role, user.email, DEMO_PASSWORD, _scope(role, codes)))
        return logins

    # Patients -------------------------------------------------------------------------------

    def _ward_counts(self) -> list[tuple[_WardSpec, int]]:
        """Patients per ward in proportion to its size, at least one each, summing exactly."""
        weights = [KINDS[w.kind].size + (4 if w.busy else 0) for w in WARDS]
        raw = [self.patient_count * w / sum(weights) for w in weights]
        counts = [max(1, int(r)) for r in raw]
        by_remainder = sorted(range(len(WARDS)), key=lambda i: int(raw[i]) - raw[i])
        for step in range(self.patient_count - sum(counts)):
            counts[by_remainder[step % len(WARDS)]] += 1
        while sum(counts) > self.patient_count:
            counts[counts.index(max(counts))] -= 1
        return list(zip(WARDS, counts, strict=True))

    def _plan_patients(self) -> list[_Plan]:
        rng = self.rng
        plans: list[_Plan] = []
        every = max(1, self.patient_count // (len(FORCED_NAMES) + 1))
        for spec, count in self._ward_counts():
            for position in range(count):
                index = len(plans)
                forced = None
                if index % every == 0 and index // every < len(FORCED_NAMES):
                    forced = FORCED_NAMES[index // every]
                spike = spec.busy and position < 3 and count >= 6
                plans.append(self._plan_patient(spec, forced, spike))
        self._assign_states(plans)
        self._assign_discharges(plans)
        self._assign_open_episodes(plans)
        for plan in plans:
            plan.legal = self._legal_timeline(plan)
            plan.risk = _pick(rng, plan.kind.risk)
            plan.s17_leave = _pick(rng, {"none": 35, "escorted": 35, "unescorted": 30})
            plan.profile = self._profile(plan)
            identity = plan.profile["identity"]
            plan.patient.date_of_birth = date.fromisoformat(identity["date_of_birth"])
            plan.patient.nhs_number = identity["nhs_number"] or None
        return plans

    def _plan_patient(self, spec: _WardSpec, forced: tuple | None, spike: bool) -> _Plan:
        rng = self.rng
        if forced is not None:
            heritage, gender = HERITAGES_BY_KEY[forced[0]], forced[1]
            pool = heritage.men if gender == "Male" else heritage.women
            given = next(entry for entry in pool if _part(entry, gender)[1] == forced[2])
            family = next(e for e in heritage.surnames if _part(e, gender)[1] == forced[3])
            native = forced[4] == "yes"
        else:
            heritage = rng.choices(HERITAGES, weights=[h.weight for h in HERITAGES])[0]
            gender = _pick(rng, {"Male": 55, "Female": 43, "Non-binary": 2})
            pool = {"Male": heritage.men, "Female": heritage.women}.get(gender)
            given = rng.choice(pool or heritage.men + heritage.women)
            family = rng.choice(heritage.surnames)
            native = rng.random() < heritage.native_share
        given_written, given_latin = _part(given, gender)
        family_written, family_latin = _part(family, gender)
        latin = f"{given_latin} {family_latin}"
        written = f"{given_written} {family_written}"
        if heritage.key in FAMILY_NAME_FIRST:
            written = f"{family_written}{given_written}"
        full_name, alias = (written, latin) if native else (latin, "")
        if not native and written != latin:
            alias = written
        if spike:
            days = rng.randint(300, 700)
        else:
            stays = KINDS[spec.kind].stays
            _, low, high = rng.choices(stays, weights=[stay[0] for stay in stays])[0]
            days = rng.randint(low, high)
        admitted = self.now - timedelta(days=days, seconds=rng.randint(0, 86_399))
        patient = Patient(
            id=uuid.UUID(int=rng.getrandbits(128), version=4), full_name=full_name,
            ward=self.wards[spec.code], admitted_at=admitted, created_at=admitted,
        )  # fmt: skip
        return _Plan(patient, spec, heritage, gender, latin, alias, admitted, spike)

    def _assign_states(self, plans: list[_Plan]) -> None:
        """Exactly the mix we want: 10% no pack, 20% draft, 15% overdue, the rest complete."""
        rng, now = self.rng, self.now
        shares = {"none": 0.10, "draft": 0.20, "overdue": 0.15}
        quota = {state: round(len(plans) * share) for state, share in shares.items()}
        pool = list(plans)
        rng.shuffle(pool)
        # Drafts are mostly packs started on a recent admission.
        recent = [p for p in pool if now - p.admitted <= timedelta(days=25) and not p.spike]
        for plan in (recent + [p for p in pool if p not in recent])[: quota["draft"]]:
            plan.state = "draft"
        settled = [p for p in pool if p.state == "complete" and now - p.admitted > timedelta(40)]
        for plan in settled[: quota["overdue"]]:
            plan.state = "overdue"
        for plan in [p for p in pool if p.state == "complete"][: quota["none"]]:
            plan.state = "none"

    def _assign_discharges(self, plans: list[_Plan]) -> None:
        """About one in seven went home during the year; their episodes fill the earlier months."""
        rng, now = self.rng, self.now
        eligible = [p for p in plans if not p.spike and p.state != "draft"]
        rng.shuffle(eligible)
        for plan in eligible[: max(1, round(len(plans) * 0.15))]:
            plan.discharged = now - timedelta(
                days=rng.randint(20, 330), seconds=rng.randint(0, 86_399)
            )
            plan.admitted = plan.discharged - timedelta(days=rng.randint(25, 160))
            plan.patient.admitted_at = plan.patient.created_at = plan.admitted

    def _assign_open_episodes(self, plans: list[_Plan]) -> None:
        """At least one episode open now in every policing area, and a few more."""
        rng = self.rng
        chosen: list[_Plan] = []
        for area in AREAS:
            here = [p for p in plans if p.ward.area == area and p.discharged is None]
            likely = [p for p in here if p.ward.kind in ("acute", "picu") and p.state != "none"]
            chosen.append(rng.choice(likely or here))
        others = [p for p in plans if p.discharged is None and p not in chosen]
        chosen += rng.sample(others, min(len(others), rng.randint(1, 3)))
        for plan in chosen:
            plan.open_episode = True

    def _legal_timeline(self, plan: _Plan) -> list[tuple[datetime, str]]:
        """How the patient's legal status moved since admission: s2 to s3, remand to order..."""
        rng = self.rng
        weights = dict(plan.kind.legal)
        if self.now - plan.admitted > timedelta(days=3):  # holding powers last hours, not days
            for key in ("s5_4", "s5_2", "s4"):
                weights.pop(key, None)
        key, at = _pick(rng, weights), plan.admitted
        timeline = [(at, key)]
        while True:
            if key == "s5_4":
                at, key = at + timedelta(hours=rng.randint(3, 5)), "s5_2"
            elif key in ("s5_2", "s4"):
                at += timedelta(hours=rng.randint(20, 70))
                key = _pick(rng, {"s2": 75, "s3": 15, "informal": 10})
            elif key == "s2":
                at, key = (
                    at + timedelta(days=rng.randint(14, 26)),
                    _pick(rng, {"s3": 82, "informal": 18}),
                )
            elif key == "cto_17e":  # recall lasts 72 hours, then the CTO is revoked
                at, key = at + timedelta(hours=rng.randint(24, 70)), "s3"
            elif key in ("s35", "s36", "s38"):
                at += timedelta(days=rng.randint(28, 84) if key != "s38" else rng.randint(84, 200))
                key = _pick(rng, {"s37": 55, "s37_41": 45})
            elif key == "s3" and rng.random() < 0.05:
                at, key = at + timedelta(days=rng.randint(60, 200)), "informal"
            else:
                break
            at = at.replace(microsecond=0)
            if at >= min(self.now, plan.end):
                break
            timeline.append((at, key))
        return timeline

    # When they went missing ----------------------------------------------------------------

    def _plan_episodes(self, plan: _Plan) -> None:
        """The patient's episodes in the year: none, one, two, or a repeat cluster."""
        rng, now = self.rng, self.now
        last = min(now, plan.end)
        start = max(plan.admitted + timedelta(hours=6), now - timedelta(days=365))
        end = last - timedelta(days=3)
        # The mix is for a whole year on the ward: a shorter stay has fewer chances.
        exposure = max(0.0, (end - start).days / 365)
        scale = min(1.0, 0.2 + 1.6 * exposure)
        weights = {
            mode: w * (1 if mode == "none" else scale) for mode, w in plan.kind.episodes.items()
        }
        if plan.spike:  # their month of many episodes is their repeat cluster
            weights.pop("repeat")
        plan.episode_mode = _pick(rng, weights)
        times: list[datetime] = []
        if end > start and plan.episode_mode in ("one", "two"):
            times += [self._time_in(start, end) for _ in range(1 + (plan.episode_mode == "two"))]
        elif end > start and plan.episode_mode == "repeat":
            cluster = min((end - start).days, rng.randint(20, 80))
            count = min(1 + cluster // 4, rng.randint(3, 7))
            begin = _between(rng, start, end - timedelta(days=cluster))
            for offset in sorted(rng.sample(range(cluster + 1), count)):
                times.append(self._at_hour(begin + timedelta(days=offset)))
            times += [self._time_in(start, end) for _ in range(rng.choice((0, 0, 1, 2)))]
        candidates = [(min(max(at, start), end), False) for at in times]
        if plan.spike:
            spikes = self._spike_times(plan)
            candidates = [
                c for c in candidates if all(abs(c[0] - s) > timedelta(hours=36) for s in spikes)
            ]
            candidates += [(at, True) for at in spikes]
        candidates.sort()
        limit = last - timedelta(hours=2)
        if plan.open_episode:
            limit = min(limit, now - timedelta(days=1))
        for index, (noticed, spike) in enumerate(candidates):
            previous = plan.episodes[-1].returned_at if plan.episodes else None
            if noticed >= limit or (previous and noticed < previous + timedelta(hours=1)):
                continue
            following = candidates[index + 1][0] if index + 1 < len(candidates) else limit
            returned = min(
                noticed + self._duration(spike), min(following, limit) - timedelta(hours=1)
            )
            if returned - noticed >= timedelta(minutes=20):
                plan.episodes.append(_Episode(noticed, returned.replace(microsecond=0), spike))
        if plan.open_episode:
            noticed = now - timedelta(minutes=rng.randint(20, 300))
            plan.episodes.append(_Episode(noticed.replace(microsecond=0), None))

    def _spike_times(self, plan: _Plan) -> list[datetime]:
        """Four or five episodes in one month: with two other patients, a high-volume month."""
        year, month = self.now.year, self.now.month - SPIKE_MONTHS_BACK[plan.ward.code]
        while month < 1:
            year, month = year - 1, month + 12
        first = datetime(year, month, 1, tzinfo=UTC)
        days = sorted(self.rng.sample(range(1, 26, 3), self.rng.randint(4, 5)))
        return [self._at_hour(first + timedelta(days=day)) for day in days]

    def _time_in(self, start: datetime, end: datetime) -> datetime:
        return min(end, max(start, self._at_hour(_between(self.rng, start, end))))

    def _at_hour(self, day: datetime) -> datetime:
        """A time that day, mostly afternoon and evening, when leave ends and visitors leave."""
        weights = [1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 9, 10, 10, 10, 10, 9, 8, 6, 4, 2]
        hour = self.rng.choices(range(24), weights=weights)[0]
        return day.replace(hour=hour, minute=self.rng.randint(0, 59), second=0, microsecond=0)

    def _duration(self, short: bool) -> timedelta:
        rng, band = self.rng, self.rng.random()
        low, high = (
            (0.5, 6)
            if band < 0.4
            else (6, 24)
            if band < 0.75
            else (24, 72)
            if band < 0.95
            else (72, 160)
        )
        hours = rng.uniform(low, high)
        return timedelta(hours=min(hours, 20) if short else hours)

    # The grab pack's content ----------------------------------------------------------------

    def _profile(self, plan: _Plan) -> dict:
        """The pack with every section filled in; legal status is added per version."""
        rng = self.rng
        area = plan.ward.area if rng.random() < 0.85 else rng.choice(list(AREAS))
        homeless = rng.random() < 0.05
        if homeless:
            home = f"No fixed abode. Has slept near {rng.choice(STATIONS[area])}."
        elif rng.random() < 0.5:
            home = f"Flat {rng.randint(1, 60)}, {rng.choice(BLOCKS)}, {rng.choice(STREETS)}, London"
        else:
            home = f"{rng.randint(1, 180)} {rng.choice(STREETS)}, London"
        postcode = "" if homeless else self._postcode(area)
        return {
            "identity": self._identity(plan, home, postcode),
            "description": self._description(plan),
            "clothing": {"usual_clothing": self._outfit(), "possessions": rng.choice(POSSESSIONS)},
            "phone": self._phone_section(plan),
            "money": {
                "access_to_money": "State Pension; a daughter helps with bills."
                if plan.ward.kind == "older"
                else rng.choice(MONEY),
                "banks_and_cards": rng.choice(BANKS),
                "driving": rng.choice(DRIVING),
                "public_transport": rng.choice(TRANSPORT),
            },
            "health": self._health(plan),
            "risk": self._risk(plan),
            "places": {"places": self._places(plan, area, home, postcode)},
            "history": {"history_before_tool": f"Synthetic demo record. {rng.choice(HISTORY)}"},
            "contacts": {"contacts": self._contacts(plan)},
            "routine": {
                "daily_routine": rng.choice(ROUTINES),
                "habits": rng.choice(HABITS),
                "favourite_places": f"{rng.choice(PARKS[area])}; {rng.choice(STATIONS[area])}.",
            },
            "record": self._record(),
        }

    def _identity(self, plan: _Plan, home: str, postcode: str) -> dict:
        rng, heritage = self.rng, plan.heritage
        age = rng.randint(*plan.kind.ages)
        born = self.now.date() - timedelta(days=age * 365 + rng.randint(0, 364))
        language = rng.choice(heritage.languages) if rng.random() < 0.3 else heritage.languages[0]
        previous = f"{rng.randint(1, 120)} {rng.choice(STREETS)}, London (until 2022)"
        return {
            "full_name": plan.patient.full_name,
            "preferred_name": plan.latin_name.split()[0]
            if plan.alias and rng.random() < 0.5
            else "",
            "aliases": f"Also written {plan.alias}" if plan.alias else "",
            "date_of_birth": born.isoformat(),
            "gender": plan.gender,
            "nhs_number": "" if rng.random() < 0.07 else self._nhs_number(),
            "local_hospital_id": f"{plan.ward.site}{rng.randint(1_000_000, 9_999_999)}",
            "home_address": home,
            "home_postcode": postcode,
            "previous_addresses": previous if rng.random() < 0.4 else "",
            "first_language": language,
            "interpreter_needed": language != "English" and rng.random() < 0.5,
        }

    def _description(self, plan: _Plan) -> dict:
        rng = self.rng
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

    def _phone_section(self, plan: _Plan) -> dict:
        rng = self.rng
        slug = _slug(plan.latin_name).replace(" ", ".")
        return {
            "mobile_number": _phone(rng) if rng.random() < 0.85 else "",
            "network": rng.choice(NETWORKS),
            "handset": rng.choice(HANDSETS),
            "other_devices": "Old tablet kept at mother's flat" if rng.random() < 0.2 else "",
            "email": f"{slug}.demo@example.com" if rng.random() < 0.5 else "",
            "social_media": f"Instagram @{slug.replace('.', '_')}_demo"
            if rng.random() < 0.4 and plan.ward.kind != "older"
            else "",
        }

    def _health(self, plan: _Plan) -> dict:
        rng = self.rng
        diagnosis, medicine_class = DIAGNOSES[rng.choice(plan.kind.diagnoses)]
        regimen = [row for row in REGIMENS if row[0] == medicine_class]
        medicines = [_medicine(regimen[0])]
        if len(regimen) > 1 and rng.random() < 0.3:
            medicines.append(_medicine(rng.choice(regimen[1:])))
        if rng.random() < 0.4:
            medicines.append(_medicine(rng.choice([r for r in REGIMENS if r[0] == "extra"])))
        weight, condition, *medicine, missed = rng.choices(PHYSICAL, [int(p[0]) for p in PHYSICAL])[
            0
        ]
        if medicine[0] != "-":
            medicines.append(_medicine(("physical", *medicine)))
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

    def _risk(self, plan: _Plan) -> dict:
        rng = self.rng
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

    def _record(self) -> dict:
        involved = _pick(self.rng, {"yes": 70, "no": 15, "best_interests": 15})
        note = ""
        if involved == "best_interests":
            note = "Too unwell to take part at admission; completed from notes and family."
        return {"patient_involved": involved, "best_interests_note": note}

    def _outfit(self) -> str:
        rng = self.rng
        parts = [f"{rng.choice(COLOURS)} {rng.choice(items)}" for items in (JACKETS, TOPS, BOTTOMS)]
        parts.append(rng.choice(SHOES))
        if rng.random() < 0.4:
            parts.append(rng.choice(EXTRAS))
        text = ", ".join(parts)
        return f"{text[0].upper()}{text[1:]}."

    def _postcode(self, area: str) -> str:
        rng = self.rng
        inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        return normalise_postcode(f"{rng.choice(DISTRICTS[area])} {inward}")

    def _nhs_number(self) -> str:
        """Unique, in the 999 test range, with a valid check digit."""
        while True:
            first_nine = f"999{self.rng.randrange(1_000_000):06d}"
            digit = check_digit(first_nine)
            number = f"{first_nine}{digit}"
            if digit is not None and number not in self.nhs_numbers:
                self.nhs_numbers.add(number)
                return number

    def _places(self, plan: _Plan, area: str, home: str, postcode: str) -> list[dict]:
        rng = self.rng
        places = []
        if postcode:
            places.append(self._place(home, postcode, "Own home"))
        relative = rng.choice(RELATIVES)
        family_home = f"{rng.randint(1, 200)} {rng.choice(STREETS)}, London"
        places.append(self._place(family_home, self._postcode(area), f"{relative} lives here"))
        if plan.heritage.worship and rng.random() < 0.5:
            worship = f"{plan.heritage.worship}, {rng.choice(STREETS)}"
            places.append(self._place(worship, self._postcode(area), "Place of worship"))
        if rng.random() < 0.35:
            places.append(self._risk_place(plan))
        if rng.random() < 0.3:
            cafes = f"Betting shop and cafés by {rng.choice(STATIONS[area])}"
            places.append(self._place(cafes, self._postcode(area), "Spends time here with friends"))
        return places

    @staticmethod
    def _place(address: str, postcode: str, reason: str, risk: bool = False) -> dict:
        return {
            "address": address,
            "postcode": postcode,
            "reason": reason,
            "is_risk_location": risk,
        }

    def _risk_place(self, plan: _Plan) -> dict:
        rows = [row for row in RISK_PLACES if row[0] == plan.ward.area]
        _, address, postcode, why = self.rng.choice(rows)
        return self._place(address, normalise_postcode(postcode), why, risk=True)

    def _contacts(self, plan: _Plan) -> list[dict]:
        rng, heritage = self.rng, plan.heritage
        relative = _part(rng.choice(heritage.women + heritage.men), "Male")[1]
        contacts = [{
            "name": f"{relative} {plan.latin_name.split(' ', 1)[-1]}",
            "relationship": _pick(rng, {"next_of_kin": 60, "nearest_relative": 30, "family": 10}),
            "phone": _phone(rng),
            "address": f"{rng.randint(1, 200)} {rng.choice(STREETS)}, London",
            "notes": rng.choice(("Visits on Sundays.", "Prefers a call after 6pm.", "")),
        }]  # fmt: skip
        if rng.random() < 0.5:
            contacts.append({
                "name": f"{rng.choice('ABCDEFGHJKLMNPRSTW')}. {rng.choice(STAFF_SURNAMES)}",
                "relationship": "care_coordinator",
                "phone": f"020 7946 0{rng.randint(300, 999):03d}",
                "address": "",
                "notes": "Community mental health team, weekdays 9 to 5.",
            })  # fmt: skip
        if rng.random() < 0.3:
            contacts.append(self._friend())
        return contacts

    def _friend(self) -> dict:
        return {
            "name": self.rng.choice(FRIENDS), "relationship": "friend", "phone": _phone(self.rng),
            "address": "", "notes": "Known to meet up when missing.",
        }  # fmt: skip

    def _legal_section(self, plan: _Plan, at: datetime) -> dict:
        start, key = plan.legal_at(at)
        status = legal_status(key)
        if status is None or not status.detained:
            return {"legal_status": key}
        expiry = _section_expiry(key, start.date(), at.date())
        leave = "escorted" if status.restricted else plan.s17_leave
        conditions = {
            "none": "",
            "escorted": "Escorted by two staff in the grounds, up to 1 hour.",
            "unescorted": "Unescorted to local shops, 1 hour twice daily; back by 8pm; no alcohol.",
        }[leave]
        moj = f"MOJ/SYN/{plan.patient.id.int % 90_000 + 10_000}" if status.restricted else ""
        return {
            "legal_status": key,
            "section_start_on": start.date().isoformat(),
            "section_expires_on": expiry.isoformat() if expiry else "",
            "moj_reference": moj,
            "s17_leave": leave,
            "s17_conditions": conditions,
        }

    def _photo(self) -> Photo:
        """A synthetic silhouette from a small set, each stored once."""
        key = (self.rng.randrange(len(BACKGROUNDS)), self.rng.randrange(len(FIGURES)))
        if key not in self.photos:
            self.photos[key] = store_photo(_silhouette(BACKGROUNDS[key[0]], FIGURES[key[1]]))
        return self.photos[key]

    # The grab pack's versions ---------------------------------------------------------------

    def _version_events(self, plan: _Plan) -> list[tuple[datetime, str]]:
        """When the pack was saved and why: first save, legal and risk changes, edits, reviews.

        The last save sets the pack's state: within the review period for complete and draft
        packs (and after the last episode, which makes a pack due), long before for overdue ones.
        """
        rng, now = self.rng, self.now
        last = min(now, plan.end) - timedelta(minutes=10)
        risks = (plan.risk, plan.risk_change[1] if plan.risk_change else plan.risk)
        if plan.state in ("complete", "draft"):
            low = now - timedelta(days=self._period(*risks) - 1)
            returns = [e.returned_at for e in plan.episodes if e.returned_at is not None]
            low = max(
                [low, plan.admitted + timedelta(hours=1)]
                + [r + timedelta(hours=1) for r in returns]
            )
        else:
            low = max(plan.admitted + timedelta(hours=1), now - timedelta(days=150))
            longest = max(self.policy.high_risk_days, self.policy.other_days)
            last = min(last, now - timedelta(days=longest + 1))
        final = _between(rng, min(low, last), last)
        first = max(
            plan.admitted + timedelta(hours=rng.randint(2, 72)),
            now - timedelta(days=rng.randint(330, 400)),
        )
        if plan.state == "draft" and rng.random() < 0.6:
            first = final
        if first >= final - timedelta(hours=1):
            return [(final.replace(microsecond=0), "initial")]
        middle: list[tuple[datetime, str]] = []
        if plan.state == "draft":
            middle.append((_between(rng, first, final), "draft_more"))
        else:
            middle += self._middle_events(plan, first, final)
        changes = [e for e in middle if e[1] in ("legal", "risk")]
        others = [e for e in middle if e[1] not in ("legal", "risk")]
        keep = changes + rng.sample(others, min(len(others), max(0, 6 - len(changes))))
        final_kind = "review" if rng.random() < 0.5 else rng.choice(EDITS[:3])
        events: list[tuple[datetime, str]] = []
        for at, what in [(first, "initial"), *sorted(keep), (final, final_kind)]:
            at = min(at, last).replace(microsecond=0)
            if not events or at > events[-1][0]:
                events.append((at, what))
        return events

    def _period(self, *risks: str) -> int:
        """Days between reviews for a pack whose category is, or was, any of these."""
        policy = self.policy
        return max(
            1, min(policy.high_risk_days if r == "high" else policy.other_days for r in risks)
        )

    def _middle_events(
        self, plan: _Plan, first: datetime, final: datetime
    ) -> list[tuple[datetime, str]]:
        rng = self.rng
        middle = []
        for changed_at, _ in plan.legal[1:]:
            middle.append((changed_at + timedelta(hours=rng.randint(1, 20)), "legal"))
        if plan.risk_change:
            middle.append((plan.risk_change[0], "risk"))
        count = int(_pick(rng, {"0": 35, "1": 35, "2": 20, "3": 10}))
        middle += [(_between(rng, first, final), edit) for edit in rng.sample(EDITS, count)]
        returns = [e.returned_at for e in plan.episodes if e.returned_at]
        if returns and rng.random() < 0.5:
            middle.append((returns[0] + timedelta(hours=rng.randint(2, 30)), "review_episode"))
        # Most wards keep the packs of patients who go missing in date...
        period = self._period(plan.risk)
        for episode in plan.episodes:
            if rng.random() < 0.7:
                reviewed = episode.noticed_at - timedelta(days=rng.uniform(0.5, max(1, period - 1)))
                middle.append((reviewed, "review"))
        # ...and take a new photo before the old one goes stale.
        stale = self.policy.photo_stale_days
        if final - first > timedelta(days=stale - 3) and rng.random() < 0.75:
            refresh = rng.randint(stale * 2 // 3, max(stale * 2 // 3, stale - 5))
            middle.append((first + timedelta(days=refresh), "photo"))
        return [(at, what) for at, what in middle if first < at < final]

    def _save_pack(self, plan: _Plan) -> None:
        """Save the pack's versions through the real service, oldest first."""
        if plan.state == "none":
            return
        rng = self.rng
        self._plan_risk_change(plan)
        events = self._version_events(plan)
        full = copy.deepcopy(plan.profile)
        # Drafts stay incomplete; about a third of the others start partial and are completed.
        partial = plan.state == "draft" or (len(events) > 1 and rng.random() < 0.35)
        stays_partial = plan.state == "draft" or (plan.state == "overdue" and rng.random() < 0.2)
        dropped = self._drops() if partial else []
        photo: Photo | None = None
        taken_on: date | None = None
        previous: dict | None = None
        for index, (at, what) in enumerate(events):
            is_last = index == len(events) - 1
            full["legal"] = self._legal_section(plan, at)
            full["risk"]["missing_risk"] = plan.risk_at(at)
            kind, notes = "edit", []
            if what == "initial":
                notes.append(
                    "Started on admission; other sections to follow."
                    if dropped
                    else "First version."
                )
            elif what == "draft_more":
                dropped = self._fewer_drops(dropped)
                notes.append("Added more detail from the admission assessment.")
            elif what == "photo":
                photo, taken_on = self._photo(), at.date()
                dropped = [drop for drop in dropped if drop != ("photo", None)]
                notes.append("New photo taken.")
            elif what in ("review", "review_episode"):
                kind = "review"
            elif what in EDITS:
                notes.append(self._edit(plan, full, what))
            if dropped and not stays_partial and (is_last or (index > 0 and rng.random() < 0.5)):
                dropped, kind = [], "edit"
                notes.append("Completed the remaining sections.")
            with_photo = ("photo", None) not in dropped
            if with_photo and photo is None:
                photo = self._photo()
                stale = rng.random() < 0.2  # a photo from an earlier admission
                taken_on = at.date() - timedelta(
                    days=self.policy.photo_stale_days + rng.randint(7, 300)
                    if stale
                    else rng.randint(0, 5)
                )
            data = self._apply_drops(full, dropped)
            if with_photo and taken_on is not None:
                data["description"]["photo_taken_on"] = taken_on.isoformat()
            notes = _trigger_notes(previous, data) + notes
            if kind == "review" and data != previous:
                kind = "edit"
                notes = notes or ["Reviewed; section dates brought up to date."]
            if not notes and kind == "edit":
                notes = [f"{'Legal status' if what == 'legal' else 'Risk'} section reviewed."]
            self._save(plan, data, at, " ".join(notes), kind, photo if with_photo else None)
            if (
                is_last
                and plan.state != "overdue"
                and previous
                and triggering_change(previous, data)
            ):
                # A change of legal status or risk makes the pack due at once: review it.
                later = max(at, min(self.now, plan.end) - timedelta(minutes=5))
                self._save(plan, data, later.replace(microsecond=0), "", "review", None)
            previous = data

    def _save(
        self, plan: _Plan, data: dict, at: datetime, note: str, kind: str, photo: Photo | None
    ) -> None:
        author = self.rng.choice(self.staff[plan.ward.code])
        based_on = len(plan.versions)
        if kind == "review":  # nothing changed: the real "reviewed, no changes" path
            version = mark_reviewed(plan.patient, author, based_on=based_on, now=at)
        else:
            version = save_version(
                plan.patient, data, author, based_on=based_on, note=note, photo=photo, now=at
            )
        if not plan.versions:
            pack = db.session.get(GrabPack, version.grab_pack_id)
            if pack is not None:
                pack.created_at = at
        legal = data["legal"]
        plan.versions.append(_Version(
            at=at, number=version.number, is_complete=version.is_complete,
            review_due_on=version.review_due_on, photo_taken_on=version.photo_taken_on,
            has_photo=version.photo_id is not None, legal_status=legal["legal_status"],
            section_start=legal.get("section_start_on", ""),
            missing_risk=data["risk"]["missing_risk"],
        ))  # fmt: skip

    def _edit(self, plan: _Plan, full: dict, what: str) -> str:
        """Apply one ordinary edit to the pack; return its change note."""
        rng = self.rng
        if what == "medication":
            medicine = _medicine(rng.choice([row for row in REGIMENS if row[0] == "extra"]))
            medicines = full["health"]["medications"]
            if medicine["name"] in [m["name"] for m in medicines]:
                medicines[:] = [m for m in medicines if m["name"] != medicine["name"]]
                return f"Medication: stopped {medicine['name']}."
            medicines.append(medicine)
            return f"Medication: started {medicine['name']} {medicine['dose']}."
        if what == "places":
            place = self._risk_place(plan)
            if place["address"] in [p["address"] for p in full["places"]["places"]]:
                return "Reviewed places likely to go; no new places."
            full["places"]["places"].append(place)
            return "Added a risk location to places likely to go."
        if what == "contact":
            full["contacts"]["contacts"].append(self._friend())
            return "Added a friend as a contact."
        if what == "clothing":
            full["clothing"]["usual_clothing"] = self._outfit()
            return "Usual clothing updated."
        full["phone"]["mobile_number"] = _phone(rng)
        return "New mobile number."

    def _plan_risk_change(self, plan: _Plan) -> None:
        """Repeat absences raise the category to high; a few others move up or down."""
        rng = self.rng
        closed = [e for e in plan.episodes if e.returned_at is not None]
        if (
            plan.episode_mode == "repeat"
            and plan.risk != "high"
            and len(closed) >= 3
            and rng.random() < 0.6
        ):
            plan.risk_change = (closed[2].returned_at + timedelta(hours=rng.randint(4, 30)), "high")
        elif rng.random() < 0.1:
            to = {"low": "medium", "medium": rng.choice(("low", "high")), "high": "medium"}
            plan.risk_change = (_between(rng, plan.admitted, self.now), to[plan.risk])

    def _drops(self) -> list[tuple[str, str | None]]:
        """What a partial pack leaves out: always something that counts for completeness."""
        chosen = self.rng.sample(DROPPABLE, self.rng.randint(2, 5))
        if self.rng.random() < 0.5 or not any(_counts(drop) for drop in chosen):
            chosen.append(("photo", None))
        return chosen

    @staticmethod
    def _fewer_drops(dropped: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
        """Fill in one more part of a draft, leaving it still incomplete."""
        for index in range(len(dropped)):
            rest = dropped[:index] + dropped[index + 1 :]
            if any(_counts(drop) for drop in rest):
                return rest
        return dropped

    @staticmethod
    def _apply_drops(full: dict, dropped: list[tuple[str, str | None]]) -> dict:
        data = copy.deepcopy(full)
        data["description"].pop("photo_taken_on", None)
        for section, key in dropped:
            if key is not None:
                data.get(section, {}).pop(key, None)
            elif section != "photo":
                data.pop(section, None)
        return data

    # Episodes -------------------------------------------------------------------------------

    def _add_episodes(self, plan: _Plan) -> None:
        # Written as rows: there is no episodes service yet (when there is, go through it).
        for episode in plan.episodes:
            pinned = [v for v in plan.versions if v.at <= episode.noticed_at]
            db.session.add(self._episode_row(plan, episode, pinned[-1] if pinned else None))
        # An episode that closed after the last save leaves the pack due for review.
        returns = [e.returned_at for e in plan.episodes if e.returned_at is not None]
        if plan.versions and returns and max(returns) > plan.versions[-1].at:
            request_review(plan.patient, "missing episode closed", today=london_today(max(returns)))

    def _episode_row(
        self, plan: _Plan, episode: _Episode, version: _Version | None
    ) -> MissingEpisode:
        """One episode: its Part 2 facts, and its reporting quality as it stood then."""
        rng = self.rng
        noticed, day = episode.noticed_at, episode.noticed_at.date()
        start, key = plan.legal_at(noticed)
        section_start, risk = start.date(), plan.risk_at(noticed)
        if version is not None:  # what was handed over is the pinned version
            key, risk = version.legal_status, version.missing_risk
            section_start = date.fromisoformat(version.section_start or day.isoformat())
        status = legal_status(key)
        detained = status is not None and status.detained
        if detained and status.part_iii and not status.restricted and rng.random() < 0.25:
            kind, scenario = EpisodeKind.ESCAPEE, "escapee"
        elif detained:
            kind, scenario = EpisodeKind.AWOL, _pick(rng, {"leave": 60, "absconded": 40})
        else:
            kind, scenario = EpisodeKind.MISSING, "missing"
        due_back = (noticed - timedelta(minutes=rng.randint(10, 45))).astimezone(LONDON)
        last_seen = noticed - timedelta(minutes=rng.randint(10, 180))
        reported_at = self._reported_at(episode, kind, risk)
        s18_stated = detained and rng.random() < 0.85
        moj_notified_at = None
        if status is not None and status.restricted and reported_at and rng.random() < 0.9:
            moj_notified_at = min(self.now, reported_at + timedelta(minutes=rng.randint(10, 90)))
        grade = None
        if reported_at is not None and (episode.returned_at is not None or rng.random() < 0.8):
            grade = PoliceRiskGrade(_pick(rng, POLICE_GRADES[risk])).value
        row = MissingEpisode(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            patient_id=plan.patient.id,
            ward_id=plan.patient.ward.id,
            grab_pack_version_number=version.number if version is not None else None,
            kind=kind.value,
            legal_status=key,
            last_seen_at=last_seen if rng.random() < 0.97 else None,
            last_seen_place=rng.choice(LAST_SEEN[scenario]),
            noticed_at=noticed,
            reported_at=reported_at,
            police_reference=self._police_reference(reported_at) if reported_at else "",
            police_risk_grade=grade,
            clothing=self._outfit(),
            circumstances=rng.choice(CIRCUMSTANCES[scenario]).format(time=f"{due_back:%H:%M}"),
            ward_and_grounds_searched=rng.random() < 0.9,
            cctv_checked=rng.random() < 0.6,
            security_told=rng.random() < 0.7,
            next_of_kin_contacted=rng.random() < 0.65,
            s18_expires_on=_s18_expiry(key, section_start, day) if s18_stated else None,
            s18_expiry_stated=s18_stated,
            moj_notified_at=moj_notified_at,
            had_no_pack=version is None,
            pack_incomplete=version is not None and not version.is_complete,
            review_overdue=version is not None and version.review_due_on < london_today(noticed),
            photo_stale=(
                version is not None and version.has_photo
                and is_photo_stale(version.photo_taken_on, london_today(noticed), self.policy)
            ),
            opened_by_id=rng.choice(self.staff[plan.ward.code]).id,
            created_at=noticed,
        )  # fmt: skip
        if episode.returned_at is not None:
            self._close(row, plan, episode.returned_at)
        return row

    def _reported_at(self, episode: _Episode, kind: EpisodeKind, risk: str) -> datetime | None:
        """Mostly within the hour; some hours late; a few low-risk ones never reported."""
        rng, noticed = self.rng, episode.noticed_at
        if episode.returned_at is None:  # open now: reported, and not in the future
            age = int((self.now - noticed).total_seconds() // 60)
            return noticed + timedelta(minutes=rng.randint(3, max(4, min(50, age - 2))))
        if (
            kind is EpisodeKind.MISSING and risk == "low" and rng.random() < 0.35
        ) or rng.random() < 0.03:
            return None
        band = rng.random()
        low, high = (3, 59) if band < 0.82 else (60, 119) if band < 0.9 else (120, 360)
        reported = min(noticed + timedelta(minutes=rng.randint(low, high)), episode.returned_at)
        if reported >= episode.returned_at:
            reported = noticed + (episode.returned_at - noticed) / 2
        return reported.replace(microsecond=0)

    def _close(self, row: MissingEpisode, plan: _Plan, returned_at: datetime) -> None:
        rng = self.rng
        found_by = _pick(
            rng, {"self_return": 45, "police": 25, "family": 15, "staff": 10, "public": 5}
        )
        _, category, place = rng.choice([row for row in FOUND if row[0] == found_by])
        area = plan.ward.area
        row.returned_at = returned_at
        row.closed_by_id = rng.choice(self.staff[plan.ward.code]).id
        row.found_by = found_by
        row.found_category = category
        row.found_place = place.format(
            park=rng.choice(PARKS[area]), station=rng.choice(STATIONS[area]),
            home=plan.profile["identity"]["home_address"],
        )[:500]  # fmt: skip
        row.harm_while_missing = rng.choice(HARM) if rng.random() < 0.12 else ""
        if row.reported_at is not None and rng.random() < 0.6:
            interview = returned_at + timedelta(hours=rng.randint(1, 48))
            row.prevention_interview_at = interview if interview <= self.now else None

    def _police_reference(self, reported_at: datetime) -> str:
        """Like a Met CAD reference: number, then the day it was raised (London time)."""
        local = reported_at.astimezone(LONDON)
        month = MONTHS[local.month - 1]
        return f"CAD {self.rng.randint(1000, 9999)}/{local.day:02d}{month}{local.year % 100:02d}"


def _scope(role: str, codes: tuple[str, ...]) -> str:
    """What a login can see, as the demo prints it."""
    if role == Role.ADMIN:
        return "All trusts, settings and wards"
    if role == Role.POLICE:
        return "Area: " + ", ".join(f"{code} {AREAS[code]}" for code in codes)
    names = [WARDS_BY_CODE[code].name for code in codes]
    joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    site = SITE_NAMES[WARDS_BY_CODE[codes[0]].site]
    return f"{'Ward' if len(names) == 1 else 'Wards'}: {joined}, {site}"


def _trigger_notes(previous: dict | None, data: dict) -> list[str]:
    """Change notes for what makes a pack due at once: legal status and risk category."""
    if previous is None:
        return []
    notes = []
    before, after = (legal_status(d["legal"]["legal_status"]) for d in (previous, data))
    if before != after:
        notes.append(f"Legal status changed from {before.label} to {after.label}.")
    before, after = previous["risk"]["missing_risk"], data["risk"]["missing_risk"]
    if before != after:
        notes.append(f"Missing-risk category changed from {before} to {after}.")
    return notes


# --- Photos: silhouettes, never faces -----------------------------------------------------------

BACKGROUNDS = ((205, 214, 222), (222, 214, 200), (200, 222, 210), (230, 230, 230), (210, 205, 225))
FIGURES = ((70, 60, 55), (110, 85, 70), (150, 120, 100), (60, 70, 90), (95, 95, 95))


def _silhouette(background: tuple[int, int, int], figure: tuple[int, int, int]) -> bytes:
    """A plain head-and-shoulders shape on a plain ground, labelled as synthetic: PNG bytes."""
    image = Image.new("RGB", (480, 600), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 390, 440, 800), fill=figure)  # shoulders
    draw.rectangle((205, 300, 275, 420), fill=figure)  # neck
    draw.ellipse((150, 110, 330, 330), fill=figure)  # head
    font = ImageFont.load_default(size=24)
    draw.text((240, 40), "SYNTHETIC DEMO PHOTO", fill=(60, 60, 60), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- Entry point --------------------------------------------------------------------------------


def _already_loaded() -> bool:
    """True when the demo is there already; DemoRefused when anything else is."""
    flags = db.session.scalars(select(Trust.is_synthetic)).all()
    if flags and all(flags):
        return True
    present = []
    for model, one, many in (
        (Trust, "trust", "trusts"),
        (PolicingArea, "policing area", "policing areas"),
        (Setting, "setting", "settings"),
        (Ward, "ward", "wards"),
        (User, "user", "users"),
        (Patient, "patient", "patients"),
    ):
        count = db.session.scalar(select(func.count()).select_from(model))
        if count:
            present.append(f"{count} {one if count == 1 else many}")
    if present:
        raise DemoRefused(
            f"The database already holds data that is not the demo's ({', '.join(present)}): "
            "grabpack demo only fills an empty database"
        )
    return False


def load_demo(
    seed: int = 2021, *, patients: int = 300, now: datetime | None = None
) -> list[DemoLogin] | None:
    """Fill an empty database with the demo dataset in one transaction; return the logins.

    Returns ``None`` when the demo dataset is already there. Raises ``DemoRefused``
    when the database holds anything else, and ``ValueError`` for a naive ``now``
    or fewer patients than wards.
    """
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if patients < len(WARDS):
        raise ValueError(f"the demo needs at least {len(WARDS)} patients, one a ward")
    if _already_loaded():
        return None
    try:
        logins = _Builder(random.Random(seed), now.astimezone(UTC), patients).build()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return logins
