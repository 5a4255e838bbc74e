"""Attacks tried on every route the URL map holds, so that a new route cannot be missed.

- CSRF: every rule that takes a POST is sent one without a token and one with another
  session's token: refused, and nothing stored changes.
- Other wards, areas and episodes: every rule with an id in its path is asked for
  with the id of something on another ward or in another area: refused, nothing
  shown, nothing changed.
- Typed input: every form on every page is sent with invalid UTF-8 and with values far
  past any limit in each of its text fields: a clear message, never a 500, stored data
  unchanged.
- The session changes at sign-in (no fixation); ``next=`` never leaves the site.

Covered elsewhere, not repeated here: sign-out ends every copy of the session
(test_sessions.py), a password change or disabled account ends them (test_cli.py),
the idle timeout (test_auth.py, test_sessions.py, browser/test_session_timeout.py),
every role and scope on the patient and episode routes (test_permission_matrix.py),
another area's appeal posters (test_appeal_poster.py), odd numbers in paths and
queries (test_odd_input.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import NamedTuple
from urllib.parse import quote_from_bytes, urlencode

import pytest
from flask import Flask, url_for
from sqlalchemy import select
from werkzeug.routing import Rule

from grabpack.extensions import db
from grabpack.models import AuditEvent
from grabpack.services.appeal_posters import PosterChoices, make
from grabpack.services.grab_packs import save_version
from grabpack.services.share_links import create_link
from tests.conftest import PASSWORD, AuthActions, csrf_token
from tests.factories import FULL_LEGAL, close, open_for, patient_on, staff
from tests.test_odd_input import ROLE_OF_BLUEPRINT

# Who each blueprint's pages are for (``None``: anyone, signed in or not).
USER_OF_BLUEPRINT = {**ROLE_OF_BLUEPRINT, "auth": "nurse_a", "share": None}
USER_OF_ENDPOINT = {"auth.login": None}
# Tables a refused request may still write to, by design: the audit trail (a refusal
# is worth recording) and the sign-in throttle. Kept forms: see test_csrf_...
NOT_PATIENT_DATA = {"audit_events", "sign_in_throttles", "kept_forms"}


class Ids(NamedTuple):
    patient_id: str
    episode_id: str
    link_id: int
    token: str
    poster_id: str


def _patient_with_everything(ward: str, name: str, nurse: str, officer: str) -> Ids:
    """A patient with two pack versions, an open episode, a share link and a poster."""
    patient = patient_on(ward, name, FULL_LEGAL, nurse)
    save_version(patient, {**FULL_LEGAL, "identity": {"full_name": name}}, staff(nurse), based_on=1)
    episode = open_for(patient, nurse)
    link, token = create_link(episode, staff(nurse), hours=24)
    poster = make(
        staff(officer),
        patient.id,
        PosterChoices(),
        authorised=True,
        authorised_by="Insp Example",
        previewed_version=2,
    )
    return Ids(str(patient.id), str(episode.id), link.id, token, str(poster.record.public_id))


@pytest.fixture
def ids(app, world) -> dict[str, Ids]:
    """Everything that has an id, once on ward A (area one) and once on ward B."""
    with app.app_context():
        made = {
            "own": _patient_with_everything("WA1", "Own Patient", world.nurse_a, world.police_a),
            "other": _patient_with_everything(
                "WB1", "Other Wards Patient", world.nurse_b, world.police_b
            ),
        }
        db.session.commit()
    return made


def _values(rule: Rule, ids: Ids, ward: str) -> dict[str, object]:
    """A good value for each of the rule's arguments."""
    known = {
        "patient_id": ids.patient_id,
        "episode_id": ids.episode_id,
        "link_id": ids.link_id,
        "poster_id": ids.poster_id,
        "token": ids.token,
        "code": ward if rule.endpoint.split(".")[0] != "admin" else "AREA1",
        "number": 1,
        "filename": "js/body-classes.js",
        "month": "2026-11",
        "kind": "pdf",
        "name": "idp",
        "target_id": 1,
    }
    missing = set(rule.arguments) - set(known)
    assert not missing, f"{rule.rule}: the security tests know no value for {missing}"
    return {name: known[name] for name in rule.arguments}


def _path(app: Flask, rule: Rule, values: dict[str, object]) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _user_of(rule: Rule) -> str | None:
    if rule.endpoint in USER_OF_ENDPOINT:
        return USER_OF_ENDPOINT[rule.endpoint]
    return USER_OF_BLUEPRINT[rule.endpoint.split(".")[0]]


