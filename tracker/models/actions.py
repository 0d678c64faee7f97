"""Actions (アクション): what the company (or the team, for support actions) will do."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.database import UTCDateTime, utcnow
from tracker.extensions import db
from tracker.models.accounts import User
from tracker.models.common import Choice, SoftDeleted, Timestamped, Versioned, enum_column
from tracker.models.companies import Contact
from tracker.models.dialogue import DialogueSession
from tracker.models.engagements import Engagement
from tracker.models.insights import Insight
from tracker.models.support import Referral


class ActionState(Choice):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @classmethod
    def labels(cls):
        return {
            cls.PLANNED: _l("Planned"),
            cls.IN_PROGRESS: _l("In progress"),
            cls.DONE: _l("Done"),
            cls.DROPPED: _l("Dropped"),
        }

    @classmethod
    def open_states(cls) -> tuple["ActionState", ...]:
        return (cls.PLANNED, cls.IN_PROGRESS)


action_insights = sa.Table(
    "action_insights",
    db.metadata,
    sa.Column("action_id", sa.ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("insight_id", sa.ForeignKey("insights.id", ondelete="CASCADE"), primary_key=True, index=True),
)

action_referrals = sa.Table(
    "action_referrals",
    db.metadata,
    sa.Column("action_id", sa.ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("referral_id", sa.ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Action(Timestamped, Versioned, SoftDeleted, db.Model):
    """Owned by a company contact (the company owns its actions) or, for a
    support action, by a team member; never both."""

    __tablename__ = "actions"
    __table_args__ = (
        sa.CheckConstraint(
            "owner_contact_id IS NULL OR owner_user_id IS NULL", name="one_owner"
        ),
        sa.Index("ix_actions_engagement_id_state_due_on", "engagement_id", "state", "due_on"),
        sa.Index("ix_actions_state_due_on", "state", "due_on"),
        # Live rows only, as every ORM select asks (migration 0009 says why deleted_at ends it).
        sa.Index(
            "ix_actions_live_engagement_id_due_on", "engagement_id", "due_on", "state", "done_on", "owner_user_id",
            "deleted_at",
            sqlite_where=sa.text("deleted_at IS NULL"), postgresql_where=sa.text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    owner_contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id", ondelete="SET NULL"))
    owner_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date | None]
    state: Mapped[ActionState] = mapped_column(enum_column(ActionState, "action_state"), default=ActionState.PLANNED)
    done_on: Mapped[date | None]
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("dialogue_sessions.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    engagement: Mapped[Engagement] = relationship()
    owner_contact: Mapped[Contact | None] = relationship()
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    session: Mapped[DialogueSession | None] = relationship()
    insights: Mapped[list[Insight]] = relationship(secondary=action_insights, order_by=Insight.id)
    referrals: Mapped[list[Referral]] = relationship(secondary=action_referrals, order_by=Referral.id)
    updates: Mapped[list["ActionUpdate"]] = relationship(
        back_populates="action", order_by="ActionUpdate.id", cascade="all, delete-orphan"
    )

    def is_overdue(self, today: date) -> bool:
        """Open and past its due date: shown as overdue everywhere it appears."""
        return self.state in ActionState.open_states() and self.due_on is not None and self.due_on < today


class ActionUpdate(db.Model):
    """A dated note of progress on an action, possibly moving its state."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    noted_on: Mapped[date]
    text: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[ActionState | None] = mapped_column(enum_column(ActionState, "update_state"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    action: Mapped[Action] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
