"""Stored XSS, in the real browser: hostile text in every text field of the grab pack
(read from its declaration) and of the episode, then every page that shows it opened
as the ward, the police and a share link would: no dialog ever opens, no request
leaves the page, no element or handler is made from the text, and the text is shown
as text. The PDFs built from the same pack carry it as text too (ReportLab markup
escaping itself: tests/pdf/test_grab_pack.py).
"""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from grabpack.domain.episode_schema import EPISODE, EpisodeFieldType, Stage
from grabpack.domain.grab_pack_schema import GRAB_PACK, FieldType, Group
from grabpack.extensions import db
from grabpack.models.base import utcnow
from grabpack.services import episodes
from grabpack.services.grab_packs import save_version
from grabpack.services.share_links import create_link
from tests.browser.test_sign_in import sign_in
from tests.conftest import AuthActions
from tests.factories import FULL_LEGAL, open_for, patient_on, staff

PAYLOADS = (
    "<script>alert('{k}')</script>",
    "<img src=https://evil.example/{k}.png onerror=alert('{k}')>",
    "<a href=\"javascript:alert('{k}')\">{k}</a>",
    "\"><svg onload=alert('{k}')>",
    "<font color=red><b>{k}</b></font><para>",  # ReportLab paragraph markup
    "javascript:alert('{k}')",
    "'\"><iframe src=https://evil.example/{k}></iframe>",
)
# The design system's stylesheet names its web fonts on assets.nhs.uk: every page
# asks, whatever it shows (the test set-up aborts them; see browser/conftest.py).
DESIGN_FONTS = set(
    re.findall(
        r"https://assets\.nhs\.uk/fonts/[^)\"']+",
        (Path(__file__).parents[2] / "static/vendor/nhsuk/nhsuk-frontend.min.css").read_text(),
    )
)
SHORT = '"><svg onload=alert(1)>'
TEXT_TYPES = (FieldType.TEXT, FieldType.LONG_TEXT)
# What no page of ours makes, so anything found was made from stored text.
INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.getAttributeNames()) {
      if (attr.toLowerCase().startsWith('on')) found.push(el.tagName + ' ' + attr);
    }
  }
  for (const a of document.querySelectorAll('a[href], form[action], iframe, embed, object')) {
    const url = a.getAttribute('href') || a.getAttribute('action') || a.getAttribute('src') || '';
    if (/^\\s*javascript:/i.test(url) || /evil/.test(url)) found.push(a.tagName + ' ' + url);
  }
  for (const s of document.querySelectorAll('script:not([src]), iframe, svg[onload], font')) {
    found.push(s.tagName);
  }
  return found;
}"""


def payload(n: int, key: str, limit: int = 200) -> str:
    text = PAYLOADS[n % len(PAYLOADS)].format(k=key)
    return text if len(text) <= limit else SHORT


def hostile_pack() -> dict:
    """Every text field of the pack declaration, and of one item of each list."""
    data: dict = {}
    n = 0
    for section in GRAB_PACK:
        values = data.setdefault(section.key, {})
        for item in section.items:
            if isinstance(item, Group):
                entry = {}
                for field in item.fields:
                    if field.type in TEXT_TYPES:
                        entry[field.key] = payload(n, f"{item.key}_{field.key}", field.max_length)
                        n += 1
                values[item.key] = [entry]
            elif item.type in TEXT_TYPES:
                values[item.key] = payload(n, item.key, item.max_length)
                n += 1
    data["identity"]["full_name"] = "<script>alert('name')</script> Mal Icious"
    data["legal"] = {**data.get("legal", {}), **FULL_LEGAL["legal"]}
    return data


def hostile_episode(stage: Stage) -> dict:
    return {
        field.key: payload(n, field.key, field.max_length or 200)
        for n, field in enumerate(f for s in EPISODE for f in s.fields)
        if field.type in (EpisodeFieldType.TEXT, EpisodeFieldType.LONG_TEXT)
        and field.stages[0] is stage
    }


@pytest.fixture
def hostile(app, world) -> dict[str, str]:
    with app.app_context():
        name = "<img src=https://evil.example/p.png onerror=alert('patient')>"
        patient = patient_on("WA1", name, FULL_LEGAL, world.nurse_a)
        save_version(patient, hostile_pack(), staff(world.nurse_a), based_on=1)
        episode = open_for(patient, world.nurse_a, **hostile_episode(Stage.OPEN))
        _link, token = create_link(episode, staff(world.nurse_a), hours=24)
        back = patient_on("WA1", "\"><svg onload=alert('back')>", FULL_LEGAL, world.nurse_a)
        save_version(back, hostile_pack(), staff(world.nurse_a), based_on=1)
        returned = open_for(back, world.nurse_a, hours_ago=5, **hostile_episode(Stage.OPEN))
        # (The update stage has no text field of its own: the reference is the open's.)
        episodes.close_episode(
            returned,
            staff(world.nurse_a),
            {
                "returned_at": utcnow() - timedelta(hours=1),
                "found_category": "home",
                **hostile_episode(Stage.CLOSE),
            },
        )
        db.session.commit()
        return {
            "p": str(patient.id),
            "e": str(episode.id),
            "back": str(back.id),
            "returned": str(returned.id),
            "token": token,
            "reference": episode.police_reference,
        }


class Watch:
    """Dialogs and requests off the loopback address, for the whole test."""

    def __init__(self, page):
        self.dialogs: list[str] = []
        self.off_site: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", self._request)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request) -> None:
        url = urlsplit(request.url)
        if url.hostname in ("127.0.0.1", "localhost", "::1") or request.url in DESIGN_FONTS:
            return
        self.off_site.append(request.url)


def visit(page, watch: Watch, path: str, problems: list[str]) -> None:
    response = page.goto(path)
    assert response is not None and response.status < 400, (path, response and response.status)
    page.wait_for_load_state("networkidle")
    for found in page.evaluate(INJECTED):
        problems.append(f"{path}: {found}")


STAFF_PAGES = (
    "/wards/WA1",
    "/wards/WA1/discharged",
    "/patients/{p}",
    "/patients/{p}/grab-pack",
    "/patients/{p}/grab-pack/versions",
    "/patients/{p}/grab-pack/versions/1",
    "/patients/{p}/grab-pack/versions/2",
    "/patients/{p}/grab-pack/diff?from=1&to=2",
    "/patients/{p}/grab-pack/edit",
    "/episodes/{e}",
    "/patients/{back}",
    "/episodes/{returned}",
    "/patients/{back}/episodes/new",
)
MANAGER_PAGES = ("/wards/WA1/audit",)
POLICE_PAGES = (
    "/police/",
    "/police/patients/{p}",
    "/police/episodes/{e}",
    "/police/patients/{p}/appeal-poster",
    "/police/patients/{back}",
)


def test_hostile_text_is_only_ever_text_on_every_page(page, app, world, hostile):
    watch = Watch(page)
    problems: list[str] = []
    for user, paths in (
        (world.nurse_a, STAFF_PAGES),
        (world.manager_a, MANAGER_PAGES),
        (world.police_a, POLICE_PAGES),
    ):
        page.context.clear_cookies()
        sign_in(page, user)
        for path in paths:
            visit(page, watch, path.format(**hostile), problems)
    page.context.clear_cookies()
    visit(page, watch, f"/share/{hostile['token']}", problems)
    page.get_by_label("Police reference number").fill(hostile["reference"])
    page.get_by_role("button", name="Download grab pack").click()
    page.wait_for_load_state("networkidle")
    problems += [f"share link: {found}" for found in page.evaluate(INJECTED)]
    assert problems == []
    assert watch.dialogs == []
    assert watch.off_site == []


def test_the_hostile_text_is_shown_as_written(page, world, hostile):
    """Not stripped or mangled either: the police read exactly what the ward wrote."""
    sign_in(page, world.nurse_a)
    page.goto(f"/patients/{hostile['p']}/grab-pack")
    body = page.locator("body")
    expect(body).to_contain_text("<script>alert('name')</script> Mal Icious")
    expect(body).to_contain_text("<font color=red><b>")
    expect(body).to_contain_text("\"><svg onload=alert('")
    page.context.clear_cookies()
    sign_in(page, world.police_a)
    page.goto(f"/police/episodes/{hostile['e']}")
    expect(page.locator("body")).to_contain_text("alert('clothing')")


def test_the_pdfs_carry_the_hostile_text_as_text(app, world, hostile):
    client = app.test_client()
    AuthActions(client).login(world.nurse_a)
    for path in (
        f"/patients/{hostile['p']}/grab-pack.pdf",
        "/patients/{p}/grab-pack/versions/2.pdf",
    ):
        with client.get(path.format(**hostile)) as response:
            assert response.status_code == 200, path
            pdf = response.data
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "<script>alert('name')</script>" in " ".join(text.split()), path


def test_the_check_finds_what_it_looks_for(page):
    """The page check above is no blind spot: made elements and handlers are found."""
    page.set_content(
        '<p>ok</p><img src=x onerror="void 0"><a href="javascript:void 0">x</a>'
        '<svg onload="void 0"></svg><font>f</font>'
    )
    found = page.evaluate(INJECTED)
    assert {"IMG onerror", "A javascript:void 0", "svg onload", "FONT"} <= set(found), found