def _clients(app: Flask, world) -> dict[str | None, object]:
    clients = {None: app.test_client()}
    for user in {u for u in USER_OF_BLUEPRINT.values() if u} | {"nurse_b", "police_b"}:
        clients[user] = app.test_client()
        response = AuthActions(clients[user]).login(getattr(world, user))
        assert response.status_code == 302, user
    return clients


def _token(client) -> str:
    return csrf_token(client.get("/", follow_redirects=True).text)


def stored(app: Flask, skip: set[str] = NOT_PATIENT_DATA) -> dict[str, list]:
    """Every row of every table (but ``skip``), to compare before and after."""
    with app.app_context():
        rows = {
            table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in db.metadata.sorted_tables
            if table.name not in skip
        }
        db.session.remove()
    return rows


def _changed(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def _audit_actions(app: Flask) -> list[str]:
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action)))
        db.session.remove()
    return actions


def post_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]


# ---------------------------------------------------------------------------- CSRF


def test_every_post_without_a_token_or_with_another_sessions_is_refused(app, world, ids):
    """Every rule that takes a POST, read from the URL map: a new one is tried too."""
    clients = _clients(app, world)
    foreign = csrf_token(app.test_client().get("/login").text)  # a stranger's session
    before = stored(app, skip=set())
    audit_before = _audit_actions(app)
    tried, wrong = set(), []
    for rule in post_rules(app):
        user = _user_of(rule)
        path = _path(app, rule, _values(rule, ids["own"], world.ward_a))
        for label, data in (("no token", {}), ("another session's token", {"csrf_token": foreign})):
            response = clients[user].post(path, data=data)
            text = response.text
            refused = response.status_code == 400 and "This form could not be sent" in text
            # A form a person typed into is kept for its owner and put back, not saved.
            # (A report for a patient already missing goes to the open episode.)
            shown = ""
            if response.status_code == 302:
                shown = clients[user].get(response.headers["Location"], follow_redirects=True).text
            kept = any(
                words in shown
                for words in ("nothing was saved", "already has an open missing episode")
            )
            if not (refused or kept):
                wrong.append(f"{rule.endpoint} {label}: {response.status_code}")
        tried.add(rule.endpoint)
        # Still signed in: the refusal did not end the session either.
        if user is not None:
            assert clients[user].get("/", follow_redirects=True).request.path != "/login"
    assert wrong == [], "\n".join(wrong)
    assert tried == {rule.endpoint for rule in post_rules(app)}
    after = stored(app, skip=set())
    # Only a kept form: encrypted for its owner's eyes, put back on the form, never applied.
    assert set(_changed(before, after)) <= {"kept_forms"}
    assert _audit_actions(app) == audit_before


def test_a_token_from_before_sign_in_is_refused_after_it(app, client, world):
    """The token rotates with the session at sign-in: a page fetched before it (or an
    attacker's planted session) cannot send forms for the signed-in person."""
    before = csrf_token(client.get("/login").text)
    AuthActions(client).login(world.nurse_a)
    page = client.get("/wards/WA1/patients/new")
    assert csrf_token(page.text) != before
    response = client.post(
        "/wards/WA1/patients/new", data={"csrf_token": before, "full_name": "Planted"}
    )
    assert response.status_code in (302, 400)
    assert "Planted" not in client.get("/wards/WA1").text


def test_a_refused_admission_is_put_back_on_the_form_not_lost(client, auth, world):
    """Found by the test above: the admit form was kept on a refused post, but its page
    never put the entries back, so a nurse met an empty form and no word of why."""
    auth.login(world.manager_a)
    response = client.post("/wards/WA1/patients/new", data={"full_name": "Kept Name"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "nothing was saved" in page and 'value="Kept Name"' in page
    assert "Kept Name" not in client.get("/wards/WA1").text  # not admitted


# ------------------------------------------------------------- session at sign-in


def _session_cookie(app, client) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


def test_the_session_changes_at_sign_in_and_a_planted_one_stays_signed_out(app, client, world):
    client.get("/login")
    planted = _session_cookie(app, client)
    assert planted, "the sign-in page starts a session (its CSRF token)"
    AuthActions(client).login(world.nurse_a)
    signed_in = _session_cookie(app, client)
    assert signed_in != planted
    attacker = app.test_client()
    attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], planted)
    assert attacker.get("/wards/WA1").status_code == 302  # still only the sign-in page
    decoded = app.session_interface.get_signing_serializer(app).loads(signed_in)
    old = app.session_interface.get_signing_serializer(app).loads(planted)
    assert decoded.get("csrf_token") != old.get("csrf_token")


