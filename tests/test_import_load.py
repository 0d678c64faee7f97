"""Four hostile import files posted at once, by four users, to a gunicorn with two workers:
each is either read and refused (422) or, while another file is being read, refused unread
(429: the IMPORT_MAX_CONCURRENT slot limit, default 1), never a 500 or a killed worker; and
/healthz keeps answering 200 meanwhile. The /healthz latencies are printed (run with -s) for
the record: with one slot, at most one worker is ever busy reading a file, so the other keeps
answering. (Before the slots, the same four uploads held both workers: /healthz waited up to
6.3 s. `IMPORT_MAX_CONCURRENT=4` in the environment shows that again.)

SQLite only: what is measured is the workers' time, not the database's. Marked `load`
(it starts gunicorn); about ten seconds.
"""

import statistics
import threading
import time
import urllib.error
import urllib.request

import pytest
from flask_migrate import upgrade
from urllib3 import encode_multipart_formdata

from tests import factories
from tests.gunicorn_server import CSRF_META, Browser, gunicorn
from tests.test_import_limits import header_row, xlsx_parts
from tracker import create_app
from tracker.extensions import db
from tracker.models import Role

pytestmark = pytest.mark.load

WORKERS = 2


def hostile_files() -> dict[str, bytes]:
    """The review's two files, and two that are read until the cell limit stops them."""
    empty_row = '<c t="inlineStr"/>' * 100
    # Distinct numbers compress about 10 to 1: no ratio check stops these, only the count.
    numbered = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r * 7 + i}</v></c>'
                                                   for i, c in enumerate("ABCDEFGHIJKL")) + "</row>"
                       for r in range(2, 30_001))
    return {
        "cells.xlsx": xlsx_parts(header_row() + "".join(f"<row>{empty_row}</row>" for _ in range(28_000))),
        "string.xlsx": xlsx_parts(header_row(), f"<si><t>{'x' * (90 * 1024 * 1024)}</t></si>"),
        "counted-1.xlsx": xlsx_parts(header_row() + numbered),
        "counted-2.xlsx": xlsx_parts(header_row() + numbered),
    }


def seed(url: str, count: int) -> list[str]:
    """Migrate and create `count` admins who upload (each user reads one file at a time); their e-mails."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        emails = [factories.UserFactory(role=Role.ADMIN, all_regions=True, language="en").email
                  for _ in range(count)]
        db.session.remove()
        db.engine.dispose()
    return emails


def post_file(browser: Browser, filename: str, data: bytes) -> int:
    """Upload through the real form (CSRF token from the page); the answer's status."""
    _, _, page = browser.request("/companies/import/")
    body, content_type = encode_multipart_formdata(
        {"csrf_token": CSRF_META.search(page).group(1), "file": (filename, data, "application/octet-stream")})
    request = urllib.request.Request(browser.base + "/companies/import/", body, {"Content-Type": content_type})
    try:
        with browser.opener.open(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_four_hostile_uploads_at_once_leave_the_health_check_answering(tmp_path):
    files = hostile_files()
    url = f"sqlite:///{tmp_path / 'imports.sqlite3'}"
    emails = seed(url, len(files))
    with gunicorn(url, WORKERS, tmp_path / "gunicorn.log") as server:
        browsers = []
        for email in emails:
            browser = Browser(server.base, timeout=120)
            assert browser.sign_in(email, factories.PASSWORD, factories.TOTP_SECRET)[0] == 302
            browsers.append(browser)
        workers = server.worker_pids()
        answers, health = {}, []
        uploads = [threading.Thread(target=lambda b=b, n=n, d=d: answers.update({n: post_file(b, n, d)}))
                   for b, (n, d) in zip(browsers, files.items(), strict=True)]
        started = time.monotonic()
        for thread in uploads:
            thread.start()
        while any(thread.is_alive() for thread in uploads):
            asked = time.monotonic()
            with urllib.request.urlopen(server.base + "/healthz", timeout=60) as response:
                health.append((response.status, time.monotonic() - asked))
            time.sleep(0.05)
        for thread in uploads:
            thread.join()
        took = time.monotonic() - started
        assert server.worker_pids() == workers, "a worker was killed"

    assert set(answers) == set(files) and set(answers.values()) <= {422, 429}, answers
    assert health and all(status == 200 for status, _ in health)
    latencies = sorted(seconds * 1000 for _, seconds in health)
    read = sorted(name for name, status in answers.items() if status == 422)
    print(f"\n4 hostile uploads on {WORKERS} workers, all refused in {took:.2f} s ({len(read)} read and "
          f"refused: {', '.join(read)}; {len(files) - len(read)} refused unread, 429); /healthz asked "
          f"{len(latencies)} times: median {statistics.median(latencies):.0f} ms, max {latencies[-1]:.0f} ms")
