"""Companies (企業) supported by the teams, their contacts, and the JSIC industries."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.accounts import Region
from tracker.models.common import Choice, SoftDeleted, Timestamped, Versioned, enum_column, localized


class Industry(db.Model):
    """A group of the Japan Standard Industrial Classification: a major group
    (大分類, a letter) or a middle group (中分類, two digits) under it."""

    __tablename__ = "industries"

    code: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(150))
    major_code: Mapped[str | None] = mapped_column(sa.ForeignKey("industries.code"), index=True)

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_en)


class Company(Timestamped, Versioned, SoftDeleted, db.Model):
    """A supported company. Money is in yen; head-counts are people."""

    __tablename__ = "companies"
    __table_args__ = (
        sa.CheckConstraint("employees >= 0", name="employees_non_negative"),
        sa.CheckConstraint("capital >= 0", name="capital_non_negative"),
        sa.Index("ix_companies_region_id_name", "region_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kana: Mapped[str] = mapped_column(sa.String(200), default="")
    # 法人番号: 13 digits, the first a check digit. Unique when known.
    corporate_number: Mapped[str | None] = mapped_column(sa.String(13), unique=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id", ondelete="RESTRICT"))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    industry_code: Mapped[str | None] = mapped_column(sa.ForeignKey("industries.code"), index=True)
    employees: Mapped[int | None]
    capital: Mapped[int | None] = mapped_column(sa.BigInteger)
    founded_year: Mapped[int | None]
    # Year of selection as 地域未来牽引企業, if selected.
    leader_selection_year: Mapped[int | None]
    representative: Mapped[str] = mapped_column(sa.String(100), default="")

    region: Mapped[Region] = relationship()
    industry: Mapped[Industry | None] = relationship()
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="company", order_by="Contact.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Company {self.id} {self.name}>"


class ContactSide(Choice):
    PRESIDENT = "president"
    EXECUTIVE = "executive"
    EMPLOYEE = "employee"

    @classmethod
    def labels(cls):
        return {cls.PRESIDENT: _l("President"), cls.EXECUTIVE: _l("Executive"), cls.EMPLOYEE: _l("Employee")}


class Contact(Timestamped, db.Model):
    """A person at the company the team talks with."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.String(100), default="")
    side: Mapped[ContactSide] = mapped_column(enum_column(ContactSide, "contact_side"))
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(30), default="")

    company: Mapped[Company] = relationship(back_populates="contacts")
