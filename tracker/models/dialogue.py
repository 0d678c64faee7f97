"""Dialogue sessions (対話セッション): what was heard, in the client's own words."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.database import UTCDateTime, utcnow
from tracker.extensions import db
from tracker.models.accounts import User
from tracker.models.common import Choice, SoftDeleted, Timestamped, Versioned, enum_column
from tracker.models.companies import Contact
from tracker.models.engagements import Engagement


class SessionFormat(Choice):
    VISIT = "visit"
    ONLINE = "online"
    OUR_OFFICE = "our_office"
    PHONE = "phone"

    @classmethod
    def labels(cls):
        return {
            cls.VISIT: _l("Visit"),
            cls.ONLINE: _l("Online"),
            cls.OUR_OFFICE: _l("At our office"),
            cls.PHONE: _l("Phone"),
        }


class SessionKind(Choice):
    PRESIDENT_DIALOGUE = "president_dialogue"
    STAFF_INTERVIEW = "staff_interview"
    FINDINGS_FEEDBACK = "findings_feedback"
    PROJECT_MEETING = "project_meeting"
    TEAM_REFLECTION = "team_reflection"

    @classmethod
    def labels(cls):
        return {
            cls.PRESIDENT_DIALOGUE: _l("Dialogue with the president"),
            cls.STAFF_INTERVIEW: _l("Staff interview"),
            cls.FINDINGS_FEEDBACK: _l("Feedback of findings"),
            cls.PROJECT_MEETING: _l("Company project meeting"),
            cls.TEAM_REFLECTION: _l("Team reflection"),
        }


class SessionState(Choice):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    REVIEWED = "reviewed"

    @classmethod
    def labels(cls):
        return {
            cls.DRAFT: _l("Draft"),
            cls.SUBMITTED: _l("Submitted"),
            cls.RETURNED: _l("Returned for changes"),
            cls.REVIEWED: _l("Reviewed"),
        }


session_contacts = sa.Table(
    "session_contacts",
    db.metadata,
    sa.Column("session_id", sa.ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("contact_id", sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
)

session_team = sa.Table(
    "session_team",
    db.metadata,
    sa.Column("session_id", sa.ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class DialogueSession(Timestamped, Versioned, SoftDeleted, db.Model):
    """One listening session with the company, logged by a team member."""

    __tablename__ = "dialogue_sessions"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes >= 0 AND duration_minutes <= 1440", name="duration_range"),
        sa.Index("ix_dialogue_sessions_engagement_id_held_on", "engagement_id", "held_on"),
        sa.Index("ix_dialogue_sessions_author_id_state", "author_id", "state"),
        sa.Index("ix_dialogue_sessions_state_held_on", "state", "held_on"),
        # Live rows only, as every ORM select asks (migration 0009 says why deleted_at ends them).
        sa.Index(
            "ix_dialogue_sessions_live_engagement_id_held_on", "engagement_id", "held_on", "duration_minutes",
            "deleted_at",
            sqlite_where=sa.text("deleted_at IS NULL"), postgresql_where=sa.text("deleted_at IS NULL"),
        ),
        # The review queue and its count: the sessions of one state in the cases in scope (migration 0010).
        sa.Index(
            "ix_dialogue_sessions_live_state_engagement_id", "state", "engagement_id", "deleted_at",
            sqlite_where=sa.text("deleted_at IS NULL"), postgresql_where=sa.text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"))
    held_on: Mapped[date]
    duration_minutes: Mapped[int] = mapped_column(default=60)
    format: Mapped[SessionFormat] = mapped_column(enum_column(SessionFormat, "session_format"))
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind, "session_kind"))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    reflection: Mapped[str] = mapped_column(sa.Text, default="")
    next_steps: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[SessionState] = mapped_column(enum_column(SessionState, "session_state"), default=SessionState.DRAFT)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    review_comment: Mapped[str] = mapped_column(sa.Text, default="")

    engagement: Mapped[Engagement] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    company_attendees: Mapped[list[Contact]] = relationship(secondary=session_contacts, order_by=Contact.id)
    team_attendees: Mapped[list[User]] = relationship(secondary=session_team, order_by=User.id)
    statements: Mapped[list["Statement"]] = relationship(
        back_populates="session", order_by="Statement.position", cascade="all, delete-orphan"
    )
    revisions: Mapped[list["SessionRevision"]] = relationship(
        back_populates="session", order_by="SessionRevision.id", cascade="all, delete-orphan"
    )


class Statement(db.Model):
    """The client's own words, verbatim, as heard in a session."""

    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    speaker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)

    session: Mapped[DialogueSession] = relationship(back_populates="statements")
    speaker: Mapped[Contact | None] = relationship()


class SessionRevision(db.Model):
    """Who changed a session, when, and what (field: [before, after])."""

    __tablename__ = "session_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    session: Mapped[DialogueSession] = relationship(back_populates="revisions")
    user: Mapped[User | None] = relationship()
