"""Finding audit events: the admins' filters, newest first, and a count that stays cheap."""

import json
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import to_utc

from tracker.audit.changes import UNAUDITED
from tracker.extensions import db
from tracker.models.audit import AuditEvent

# The list counts at most this many matches ("10,000 or more"): counting a
# year of events on every page would cost more than the page itself. Narrow
# the filters to see further back.
COUNT_CAP = 10_000


def _start_of(day: date) -> datetime:
    """Midnight of `day` where the team works, as an aware UTC moment."""
    return to_utc(datetime.combine(day, time.min)).replace(tzinfo=UTC)


def matching_events(form) -> sa.Select:
    """Events matching the (valid) filter form, newest first."""
    query = sa.select(AuditEvent)
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    if form.actor.data:
        query = query.where(AuditEvent.actor_email.icontains(form.actor.data.strip(), autoescape=True))
    if form.record_type.data:
        query = query.where(AuditEvent.target_type == form.record_type.data.strip())
    if form.record_id.data:
        query = query.where(AuditEvent.target_id == form.record_id.data)
    if form.date_from.data:
        query = query.where(AuditEvent.at >= _start_of(form.date_from.data))
    if form.date_to.data:
        query = query.where(AuditEvent.at < _start_of(form.date_to.data + timedelta(days=1)))
    if form.address.data:
        query = query.where(AuditEvent.address.startswith(form.address.data.strip(), autoescape=True))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def capped_count(query: sa.Select) -> int:
    """How many events match, counting no further than COUNT_CAP + 1."""
    limited = query.order_by(None).with_only_columns(AuditEvent.id).limit(COUNT_CAP + 1).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(limited)) or 0


def record_types() -> list[str]:
    """The names of the audited record types, for the filter's suggestions (no query)."""
    names = {mapper.class_.__name__ for mapper in db.Model.registry.mappers}
    return sorted(names - UNAUDITED)


def change_rows(changes) -> list[tuple[str, object, object, bool]]:
    """(field, before, after, is a before/after pair) for the detail page.

    Creates, updates and deletes hold {field: [before, after]}; other events
    (an import's summary, say) may hold plain values, shown as one.
    """
    if not isinstance(changes, dict):
        return [] if changes is None else [("", changes, None, False)]
    rows = []
    for field, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            rows.append((field, value[0], value[1], True))
        else:
            rows.append((field, value, None, False))
    return rows


def shown(value) -> str:
    """A stored value as text (none: a dash; lists joined; objects as JSON); the template escapes it."""
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(shown(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