# ---------------------------------------------------------------- open redirects

NEXT_ATTEMPTS = [
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "https://evil.example/",
    "https:evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "%5C%5Cevil.example",
    "/%5Cevil.example",
    "%2F%5Cevil.example",
    "%09//evil.example",
    "  //evil.example",
    "/%0d%0aLocation:%20https://evil.example",
    "https%3A%2F%2Fevil.example",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example@127.0.0.1/",
    "/.//evil.example",
]


def _lands_on_site(location: str) -> bool:
    """Whether a browser following ``location`` from this site stays on it."""
    from urllib.parse import urljoin, urlsplit

    # Browsers read a backslash as a slash and drop tabs and newlines in URLs.
    cleaned = re.sub(r"[\t\r\n]", "", location).replace("\\", "/")
    return urlsplit(urljoin("http://127.0.0.1/login", cleaned)).netloc == "127.0.0.1"


@pytest.mark.parametrize("attempt", NEXT_ATTEMPTS)
def test_next_never_sends_anyone_off_the_site(client, world, attempt):
    query = f"next={attempt}" if "%" in attempt else urlencode({"next": attempt})
    page = client.get(f"/login?{query}")
    assert page.status_code == 200
    response = client.post(
        f"/login?{query}",
        data={"email": world.nurse_a, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 302
    assert _lands_on_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("attempt", NEXT_ATTEMPTS[:8])
def test_next_when_already_signed_in_goes_nowhere_else(client, auth, world, attempt):
    auth.login(world.nurse_a)
    response = client.get("/login?" + urlencode({"next": attempt}))
    assert response.status_code == 302
    assert _lands_on_site(response.headers["Location"])


# ------------------------------------------------- other wards, areas and episodes

ID_ARGUMENTS = {"patient_id", "episode_id", "link_id", "poster_id", "code"}
# Rules with an id that no scope applies to, and why.
UNSCOPED = {
    "admin.add_email": "administrators manage every area's notification targets",
    "admin.add_webhook": "administrators manage every area's notification targets",
    "admin.remove_target": "administrators manage every area's notification targets",
    "share.open_link": "the token is the only key (tried in test_episodes.py)",
}


def _refused(response) -> bool:
    return response.status_code in (403, 404)


def test_every_id_bearing_route_refuses_another_wards_or_areas_ids(app, world, ids):
    """Each id in the path swapped, one at a time and all at once, for the other
    ward's (its patient, episode, share link, ward code) or the other area's poster."""
    clients = _clients(app, world)
    tokens = {user: _token(c) for user, c in clients.items() if user}
    before = stored(app)
    wrong, tried = [], set()
    for rule in app.url_map.iter_rules():
        arguments = set(rule.arguments) & ID_ARGUMENTS
        if not arguments or rule.endpoint in UNSCOPED:
            continue
        user = _user_of(rule)
        own = _values(rule, ids["own"], world.ward_a)
        other = _values(rule, ids["other"], world.ward_b)
        if "GET" in rule.methods and not rule.endpoint.endswith("photo"):
            # The same page with our own ids opens: the refusals below are about scope.
            assert clients[user].get(_path(app, rule, own)).status_code < 400, rule.endpoint
        swaps = [{**own, name: other[name]} for name in sorted(arguments)]
        if len(arguments) > 1:
            swaps.append(other)
        for values in swaps:
            path = _path(app, rule, values)
            for method in sorted(rule.methods & {"GET", "POST"}):
                client = clients[user]
                if method == "GET":
                    response = client.get(path)
                else:
                    response = client.post(path, data={"csrf_token": tokens[user]})
                if not _refused(response):
                    wrong.append(f"{user} {method} {rule.endpoint} {path}: {response.status_code}")
                elif "Other Wards Patient" in response.text:
                    wrong.append(f"{user} {method} {rule.endpoint}: names the other patient")
        tried.add(rule.endpoint)
    assert wrong == []
    assert _changed(before, stored(app)) == []
    assert {"episodes.revoke", "police.poster_file", "ward.transfer", "packs.restore"} <= tried


def test_the_other_wards_staff_and_area_are_refused_our_ids_too(app, world, ids):
    """The mirror image: ward B's nurse and area two's officer, with ward A's ids."""
    clients = _clients(app, world)
    wrong = []
    for rule in app.url_map.iter_rules():
        if not set(rule.arguments) & ID_ARGUMENTS or rule.endpoint in UNSCOPED:
            continue
        if "GET" not in rule.methods:
            continue
        user = {"manager_a": "nurse_b", "police_a": "police_b"}.get(_user_of(rule))
        if user is None:
            continue
        path = _path(app, rule, _values(rule, ids["own"], world.ward_a))
        response = clients[user].get(path)
        if not _refused(response) or "Own Patient" in response.text:
            wrong.append(f"{user} GET {rule.endpoint}: {response.status_code}")
    assert wrong == []


# ---------------------------------------------- over-long and non-UTF-8 input


class _Forms(HTMLParser):
    """Each ``<form method=post>`` on a page: its action and the fields a browser sends."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": [], "text": set()}
            self.forms.append(self._form)
        if self._form is None or tag not in ("input", "textarea", "select", "option"):
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            self._form["fields"].append([name, a.get("value") or ""])
            if kind in ("text", "email", "tel", "search", "password", "url", "number"):
                self._form["text"].add(name)
        elif tag == "textarea" and name:
            self._form["fields"].append([name, ""])
            self._form["text"].add(name)
            self._textarea = name
        elif tag == "select" and name:
            self._select = name
            self._form["fields"].append([name, None])
        elif tag == "option" and self._select:
            field = next(f for f in self._form["fields"] if f[0] == self._select)
            if field[1] is None or "selected" in a:
                field[1] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea and self._form:
            field = next(f for f in self._form["fields"] if f[0] == self._textarea)
            field[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return [form for form in parser.forms if form["text"]]


INVALID_UTF8 = b"Mar\xffia \xc3( \xed\xa0\x80 \xf8\x88\x80\x80\x80"
OVER_LONG = "x" * 5_001  # past every field's limit (the longest is 5,000)


def _body(fields: list, text: set[str], odd: bytes | None, long: str | None) -> bytes:
    parts = []
    for name, value in fields:
        raw = (value or "").encode()
        if name in text and name != "csrf_token":
            raw = odd if odd is not None else long.encode()
        parts.append(quote_from_bytes(name.encode()) + "=" + quote_from_bytes(raw))
    return "&".join(parts).encode()


def _pages(app: Flask, ids: dict[str, Ids], world) -> list[tuple[str | None, str]]:
    """(user, path) of every page that can hold a form: every GET rule."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "main.assets"):
            continue
        if rule.rule.endswith((".pdf", ".csv", ".png", "photo", ".<any(pdf, png):kind>")):
            continue
        pages.append((_user_of(rule), _path(app, rule, _values(rule, ids["own"], world.ward_a))))
    return pages


def _shape(action: str) -> str:
    """A form's address with its ids taken out: one try per kind of form."""
    action = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", action)
    return re.sub(r"/share/[^/]+", "/share/TOKEN", re.sub(r"/\d+(?=/|$)", "/N", action))


CLEAR = (
    "There is a problem",
    "could not be read",
    "This form could not be sent",
    "The file is too large",
)


@pytest.mark.parametrize("what", ["invalid UTF-8", "over-long"])
def test_every_form_refuses_odd_input_clearly_and_stores_nothing(app, world, ids, what):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is the 500 a person would get
    clients = _clients(app, world)
    with app.app_context():  # the report form (no open episode) and the interview's
        at_home = patient_on("WA1", "Not Missing", FULL_LEGAL, world.nurse_a)
        returned = open_for(patient_on("WA1", "Back", FULL_LEGAL, world.nurse_a), world.nurse_a)
        close(returned, world.nurse_a, hours_ago=1)
        db.session.commit()
        more = [("manager_a", f"/patients/{at_home.id}/episodes/new")]
        more.append(("manager_a", f"/episodes/{returned.id}"))
    seen, wrong = set(), []
    for user, path in _pages(app, ids, world) + more:
        client = clients[user]
        page = client.get(path, follow_redirects=True)
        for form in forms_on(page.text):
            action = form["action"] or page.request.path
            key = (user, _shape(action))
            if key in seen:
                continue
            seen.add(key)
            before = stored(app)
            odd = INVALID_UTF8 if what == "invalid UTF-8" else None
            body = _body(form["fields"], form["text"], odd, OVER_LONG)
            response = client.post(
                action,
                data=body,
                content_type="application/x-www-form-urlencoded",
                follow_redirects=True,
            )
            changed = _changed(before, stored(app))
            text = response.text
            if response.status_code >= 500:
                wrong.append(f"{user} {action}: {response.status_code}")
            elif changed:
                wrong.append(f"{user} {action}: stored {changed}")
            elif what == "over-long" and response.status_code == 413:
                wrong.append(f"{user} {action}: 413, not the fields' own messages")
            elif not any(message in text for message in CLEAR):
                wrong.append(f"{user} {action}: no clear message ({response.status_code})")
    assert wrong == [], "\n".join(wrong)
    forms = {action for _user, action in seen}
    assert {
        "/login",
        "/share/TOKEN",
        "/wards/WA1/patients/new",
        "/patients/ID/grab-pack/edit",
        "/patients/ID/episodes/new",
        "/episodes/ID/update",
        "/episodes/ID/close",
        "/episodes/ID/prevention-interview",
        "/police/patients/ID/appeal-poster",
        "/admin/areas/AREA1/email",
        "/admin/areas/AREA1/webhook",
    } <= forms, forms


@pytest.mark.parametrize(
    "query",
    ["next=%FF%FE", "from=%C3%28&to=1", "page=%ED%A0%80", "q=" + "%FF" * 3000],
)
def test_a_query_string_that_is_not_utf8_is_refused_clearly(app, client, auth, world, ids, query):
    auth.login(world.manager_a)
    patient = ids["own"].patient_id
    for path in ("/login", "/wards/WA1", f"/patients/{patient}/grab-pack/diff", "/reports/monthly"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert "could not be read" in response.text


def test_one_unreadable_field_in_an_otherwise_good_form_saves_nothing(app, client, auth, world):
    """Found: the parser put U+FFFD where the bytes were not UTF-8, and the admission
    was saved with the name mangled. Now the whole form is refused, saying why."""
    auth.login(world.nurse_a)
    token = csrf_token(client.get("/wards/WA1/patients/new").text)
    before = stored(app)
    body = f"csrf_token={token}&full_name=Zofia%20Wi%C5%9Bniew%FFska".encode()
    response = client.post(
        "/wards/WA1/patients/new", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "Some of what was sent could not be read" in response.text
    assert "nothing was saved" in response.text
    assert _changed(before, stored(app)) == []
    good = body.replace(b"%FF", b"")
    response = client.post(
        "/wards/WA1/patients/new", data=good, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302  # the same form, readable, is admitted


@pytest.mark.parametrize("earlier", ["", "Own Patient"], ids=["alone", "after-a-readable-value"])
def test_unreadable_text_in_a_multipart_form_is_refused_too(app, client, auth, world, ids, earlier):
    """The grab pack's form is multipart (it carries the photo); a list field sends
    several values under one name, and the unreadable one may be any of them."""
    auth.login(world.nurse_a)
    path = f"/patients/{ids['own'].patient_id}/grab-pack/edit"
    token = csrf_token(client.get(path).text)
    before = stored(app)
    boundary = "----grabpack"
    field = f'--{boundary}\r\nContent-Disposition: form-data; name="identity-full_name"\r\n\r\n'
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            + (f"{field}{earlier}\r\n" if earlier else "")
            + field
        ).encode()
        + b"Own \xff Patient\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    response = client.post(
        path, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    assert "could not be read" in response.text
    assert _changed(before, stored(app)) == []


def test_a_background_request_refused_for_its_token_leaves_the_session_alone(
    app, client, world, ids
):
    """The power-to-retake preview asks in the background; after a sign-out its token
    is refused. That refusal must not put a new form token in the session, or the
    sign-in page the nurse is looking at can no longer be sent."""
    page = client.get("/login")
    token = csrf_token(page.text)
    preview = client.post(
        f"/patients/{ids['own'].patient_id}/episodes/new/retake-power",
        data={"csrf_token": "from-the-old-session"},
        headers={"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "same-origin"},
    )
    assert preview.status_code == 400
    assert "Set-Cookie" not in preview.headers
    signed_in = client.post(
        "/login", data={"email": world.nurse_a, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
