"""Support measures and partners (施策・連携), and referrals of engagements to them."""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.common import Choice, Timestamped, Versioned, enum_column, localized
from tracker.models.engagements import Engagement


class MeasureKind(Choice):
    SUBSIDY = "subsidy"
    DIGITALISATION = "digitalisation"
    OPEN_INNOVATION = "open_innovation"
    EXPERT_DISPATCH = "expert_dispatch"
    UNIVERSITY = "university"
    FINANCIAL_INSTITUTION = "financial_institution"
    PARTNER_COMPANY = "partner_company"
    OTHER = "other"

    @classmethod
    def labels(cls):
        return {
            cls.SUBSIDY: _l("Subsidy"),
            cls.DIGITALISATION: _l("Digitalisation support"),
            cls.OPEN_INNOVATION: _l("Open-innovation matching"),
            cls.EXPERT_DISPATCH: _l("Expert dispatch"),
            cls.UNIVERSITY: _l("University"),
            cls.FINANCIAL_INSTITUTION: _l("Financial institution"),
            cls.PARTNER_COMPANY: _l("Partner company"),
            cls.OTHER: _l("Other"),
        }


class SupportMeasure(Timestamped, db.Model):
    """An entry of the admin-maintained catalogue: a measure or a partner."""

    __tablename__ = "support_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(250), default="")
    kind: Mapped[MeasureKind] = mapped_column(enum_column(MeasureKind, "measure_kind"))
    provider: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_en)


class ReferralOutcome(Choice):
    PENDING = "pending"
    IN_USE = "in_use"
    COMPLETED = "completed"
    NOT_PURSUED = "not_pursued"

    @classmethod
    def labels(cls):
        return {
            cls.PENDING: _l("Pending"),
            cls.IN_USE: _l("In use"),
            cls.COMPLETED: _l("Completed"),
            cls.NOT_PURSUED: _l("Not pursued"),
        }


class Referral(Timestamped, Versioned, db.Model):
    """An engagement referred to a measure or partner, and what came of it."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("support_measures.id", ondelete="RESTRICT"), index=True)
    referred_on: Mapped[date]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[ReferralOutcome] = mapped_column(
        enum_column(ReferralOutcome, "referral_outcome"), default=ReferralOutcome.PENDING
    )
    outcome_note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    engagement: Mapped[Engagement] = relationship()
    measure: Mapped[SupportMeasure] = relationship()
