"""The ward's audit page shows every appeal poster made or downloaded (who made it,
who authorised it, each download) and every share link made, disabled or revoked,
each with a label and a choice in the filter; and no action the code records
against a patient can be left off the page without a decision."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import grabpack
from grabpack.extensions import db
from grabpack.services import audit_views, share_links
from tests.conftest import csrf_token
from tests.factories import FULL_LEGAL, open_for, patient_on, staff

# An action whose name is built when it is recorded (an f-string) names here what it
# can become. A new built name fails the test until it is added, so it cannot slip by.
BUILT_NAMES = {
    "f'grab_pack.{draft.kind}'": ("grab_pack.edit", "grab_pack.review", "grab_pack.restore"),
    "f'appeal_poster.{kind}'": ("appeal_poster.pdf", "appeal_poster.png"),
}


# --- every action recorded against a patient, read from the code ------------------------


def _is_audit_record(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "record"
        and isinstance(func.value, ast.Name)
        and func.value.id == "audit"
    )


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef]:
    yield from (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))


def _argument(call: ast.Call, function: ast.FunctionDef, name: str) -> ast.expr | None:
    """What a call passes for ``function``'s parameter ``name``."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    position = [arg.arg for arg in function.args.args].index(name)
    return call.args[position] if position < len(call.args) else None


def _names(expr: ast.expr, where: ast.FunctionDef, tree: ast.Module, used: set[str]) -> set[str]:
    """Every action name ``expr`` can be inside ``where``: a literal, either side of
    ``a if b else c``, a built name from ``BUILT_NAMES``, or a parameter, followed to
    every call of its function in the same module."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return _names(expr.body, where, tree, used) | _names(expr.orelse, where, tree, used)
    if isinstance(expr, ast.JoinedStr):
        built = ast.unparse(expr)
        assert built in BUILT_NAMES, f"say in BUILT_NAMES what {built} can be"
        used.add(built)
        return set(BUILT_NAMES[built])
    if isinstance(expr, ast.Name) and expr.id in [arg.arg for arg in where.args.args]:
        found: set[str] = set()
        for caller in _functions(tree):
            for call in ast.walk(caller):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id == where.name
                    and (passed := _argument(call, where, expr.id)) is not None
                ):
                    found |= _names(passed, caller, tree, used)
        assert found, f"no call of {where.name}() says which action it records"
        return found
    raise AssertionError(f"cannot tell which action {ast.unparse(expr)} is in {where.name}()")


def actions_recorded_against_a_patient() -> set[str]:
    """Every ``audit.record(...)`` in grabpack given a ``patient_id``, as action names."""
    actions: set[str] = set()
    used: set[str] = set()
    for source in Path(grabpack.__file__).parent.rglob("*.py"):
        tree = ast.parse(source.read_text(), filename=str(source))
        for function in _functions(tree):
            for call in ast.walk(function):
                if (
                    isinstance(call, ast.Call)
                    and _is_audit_record(call)
                    and any(keyword.arg == "patient_id" for keyword in call.keywords)
                ):
                    actions |= _names(call.args[0], function, tree, used)
    assert used == set(BUILT_NAMES), "BUILT_NAMES names a built action the code no longer has"
    return actions


def test_the_scan_finds_what_the_code_records():
    """The scan itself: it sees literals, built names and names passed to a helper."""
    found = actions_recorded_against_a_patient()
    assert {
        "grab_pack.view",
        "grab_pack.pdf",
        "grab_pack.edit",
        "share_link.use",
        "share_link.refused",
        "appeal_poster.make",
        "appeal_poster.png",
        "episode.open",
    } <= found
    assert "login" not in found and "monthly_review.view" not in found


def test_every_action_recorded_against_a_patient_is_on_the_page_or_declared_a_change():
    labelled = set(audit_views.ACTION_LABELS)
    changes = set(getattr(audit_views, "RECORD_CHANGES", {}))
    found = actions_recorded_against_a_patient()
    assert sorted(found - labelled - changes) == []
    assert labelled & changes == set()
    # Nothing declared that the code no longer records.
    assert sorted((labelled | changes) - found) == []


# --- what the ward manager sees --------------------------------------------------------


@pytest.fixture
def poster_made(app, world, auth, client) -> dict:
    """Amara is missing from ward A; the officer makes a poster and downloads both files."""
    with app.app_context():
        pack = {
            **FULL_LEGAL,
            "identity": {"full_name": "Amara Okoye"},
            "description": {"height_cm": 170, "build": "Slim", "hair": "Braids"},
        }
        patient = patient_on(world.ward_a, "Amara Okoye", pack, world.nurse_a)
        open_for(patient, world.nurse_a, police_reference="CAD 4321/23NOV")
        db.session.commit()
        patient_id = patient.id
    auth.login(world.police_a)
    path = f"/police/patients/{patient_id}/appeal-poster"
    page = client.get(path).text
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    made = client.post(
        path,
        data={
            "csrf_token": csrf_token(page),
            "version": version,
            "name_shown": "full",
            "authorised": "y",
            "authorised_by": "Insp 123 Patel",
            "action": "make",
        },
    )
    assert made.status_code == 302
    poster = made.headers["Location"]
    assert client.get(f"{poster}.pdf").status_code == 200
    assert client.get(f"{poster}.png").status_code == 200
    auth.logout()
    auth.login(world.manager_a)
    return {"patient": str(patient_id)}


def what_column(page: str) -> list[str]:
    """The "What" cell of each row, as read on the page."""
    cells = re.findall(
        r'<span class="nhsuk-table__heading" aria-hidden="true">What </span><span>(.*?)</span>',
        page,
        re.S,
    )
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_the_ward_sees_who_made_a_poster_on_whose_authority_and_its_downloads(client, poster_made):
    page = client.get("/wards/WA1/audit").text
    assert what_column(page)[:3] == [
        "Downloaded appeal poster (image)",
        "Downloaded appeal poster (PDF)",
        "Made a public appeal poster, authorised by Insp 123 Patel",
    ]
    assert "(Police)" in page


def test_posters_can_be_picked_in_the_filter(client, poster_made):
    page = client.get("/wards/WA1/audit").text
    for action in ("appeal_poster.make", "appeal_poster.pdf", "appeal_poster.png"):
        assert f'<option value="{action}">' in page, action
    made = client.get("/wards/WA1/audit?action=appeal_poster.make")
    assert "There is a problem" not in made.text
    assert what_column(made.text) == ["Made a public appeal poster, authorised by Insp 123 Patel"]


def test_the_ward_sees_share_links_made_and_revoked(app, client, auth, world):
    with app.app_context():
        patient = patient_on(world.ward_a, "Bilal Khan", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a)
        link, _token = share_links.create_link(episode, staff(world.nurse_a), hours=24)
        share_links.revoke(link, staff(world.nurse_a))
        db.session.commit()
    auth.login(world.manager_a)
    page = client.get("/wards/WA1/audit").text
    assert what_column(page) == ["Revoked a share link", "Made a share link"]
    assert '<option value="share_link.create">' in page
