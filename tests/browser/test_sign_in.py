"""A person signing in and out in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_nurse_signs_in_sees_ward_and_signs_out(page, world):
    sign_in(page, world.nurse_a)
    expect(page).to_have_title("Ward A patients – grabpack")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward A")
    expect(page.locator(".nhsuk-header__account")).to_contain_text("Nurse · Ward A")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to grabpack")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You have signed out")
    page.goto("/wards/WA1")
    expect(page).to_have_url(page.url)  # redirected to sign-in
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to grabpack")


def test_wrong_password_shows_error_summary_linked_to_fields(page, world):
    sign_in(page, world.nurse_a, "not the password at all")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct email address and password")
    expect(page).to_have_title("Error: Sign in – grabpack")


def test_design_system_javascript_runs(page, world):
    page.goto("/login")
    expect(page.locator("body")).to_have_class(re.compile(r"\bnhsuk-frontend-supported\b"))
    stylesheet_colour = page.locator(".nhsuk-header").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert stylesheet_colour == "rgb(0, 94, 184)"  # NHS blue: the CSS loaded


def test_police_officer_sees_open_episodes_page(page, world):
    sign_in(page, world.police_a)
    expect(page.get_by_role("heading", level=1)).to_have_text("Open missing episodes")
    expect(page.get_by_text("No one is missing from a setting in your areas")).to_be_visible()
