"""The application served by a real gunicorn with several worker processes, and
a small HTTP client that signs in through the real form, for tests that need
separate processes sharing nothing but the database."""

import http.client
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyotp

from config import ROOT
from tracker.demo.data import DEMO_TOTP_SECRET

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        """Hand 3xx answers back to the caller, which checks them."""
        return None


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects.

    A connection broken by the server (a killed worker) raises OSError, as
    urllib does, also when it breaks halfway through the body (which
    http.client reports as IncompleteRead): callers decide whether that may
    happen.
    """

    def __init__(self, base: str, jar=None, timeout: float = 30):
        """`jar`: share cookies with another Browser (a stolen session)."""
        self.base = base
        self.timeout = timeout
        self.jar = jar or http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, data: dict | list | None = None):
        """GET (or POST `data`, form-encoded): (status, headers, body text)."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=self.timeout) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()
        except http.client.IncompleteRead as cut:
            raise ConnectionResetError(f"the response to {path} was cut off: {cut!r}") from cut

    def token(self, path: str = "/auth/sign-in") -> str:
        """This browser's CSRF token, read from a page's <meta>."""
        _, _, page = self.request(path)
        return CSRF_META.search(page).group(1)

    def sign_in(self, email: str, password: str, totp_secret: str = DEMO_TOTP_SECRET):
        """Post the sign-in form with a fresh CSRF token; when asked for a code, post the
        current one of `totp_secret` (each account signs in once per 30 s here: the app
        never accepts the same code twice)."""
        answer = self.request("/auth/sign-in", {"email": email, "password": password, "csrf_token": self.token()})
        if answer[0] == 302 and answer[1]["Location"].endswith("/auth/code"):
            code = pyotp.TOTP(totp_secret).now()
            answer = self.request("/auth/code", {"code": code, "csrf_token": self.token("/auth/code")})
        return answer


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log: Path

    def worker_pids(self) -> set[int]:
        """The pids of the master's live worker processes (its children, read from /proc)."""
        pids = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # the process ended while we looked
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                pids.add(int(entry.name))
        return pids

    def wait_for_workers(self, count: int, other_than: set[int] = frozenset(), seconds: float = 30) -> set[int]:
        """Wait until `count` workers run, none of them in `other_than`; return their pids."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) == count and not pids & other_than:
                return pids
            time.sleep(0.1)
        raise AssertionError(f"gunicorn runs workers {self.worker_pids()}, wanted {count} new ones")

    def log_text(self) -> str:
        """What gunicorn and the app wrote to stdout/stderr so far."""
        return self.log.read_text(errors="replace")


@contextmanager
def gunicorn(database_url: str, workers: int, log: Path, secret: str = "gunicorn-test"):
    """Serve the app on `database_url` with `workers` gunicorn workers; yield a Server."""
    port = free_port()
    env = {**os.environ, "TRACKER_CONFIG": "development", "DATABASE_URL": database_url, "SECRET_KEY": secret}
    executable = Path(sys.executable).with_name("gunicorn")
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(executable), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "tracker:create_app()"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(server.base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        server.wait_for_workers(workers)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
