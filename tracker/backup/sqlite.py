"""SQLite backups through the online backup API.

`sqlite3.Connection.backup` copies a consistent snapshot of a live database:
in WAL mode writers carry on while it runs, and a transaction not committed
yet is not in the copy. Restoring goes through the same API into the live
file, so processes that hold it open (gunicorn workers) see the restored
data on their next transaction instead of a file swapped under their feet.
"""

import os
import sqlite3
from pathlib import Path

from tracker.auth.sessions import SIGN_IN_TABLES
from tracker.backup.files import BackupError, private_file, publish

SQLITE_HEADER = b"SQLite format 3\x00"


def create(database: Path, output: Path, busy_timeout_ms: int) -> None:
    """Copy the live database at `database` into a new file `output` (mode 0600)."""
    if not database.exists():
        raise BackupError(f"There is no database at {database}.")
    with private_file(output) as partial:
        source = sqlite3.connect(database, timeout=busy_timeout_ms / 1000)
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # one step: the whole snapshot under one read lock
            # No live sign-in goes into a backup: restored, it would sign a browser in again.
            with target:
                for table in SIGN_IN_TABLES:
                    target.execute(f"DELETE FROM {table}")  # noqa: S608  # nosec B608 (names from SIGN_IN_TABLES)
            # A single self-contained file: no -wal beside it to forget when copying it away.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
            source.close()
        publish(partial, output)


def revision(path: Path) -> str:
    """The schema revision recorded in a backup; BackupError if it is not one of ours."""
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} is not a SQLite database.")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} is damaged (PRAGMA quick_check failed).")
        row = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if row is None:
            raise BackupError(f"{path} is not a backup of this application (it has no alembic_version table).")
        found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} cannot be read as a SQLite database: {error}") from error
    finally:
        connection.close()
    if found is None:
        raise BackupError(f"{path} records no schema revision (alembic_version is empty).")
    return found[0]


def restore(backup: Path, database: Path, busy_timeout_ms: int) -> None:
    """Replace the content of `database` with `backup`, in one write transaction.

    Other connections wait (busy timeout) while it runs and then read the
    restored data; nobody ever sees half of it.
    """
    database.parent.mkdir(parents=True, exist_ok=True)
    if not database.exists():
        # A new database file is private from the start, like the backups.
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
    source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=busy_timeout_ms / 1000)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")  # as the application runs it
    except sqlite3.OperationalError as error:
        raise BackupError(f"Could not write into {database}: {error}") from error
    finally:
        target.close()
        source.close()
