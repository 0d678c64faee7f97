"""Insights (気づき): what the company's people come to see, and how they come to own it."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.database import UTCDateTime, utcnow
from tracker.extensions import db
from tracker.models.accounts import User
from tracker.models.common import Choice, SoftDeleted, Timestamped, Versioned, enum_column
from tracker.models.dialogue import DialogueSession
from tracker.models.engagements import Engagement


class InsightHolder(Choice):
    PRESIDENT = "president"
    EXECUTIVE = "executive"
    EMPLOYEE = "employee"
    TEAM_HYPOTHESIS = "team_hypothesis"

    @classmethod
    def labels(cls):
        return {
            cls.PRESIDENT: _l("President"),
            cls.EXECUTIVE: _l("Executive"),
            cls.EMPLOYEE: _l("Employee"),
            cls.TEAM_HYPOTHESIS: _l("Team hypothesis"),
        }


class InsightCategory(Choice):
    VISION = "vision"
    ORGANISATION = "organisation"
    BUSINESS = "business"
    TECHNOLOGY = "technology"
    FINANCE = "finance"
    DIGITAL = "digital"
    PARTNERSHIPS = "partnerships"
    OTHER = "other"

    @classmethod
    def labels(cls):
        return {
            cls.VISION: _l("Vision"),
            cls.ORGANISATION: _l("Organisation and people"),
            cls.BUSINESS: _l("Business and market"),
            cls.TECHNOLOGY: _l("Technology and product"),
            cls.FINANCE: _l("Finance"),
            cls.DIGITAL: _l("Digital"),
            cls.PARTNERSHIPS: _l("Partnerships"),
            cls.OTHER: _l("Other"),
        }


class Barrier(Choice):
    """The self-change barriers (自己変革の壁)."""

    UNSEEN = "unseen"
    UNFACED = "unfaced"
    UNEXECUTED = "unexecuted"
    UNFOLLOWED = "unfollowed"
    LACKING = "lacking"

    @classmethod
    def labels(cls):
        return {
            cls.UNSEEN: _l("Not seen (見えない)"),
            cls.UNFACED: _l("Not faced (向き合わない)"),
            cls.UNEXECUTED: _l("Not carried out (実行できない)"),
            cls.UNFOLLOWED: _l("Not followed (付いてこない)"),
            cls.LACKING: _l("Lacking resources (足りない)"),
        }


class InsightState(Choice):
    HYPOTHESIS = "hypothesis"
    VOICED = "voiced"
    OWNED = "owned"
    ACTED_ON = "acted_on"
    DROPPED = "dropped"

    @classmethod
    def labels(cls):
        return {
            cls.HYPOTHESIS: _l("Hypothesis"),
            cls.VOICED: _l("Voiced by the client"),
            cls.OWNED: _l("Owned (腹落ち)"),
            cls.ACTED_ON: _l("Acted on"),
            cls.DROPPED: _l("Dropped"),
        }


insight_sessions = sa.Table(
    "insight_sessions",
    db.metadata,
    sa.Column("insight_id", sa.ForeignKey("insights.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("session_id", sa.ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Insight(Timestamped, Versioned, SoftDeleted, db.Model):
    __tablename__ = "insights"
    __table_args__ = (
        sa.Index("ix_insights_engagement_id_state", "engagement_id", "state"),
        # Live rows only, as every ORM select asks (migration 0009 says why deleted_at ends it).
        sa.Index(
            "ix_insights_live_engagement_id_created_at", "engagement_id", "created_at", "category", "barrier",
            "deleted_at", sqlite_where=sa.text("deleted_at IS NULL"), postgresql_where=sa.text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(sa.Text)
    holder: Mapped[InsightHolder] = mapped_column(enum_column(InsightHolder, "insight_holder"))
    category: Mapped[InsightCategory] = mapped_column(enum_column(InsightCategory, "insight_category"))
    barrier: Mapped[Barrier | None] = mapped_column(enum_column(Barrier, "barrier"))
    state: Mapped[InsightState] = mapped_column(
        enum_column(InsightState, "insight_state"), default=InsightState.HYPOTHESIS
    )
    is_essential: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    engagement: Mapped[Engagement] = relationship()
    sessions: Mapped[list[DialogueSession]] = relationship(
        secondary=insight_sessions, order_by=DialogueSession.held_on
    )
    state_changes: Mapped[list["InsightStateChange"]] = relationship(
        back_populates="insight", order_by="InsightStateChange.id", cascade="all, delete-orphan"
    )


class InsightStateChange(db.Model):
    """An insight surfacing (from_state empty) or moving to another state."""

    __tablename__ = "insight_state_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    insight_id: Mapped[int] = mapped_column(sa.ForeignKey("insights.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[InsightState | None] = mapped_column(enum_column(InsightState, "from_state"))
    to_state: Mapped[InsightState] = mapped_column(enum_column(InsightState, "to_state"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dialogue_sessions.id", ondelete="SET NULL"))

    insight: Mapped[Insight] = relationship(back_populates="state_changes")
    changed_by: Mapped[User | None] = relationship()
