"""The audit trail: an append-only record of who did what to which record."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.database import UTCDateTime, utcnow
from tracker.extensions import db


class AuditEvent(db.Model):
    """One thing that happened: a create, update, delete or restore of a record,
    a phase change, a review, an export, a sign-in (or a failed one), a sign-out
    or a refused access. Never deleted, and updated only once, by the retention
    rule (tracker/audit/redaction.py): the database refuses anything else."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The account, kept as an id and as the e-mail it had then (accounts change).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_email: Mapped[str] = mapped_column(sa.String(254), default="")
    address: Mapped[str] = mapped_column(sa.String(45), default="")
    action: Mapped[str] = mapped_column(sa.String(32), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(40), default="")
    target_id: Mapped[int | None]
    # {"field": [before, after], ...}: before is null for a create, after null for a removal;
    # a named event (an import, say) may keep a summary {"name": value} instead.
    changes: Mapped[dict | None] = mapped_column(sa.JSON)
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    # When the confidential text of `changes` and `detail` was redacted (after
    # AUDIT_CONFIDENTIAL_RETENTION_DAYS); the event itself is kept.
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.target_type} {self.target_id}>"
