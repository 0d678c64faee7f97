"""Throw-away databases for tests that must not share the suite's test database
(backups, gunicorn load): a SQLite file, or a PostgreSQL database created on
TEST_DATABASE_URL's server and dropped afterwards."""

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from config import database_url
from tracker.backup.postgres import libpq_environment

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _pg(program: str, server_url: str, *args: str) -> subprocess.CompletedProcess:
    """createdb/dropdb against the test server, credentials in the environment."""
    return subprocess.run([program, *args], env=libpq_environment(server_url),
                          capture_output=True, text=True, check=False)


@contextmanager
def scratch_database(backend: str, folder: Path, prefix: str) -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database on `backend`; skips when PostgreSQL refuses createdb."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'{prefix}.sqlite3'}"
        return
    server = database_url(os.environ["TEST_DATABASE_URL"], "")
    name = f"tracker_{prefix}_{uuid.uuid4().hex[:10]}"
    created = _pg("createdb", server, name)
    if created.returncode != 0:
        pytest.skip(f"this test needs a database of its own on TEST_DATABASE_URL's server, and createdb "
                    f"failed: {created.stderr.strip()}")
    try:
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        _pg("dropdb", server, "--force", name)
