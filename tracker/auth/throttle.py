"""Sign-in throttling, kept in the database so every worker sees the same counts.

An attempt is counted atomically: its row is inserted and committed *before*
the password (or code) is checked, then the other rows of its bucket in the
window are counted. Of any `limit + 1` attempts that all get checked, the one
counted last would see the other `limit` rows already committed, so no more
than `limit` are ever checked, however many arrive at once, on SQLite and
PostgreSQL alike and without a lock. An attempt over the limit withdraws its
row; if the limit was reached by failures it is refused at once, if only by
attempts still being checked it tries again a moment later (backing off), so
that usually exactly `limit` are checked; when many contend for the last place
for longer than `_PATIENCE`, fewer are (never more). A successful attempt clears its bucket; the rows that
stay are the failures.

Buckets (ASVS 5.0 V6.3.1, V6.1.1):
- per account, for browsers without a device cookie for it (short window, so a
  stranger who knows an address keeps it locked for minutes only);
- per device cookie (tracker/auth/devices.py): the owner's usual browser is
  counted apart, so it keeps signing in while someone else hammers the address;
- per client address, for password attempts whatever the account;
- per account for the second step's codes.
"""

import math
import random
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import SignInAttempt

PASSWORD = "password"  # noqa: S105 (the name of a step, not a secret)  # nosec B105
CODE = "code"
# How long an attempt may wait for concurrent ones being checked before it is refused.
_PATIENCE = 3.0


class Throttled(Exception):
    """Too many recent attempts: `wait` is how long until the next is allowed."""

    def __init__(self, wait: timedelta):
        super().__init__(str(wait))
        self.wait = wait

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, rounded up, at least one."""
        return max(1, math.ceil(self.wait.total_seconds() / 60))

    @property
    def retry_after(self) -> int:
        """The wait in seconds, for the Retry-After header."""
        return int(self.wait.total_seconds()) + 1


@dataclass(frozen=True)
class Attempt:
    """A reserved attempt: its row id and the bucket it counts in."""

    id: int
    email: str
    step: str
    device: str


def _limit(step: str, device: str) -> int:
    config = current_app.config
    if step == CODE:
        return config["TWO_FACTOR_MAX_FAILURES"]
    if device:
        return config["SIGN_IN_MAX_FAILURES_PER_DEVICE"]
    return config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"]


def _bucket(attempt: Attempt):
    return sa.and_(
        SignInAttempt.email == attempt.email,
        SignInAttempt.step == attempt.step,
        SignInAttempt.device == attempt.device,
    )


def _wait(condition, limit: int, own_id: int) -> tuple[int, timedelta | None]:
    """(Failures among the other rows matching `condition` in the window, how long
    until fewer than `limit` of those rows remain), the wait None when fewer already do."""
    window = current_app.config["SIGN_IN_WINDOW"]
    now = utcnow()
    recent = db.session.execute(
        sa.select(SignInAttempt.created_at, SignInAttempt.failed)
        .where(condition, SignInAttempt.id != own_id, SignInAttempt.created_at > now - window)
        .order_by(SignInAttempt.created_at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return 0, None
    failures = sum(1 for row in recent if row.failed)
    # Free again once the oldest of the last `limit` attempts leaves the window.
    return failures, max(recent[-1].created_at + window - now, timedelta(seconds=1))


def _verdict(attempt: Attempt, address: str) -> tuple[bool, timedelta | None]:
    """(Whether the limit is reached by failures alone, the longest wait) for a committed attempt."""
    limits = [(_bucket(attempt), _limit(attempt.step, attempt.device))]
    if attempt.step == PASSWORD:
        per_address = sa.and_(SignInAttempt.address == address, SignInAttempt.step == PASSWORD)
        limits.append((per_address, current_app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"]))
    final, longest = False, None
    for condition, limit in limits:
        failures, wait = _wait(condition, limit, attempt.id)
        if wait is not None:
            final = final or failures >= limit
            longest = wait if longest is None else max(longest, wait)
    return final, longest


def reserve(email: str, address: str, step: str = PASSWORD, device: str = "") -> Attempt:
    """Count an attempt before it is checked; raise Throttled if it is one too many.

    Commits: the row must be visible to concurrent attempts before anything is
    checked. When the limit is reached only because other attempts are still
    being checked (or are about to be refused), this one steps back and tries
    again after a growing, random pause, so that usually exactly `limit` are
    checked; after `_PATIENCE` seconds it is refused (never more are checked).
    """
    now = utcnow()
    db.session.execute(
        sa.delete(SignInAttempt).where(SignInAttempt.created_at < now - current_app.config["SIGN_IN_WINDOW"])
    )
    deadline = time.monotonic() + _PATIENCE
    pause = 0.01
    while True:
        row = SignInAttempt(email=email[:254], step=step, device=device[:64], address=address, created_at=utcnow())
        db.session.add(row)
        db.session.commit()
        attempt = Attempt(row.id, row.email, step, row.device)
        final, wait = _verdict(attempt, address)
        if wait is None:
            return attempt
        # Not checked, so not a failure: withdrawn, and the lockout does not grow with each refusal.
        withdraw(attempt)
        db.session.commit()
        if final or time.monotonic() > deadline:
            raise Throttled(wait)
        # Random and growing, so that attempts contending for the last place stop colliding.
        time.sleep(random.uniform(0, pause))  # noqa: S311 (jitter, not a secret)  # nosec B311
        pause = min(pause * 2, 0.25)


def failed(attempt: Attempt) -> None:
    """The password or code was wrong: the row now counts as a failure (the caller commits)."""
    db.session.execute(sa.update(SignInAttempt).where(SignInAttempt.id == attempt.id).values(failed=True))


def succeeded(attempt: Attempt) -> None:
    """The attempt was right: its bucket starts afresh (the caller commits)."""
    db.session.execute(sa.delete(SignInAttempt).where(_bucket(attempt)))


def withdraw(attempt: Attempt) -> None:
    """The attempt was not a guess after all (a disabled account's right password)."""
    db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.id == attempt.id))
