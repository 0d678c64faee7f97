"""Audit retention: after a set time, the trail forgets what confidential fields said.

An audit row keeps the before/after of every changed field. For the fields
listed in CONFIDENTIAL (what a company's people said, the team's reflections,
names and numbers of contacts...) that text is replaced by REDACTED once the
row is older than AUDIT_CONFIDENTIAL_RETENTION_DAYS; the event, the names of
the fields and every other value stay. The database lets exactly this update
through, once per row (migrations/versions/20261207_audit_redaction_0016.py).

`redact_expired` is safe to run from several machines at once: each batch
locks the rows it takes (PostgreSQL: others skip them; SQLite: the batch
takes the database's write lock before reading), and each UPDATE only
touches a row still unredacted, so no row is redacted twice.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from tracker.database import utcnow
from tracker.extensions import db
from tracker.models.audit import AuditEvent

REDACTED = "[redacted]"

# The one list of confidential fields, by audited record type (the target_type of
# the event): the free text of the case records, and contacts' personal data.
CONFIDENTIAL: dict[str, frozenset[str]] = {
    "DialogueSession": frozenset({"notes", "reflection", "next_steps", "review_comment"}),
    "Statement": frozenset({"text"}),
    "SessionRevision": frozenset({"changes"}),  # a session's own before/after, confidential fields included
    "Insight": frozenset({"text"}),
    "Action": frozenset({"title", "description"}),
    "ActionUpdate": frozenset({"text"}),
    "PhaseChange": frozenset({"reason"}),
    "Engagement": frozenset({"theme", "referral_note"}),
    "Referral": frozenset({"note", "outcome_note"}),
    "Contact": frozenset({"name", "title", "email", "phone"}),
}
# Named events whose `detail` is confidential text: a phase change keeps its reason there.
CONFIDENTIAL_DETAIL = frozenset({"phase_change"})

DEFAULT_BATCH = 500


def _redacted_value(value):
    """A stored value with its text gone: a [before, after] pair keeps its shape
    (None stays None, so a create still reads as a create)."""
    if isinstance(value, list) and len(value) == 2:
        return [None if part is None else REDACTED for part in value]
    return None if value is None else REDACTED


def redacted(event: AuditEvent) -> tuple[dict | None, str]:
    """The event's (changes, detail) with the confidential text replaced by REDACTED."""
    fields = CONFIDENTIAL.get(event.target_type, frozenset())
    changes = event.changes
    if isinstance(changes, dict):
        changes = {name: _redacted_value(value) if name in fields else value for name, value in changes.items()}
    detail = REDACTED if event.action in CONFIDENTIAL_DETAIL and event.detail else event.detail
    return changes, detail


def _holds_confidential_text():
    """SQL: the event is of a kind that may hold confidential text."""
    return sa.or_(AuditEvent.target_type.in_(CONFIDENTIAL), AuditEvent.action.in_(CONFIDENTIAL_DETAIL))


def _next_batch(cutoff: datetime, size: int) -> list[AuditEvent]:
    """Up to `size` unredacted events older than `cutoff`, locked for this transaction
    (rows another machine holds are skipped, not waited for: PostgreSQL only)."""
    if db.session.get_bind().dialect.name == "sqlite":
        # An empty UPDATE takes SQLite's write lock (waiting its busy timeout) before
        # the read: a read first would fail to become a write once another process wrote.
        db.session.execute(sa.update(AuditEvent.__table__).where(sa.false()).values(redacted_at=None))
    query = (
        sa.select(AuditEvent)
        .where(AuditEvent.at < cutoff, AuditEvent.redacted_at.is_(None), _holds_confidential_text())
        .order_by(AuditEvent.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    return list(db.session.scalars(query))


def redact_expired(retention_days: int, batch_size: int = DEFAULT_BATCH, now: datetime | None = None) -> int:
    """Redact every event older than `retention_days`, one committed batch at a time;
    return how many this run redacted (a second run right after returns 0)."""
    if retention_days < 1:
        raise ValueError("the retention must be at least one day")
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    table = AuditEvent.__table__
    count = 0
    while True:
        batch = _next_batch(cutoff, batch_size)
        for event in batch:
            changes, detail = redacted(event)
            # `redacted_at IS NULL` again: a row another machine redacted meanwhile is left alone.
            count += db.session.execute(
                sa.update(table)
                .where(table.c.id == event.id, table.c.redacted_at.is_(None))
                .values(changes=changes, detail=detail, redacted_at=now)
            ).rowcount
        db.session.commit()  # an empty batch too: it holds the locks it took
        if not batch:
            return count
