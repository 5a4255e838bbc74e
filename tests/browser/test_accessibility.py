"""Every page of every role, walked in Chromium with real data, passes axe-core with no
critical or serious finding: error summaries shown, the grab-pack conflict page, an
empty ward, the 403 and 404 pages included.

The routes come from ``app.url_map``, so a new page cannot be missed: each GET route is
either walked (the endpoint of the address the browser landed on) or skipped by rule
with a reason (files, JSON, redirects), and a skipped route is fetched to show that it
really is not an HTML page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from werkzeug.exceptions import HTTPException

from grabpack.domain.appeal_poster import PosterChoices
from grabpack.extensions import db
from grabpack.models import Patient, Ward
from grabpack.services import appeal_posters, grab_packs, patients, share_links
from grabpack.services.grab_packs import save_version
from grabpack.services.photos import store_photo
from grabpack.services.users import create_user
from tests import factories
from tests.browser.conftest import LOOPBACK
from tests.conftest import PASSWORD, POSTGRES_URL
from tests.pdf import samples
from tests.test_reports_page import LAST, add_episode, day_in

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TWO_WARDS = "nurse.two@example.nhs.uk"
EMPTY_WARD = "WC1"

# GET routes that serve no HTML page of their own, each with its reason. ``FILES`` are
# fetched and must not answer with HTML; ``REDIRECTS`` must answer with a redirect.
FILES = {
    "static": "CSS, JavaScript and images",
    "main.assets": "the design system's images and manifest",
    "main.healthz": "JSON for load balancers",
    "auth.session_remaining": "JSON for the idle-timeout warning",
    "packs.pdf": "PDF",
    "packs.version_pdf": "PDF",
    "packs.photo": "JPEG",
    "police.photo": "JPEG",
    "police.poster_photo": "JPEG",
    "police.poster_file": "PDF and PNG",
    "reports.monthly_pdf": "PDF",
    "reports.monthly_csv": "CSV",
    "ward.episodes_csv": "CSV",
    "admin.audit_csv": "CSV",
    "admin.episodes_csv": "CSV",
}
REDIRECTS = {
    "main.home": "to each role's home page, walked in its own right",
    "reports.monthly_index": "to the latest month's review, walked",
    "police.episode": "to the officer's patient page (or the ward's episode page), walked",
}
OTHER_SKIPS = {
    "police.open_episodes_fragment": "a fragment of the police list, checked inside it "
    "(the list fetches it every few seconds)",
    "auth.oidc_start": "redirects to the identity provider (none is configured here; "
    "an unknown provider is the 404 page, walked)",
    "auth.oidc_callback": "redirects to /login (walked) or home",
    "auth.oidc_logout": "redirects to the identity provider's sign-out page or /login",
}
SKIPPED = FILES | REDIRECTS | OTHER_SKIPS


@dataclass
class Ids:
    """The world's real ids, for filling in the routes' variables."""

    missing: str  # pack of two versions with a photo; open episode; a share link; a poster
    found: str  # pack; an episode closed an hour ago (police still see it)
    calm: str  # pack; never missing: report-missing and discharge forms
    discharged: str
    open_episode: str
    closed_episode: str
    token: str
    poster: uuid.UUID


@pytest.fixture
def ids(app, world) -> Ids:
    with app.app_context():
        ward_a = db.session.scalar(db.select(Ward).where(Ward.code == world.ward_a))
        db.session.add(Ward(code=EMPTY_WARD, name="Ward C", setting=ward_a.setting))
        db.session.flush()
        create_user(TWO_WARDS, "nurse", PASSWORD, ward_codes=[world.ward_a, EMPTY_WARD])
        nurse = factories.staff(world.nurse_a)

        missing = factories.patient_on(world.ward_a, "Łukasz Wójcik")
        data = samples.typical_data()
        data["identity"]["full_name"] = "Łukasz Wójcik"
        data["identity"]["nhs_number"] = ""
        data.update(factories.FULL_LEGAL)
        save_version(missing, data, nurse, based_on=0, photo=store_photo(samples.photo_jpeg()))
        data["description"]["build"] = "Slim, stooped"
        save_version(missing, data, nurse, based_on=1, note="Build updated")
        db.session.commit()
        episode = factories.open_for(missing, world.nurse_a)
        _link, token = share_links.create_link(episode, nurse, hours=24)
        db.session.commit()
        poster = appeal_posters.make(
            factories.staff(world.police_a),
            missing.id,
            PosterChoices(),
            authorised=True,
            authorised_by="Supt 42 Okafor",
            previewed_version=2,
        )

        found = factories.patient_on(
            world.ward_a, "Aoife Byrne", factories.FULL_LEGAL, world.nurse_a
        )
        closed = factories.open_for(found, world.nurse_a, hours_ago=5)
        factories.close(closed, world.nurse_a, hours_ago=1)
        calm = factories.patient_on(
            world.ward_a, "Grace Mensah", factories.FULL_LEGAL, world.nurse_a
        )
        gone = factories.patient_on(
            world.ward_a, "Femi Adeyemi", factories.FULL_LEGAL, world.nurse_a
        )
        patients.discharge(gone, nurse)

        # The monthly review: a repeat patient and another, last month.
        for day in (3, 10, 17):
            add_episode(found, day_in(LAST, day), world.nurse_a)
        add_episode(calm, day_in(LAST, 12), world.nurse_a, police_risk_grade="high")
        db.session.commit()
        return Ids(
            missing=str(missing.id),
            found=str(found.id),
            calm=str(calm.id),
            discharged=str(gone.id),
            open_episode=str(episode.id),
            closed_episode=str(closed.id),
            token=token,
            poster=poster.record.public_id,
        )


Step = str | Callable  # an address to open, or actions that end on a page to check


def signed_in_page(browser, live_server: str, email: str | None, viewport: dict):
    """A browser of its own for one role, off the network like the ``page`` fixture."""
    context = browser.new_context(base_url=live_server, viewport=viewport)
    hosts = {host.strip("[]") for host in LOOPBACK}
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if urlsplit(route.request.url).hostname in hosts else route.abort()
        ),
    )
    page = context.new_page()
    if email:
        page.goto("/login")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".nhsuk-header__account")).to_be_visible()
    return page


@pytest.fixture
def pages(browser, live_server) -> Iterator[Callable]:
    opened = []

    def open_as(email: str | None, viewport: dict = DESKTOP):
        page = signed_in_page(browser, live_server, email, viewport)
        opened.append(page)
        return page

    yield open_as
    for page in opened:
        page.context.close()


# Pages reached by doing something: each ends on the page to check.
def sign_in_empty(page, ids: Ids) -> None:
    page.goto("/login")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()


def share_reference_empty(page, ids: Ids) -> None:
    page.goto(f"/share/{ids.token}")
    page.get_by_role("button", name="Download grab pack").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()


def right_share_reference(page, ids: Ids) -> None:
    page.goto(f"/share/{ids.token}")
    page.get_by_label("Police reference number").fill("CAD 1234/23NOV")
    page.get_by_role("button", name="Download grab pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grab pack for a missing patient")


def pack_form_refused(page, ids: Ids) -> None:
    """A blank pack form saves as a draft by design, so a height that is not one."""
    page.goto(f"/patients/{ids.calm}/grab-pack/edit")
    page.locator("#description-height_cm").fill("tall")
    page.get_by_role("button", name="Save grab pack").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()


def report_missing_empty(page, ids: Ids) -> None:
    page.goto(f"/patients/{ids.calm}/episodes/new")
    for box in ("noticed_at", "reported_at"):
        for part in ("day", "month", "year", "time"):
            page.locator(f"#{box}-{part}").fill("")
    page.get_by_role("button", name="Record missing episode").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()


def admit_empty(page, ids: Ids) -> None:
    page.goto("/wards/WA1/patients/new")
    page.get_by_role("button", name="Admit patient").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()


def share_link_made(page, ids: Ids) -> None:
    page.goto(f"/episodes/{ids.open_episode}")
    page.get_by_role("button", name="Create a share link").click()
    expect(page.locator("#share-url")).to_be_visible()


def poster_refused(page, ids: Ids) -> None:
    page.goto(f"/police/patients/{ids.missing}/appeal-poster")
    page.get_by_role("button", name="Make the poster").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()


def make_conflict(app, world) -> Callable:
    def conflict(page, ids: Ids) -> None:
        """Two saves based on the same version: the second meets the merge page."""
        page.goto(f"/patients/{ids.missing}/grab-pack/edit")
        page.get_by_label("Eye colour").fill("Hazel")
        with app.app_context():
            patient = db.session.get(Patient, uuid.UUID(ids.missing))
            data = dict(grab_packs.current_version(patient.grab_pack).data)
            data["description"] = {**data["description"], "build": "Tall"}
            save_version(patient, data, factories.staff(world.manager_a), based_on=2)
            db.session.commit()
        page.get_by_role("button", name="Save grab pack").click()
        expect(page.locator("#conflict")).to_be_visible()

    return conflict


def walks(ids: Ids, world, conflict: Callable) -> dict[str | None, list[Step]]:
    missing, calm, found = ids.missing, ids.calm, ids.found
    month = f"/reports/monthly/{LAST}"
    return {
        None: [
            "/login",
            sign_in_empty,
            f"/share/{ids.token}",
            share_reference_empty,
            right_share_reference,
            "/no-such-page",
        ],
        world.nurse_a: [
            "/wards/WA1",
            "/wards/WA1?state=overdue&sort=photo",
            "/wards/WA1/discharged",
            "/wards/WA1/patients/new",
            admit_empty,
            f"/patients/{missing}",
            f"/patients/{found}",
            f"/patients/{missing}/grab-pack",
            f"/patients/{missing}/grab-pack/versions",
            f"/patients/{missing}/grab-pack/versions/1",
            f"/patients/{missing}/grab-pack/diff?from=1&to=2",
            f"/patients/{missing}/grab-pack/edit",
            f"/patients/{ids.discharged}/grab-pack",
            pack_form_refused,
            conflict,
            f"/patients/{calm}/episodes/new",
            report_missing_empty,
            f"/patients/{calm}/discharge",
            f"/episodes/{ids.open_episode}",
            share_link_made,
            f"/episodes/{ids.closed_episode}",
            month,
            "/admin/users",  # 403
            f"/patients/{uuid.uuid4()}",  # 404
        ],
        TWO_WARDS: ["/wards", f"/wards/{EMPTY_WARD}", f"/wards/{EMPTY_WARD}/discharged"],
        world.manager_a: [
            "/wards/WA1",
            "/wards/WA1/audit",
            "/wards/WA1/discharged",
            f"{month}",
            f"/patients/{missing}",
        ],
        world.police_a: [
            "/police/",
            f"/police/patients/{missing}",
            f"/police/patients/{found}",
            f"/police/patients/{missing}/appeal-poster",
            poster_refused,
            f"/police/appeal-posters/{ids.poster}",
            month,
            f"/patients/{missing}",  # 403
            f"/police/patients/{calm}",  # 404: not missing
        ],
        world.admin: [
            "/admin/users",
            "/admin/areas",
            "/admin/outbox",
            month,
            "/reports/monthly/2999-01",
        ],
    }


def serious_violations(page) -> list[str]:
    """axe-core's critical and serious findings on the page, as readable lines."""
    results = Axe().run(page)
    assert results.response["testEngine"]["name"] == "axe-core"  # it ran, offline
    return [
        f"{urlsplit(page.url).path}: {violation['id']} ({violation['impact']}): "
        f"{violation['help']} at {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("critical", "serious")
    ]


