"""Server-side sessions: one row per signed-in browser, shared by every worker.

The signed cookie carries only a random token. Signing out, disabling the
account or changing the password deletes the rows, so a replayed cookie finds
nothing and the browser is treated as signed out. People see their own
sessions on the profile page and end any of them; admins end anyone's. Every
ending but a plain sign-out (which has its own event) is audited.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, flash, g, request, session
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from tracker.audit.trail import record_event
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import User, UserSession

SESSION_KEY = "sid"
# last_seen_at is written at most this often, not on every request.
_TOUCH_INTERVAL = timedelta(minutes=1)


def _hash(token: str) -> str:
    """The form in which a token is stored: its SHA-256, in hex."""
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


def _end(user: User, condition, why: str) -> int:
    """Delete `user`'s sessions matching `condition`; audit it if any ended.

    Every delete is bounded by the owner's id, so no id typed elsewhere can
    reach another person's session.
    """
    ended = db.session.execute(
        sa.delete(UserSession).where(UserSession.user_id == user.id, condition)
    ).rowcount
    if ended:
        record_event("session_end", user, changes={"sessions": ended}, detail=why)
    return ended


def end_all_sessions(user: User, why: str = "all sessions") -> int:
    """Sign `user` out everywhere (after a password change, when disabled, by an admin)."""
    return _end(user, sa.true(), why)


def end_other_sessions(user: User) -> int:
    """Sign `user` out of every browser but this one."""
    return _end(user, UserSession.token_hash != current_token_hash(), "other sessions")


def end_one_session(owner: User, row: UserSession, why: str = "one session") -> None:
    """End one of `owner`'s sessions (found through permissions.user_session_or_404);
    this browser's own is a sign-out, so its cookie is emptied too."""
    this_browser = is_this_browser(row)
    _end(owner, UserSession.id == row.id, why)
    if this_browser:
        session.clear()


def current_token_hash() -> str:
    """The stored hash of this browser's session token ("" when signed out)."""
    token = session.get(SESSION_KEY)
    return _hash(token) if token else ""


def is_this_browser(row: UserSession) -> bool:
    """Whether `row` is the session of the browser making this request."""
    return row.token_hash == current_token_hash()


def active_sessions(user: User) -> list[UserSession]:
    """`user`'s sessions that have not timed out, most recently used first."""
    now = utcnow()
    config = current_app.config
    return list(db.session.scalars(
        sa.select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.last_seen_at > now - config["SESSION_IDLE_TIMEOUT"],
            UserSession.created_at > now - config["SESSION_ABSOLUTE_TIMEOUT"],
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ))


def described_sessions(user: User) -> list[dict]:
    """`user`'s active sessions as the session list shows them: the row, a readable
    device name, and whether it is this browser's."""
    from tracker.auth.user_agents import device_name

    return [
        {"row": row, "device": device_name(row.user_agent), "this_browser": is_this_browser(row)}
        for row in active_sessions(user)
    ]


# Tables that hold live sign-ins: a backup leaves their rows out (tracker/backup) and a
# restore empties them, so that no sign-in of the backup's time comes back.
SIGN_IN_TABLES = ("user_sessions", "pending_forms")


def end_every_session(connection: sa.Connection) -> int:
    """Sign every browser out, and drop the forms kept for browsers whose sign-in
    expired (the rows of SIGN_IN_TABLES), after a database restore. Plain SQL on
    `connection`, so it works on a restored schema older than the models. Returns
    how many sessions ended."""
    present = set(sa.inspect(connection).get_table_names())
    ended = {table: connection.execute(sa.text(f"DELETE FROM {table}")).rowcount  # noqa: S608  # nosec B608
             for table in SIGN_IN_TABLES if table in present}  # (names from SIGN_IN_TABLES)
    return ended.get("user_sessions", 0)


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
