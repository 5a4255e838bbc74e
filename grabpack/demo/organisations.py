"""The demo's trusts, policing areas, settings, wards and staff, and the logins it prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from grabpack.demo.context import Demo
from grabpack.demo.data.london import AREAS, SITE_NAMES, SITES, TRUSTS, USERS, WARDS, WARDS_BY_CODE
from grabpack.domain.postcode import normalise_postcode
from grabpack.extensions import db
from grabpack.models import PolicingArea, Role, Setting, Trust, Ward
from grabpack.services.users import create_user

DEMO_PASSWORD = "grabpack-demo-2021"  # noqa: S105 - printed for anyone to use, by design


@dataclass(frozen=True)
class DemoLogin:
    """One printed login: who to sign in as, and what that login can see."""

    role: str
    email: str
    password: str
    scope: str


def add_organisations(demo: Demo) -> None:
    """Trusts (all marked synthetic), areas, settings and wards; wards kept on ``demo``."""
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
        demo.wards[spec.code] = Ward(
            code=spec.code, name=spec.name, setting=settings[spec.site],
            phone_24h=f"020 7946 0{110 + index * 5:03d}",
        )  # fmt: skip
    db.session.add_all([*trusts.values(), *areas.values(), *settings.values()])
    db.session.add_all(demo.wards.values())
    db.session.flush()


def add_users(demo: Demo) -> list[DemoLogin]:
    """Staff, police and an admin through the real user service; staff kept by ward."""
    logins = []
    for role, email, full_name, scope in USERS:
        codes = tuple(scope.split()) if scope != "-" else ()
        staff = Role(role).is_staff
        user = create_user(
            email, role, DEMO_PASSWORD, full_name=full_name,
            ward_codes=codes if staff else (), area_codes=() if staff else codes,
        )  # fmt: skip
        user.created_at = demo.now - timedelta(days=400)
        for code in codes if staff else ():
            demo.staff.setdefault(code, []).append(user)
        logins.append(DemoLogin(role, user.email, DEMO_PASSWORD, _scope(role, codes)))
    return logins


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
