"""A regional official reads the summary of their region and exports it."""

import io
import zipfile

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_official_reads_the_summary_and_downloads_both_exports(new_page, base_url):
    page = new_page()
    sign_in(page, base_url, "official@example.com")
    with page.expect_navigation():
        page.click("#summary-link")
    assert "/summaries/" in page.url
    assert page.locator("main svg[role=img]").count() >= 1
    assert page.locator("main table caption").count() >= 1

    with page.expect_download() as csv_download:
        page.click("a[href*='/summaries/export.csv']")
    data = open(csv_download.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel opens it in Japanese
    assert "新潟県燕市" in data.decode("utf-8-sig")

    with page.expect_download() as xlsx_download:
        page.click("a[href*='/summaries/export.xlsx']")
    with zipfile.ZipFile(io.BytesIO(open(xlsx_download.value.path(), "rb").read())) as book:
        assert "xl/workbook.xml" in book.namelist()


@pytest.mark.parametrize("path", ["/", "/summaries/", "/companies/"])
def test_official_pages_have_no_accessibility_violations(new_page, base_url, path):
    from axe_playwright_python.sync_playwright import Axe

    page = new_page()
    sign_in(page, base_url, "official@example.com")
    assert page.goto(base_url + path).status == 200
    results = Axe().run(page)
    assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
