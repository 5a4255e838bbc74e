"""The idle sign-out in a real browser: the warning, "Stay signed in", and an
unattended police screen taken back to sign-in although its list refreshes itself.

The server keeps the time in the signed session cookie; the test moves that time
back (re-signing the cookie as the app does) and the browser's clock forward.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in


@pytest.fixture
def app_config() -> dict:
    """A one-minute idle limit (the warning shows in its last 15 seconds), and the
    police list refreshing every second."""
    return {"SESSION_IDLE_MINUTES": 1, "POLICE_REFRESH_SECONDS": 1}


def age_session(page, app, seconds: int) -> None:
    """Make the server's record of the last activity ``seconds`` older."""
    name = app.config["SESSION_COOKIE_NAME"]
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = next(c for c in page.context.cookies() if c["name"] == name)
    session = serializer.loads(cookie["value"])
    session["last_seen"] -= seconds
    page.context.add_cookies([{**cookie, "value": serializer.dumps(session)}])


def test_warning_then_stay_signed_in_then_an_unattended_screen_is_signed_out(page, app, world):
    page.clock.install()
    sign_in(page, world.police_a)
    warning = page.locator("#session-timeout")
    expect(warning).to_be_hidden()
    # Time in the page stands still from here, so no refresh is in flight (and
    # about to bring back the old cookie) while the test edits the session.
    page.clock.pause_at(datetime.now() + timedelta(seconds=2))
    page.wait_for_load_state("networkidle")

    age_session(page, app, 50)  # about 10 seconds left
    page.clock.fast_forward(46_000)  # past the page's next check, whenever it was set
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("You are about to be signed out")
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()

    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()

    # Nobody touches the page: its list keeps refreshing, which is not activity.
    age_session(page, app, 70)
    page.clock.fast_forward(46_000)
    expect(page.get_by_role("heading", name="Sign in to grabpack")).to_be_visible()
    expect(page.locator("body")).to_contain_text("signed out after a period of inactivity")
    page.console_errors.forget("status of 401")  # the refresh that found the session over
