"""Engagements (伴走支援案件): one company's support case, its team and its phases."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.database import UTCDateTime, utcnow
from tracker.extensions import db
from tracker.models.accounts import User
from tracker.models.common import Choice, SoftDeleted, Timestamped, Versioned, enum_column
from tracker.models.companies import Company


class Phase(Choice):
    CANDIDATE = "candidate"
    REVIEW = "review"
    FRAMING = "framing"
    ACCOMPANY = "accompany"
    SELF_RUNNING = "self_running"
    CLOSED = "closed"

    @classmethod
    def labels(cls):
        return {
            cls.CANDIDATE: _l("Candidate"),
            cls.REVIEW: _l("Review"),
            cls.FRAMING: _l("Framing"),
            cls.ACCOMPANY: _l("Accompany"),
            cls.SELF_RUNNING: _l("Self-running"),
            cls.CLOSED: _l("Closed"),
        }


class ReferralSource(Choice):
    MUNICIPALITY = "municipality"
    BUREAU = "bureau"
    SUPPORT_ORGANISATION = "support_organisation"
    FINANCIAL_INSTITUTION = "financial_institution"
    COMPANY = "company"
    OTHER = "other"

    @classmethod
    def labels(cls):
        return {
            cls.MUNICIPALITY: _l("Municipality nomination"),
            cls.BUREAU: _l("Regional bureau"),
            cls.SUPPORT_ORGANISATION: _l("Support organisation"),
            cls.FINANCIAL_INSTITUTION: _l("Financial institution"),
            cls.COMPANY: _l("The company itself"),
            cls.OTHER: _l("Other"),
        }


class ClosingReason(Choice):
    GRADUATED = "graduated"
    WITHDRAWN = "withdrawn"
    PAUSED = "paused"
    MERGED = "merged"
    OTHER = "other"

    @classmethod
    def labels(cls):
        return {
            cls.GRADUATED: _l("Graduated"),
            cls.WITHDRAWN: _l("Withdrawn"),
            cls.PAUSED: _l("Paused"),
            cls.MERGED: _l("Merged"),
            cls.OTHER: _l("Other"),
        }


class Engagement(Timestamped, Versioned, SoftDeleted, db.Model):
    """A support case. `phase` and `phase_since` mirror the latest PhaseChange;
    only change_phase() writes them."""

    __tablename__ = "engagements"
    __table_args__ = (sa.Index("ix_engagements_phase_phase_since", "phase", "phase_since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="RESTRICT"), index=True)
    theme: Mapped[str] = mapped_column(sa.Text, default="")
    referral_source: Mapped[ReferralSource] = mapped_column(enum_column(ReferralSource, "referral_source"))
    referral_note: Mapped[str] = mapped_column(sa.String(200), default="")
    started_on: Mapped[date]
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, "phase"), default=Phase.CANDIDATE)
    phase_since: Mapped[date]
    closing_reason: Mapped[ClosingReason | None] = mapped_column(enum_column(ClosingReason, "closing_reason"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    company: Mapped[Company] = relationship()
    members: Mapped[list["EngagementMember"]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan"
    )
    phase_changes: Mapped[list["PhaseChange"]] = relationship(
        back_populates="engagement", order_by="PhaseChange.id", cascade="all, delete-orphan"
    )

    @property
    def lead(self) -> User | None:
        return next((member.user for member in self.members if member.is_lead), None)

    def __repr__(self) -> str:
        return f"<Engagement {self.id} {self.phase}>"


class EngagementMember(db.Model):
    """A user on an engagement's team; one member is the lead."""

    __tablename__ = "engagement_members"

    engagement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)

    engagement: Mapped[Engagement] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class PhaseChange(db.Model):
    """A dated move from one phase to another, with who and why."""

    __tablename__ = "phase_changes"
    __table_args__ = (sa.Index("ix_phase_changes_engagement_id_changed_on", "engagement_id", "changed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"))
    from_phase: Mapped[Phase | None] = mapped_column(enum_column(Phase, "from_phase"))
    to_phase: Mapped[Phase] = mapped_column(enum_column(Phase, "to_phase"))
    changed_on: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    engagement: Mapped[Engagement] = relationship(back_populates="phase_changes")
    changed_by: Mapped[User | None] = relationship()
