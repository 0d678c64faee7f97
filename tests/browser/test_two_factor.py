"""Two-factor sign-in in a real browser: a manager types the password, then the code."""

import pytest

from tests.browser.conftest import current_code
from tracker.demo.data import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_a_manager_signs_in_with_password_and_code(page, base_url, translate):
    page.goto(f"{base_url}/auth/sign-in")
    page.fill("input[name=email]", "manager2@example.com")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    # Not signed in yet: the code page, and nothing else opens.
    assert page.url == f"{base_url}/auth/code"
    assert translate("Sign-in code") in page.locator("h1").inner_text()

    page.fill("input[name=code]", "000000" if current_code("manager2@example.com") != "000000" else "111111")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("#code-error").is_visible()

    page.fill("input[name=code]", current_code("manager2@example.com"))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url == f"{base_url}/"
    assert "共創 誠" in page.locator("body").inner_text()
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["tracker_device"]["httpOnly"] and cookies["tracker_device"]["sameSite"] == "Lax"
