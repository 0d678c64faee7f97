"""Sign-in throttling, kept in the database so every worker sees the same counts.

Failures are counted per account (the email as typed, whether or not it
exists, so the answer never reveals which emails are known) and per client
address, over a sliding window.
"""

import math
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import SignInFailure


def lockout_remaining(email: str, address: str) -> timedelta | None:
    """How long this account or address must wait, or None if it may try now."""
    config = current_app.config
    window = config["SIGN_IN_WINDOW"]
    now = utcnow()
    longest = None
    for column, value, limit in (
        (SignInFailure.email, email, config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"]),
        (SignInFailure.address, address, config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"]),
    ):
        recent = db.session.scalars(
            sa.select(SignInFailure.created_at)
            .where(column == value, SignInFailure.created_at > now - window)
            .order_by(SignInFailure.created_at.desc())
            .limit(limit)
        ).all()
        if len(recent) >= limit:
            # Free again once the oldest of the last `limit` failures leaves the window.
            wait = recent[-1] + window - now
            longest = wait if longest is None else max(longest, wait)
    return longest


def minutes_to_wait(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def record_failure(email: str, address: str) -> None:
    now = utcnow()
    db.session.execute(
        sa.delete(SignInFailure).where(
            SignInFailure.created_at < now - current_app.config["SIGN_IN_WINDOW"]
        )
    )
    db.session.add(SignInFailure(email=email[:254], address=address, created_at=now))


def clear_failures(email: str) -> None:
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.email == email))
