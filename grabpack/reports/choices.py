"""The policing areas a reader may narrow the review to, for the page's chooser.

The same reach as ``services.monthly_report.scope_for``: police their areas, ward
managers the areas their wards lie in, administrators every area. (A natural
neighbour of ``scope_for`` in the service; kept here until the service has it.)
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import PolicingArea, Role, User


class AreaChoice(NamedTuple):
    code: str
    name: str


def areas_for(reader: User) -> list[AreaChoice]:
    """By name; a handful of rows whatever the size of the month."""
    role = reader.role_enum
    if role is Role.POLICE:
        areas = list(reader.policing_areas)
    elif role is Role.WARD_MANAGER:
        areas = list({ward.setting.policing_area for ward in reader.wards})
    elif role is Role.ADMIN:
        areas = list(db.session.scalars(select(PolicingArea)))
    else:
        areas = []
    return sorted((AreaChoice(a.code, a.name) for a in areas), key=lambda a: (a.name, a.code))
