"""How many uploaded files are read at once, across every worker on every machine.

Reading an upload is the one request whose cost an attacker chooses: even
refused at the first limit passed, a file of distinct numbers holds its worker
for a few seconds, and four of them at once held every gunicorn worker (issue
19). So a file is read only in one of IMPORT_MAX_CONCURRENT slots, and each
user holds at most one; an upload that finds none free is refused at once.

The slots are rows of `import_slots`, never state in a process: the workers
share nothing but the database. Taking slot n is an INSERT of primary key n,
so of two workers racing for it the database lets exactly one win, on SQLite
and PostgreSQL alike; the unique user_id keeps one user to one slot. Each
statement commits at once on a connection of its own, so the slot is visible
to every other worker while the file is read. The slot is let go in a
`finally`; a worker killed mid-read leaves its row, which stops counting once
`expires_at` has passed (the reading's own time limit plus a margin).

The command line (`flask companies import`) takes no slot: it runs in the
operator's own process, on no worker that anyone else waits for.
"""

import math
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import ImportSlot, User

# Beyond IMPORT_MAX_SECONDS, the checks against the database and gunicorn's own
# 30-second worker timeout: a slot older than this belongs to a dead request.
MARGIN = timedelta(seconds=30)


class NoFreeSlot(Exception):
    """Every slot is taken (or this user already holds one): the file is not read."""

    def __init__(self, retry_after: int, own: bool):
        super().__init__("the user already reads a file" if own else "every import slot is taken")
        # Seconds after which a slot is free again at the latest, unless a worker died.
        self.retry_after = retry_after
        self.own = own


@contextmanager
def reading_slot(user: User, config) -> Iterator[int]:
    """Hold a slot while the body runs (its number); raises NoFreeSlot at once if none is free."""
    holder = secrets.token_hex(16)
    number = take_slot(user, holder, config)
    try:
        yield number
    finally:
        let_go(number, holder)


def take_slot(user: User, holder: str, config) -> int:
    """Take the first free slot for `user` as `holder`: its number. Raises NoFreeSlot."""
    table = ImportSlot.__table__
    now = utcnow()
    expires_at = now + timedelta(seconds=config["IMPORT_MAX_SECONDS"]) + MARGIN
    with db.engine.connect() as connection:
        with connection.begin():
            # A dead request's slot: deleting it frees the number (and its user) for an INSERT below.
            connection.execute(sa.delete(table).where(table.c.expires_at < now))
        for number in range(1, config["IMPORT_MAX_CONCURRENT"] + 1):
            try:
                with connection.begin():
                    connection.execute(sa.insert(table).values(
                        number=number, holder=holder, user_id=user.id, taken_at=now, expires_at=expires_at))
                return number
            except IntegrityError:
                continue  # taken by another request (or this user holds a slot already)
        own = connection.scalar(sa.select(sa.exists().where(table.c.user_id == user.id)))
    raise NoFreeSlot(retry_after=math.ceil(config["IMPORT_MAX_SECONDS"]), own=bool(own))


def let_go(number: int, holder: str) -> None:
    """Free slot `number`, if `holder` still holds it (after expiry another request may)."""
    table = ImportSlot.__table__
    with db.engine.begin() as connection:
        connection.execute(sa.delete(table).where(table.c.number == number, table.c.holder == holder))
