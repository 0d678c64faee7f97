"""Progress of a long import, for whoever is watching: a browser or a terminal.

An import runs in two steps, "checking" then "saving", each counting rows.
`DatabaseProgress` writes the counts into the import's row on a connection
of its own, committed at once, so a status request served by any worker sees
them while the import's own transaction is still open.
"""

import time

import sqlalchemy as sa

from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import CompanyImport

# Write progress at most this often (seconds): enough for a smooth bar, few writes.
_INTERVAL = 0.3


class Progress:
    """Receives the steps and counts of an import; this base class ignores them."""

    def start(self, step: str, total: int) -> None:
        """A step begins with `total` rows to go through."""

    def advance(self, count: int) -> None:
        """`count` more rows of the current step are done."""


class NullProgress(Progress):
    pass


class DatabaseProgress(Progress):
    """Progress kept in `company_imports` (step, processed, total, heartbeat_at)."""

    def __init__(self, import_id: int):
        self.import_id = import_id
        self.step, self.processed, self.total, self.written_at = "", 0, 0, 0.0
        # SQLite has one writer at a time: while the import's transaction writes, another
        # connection could not commit (it would wait for the lock the import holds). The
        # saving step is short there; the bar shows it without counts.
        self.quiet_while_saving = db.engine.dialect.name == "sqlite"

    def start(self, step: str, total: int) -> None:
        self.step, self.processed, self.total = step, 0, total
        self._write(force=True)

    def advance(self, count: int) -> None:
        self.processed += count
        self._write(force=self.processed >= self.total)

    def _write(self, force: bool = False) -> None:
        if self.step == "saving" and self.quiet_while_saving and self.processed:
            return
        now = time.monotonic()
        if not force and now - self.written_at < _INTERVAL:
            return
        self.written_at = now
        set_progress(self.import_id, step=self.step, processed=self.processed, total=self.total,
                     heartbeat_at=utcnow())


def set_progress(import_id: int, condition=None, **values) -> bool:
    """Update the import's row on a separate connection and commit at once.

    Returns whether a row was updated (with `condition`, whether it held).
    """
    table = CompanyImport.__table__
    statement = sa.update(table).where(table.c.id == import_id).values(**values)
    if condition is not None:
        statement = statement.where(condition)
    with db.engine.connect() as connection:
        updated = connection.execute(statement).rowcount
        connection.commit()
    return updated == 1
