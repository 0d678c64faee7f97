"""The bench's import figures (bench/imports.py) measure imports that really happen: through
gunicorn and the command line, each step does what the report says it did."""

import pytest
import sqlalchemy as sa

from bench import imports, report, targets
from bench.client import Server

ROWS = 120


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A small generated data set (as the bench's), served by the bench's gunicorn."""
    folder = tmp_path_factory.mktemp("bench-imports")
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    env = targets.environment(url)
    targets.generate(env, "generate", 20, 20)
    with Server(env, folder) as server:
        yield server, env, folder, url


def test_the_bench_creates_updates_and_then_changes_nothing(served):
    server, env, folder, url = served
    admin = server.signed_in("bench-admin@example.jp", targets.BENCH_PASSWORD)
    steps = imports.measure(admin, env, folder, ROWS)
    assert [(step["how"], step["file"], step["created"], step["updated"]) for step in steps] == [
        ("browser", "csv", ROWS, 0), ("browser", "xlsx", 0, ROWS),
        ("command line", "xlsx", 0, 0), ("command line", "csv", 0, ROWS),
    ]
    assert all(step["preview_s"] > 0 and step["import_s"] > 0 for step in steps[:2])
    assert all(step["total_s"] > 0 for step in steps[2:])
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        imported = connection.execute(sa.text(
            "SELECT count(*), count(DISTINCT region_id), min(employees) FROM companies WHERE name LIKE 'ベンチ工業%'"
        )).one()
    engine.dispose()
    assert imported[0] == ROWS and imported[1] == ROWS  # a municipality each: regions created as needed
    assert imported[2] == 120  # the first file's counts, imported back last


def test_the_report_flags_a_step_slower_than_its_budget():
    step = {"file": "csv", "rows": 10_000, "bytes": 1_365_086, "created": 10_000, "updated": 0}
    runs = [{"backend": "postgresql", "imports": [
        {**step, "how": "browser", "what": "new companies", "preview_s": 1.2, "import_s": 0.6},
        {**step, "how": "command line", "what": "new companies", "total_s": report.IMPORT_SECONDS + 1},
    ]}]
    lines, misses = report.import_section(runs)
    table = "\n".join(lines)
    assert "| postgresql | browser | CSV (1.4 MB) | new companies | 1.2 | 0.6 | 1.8 | 10,000 | 0 | ✓ |" in table
    assert f"| {report.IMPORT_SECONDS + 1} | 10,000 | 0 | ✗ |" in table
    assert misses == [f"postgresql: importing 10,000 companies (command line, csv, new companies) took "
                      f"{report.IMPORT_SECONDS + 1} s"]
    assert report.import_section([{"backend": "sqlite", "imports": []}]) == ([], [])