def endpoint_of(app, url: str) -> str | None:
    try:
        endpoint, _args = app.url_map.bind("localhost").match(urlsplit(url).path, method="GET")
    except HTTPException:
        return None  # a page shown in answer to a POST-only route
    return endpoint


def get_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}


# The markup does not depend on the database: the phone-width walk runs on SQLite
# only (the suite runs on both side by side, and PostgreSQL's run is the longer).
SQLITE_ONLY = pytest.mark.skipif(
    bool(POSTGRES_URL), reason="the same markup as on SQLite; walked at phone width there"
)


@pytest.mark.parametrize(
    "viewport",
    [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone", marks=SQLITE_ONLY)],
)
def test_every_page_of_every_role_passes_axe(app, world, ids, pages, viewport):
    walked: dict[str, list[str]] = {}
    problems: list[str] = []
    conflict = make_conflict(app, world)
    for email, steps in walks(ids, world, conflict).items():
        page = pages(email, viewport)
        for step in steps:
            if callable(step):
                step(page, ids)
            else:
                page.goto(step)
            page.wait_for_load_state("load")
            if endpoint := endpoint_of(app, page.url):
                walked.setdefault(endpoint, []).append(urlsplit(page.url).path)
            problems += [f"{email or 'signed out'} {line}" for line in serious_violations(page)]

    routes = get_endpoints(app)
    assert not problems, "\n".join(problems)
    neither = routes - set(walked) - set(SKIPPED)
    assert not neither, f"GET routes neither walked nor skipped with a reason: {sorted(neither)}"
    assert not set(SKIPPED) - routes, "skipped routes that no longer exist"


SAMPLES = {
    "static": (None, "/static/css/app.css"),
    "main.assets": (None, "/assets/manifest.json"),
    "main.healthz": (None, "/healthz"),
    "auth.session_remaining": ("nurse", "/session/remaining"),
    "packs.pdf": ("nurse", "/patients/{missing}/grab-pack.pdf"),
    "packs.version_pdf": ("nurse", "/patients/{missing}/grab-pack/versions/1.pdf"),
    "packs.photo": ("nurse", "/patients/{missing}/grab-pack/versions/1/photo"),
    "police.photo": ("police", "/police/patients/{missing}/photo"),
    "police.poster_photo": ("police", "/police/appeal-posters/{poster}/photo"),
    "police.poster_file": ("police", "/police/appeal-posters/{poster}.png"),
    "reports.monthly_pdf": ("manager", "/reports/monthly/{month}.pdf"),
    "reports.monthly_csv": ("manager", "/reports/monthly/{month}.csv"),
    "ward.episodes_csv": ("manager", "/wards/WA1/episodes.csv"),
    "admin.audit_csv": ("admin", "/admin/audit.csv"),
    "admin.episodes_csv": ("admin", "/admin/episodes.csv"),
    "main.home": ("nurse", "/"),
    "reports.monthly_index": ("manager", "/reports/monthly"),
    "police.episode": ("police", "/police/episodes/{open_episode}"),
}


def test_every_skipped_route_is_really_no_page(app, world, ids, pages):
    """Files answer with their own type and redirects redirect: none is an HTML page
    that the walk should have checked."""
    assert set(SAMPLES) == set(FILES) | set(REDIRECTS)
    emails = {
        None: None,
        "nurse": world.nurse_a,
        "manager": world.manager_a,
        "police": world.police_a,
        "admin": world.admin,
    }
    by_role = {}
    wrong = []
    for endpoint, (role, template) in SAMPLES.items():
        if role not in by_role:
            by_role[role] = pages(emails[role])
        path = template.format(
            missing=ids.missing, poster=ids.poster, month=LAST, open_episode=ids.open_episode
        )
        assert endpoint_of(app, path) == endpoint, path
        response = by_role[role].request.get(path, max_redirects=0)
        kind = response.headers.get("content-type", "")
        if endpoint in REDIRECTS:
            if response.status not in (301, 302, 303):
                wrong.append(f"{path}: {response.status}, not a redirect")
        elif response.status != 200 or kind.startswith("text/html"):
            wrong.append(f"{path}: {response.status} {kind}")
        response.dispose()
    assert not wrong, wrong
