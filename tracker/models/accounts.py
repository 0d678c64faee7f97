"""Who uses the product: regions, organisations and user accounts."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tracker.database import UTCDateTime, utcnow
from tracker.extensions import db
from tracker.models.common import Choice, enum_column, localized


class Role(Choice):
    ADMIN = "admin"
    MANAGER = "manager"
    CONSULTANT = "consultant"
    OFFICIAL = "official"

    @property
    def works_in_regions(self) -> bool:
        """Every role but the administrator's needs regions in scope (or all regions)."""
        return self != Role.ADMIN

    @classmethod
    def labels(cls):
        return {
            cls.ADMIN: _l("Administrator"),
            cls.MANAGER: _l("Manager"),
            cls.CONSULTANT: _l("Consultant"),
            cls.OFFICIAL: _l("Regional official"),
        }


class OrganisationKind(Choice):
    BUREAU = "bureau"
    SUPPORT_ORGANISATION = "support_organisation"
    MUNICIPALITY = "municipality"
    FINANCIAL_INSTITUTION = "financial_institution"
    EXPERT = "expert"
    UNIVERSITY = "university"
    PARTNER_COMPANY = "partner_company"

    @classmethod
    def labels(cls):
        return {
            cls.BUREAU: _l("Regional bureau"),
            cls.SUPPORT_ORGANISATION: _l("Support organisation"),
            cls.MUNICIPALITY: _l("Municipality"),
            cls.FINANCIAL_INSTITUTION: _l("Financial institution"),
            cls.EXPERT: _l("Expert"),
            cls.UNIVERSITY: _l("University"),
            cls.PARTNER_COMPANY: _l("Partner company"),
        }


user_regions = sa.Table(
    "user_regions",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_id", sa.ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
)


class Region(db.Model):
    """A supported municipality (支援地域), identified by its JIS code."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 6-digit 全国地方公共団体コード, check digit included.
    code: Mapped[str] = mapped_column(sa.String(6), unique=True)
    prefecture: Mapped[str] = mapped_column(sa.String(10))
    municipality: Mapped[str] = mapped_column(sa.String(50))
    prefecture_en: Mapped[str] = mapped_column(sa.String(30))
    municipality_en: Mapped[str] = mapped_column(sa.String(80))
    pilot_year: Mapped[int | None]

    @property
    def name(self) -> str:
        return localized(
            f"{self.prefecture}{self.municipality}", f"{self.municipality_en}, {self.prefecture_en}"
        )

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.prefecture}{self.municipality}>"


def jis_check_digit(five_digits: str) -> str:
    """The check digit of a 5-digit local government code (JIS X 0401/0402)."""
    total = sum(int(d) * w for d, w in zip(five_digits, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


class Organisation(db.Model):
    """A member organisation of the public-private team (支援機関)."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(160), default="")
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "organisation_kind"))
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id", ondelete="SET NULL"))

    region: Mapped[Region | None] = relationship()

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_en)

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"


class User(UserMixin, db.Model):
    """A person who signs in. The role and regions decide what they may see."""

    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored lower-cased, so the unique constraint is case-insensitive.
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
        sa.CheckConstraint("language in ('ja', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    all_regions: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(sa.String(2), default="ja")
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Two-factor sign-in: the authenticator's shared secret (base32), the last
    # time-step whose code was accepted (a code is never accepted twice), and when.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(32))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    two_factor_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship()
    regions: Mapped[list[Region]] = relationship(secondary=user_regions, order_by=Region.code)

    @validates("email")
    def _normalise_email(self, _key, value: str) -> str:
        return normalise_email(value)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def region_ids(self) -> list[int]:
        return [region.id for region in self.regions]

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def normalise_email(value: str) -> str:
    """The one form in which an email is stored and looked up."""
    return (value or "").strip().lower()
