"""Signing in with the organisation's identity in Chromium (issue 13): a nurse with
NHS identity and an officer with the force's directory, through a real OpenID
Connect provider served on loopback, land on their usual pages with their usual
scope; a token grabpack cannot trust leaves them signed out, told why."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.oidc_provider import grabpack_settings


@pytest.fixture
def app_config(nhs, met):
    return grabpack_settings(nhs, met)


def test_a_nurse_signs_in_with_nhs_identity_and_out_again(page, world, nhs):
    nhs.sign_in_as(world.nurse_a)
    page.goto("/login")
    page.get_by_role("button", name="Sign in with NHS identity").click()
    expect(page).to_have_title("Ward A patients – grabpack")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward A")
    expect(page.locator(".nhsuk-header__account")).to_contain_text("Nurse · Ward A")
    assert nhs.authorizations[-1]["code_challenge_method"] == "S256"

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You have signed out")
    page.get_by_role("link", name="Sign out of NHS identity too").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You have signed out of the test identity provider"
    )
    assert nhs.ended_sessions[-1]["client_id"] == "grabpack"
    page.goto("/wards/WA1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to grabpack")


def test_an_officer_typing_their_email_is_sent_to_the_force(page, world, met):
    met.sign_in_as(world.police_a)
    page.goto("/login?next=/police/")
    page.get_by_label("Email address").fill(world.police_a)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open missing episodes")
    expect(page.locator(".nhsuk-header__account")).to_contain_text("Police · Area One")
    assert met.authorizations[-1]["login_hint"] == world.police_a
    assert "password" not in met.authorizations[-1]


@pytest.mark.parametrize(
    ("knob", "value"),
    [("tamper", True), ("nonce", "another-nonce"), ("expires_in", -3600)],
    ids=["tampered", "wrong nonce", "expired"],
)
def test_a_token_grabpack_cannot_trust_leaves_the_nurse_signed_out(page, world, nhs, knob, value):
    nhs.sign_in_as(world.nurse_a)
    setattr(nhs, knob, value)
    page.goto("/login")
    page.get_by_role("button", name="Sign in with NHS identity").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("NHS identity sent a sign-in that grabpack could not trust")
    page.goto("/wards/WA1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to grabpack")


def test_a_rotated_key_and_an_unknown_email(page, world, nhs):
    nhs.sign_in_as(world.nurse_a)
    nhs.rotate_key()
    page.goto("/login")
    page.get_by_role("button", name="Sign in with NHS identity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward A")
    page.get_by_role("button", name="Sign out").click()

    nhs.sign_in_as("new.starter@example.nhs.uk")
    nhs.rotate_key()
    page.get_by_role("button", name="Sign in with NHS identity").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "there is no grabpack account for you"
    )


def test_a_disabled_nurse_stays_out(page, app, world, nhs):
    from grabpack.extensions import db
    from grabpack.services.users import set_active, user_by_email

    with app.app_context():
        set_active(user_by_email(world.nurse_a), False)
        db.session.commit()
    nhs.sign_in_as(world.nurse_a)
    page.goto("/login")
    page.get_by_role("button", name="Sign in with NHS identity").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Your grabpack account is disabled"
    )


def test_a_password_still_works_for_a_domain_no_provider_serves(page, app, world):
    from grabpack.extensions import db
    from grabpack.services.users import create_user

    with app.app_context():
        create_user("lead@example.org", "admin", PASSWORD)
        db.session.commit()
    page.goto("/login")
    page.get_by_label("Email address").fill("lead@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".nhsuk-header__account")).to_contain_text("Administrator")
