"""The consultant's daily work in a real browser, on a phone-sized screen.

As consultant@example.com: log a session with two insights and an action,
then find them on the session page, in the engagement's timeline and in
My work; then other roles try to reach the same session.
"""

import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NOTES = "社長は、海外の展示会で見た自社製品の使われ方に驚いたと話された。"
INSIGHTS = ("職人の技術を言葉にできていないことが、採用の壁になっている", "社長自身が新事業の担い手を決めきれていない")
ACTION = "若手三名で展示会の振り返り会を開く"


def first_engagement_path(page) -> str:
    """An engagement of the consultant's, from the "Your engagements" list of My work."""
    href = page.locator("main a[href^='/engagements/']").first.get_attribute("href")
    return re.match(r"/engagements/\d+", href).group(0)


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px screen"


@pytest.fixture(scope="module")
def logged_session(browser, base_url):
    """Log the session once, through the form, as the consultant on a phone."""
    context = browser.new_context(locale="ja-JP", viewport=PHONE)
    page = context.new_page()
    sign_in(page, base_url, "consultant@example.com")
    engagement = first_engagement_path(page)
    page.goto(base_url + engagement)
    page.locator(f"a[href='{engagement}/sessions/new']").first.click()
    page.wait_for_url(f"**{engagement}/sessions/new")
    no_sideways_scroll(page)

    page.fill("[name=notes]", NOTES)
    page.fill("[name='statements-0-text']", "うちの技術は、もっと別の使い道があるのかもしれない")
    for row, text in enumerate(INSIGHTS):
        page.fill(f"[name='insights-{row}-text']", text)
        page.select_option(f"[name='insights-{row}-holder']", "president")
        page.select_option(f"[name='insights-{row}-category']", "organisation")
    page.fill("[name='actions-0-title']", ACTION)
    page.fill("[name='actions-0-due_on']", (date.today() + timedelta(days=5)).isoformat())
    with page.expect_navigation():
        page.locator("button[name=intent][value=submit]").click()

    errors = page.locator(".error, .alert").all_inner_texts()
    assert re.search(r"/sessions/\d+$", page.url), (page.url, errors)
    session_path = re.search(r"/sessions/\d+$", page.url).group(0)
    yield {"engagement": engagement, "session": session_path, "page": page}
    context.close()


def test_the_session_shows_its_insights_and_action(logged_session):
    page = logged_session["page"]
    body = page.locator("main").inner_text()
    assert NOTES in body and ACTION in body
    for text in INSIGHTS:
        assert text in body
    no_sideways_scroll(page)


def test_the_session_is_in_the_timeline(logged_session, base_url):
    page = logged_session["page"]
    page.goto(base_url + logged_session["engagement"] + "/timeline")
    body = page.locator("main").inner_text()
    assert INSIGHTS[0] in body and ACTION in body
    no_sideways_scroll(page)


def test_the_action_is_in_my_work(logged_session, base_url):
    page = logged_session["page"]
    page.goto(base_url + "/")
    assert ACTION in page.locator("main").inner_text()
    no_sideways_scroll(page)


def test_the_session_page_in_english(logged_session, base_url):
    page = logged_session["page"]
    page.goto(base_url + logged_session["session"])
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Insights from this session" in page.locator("main").inner_text() or ACTION in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="日本語").click()  # leave the demo account as it was
    assert page.locator("html").get_attribute("lang") == "ja"


@pytest.mark.parametrize(
    ("email", "status"),
    [("official@example.com", 404), ("consultant2@example.com", 404), ("admin@example.com", 200),
     ("manager@example.com", 200)],
)
def test_other_roles_reach_it_only_as_designed(logged_session, new_page, base_url, email, status):
    page = new_page()
    sign_in(page, base_url, email)
    for path in (logged_session["session"], logged_session["engagement"] + "/timeline"):
        assert page.goto(base_url + path).status == status, (email, path)
    edit = page.goto(base_url + logged_session["session"] + "/edit")
    assert edit.status == {"admin@example.com": 403, "manager@example.com": 200}.get(email, 404)


@pytest.mark.parametrize(
    "suffix",
    ["/", "/companies/", "{engagement}", "{engagement}/sessions/new", "{session}", "{session}/edit",
     "{engagement}/insights", "{engagement}/actions", "{engagement}/timeline"],
)
def test_case_pages_have_no_accessibility_violations(logged_session, new_page, base_url, axe, suffix):
    page = new_page()
    sign_in(page, base_url, "consultant@example.com")
    path = suffix.format(**logged_session)
    assert page.goto(base_url + path).status == 200, path
    results = axe.run(page)
    assert results.violations_count == 0, f"{path}\n{results.generate_report()}"


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()
