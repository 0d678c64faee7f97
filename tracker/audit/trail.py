"""Recording audit events: one call per thing that happened.

`record_event` adds the event to the current database session, so it is
committed (or rolled back) together with the change it describes.
"""

from flask import has_request_context, request
from flask_login import current_user

from tracker.extensions import db
from tracker.models.audit import AuditEvent


def record_event(action: str, target=None, changes: dict | None = None, detail: str = "", actor=None) -> AuditEvent:
    """Note that `actor` (default: the signed-in user) did `action` to `target`
    (a model instance, or a (type name, id) pair), from the request's address."""
    actor = actor if actor is not None else _signed_in_user()
    if target is None:
        target_type, target_id = "", None
    elif isinstance(target, tuple):
        target_type, target_id = target
    else:
        target_type, target_id = type(target).__name__, target.id
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", "") or "",
        address=(request.remote_addr or "")[:45] if has_request_context() else "",
        action=action,
        target_type=target_type,
        target_id=target_id,
        changes=changes,
        detail=detail[:500],
    )
    db.session.add(event)
    return event


def _signed_in_user():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return None
