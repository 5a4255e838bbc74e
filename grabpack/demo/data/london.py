"""Fictional trusts, sites, wards and staff in three real Met basic command units.

Only the policing areas, postcode districts, stations, parks and the landmarks
named as places of concern are real, public facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from grabpack.demo.data.tables import rows, words

TRUSTS = rows("""
    SYN-NT | North Thames Mental Health NHS Foundation Trust (synthetic)
    SYN-ER | East River Mental Health NHS Trust (synthetic)
    SYN-SR | South Riverside NHS Foundation Trust (synthetic)
    SYN-MH | Meridian Healthcare, independent provider (synthetic)
""")
AREAS = dict(
    rows("""
    CE | Central East
    NE | North East
    SW | South West
""")
)
DISTRICTS = {
    "CE": words("E1, E2, E3, E5, E8, E9, E14, N1, N16"),
    "NE": words("E6, E7, E10, E11, E12, E13, E15, E16, E17"),
    "SW": words("SW11, SW12, SW15, SW17, SW18, SW19, KT1, KT2, TW9, TW10"),
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
RISK_PLACES = rows("""
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
SITES = rows("""
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
class WardSpec:
    """A ward as the demo plans it; a busy ward gets a month of many episodes."""

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
    WardSpec(code, name, kind, busy == "busy")
    for code, name, kind, busy in rows("""
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
USERS = rows("""
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
