"""Several gunicorn workers share sessions and sign-in throttling through the database."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade

from config import ROOT
from tracker import create_app
from tracker.demo import load_demo_data
from tracker.demo.data import DEMO_PASSWORD

WORKERS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self, base: str, jar=None):
        self.base = base
        self.jar = jar or http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def token(self) -> str:
        _, _, page = self.request("/auth/sign-in")
        return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)

    def sign_in(self, email: str, password: str):
        return self.request("/auth/sign-in", {"email": email, "password": password, "csrf_token": self.token()})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = tmp_path_factory.mktemp("workers") / "tracker.sqlite3"
    url = f"sqlite:///{database}"
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "workers-test"})
    with app.app_context():
        upgrade()
        load_demo_data()
    port = free_port()
    env = {**os.environ, "TRACKER_CONFIG": "development", "DATABASE_URL": url, "SECRET_KEY": "workers-test"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "tracker:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


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
