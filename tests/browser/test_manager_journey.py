"""The team lead's morning in a real browser: stalled cases, a phase move, a review."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_manager_finds_stalled_cases_moves_a_phase_and_reviews(new_page, base_url):
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base_url, "manager@example.com")
    page.goto(base_url + "/pipeline/")
    assert page.locator("#flags-stalled").count() == 1
    assert page.locator("[data-flag=stalled] li").count() >= 1

    # Move a card from 総点検 to 課題設定 from the board; the script keeps us on the page.
    card = page.locator("article.pipeline-card[data-phase=review]").first
    card_id = card.get_attribute("id")
    card.locator("details.move summary").click()
    card.locator("select[name=to_phase]").select_option("framing")
    card.locator("textarea[name=reason]").fill("社長が本質的課題を自分の言葉で語り、幹部と共有した。")
    card.locator("button[type=submit]").click()
    moved = page.locator(f"#{card_id}")
    moved.and_(page.locator("[data-phase=framing]")).wait_for()
    assert page.url.rstrip("/").endswith("/pipeline")

    # The phase change is on the engagement's timeline with its reason.
    engagement = card_id.removeprefix("card-")
    page.goto(f"{base_url}/engagements/{engagement}/timeline")
    assert "社長が本質的課題を自分の言葉で語り" in page.locator("main").inner_text()

    # Review the oldest submitted session.
    page.goto(base_url + "/review/")
    waiting = page.locator("main table tbody tr").count()
    assert waiting >= 1
    page.locator("main table tbody tr a[href^='/review/sessions/']").first.click()
    page.fill("[name=comment]", "発言の記録が丁寧です。次回は振り返りを具体的に。")
    with page.expect_navigation():
        page.locator("#mark-reviewed").click()
    assert page.locator("main table tbody tr").count() == waiting - 1


@pytest.mark.parametrize(
    ("email", "path", "status"),
    [("official@example.com", "/pipeline/", 403), ("official@example.com", "/review/", 403),
     ("consultant@example.com", "/review/", 403), ("admin@example.com", "/review/", 403)],
)
def test_other_roles_cannot_use_the_managers_pages(new_page, base_url, email, path, status):
    page = new_page()
    sign_in(page, base_url, email)
    assert page.goto(base_url + path).status == status


@pytest.mark.parametrize(
    "path", ["/pipeline/", "/pipeline/?view=table", "/pipeline/flow", "/pipeline/workload", "/review/", "/"]
)
def test_manager_pages_have_no_accessibility_violations(new_page, base_url, path):
    from axe_playwright_python.sync_playwright import Axe

    page = new_page()
    sign_in(page, base_url, "manager@example.com")
    assert page.goto(base_url + path).status == 200
    results = Axe().run(page)
    assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
