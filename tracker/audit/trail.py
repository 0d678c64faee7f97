"""Recording audit events: one call per thing that happened.

`record_event` adds the event to the current database session, so it is
committed (or rolled back) together with the change it describes. Creates,
updates and deletes of records are recorded by one flush listener
(tracker/audit/changes.py); the named events (sign-in, phase change, review,
export, refused access...) are recorded by the code that does them.

Everything stored is made inert first: control characters (CR, LF, ESC...)
and Unicode line and direction overrides become visible escapes, so no value
can forge a second line in a log or reorder what an admin reads.
"""

import logging
import math
import re
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum

import sqlalchemy as sa
from flask import g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from tracker.database import utcnow
from tracker.extensions import db
from tracker.models.audit import AuditEvent

logger = logging.getLogger("tracker.audit")

# What each action is called on the admins' pages (and offered in the filter).
ACTIONS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "restore": _l("Restored"),
    "phase_change": _l("Phase changed"),
    "review": _l("Session reviewed"),
    "export": _l("Exported"),
    "import": _l("Imported"),
    "demo_generate": _l("Demo data generated"),
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Sign-in failed"),
    "sign_out": _l("Signed out"),
    "session_end": _l("Sessions ended"),
    "access_refused": _l("Access refused"),
    "database_restore": _l("Database restored from a backup"),
    "throttled": _l("Too many requests"),
    "two_factor_enrolled": _l("Two-factor sign-in set up"),
    "two_factor_disabled": _l("Two-factor sign-in turned off"),
    "two_factor_reset": _l("Two-factor sign-in reset by an administrator"),
    "two_factor_failed": _l("Wrong sign-in code"),
    "recovery_code_used": _l("Recovery code used"),
    "recovery_codes_renewed": _l("New recovery codes made"),
}

# A changed text longer than this is kept cut (sessions keep their own full history).
MAX_VALUE_LENGTH = 2000
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def inert(text) -> str:
    """`text` on one line: every control or direction character written as a visible escape."""
    return _UNSAFE.sub(lambda match: _ESCAPES.get(match.group(), f"\\u{ord(match.group()):04x}"), str(text or ""))


def jsonable(value):
    """`value` as plain JSON: dates as ISO text, enums as their value, long texts cut."""
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value if len(value) <= MAX_VALUE_LENGTH else value[:MAX_VALUE_LENGTH] + "…"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return f"[{len(value)} bytes]"
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return jsonable(str(value))


def record_event(
    action: str, target=None, changes: dict | None = None, detail: str = "", actor=None, *,
    actor_email: str | None = None,
) -> AuditEvent:
    """Note that `actor` (default: the signed-in user) did `action` to `target`
    (a model instance, or a (type name, id) pair), from the request's address.

    `actor_email` overrides the actor's e-mail: a failed sign-in keeps the
    address that was typed, with no account behind it.
    """
    actor = actor if actor is not None else _signed_in_user()
    if target is None:
        target_type, target_id = "", None
    elif isinstance(target, tuple):
        target_type, target_id = target
    else:
        target_type, target_id = type(target).__name__, target.id
    email = actor_email if actor_email is not None else (getattr(actor, "email", "") or "")
    event = AuditEvent(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_email=inert(email)[:254],
        address=inert(request_address())[:45],
        action=inert(action)[:32],
        target_type=inert(target_type)[:40],
        target_id=target_id,
        changes=jsonable(changes) if changes is not None else None,
        detail=inert(detail)[:500],
    )
    db.session.add(event)
    log_event(event.action, event.actor_email, event.address, event.target_type, target_id, changes, event.detail)
    return event


def record_event_on(connection, action: str, detail: str = "") -> None:
    """Write an event (no actor: a command run on the server) straight on `connection`,
    into whatever columns its audit_events table has: after a restore the schema
    may be older than the models, until `flask db upgrade`."""
    event = record_event(action, detail=detail)
    db.session.expunge(event)  # built (and logged) by record_event, written here instead
    present = {column["name"] for column in sa.inspect(connection).get_columns(AuditEvent.__tablename__)}
    # The models' column types (UTC times, JSON), without their defaults: only what is set is written.
    columns = [column for column in AuditEvent.__table__.columns
               if column.name in present and getattr(event, column.key) is not None]
    table = sa.Table(AuditEvent.__tablename__, sa.MetaData(), *(sa.Column(c.name, c.type) for c in columns))
    connection.execute(table.insert().values({c.name: getattr(event, c.key) for c in columns}))


def record_refusal(action: str, detail: str, target=None) -> None:
    """Note a refused request (403, bad CSRF token, 429, a look-up out of scope) in a
    transaction of its own; the request's method and path are added to `detail`.

    Whatever the refused request had begun is rolled back first; a database
    failure here is logged and never replaces the refusal page with a 500.
    """
    try:
        db.session.rollback()
        if has_request_context():
            detail = f"{detail} {request.method} {request.path}"
        record_event(action, target, detail=detail)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        logger.exception("audit: could not record %s", inert(action))


def request_address() -> str:
    """The client's address (behind PROXY_COUNT trusted proxies), or "" outside a request."""
    return (request.remote_addr or "") if has_request_context() else ""


def request_actor():
    """The signed-in user if this request has already loaded one, else None.

    Never loads it: the flush listener must not run the sign-in loader (which
    queries and commits) in the middle of a flush.
    """
    if not has_request_context():
        return None
    user = g.get("_login_user")
    return user if user is not None and user.is_authenticated else None


def log_event(action, actor_email, address, target_type, target_id, changes, detail) -> None:
    """One line per event for the server log, which operators ship elsewhere.

    Only the names of changed fields go there, never their values nor the
    detail (a phase change's reason is confidential); every part is inert, so a
    value cannot start a new line.
    """
    fields = ",".join(sorted(changes)) if isinstance(changes, dict) else ""
    logger.info(
        "audit action=%s actor=%s address=%s target=%s#%s fields=%s",
        inert(action), inert(actor_email), inert(address), inert(target_type), target_id or "", inert(fields),
    )


def configure_audit_log(app) -> None:
    """Audit lines go to standard error at INFO (gunicorn and systemd collect it),
    unless the deployment configured the `tracker.audit` logger itself."""
    if app.testing or logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _signed_in_user():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return None
