"""Journeys through the real pages in Chromium: sign-in per role, sign-out,
language, a phone-sized screen, accessibility (axe) and the README screenshots.

Japanese is the default and the demo accounts use it, so expected texts are
looked up in the application's own catalogue (`translate`) rather than copied:
the assertions hold while the translations change.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

# Each role's home page, by the msgid of its <h1> (templates/home/*.html).
HOMES = {
    "admin@example.com": "Administration",
    "manager@example.com": "Pipeline",
    "consultant@example.com": "My work",
    "official@example.com": "Regional summary",
}
ACCOUNTS_PAGE = "/admin/users"


def path_of(url: str) -> str:
    return urlsplit(url).path


def nav_paths(page) -> list[str]:
    """The paths the main menu links to, in order."""
    hrefs = page.locator("nav.main-nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [path_of(href) for href in hrefs]


def sign_in_form(page):
    return page.locator("form[action$='/auth/sign-in'] input[name=password]")


@pytest.mark.parametrize("email", HOMES)
def test_each_role_lands_on_its_own_home(page, base_url, translate, email):
    sign_in(page, base_url, email)

    assert path_of(page.url) == "/"
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("main h1").inner_text().strip() == translate(HOMES[email])
    assert page.locator("nav.main-nav").get_by_role("link").count() >= 1
    menu = nav_paths(page)
    if email == "admin@example.com":
        assert ACCOUNTS_PAGE in menu
        link = page.locator("nav.main-nav").get_by_role("link", name=translate("Users"))
        assert path_of(link.get_attribute("href")) == ACCOUNTS_PAGE
    else:
        assert ACCOUNTS_PAGE not in menu
        assert not any(path.startswith("/admin") for path in menu)
    # Nothing in the menu leads to a page the role may not open.
    for path in menu:
        response = page.goto(base_url + path)
        assert response.status == 200, f"{email}: menu entry {path} answered {response.status}"


def test_sign_out_returns_to_sign_in_and_stays_signed_out(page, base_url, translate):
    sign_in(page, base_url, "manager@example.com")
    sign_out = page.get_by_role("button", name=translate("Sign out"))

    with page.expect_navigation():
        sign_out.click()

    assert path_of(page.url) == "/auth/sign-in"
    assert page.get_by_role("status").inner_text().strip() == translate("You have signed out.")
    assert sign_in_form(page).is_visible()
    # The pages seen while signed in are not served again from history...
    page.go_back()
    page.reload()
    assert path_of(page.url) == "/auth/sign-in"
    assert sign_in_form(page).is_visible()
    assert page.get_by_role("button", name=translate("Sign out")).count() == 0
    # ...and the home page asks for a sign-in.
    page.goto(f"{base_url}/")
    assert path_of(page.url) == "/auth/sign-in"
    assert sign_in_form(page).is_visible()


def test_visitor_switches_to_english_and_it_is_remembered(page, base_url, translate):
    page.goto(f"{base_url}/auth/sign-in")
    assert page.locator("html").get_attribute("lang") == "ja"

    with page.expect_navigation():
        page.get_by_role("link", name="English").click()

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("main form").get_by_role("button", name="Sign in").is_visible()
    assert page.get_by_role("link", name="日本語").is_visible()

    page.goto(f"{base_url}/auth/sign-in")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("main h1").inner_text().strip() == "Sign in"


def test_phone_sized_home_has_no_sideways_scroll(new_page, base_url, translate):
    page = new_page(viewport={"width": 375, "height": 740})
    sign_in(page, base_url, "consultant@example.com")

    assert path_of(page.url) == "/"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px screen"
    assert page.get_by_role("button", name=translate("Sign out")).is_visible()


# --- Accessibility ------------------------------------------------------------


def submit_empty_new_user_form(page):
    """Send the new-user form with nothing filled in, so every error shows."""
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    assert page.locator("[aria-invalid=true]").count() > 0


NOT_FOUND = "/no-such-page"
# (id, account to sign in as or None, path, what to do once there)
AXE_PAGES = [
    ("sign-in-ja", None, "/auth/sign-in?lang=ja", None),
    ("sign-in-en", None, "/auth/sign-in?lang=en", None),
    *[(f"home-{email.split('@')[0]}", email, "/", None) for email in HOMES],
    ("admin-users", "admin@example.com", "/admin/users", None),
    ("admin-new-user", "admin@example.com", "/admin/users/new", None),
    ("admin-new-user-errors", "admin@example.com", "/admin/users/new", submit_empty_new_user_form),
    ("profile", "consultant@example.com", "/profile/", None),
    ("not-found", "consultant@example.com", NOT_FOUND, None),
]


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize(
    ("email", "path", "action"),
    [pytest.param(email, path, action, id=name) for name, email, path, action in AXE_PAGES],
)
def test_no_accessibility_violations(page, base_url, axe, email, path, action):
    if email:
        sign_in(page, base_url, email)
    response = page.goto(base_url + path)
    assert response.status == (404 if path == NOT_FOUND else 200), page.url
    if action:
        action(page)

    results = axe.run(page)

    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


# --- Screenshots for the README ---------------------------------------------


def test_screenshots(new_page, base_url, tmp_path):
    """UPDATE_SCREENSHOTS=1 rewrites docs/*.png; otherwise they go to tmp_path."""
    target = ROOT / "docs" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    shots = [
        ("manager@example.com", {"width": 1280, "height": 800}, "screenshot-home.png"),
        ("consultant@example.com", {"width": 390, "height": 844}, "screenshot-phone.png"),
    ]
    for email, viewport, name in shots:
        page = new_page(viewport=viewport, device_scale_factor=1)
        sign_in(page, base_url, email)
        page.evaluate("document.fonts.ready.then(() => true)")
        path = target / name
        page.screenshot(path=str(path), full_page=True)

        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000, f"{path} is not a real PNG"
