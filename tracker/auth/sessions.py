"""Server-side sessions: one row per signed-in browser, shared by every worker.

The signed cookie carries only a random token. Signing out, disabling the
account or changing the password deletes the rows, so a replayed cookie finds
nothing and the browser is treated as signed out.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, flash, g, request, session
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import User, UserSession

SESSION_KEY = "sid"
# last_seen_at is written at most this often, not on every request.
_TOUCH_INTERVAL = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_address() -> str:
    """The client's address (behind PROXY_COUNT trusted proxies)."""
    return (request.remote_addr or "")[:45]


def start_session(user: User) -> None:
    """Sign `user` in on this browser with a brand-new session id."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=_hash(token),
            user=user,
            address=client_address(),
            user_agent=request.user_agent.string[:255],
        )
    )
    user.last_sign_in_at = utcnow()
    # Nothing from before sign-in (the CSRF secret included) carries over.
    session.clear()
    session[SESSION_KEY] = token


def end_session() -> None:
    """Sign this browser out."""
    token = session.get(SESSION_KEY)
    if token:
        db.session.execute(sa.delete(UserSession).where(UserSession.token_hash == _hash(token)))
    session.clear()


def end_all_sessions(user: User) -> None:
    """Sign `user` out everywhere (after a password change or when disabled)."""
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))


def end_every_session(connection: sa.Connection) -> int:
    """Sign every browser out, and drop the forms kept for browsers whose sign-in
    expired (pending_forms): after a database restore, no sign-in of the backup's
    time may come back. Plain SQL on `connection`, so it works on a restored
    schema older than the models. Returns how many sessions ended."""
    ended = connection.execute(sa.text("DELETE FROM user_sessions")).rowcount
    if sa.inspect(connection).has_table("pending_forms"):
        connection.execute(sa.text("DELETE FROM pending_forms"))
    return ended


def _expired(row: UserSession) -> bool:
    now = utcnow()
    config = current_app.config
    return (
        now - row.last_seen_at > config["SESSION_IDLE_TIMEOUT"]
        or now - row.created_at > config["SESSION_ABSOLUTE_TIMEOUT"]
    )


def load_user() -> User | None:
    """The user this request's cookie belongs to, or None (Flask-Login loader)."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    row = db.session.scalar(
        sa.select(UserSession)
        .where(UserSession.token_hash == _hash(token))
        .options(joinedload(UserSession.user))
    )
    if row is None or _expired(row) or not row.user.active:
        if row is not None:
            g.expired_user_id = row.user_id
            db.session.delete(row)
            db.session.commit()
            flash(_("Your session has ended. Please sign in again."), "info")
        session.pop(SESSION_KEY, None)
        return None
    if utcnow() - row.last_seen_at > _TOUCH_INTERVAL:
        row.last_seen_at = utcnow()
        db.session.commit()
    return row.user
