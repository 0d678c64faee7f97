"""`make bench`: generate data, serve it with gunicorn, measure the main pages and their floors.

For each backend (SQLite; PostgreSQL too when TEST_DATABASE_URL is set) and each
size (BENCH_COMPANIES companies with BENCH_SMALL_SESSIONS sessions, then with
BENCH_SESSIONS sessions): a fresh database, `flask db upgrade`,
`flask demo generate`, gunicorn with 2 sync workers and SERVER_TIMING=1; every
role signs in through the real form; each page and its floor (bench/floors.py)
is asked BENCH_REQUESTS times one after the other (server time and queries from
the Server-Timing header), then by BENCH_THREADS client threads for
BENCH_SECONDS (requests per second). On the small data set, BENCH_IMPORT_ROWS
companies are then imported from CSV and XLSX files (bench/imports.py).
bench/results.json keeps the figures and bench/results.md (bench/report.py)
shows them against the budgets.

Environment (defaults: the full run):
  BENCH_COMPANIES=10000 BENCH_SESSIONS=1000000 BENCH_SMALL_SESSIONS=10000
  BENCH_REQUESTS=60 BENCH_SECONDS=6 BENCH_THREADS=4 BENCH_BACKENDS=sqlite,postgresql
  BENCH_IMPORT_ROWS=10000 (0: no import)
  BENCH_DATA=generate (or "demo": the small demo data set, to try the harness)
  BENCH_RESULTS=bench/results.json
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import imports, report, targets  # noqa: E402
from bench.client import Server, measure_page  # noqa: E402


def setting(name: str, default):
    value = os.environ.get(name)
    return type(default)(value) if value else default


COMPANIES = setting("BENCH_COMPANIES", 10_000)
SESSIONS = setting("BENCH_SESSIONS", 1_000_000)
SMALL_SESSIONS = setting("BENCH_SMALL_SESSIONS", 10_000)
REQUESTS = setting("BENCH_REQUESTS", 60)
SECONDS = setting("BENCH_SECONDS", 6.0)
THREADS = setting("BENCH_THREADS", 4)
DATA = setting("BENCH_DATA", "generate")
IMPORT_ROWS = setting("BENCH_IMPORT_ROWS", 10_000)
RESULTS = Path(setting("BENCH_RESULTS", str(ROOT / "bench" / "results.json")))


def backends() -> list[str]:
    wanted = setting("BENCH_BACKENDS", "sqlite,postgresql").split(",")
    found = [name for name in wanted
             if name == "sqlite" or (name == "postgresql" and os.environ.get("TEST_DATABASE_URL"))]
    if "postgresql" in wanted and "postgresql" not in found:
        print("PostgreSQL skipped: TEST_DATABASE_URL is not set.")
    return found


def log(message: str) -> None:
    print(time.strftime("%H:%M:%S"), message, flush=True)


def run_size(backend: str, label: str, sessions: int, workdir: Path) -> dict:
    """One database of one size: generate, serve, measure every page and its floor."""
    with targets.fresh_database(backend, label, workdir) as url:
        env = targets.environment(url)
        log(f"{backend} {label}: migrating and generating {COMPANIES} companies, {sessions} sessions ({DATA})")
        started = time.perf_counter()
        counts = targets.generate(env, DATA, COMPANIES, sessions)
        generation = time.perf_counter() - started
        log(f"{backend} {label}: data ready in {generation:.0f} s: {counts}")
        chosen = targets.choose(url, DATA)
        log(f"{backend} {label}: targets {chosen['notes']}")
        pages = []
        with Server(env, workdir) as server:
            clients = {role: server.signed_in(email, chosen["password"]) for role, email in chosen["accounts"].items()}
            for page in targets.pages(chosen):
                if page["role"] not in clients:
                    continue
                log(f"{backend} {label}: {page['name']}")
                pages.append(measure_page(server, clients[page["role"]], page, REQUESTS, SECONDS, THREADS))
            imported = []
            if label == "small" and IMPORT_ROWS and "admin" in clients:
                log(f"{backend} {label}: importing {IMPORT_ROWS} companies")
                imported = imports.measure(clients["admin"], env, workdir, IMPORT_ROWS)
        return {"backend": backend, "size": label, "companies": COMPANIES, "sessions": sessions,
                "counts": counts, "generation_seconds": round(generation, 1), "targets": chosen["notes"],
                "pages": pages, "imports": imported}


def main() -> int:
    started = time.perf_counter()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        for backend in backends():
            for label, sessions in (("small", SMALL_SESSIONS), ("large", SESSIONS)):
                runs.append(run_size(backend, label, sessions, workdir))
                RESULTS.write_text(json.dumps({"runs": runs}, indent=1, default=str))
    results = {
        "machine": report.machine(),
        "settings": {"companies": COMPANIES, "sessions": SESSIONS, "small_sessions": SMALL_SESSIONS,
                     "requests": REQUESTS, "seconds": SECONDS, "threads": THREADS, "data": DATA,
                     "import_rows": IMPORT_ROWS},
        "total_minutes": round((time.perf_counter() - started) / 60, 1),
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(results, indent=1, default=str))
    markdown = RESULTS.with_suffix(".md")
    markdown.write_text(report.render(results))
    log(f"done in {results['total_minutes']} min: {RESULTS} and {markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
