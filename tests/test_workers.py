"""Several gunicorn workers share sessions and sign-in throttling through the database."""

import http.cookiejar
import re

import pytest
from flask_migrate import upgrade

from tests.gunicorn_server import Browser, gunicorn
from tracker import create_app
from tracker.demo import load_demo_data
from tracker.demo.data import DEMO_PASSWORD

WORKERS = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workers")
    url = f"sqlite:///{folder / 'tracker.sqlite3'}"
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "workers-test"})
    with app.app_context():
        upgrade()
        load_demo_data()
    with gunicorn(url, WORKERS, folder / "gunicorn.log", secret="workers-test") as running:
        yield running.base


def test_throttling_holds_across_workers(server):
    attacker = Browser(server)
    for _ in range(10):
        status, _, _ = attacker.sign_in("consultant@example.com", "wrong password, again")
        assert status == 401
    status, headers, page = Browser(server).sign_in("consultant@example.com", DEMO_PASSWORD)
    assert status == 429 and "Retry-After" in headers
    assert Browser(server).sign_in("manager@example.com", DEMO_PASSWORD)[0] == 302


def test_sign_out_in_one_worker_ends_the_session_in_all(server):
    browser = Browser(server)
    assert browser.sign_in("official@example.com", DEMO_PASSWORD)[0] == 302
    stolen = http.cookiejar.CookieJar()
    for cookie in browser.jar:
        stolen.set_cookie(cookie)
    assert all(Browser(server, stolen).request("/")[0] == 200 for _ in range(WORKERS * 2))
    _, _, home = browser.request("/")
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', home).group(1)
    assert browser.request("/auth/sign-out", {"csrf_token": token})[0] == 302
    for _ in range(WORKERS * 2):
        status, headers, _ = Browser(server, stolen).request("/")
        assert status == 302 and headers["Location"].startswith("/auth/sign-in")
