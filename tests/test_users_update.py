"""`grabpack users update`: a nurse moves ward, a name was spelt wrong.

Found by an admin tester: an existing account's wards, areas, role or name could
not be changed at all (`users` had create, disable, enable, set-password, unlock;
creating again is refused for the same email), so a nurse moving ward needed a
new account under another address, or the database edited by hand."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grabpack.extensions import db
from grabpack.models import AuditEvent, User


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def account(app, email: str) -> tuple[str, list[str], list[str], str, str]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return (
            user.role,
            sorted(w.code for w in user.wards),
            sorted(a.code for a in user.policing_areas),
            user.full_name or "",
            user.session_token,
        )


def test_a_nurse_moves_ward_and_their_sessions_end(app, runner, world, client, auth):
    auth.login(world.nurse_a)
    assert client.get(f"/wards/{world.ward_a}").status_code == 200
    before = account(app, world.nurse_a)
    result = runner.invoke(args=["users", "update", world.nurse_a, "--ward", world.ward_b])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Updated {world.nurse_a} (wards): nurse for {world.ward_b}; their sessions are ended\n"
    )
    role, wards, areas, name, token = account(app, world.nurse_a)
    assert (role, wards, areas, name) == ("nurse", [world.ward_b], [], "Nurse A")
    assert token != before[4]
    signed_out = client.get(f"/wards/{world.ward_a}")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update"))
        assert event.detail["changed"] == ["wards"]


def test_a_name_corrected_keeps_the_session(app, runner, world):
    before = account(app, world.nurse_a)
    result = runner.invoke(args=["users", "update", world.nurse_a, "--name", "Siobhán Ní Bhriain"])
    assert result.exit_code == 0, result.output
    assert "(name)" in result.output and "sessions" not in result.output
    after = account(app, world.nurse_a)
    assert after[3] == "Siobhán Ní Bhriain" and after[4] == before[4]


def test_a_new_role_drops_the_old_scope_and_needs_the_new(app, runner, world):
    refused = runner.invoke(args=["users", "update", world.police_a, "--role", "nurse"])
    assert refused.exit_code == 1
    assert (
        refused.output.strip()
        .splitlines()[-1]
        .endswith("A nurse needs at least one --ward and no --area")
    )
    assert account(app, world.police_a)[:3] == ("police", [], [world.area_a])
    moved = runner.invoke(
        args=["users", "update", world.police_a, "--role", "nurse", "--ward", world.ward_a]
    )
    assert moved.exit_code == 0, moved.output
    assert account(app, world.police_a)[:3] == ("nurse", [world.ward_a], [])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--ward", "NOPE"], "Unknown ward code: NOPE"),
        (["--area", "AREA2"], "A nurse needs at least one --ward and no --area"),
        (["--name", "x" * 201], "A name must be 200 characters or fewer"),
        (["--name", "   "], "Enter the person's full name"),
    ],
)
def test_a_change_that_breaks_a_rule_changes_nothing(app, runner, world, args, says):
    before = account(app, world.nurse_a)
    result = runner.invoke(args=["users", "update", world.nurse_a, *args])
    assert result.exit_code == 1
    assert says in result.output and len(result.output.strip().splitlines()) == 1
    assert account(app, world.nurse_a) == before


def test_nothing_to_change_says_so(app, runner, world):
    result = runner.invoke(args=["users", "update", world.nurse_a, "--ward", world.ward_a])
    assert result.exit_code == 0 and result.output == f"Nothing to change for {world.nurse_a}\n"


def test_an_unknown_account_is_one_line(runner, world):
    result = runner.invoke(args=["users", "update", "nobody@example.nhs.uk", "--name", "X"])
    assert result.exit_code == 1 and "No user with email nobody@example.nhs.uk" in result.output
