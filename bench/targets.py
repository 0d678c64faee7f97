# ruff: noqa: S608  (SQL assembled from fixed fragments; values are bound parameters or int())
"""The benchmark's databases, data and targets: which accounts, records and pages to measure."""

import os
import re
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from config import database_url

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "bansou-demo-2026"  # noqa: S105 (the documented demo accounts' password)
BENCH_PASSWORD = "bansou-bench-2026"  # noqa: S105 (the generated bench accounts' password)
LEGAL_FORMS = re.compile(r"株式会社|有限会社|合同会社|合資会社|合名会社|\(株\)|（株）")
WORDS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]{3,}")


@contextmanager
def fresh_database(backend: str, label: str, workdir: Path):
    """An empty database for one run, removed afterwards: a SQLite file, or a
    throw-away database on TEST_DATABASE_URL's PostgreSQL server."""
    if backend == "sqlite":
        path = workdir / f"bench-{label}.sqlite3"
        path.unlink(missing_ok=True)
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    server = sa.make_url(database_url(os.environ["TEST_DATABASE_URL"], ""))
    name = f"tracker_bench_{label}_{os.getpid()}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def environment(url: str) -> dict:
    """What the CLI and gunicorn get: this database, development settings, Server-Timing on."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url, FLASK_APP="tracker", TRACKER_CONFIG="development", SERVER_TIMING="1",
        SECRET_KEY="bench-only-secret-key-not-for-production",  # noqa: S106 (a throw-away bench database)
        PYTHONPATH=str(ROOT),
    )
    return env


def flask(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (our own CLI)
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


def generate(env: dict, data: str, companies: int, sessions: int) -> str:
    """Migrate, then fill the empty database: `flask demo generate`, or the demo data set."""
    flask(env, "db", "upgrade")
    if data == "demo":
        return flask(env, "demo", "load")
    return flask(env, "demo", "generate", "--companies", str(companies), "--sessions", str(sessions), "--seed", "1")


def _engine(url: str):
    return sa.create_engine(database_url(url, ""))


def _account(connection, role: str) -> str | None:
    """The first generated bench account of the role, else the first active account of it."""
    return connection.execute(sa.text(
        "SELECT email FROM users WHERE role = :role AND active = :yes "
        "ORDER BY CASE WHEN email LIKE 'bench-%' THEN 0 ELSE 1 END, "
        "CASE WHEN email LIKE '%-1@%' THEN 0 ELSE 1 END, id LIMIT 1"
    ), {"role": role, "yes": True}).scalar()


def choose(url: str, data: str) -> dict:
    """Accounts per role and the records the pages are measured on."""
    engine = _engine(url)
    with engine.connect() as connection:
        run = lambda sql, **params: connection.execute(sa.text(sql), params)  # noqa: E731
        accounts = {role: _account(connection, role) for role in ("admin", "manager", "consultant", "official")}
        manager_id = run("SELECT id FROM users WHERE email = :e", e=accounts["manager"]).scalar()
        in_scope = "c.region_id IN (SELECT region_id FROM user_regions WHERE user_id = :m)"
        engagement_id, engagement_sessions = run(
            f"""SELECT e.id, count(s.id) AS n FROM engagements e JOIN companies c ON c.id = e.company_id
                JOIN dialogue_sessions s ON s.engagement_id = e.id
                WHERE {in_scope} AND e.deleted_at IS NULL AND s.deleted_at IS NULL
                GROUP BY e.id ORDER BY n DESC, e.id LIMIT 1""", m=manager_id).one()
        company_id, company_name = run(
            "SELECT c.id, c.name FROM companies c JOIN engagements e ON e.company_id = c.id WHERE e.id = :e",
            e=engagement_id).one()
        region_id = run("SELECT region_id FROM companies GROUP BY region_id ORDER BY count(*) DESC, region_id "
                        "LIMIT 1").scalar()
        notes = run(f"""SELECT s.notes FROM dialogue_sessions s JOIN engagements e ON e.id = s.engagement_id
                        JOIN companies c ON c.id = e.company_id WHERE {in_scope} ORDER BY s.id LIMIT 300""",
                    m=manager_id).scalars().all()
        counts = {table: run(f"SELECT count(*) FROM {table}").scalar()  # noqa: S608 (fixed names)
                  for table in ("companies", "engagements", "dialogue_sessions", "insights", "actions", "users")}
    engine.dispose()
    word = Counter(match[:4] for text in notes for match in WORDS.findall(text or "")).most_common(1)
    word = word[0][0] if word else "対話"
    company_term = (LEGAL_FORMS.sub("", company_name).strip() or company_name)[:2]
    return {
        "accounts": {role: email for role, email in accounts.items() if email},
        "password": DEMO_PASSWORD if data == "demo" else BENCH_PASSWORD,
        "engagement_id": engagement_id, "company_id": company_id, "region_id": region_id,
        "company_term": company_term, "short_term": word[:2], "long_term": word,
        "notes": {"accounts": accounts, "timeline engagement": f"{engagement_id} ({engagement_sessions} sessions)",
                  "company": company_id, "company search": company_term, "notes search": [word[:2], word],
                  "summary region": region_id, "rows": counts},
    }


def pages(chosen: dict) -> list[dict]:
    """Every measured page: who asks, its path, its floor's path, and which budget applies."""
    engagement, term = chosen["engagement_id"], quote(chosen["company_term"])
    short, long = quote(chosen["short_term"]), quote(chosen["long_term"])
    return [
        {"name": "Home (admin)", "role": "admin", "path": "/", "floor": "/_floor/", "budget": "page"},
        {"name": "Home (manager)", "role": "manager", "path": "/", "floor": "/_floor/", "budget": "page"},
        {"name": "Home (consultant: My work)", "role": "consultant", "path": "/", "floor": "/_floor/my-work",
         "budget": "page"},
        {"name": "Home (official)", "role": "official", "path": "/", "floor": "/_floor/", "budget": "page"},
        {"name": "Company list", "role": "manager", "path": "/companies/", "floor": "/_floor/companies/",
         "budget": "page"},
        {"name": "Company search (name filter)", "role": "manager", "path": f"/companies/?q={term}",
         "floor": f"/_floor/companies/?q={term}", "budget": "search"},
        {"name": "Company profile", "role": "manager", "path": f"/companies/{chosen['company_id']}",
         "floor": f"/_floor/companies/{chosen['company_id']}", "budget": "page"},
        {"name": "Engagement timeline", "role": "manager", "path": f"/engagements/{engagement}/timeline",
         "floor": f"/_floor/engagements/{engagement}/timeline", "budget": "page"},
        {"name": "Pipeline (manager)", "role": "manager", "path": "/pipeline/", "floor": "/_floor/pipeline/",
         "budget": "pipeline"},
        {"name": "Pipeline (consultant)", "role": "consultant", "path": "/pipeline/", "floor": "/_floor/pipeline/",
         "budget": "pipeline"},
        {"name": "Review queue", "role": "manager", "path": "/review/", "floor": "/_floor/review/", "budget": "page"},
        {"name": "Summary, one region", "role": "admin", "path": f"/summaries/?region={chosen['region_id']}",
         "floor": f"/_floor/summaries/?region={chosen['region_id']}", "budget": "summary"},
        {"name": "Summary, all regions", "role": "admin", "path": "/summaries/", "floor": "/_floor/summaries/",
         "budget": "summary"},
        {"name": "Notes search (2 characters)", "role": "manager", "path": f"/search?q={short}",
         "floor": f"/_floor/search?q={short}", "budget": "search"},
        {"name": "Notes search (3+ characters)", "role": "manager", "path": f"/search?q={long}",
         "floor": f"/_floor/search?q={long}", "budget": "search"},
    ]
