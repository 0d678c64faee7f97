"""The benchmark's client: gunicorn on a free port, signed-in clients, and the measurements of one page.

Requests go through http.client with the session cookie set by hand: the
lightest client there is, since it shares the machine's two cores with the
two workers it measures.
"""

import http.client
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pyotp

from tracker.demo.data import DEMO_TOTP_SECRET
from tracker.timing import HEADER, parse

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 8
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
# The one-time key of a create form (tracker/idempotency.py), sent back with it.
FORM_KEY = re.compile(r'<input[^>]*name="form_key"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """One signed-in browser: its cookie, sent with every request."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, path: str, body: dict | bytes | None = None, content_type: str | None = None):
        """(status, headers, body text, client-side ms); cookies set by the answer are kept.
        A POST's body is a form (dict), or bytes already encoded as `content_type`."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        started = time.perf_counter()
        if body is None:
            connection.request("GET", path, headers=headers)
        else:
            if isinstance(body, dict):
                body, content_type = urllib.parse.urlencode(body), "application/x-www-form-urlencoded"
            headers["Content-Type"] = content_type
            connection.request("POST", path, body, headers)
        response = connection.getresponse()
        text = response.read().decode()
        elapsed = (time.perf_counter() - started) * 1000
        connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = rest
        return response.status, response.headers, text, elapsed


class Server:
    """gunicorn, 2 sync workers, serving bench.app (the product and its floors)."""

    def __init__(self, env: dict, workdir: Path, workers: int = 2):
        self.env, self.workdir, self.workers = env, workdir, workers
        self.port = free_port()
        self.process = None

    def __enter__(self):
        self.log = open(self.workdir / "gunicorn.log", "a")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(  # noqa: S603 (our own server)
            [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "300", "bench.app:application"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if Client(self.port).request("/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise SystemExit(f"gunicorn did not start: see {self.workdir / 'gunicorn.log'}")

    def __exit__(self, *_exc):
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def signed_in(self, email: str, password: str) -> Client:
        """Sign in through the real form (CSRF token from the page)."""
        client = Client(self.port)
        _, _, page, _ = client.request("/auth/sign-in")
        status, headers, text, _ = client.request(
            "/auth/sign-in", {"email": email, "password": password, "csrf_token": CSRF.search(page).group(1)}
        )
        if status == 302 and headers["Location"].endswith("/auth/code"):
            # Bench and demo admins and managers have the documented demo authenticator key.
            _, _, page, _ = client.request("/auth/code")
            status, headers, text, _ = client.request(
                "/auth/code", {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now(), "csrf_token": CSRF.search(page).group(1)}
            )
        if status != 302:
            raise SystemExit(f"sign-in as {email} failed ({status})")
        return client


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def sequential(client: Client, path: str, count: int) -> dict:
    """Warm up, then `count` requests one after the other: server time and statements per request."""
    for _ in range(WARM_UP):
        client.request(path)
    totals, queries, client_ms, statuses = [], [], [], set()
    for _ in range(count):
        status, headers, _, elapsed = client.request(path)
        statuses.add(status)
        figures = parse(headers.get(HEADER, ""))
        totals.append(figures.get("total", float("nan")))
        queries.append(figures.get("queries", -1))
        client_ms.append(elapsed)
    return {
        "statuses": sorted(statuses), "median_ms": round(statistics.median(totals), 1),
        "p95_ms": round(percentile(totals, 0.95), 1), "max_ms": round(max(totals), 1),
        "client_median_ms": round(statistics.median(client_ms), 1),
        "queries": max(queries), "queries_min": min(queries),
    }


def throughput(client: Client, path: str, seconds: float, threads: int) -> float:
    """Requests per second completed by `threads` clients asking at once for `seconds` (bounded)."""
    done = [0] * threads
    deadline = time.monotonic() + seconds

    def ask(slot: int) -> None:
        mine = Client(client.port, client.cookies)
        while time.monotonic() < deadline:
            if mine.request(path)[0] == 200:
                done[slot] += 1

    started = time.monotonic()
    workers = [threading.Thread(target=ask, args=(slot,)) for slot in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return round(sum(done) / (time.monotonic() - started), 1)


def measure_page(server: Server, client: Client, page: dict, count: int, seconds: float, threads: int) -> dict:
    """The page and its floor: sequential figures, then throughput under concurrent load."""
    result = dict(page)
    result["page"] = sequential(client, page["path"], count)
    result["page"]["rps"] = throughput(client, page["path"], seconds, threads)
    if page["floor"]:
        result["floor_figures"] = sequential(client, page["floor"], count)
        result["floor_figures"]["rps"] = throughput(client, page["floor"], seconds, threads)
    return result
