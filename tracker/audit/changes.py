"""Every create, update, delete and restore of a record, from one flush listener.

After each ORM flush the listener reads what the flush wrote (new, changed
and deleted objects, and each changed attribute's before and after value)
and inserts one audit row per record, all in one INSERT on the flush's own
connection: it runs no SELECT and commits or rolls back with the change.

Bulk Core statements (`sa.update`, `sa.insert`: the demo generator, the
company import) do not pass through a flush; they record their own summary
event with `record_event`.
"""

import re

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm import attributes as orm_attributes

from tracker.audit.trail import inert, jsonable, log_event, request_actor, request_address
from tracker.database import utcnow
from tracker.models.audit import AuditEvent

# Not domain records: the trail itself, sign-in bookkeeping, forms kept across a sign-in.
UNAUDITED = frozenset({"AuditEvent", "UserSession", "SignInAttempt", "PendingForm", "RecoveryCode"})
# Bookkeeping that moves on every save (or sign-in, which has its own event): not "what changed".
UNTRACKED = frozenset({"created_at", "updated_at", "version", "last_sign_in_at"})
# Never stored, before or after: a changed password shows as a change of a hidden value.
SECRET = re.compile(r"password|token|secret", re.IGNORECASE)
HIDDEN = "[hidden]"


@event.listens_for(Session, "after_flush")
def record_changes(session: Session, _flush_context) -> None:
    """Insert one audit row per record this flush created, changed or deleted."""
    found = [(obj, "create") for obj in session.new]
    found += [(obj, "delete") for obj in session.deleted]
    found += [(obj, "update") for obj in session.dirty if obj not in session.deleted]
    found = [(obj, kind) for obj, kind in found if type(obj).__name__ not in UNAUDITED]
    if not found:
        return
    actor = request_actor()
    common = {
        "at": utcnow(),
        "actor_id": orm_attributes.instance_state(actor).identity[0] if actor is not None else None,
        "actor_email": inert(_email(actor))[:254],
        "address": inert(request_address())[:45],
        "detail": "",
    }
    rows = []
    for obj, kind in found:
        state = orm_attributes.instance_state(obj)
        changes = _created(state) if kind == "create" else _deleted(state) if kind == "delete" else _updated(state)
        if kind == "update" and not changes:
            continue  # only bookkeeping moved (or nothing at all)
        action = (_soft_delete_action(changes) if kind == "update" else None) or kind
        row = {**common, "action": action, "target_type": type(obj).__name__[:40],
               "target_id": _identity(state), "changes": changes}
        rows.append(row)
        log_event(action, row["actor_email"], row["address"], row["target_type"], row["target_id"], changes, "")
    if rows:
        session.connection().execute(sa.insert(AuditEvent.__table__), rows)


def _email(actor) -> str:
    if actor is None:
        return ""
    # Read from what is loaded; only a user expired by an earlier commit costs a query.
    return orm_attributes.instance_state(actor).dict.get("email") or actor.email


def _columns(state):
    """(key, value as loaded) of the record's tracked columns, primary key left out."""
    mapper = state.mapper
    primary = {mapper.get_property_by_column(column).key for column in mapper.primary_key}
    for prop in mapper.column_attrs:
        if prop.key not in primary and prop.key not in UNTRACKED:
            yield prop.key


def _value(key: str, value):
    return HIDDEN if SECRET.search(key) and value is not None else jsonable(value)


def _created(state) -> dict:
    """{field: [None, value]} for every field given a value."""
    values = state.dict
    return {key: [None, _value(key, values[key])] for key in _columns(state) if values.get(key) is not None}


def _deleted(state) -> dict:
    """{field: [value, None]}: what the removed record held."""
    values = state.dict
    return {key: [_value(key, values[key]), None] for key in _columns(state) if values.get(key) is not None}


def _updated(state) -> dict:
    """{field: [before, after]} for every changed column and many-to-many collection."""
    changes = {}
    for key in _columns(state):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before != after:
            changes[key] = [_value(key, before), _value(key, after)]
    for relationship in state.mapper.relationships:
        # One-to-many and many-to-one show as the child's or this record's key
        # column; only a many-to-many (e.g. a user's regions) needs its own entry.
        if relationship.secondary is None:
            continue
        history = state.attrs[relationship.key].history
        if history.has_changes():
            kept = _ids(history.unchanged)
            changes[relationship.key] = [sorted(kept + _ids(history.deleted)), sorted(kept + _ids(history.added))]
    return changes


def _soft_delete_action(changes: dict) -> str | None:
    """A soft delete is a "delete" and its undoing a "restore", whatever else changed."""
    before, after = changes.get("deleted_at", (None, None))
    if before is None and after is not None:
        return "delete"
    if before is not None and after is None:
        return "restore"
    return None


def _ids(items) -> list[int]:
    ids = (_identity(orm_attributes.instance_state(item)) for item in items)
    return [value for value in ids if value is not None]


def _identity(state) -> int | None:
    """The record's id, read from what is loaded (a new record's id is set by now)."""
    mapper = state.mapper
    if len(mapper.primary_key) != 1:
        return None
    value = state.dict.get(mapper.get_property_by_column(mapper.primary_key[0]).key)
    return value if isinstance(value, int) else None
