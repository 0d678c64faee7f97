"""Named operations on companies and their contacts."""

from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.companies.text import nfkc
from tracker.concurrency import StaleEdit
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import Company, Contact, Engagement, Region, User
from tracker.permissions import regions_in_scope, visible_companies

COMPANY_FIELDS = (
    "name", "kana", "corporate_number", "region_id", "address", "industry_code", "employees", "capital",
    "founded_year", "leader_selection_year", "representative",
)
CONTACT_FIELDS = ("name", "title", "side", "email", "phone")


@dataclass
class Duplicates:
    """Companies a new or changed profile may repeat.

    `same_number`: the company holding the corporate number (never allowed
    twice), deleted or not; `number_in_scope` says whether it is in one of the
    user's regions (if not, the user is told only that the number cannot be
    used: its existence elsewhere is not theirs to know); `number_visible`
    whether the user may open it (never when it is deleted: only an admin can
    restore it).
    `same_name`: companies of the same name in the same region (allowed once
    the user confirms they are different companies).
    """

    same_number: Company | None = None
    number_in_scope: bool = False
    number_visible: bool = False
    same_name: list[Company] = field(default_factory=list)


def find_duplicates(details: dict, user: User, company: Company | None = None) -> Duplicates:
    found = Duplicates()
    others = sa.true() if company is None else Company.id != company.id
    if details["corporate_number"]:
        # A deleted company keeps its number (it may be restored), so it is looked for too.
        found.same_number = db.session.scalar(
            sa.select(Company).where(Company.corporate_number == details["corporate_number"], others)
            .execution_options(include_deleted=True)
        )
        if found.same_number is not None:
            regions = regions_in_scope(user).with_only_columns(Region.id)
            holder_region = db.session.scalar(regions.where(Region.id == found.same_number.region_id))
            found.number_in_scope = holder_region is not None
            found.number_visible = found.number_in_scope and not found.same_number.is_deleted
    names = {details["name"], nfkc(details["name"])}
    found.same_name = list(
        db.session.scalars(
            visible_companies(user)
            .where(Company.region_id == details["region_id"], Company.name.in_(names), others)
            .order_by(Company.id)
        )
    )
    return found


def create_company(details: dict) -> Company:
    """Record a company. `details` holds the fields of the company form."""
    company = Company(**{name: details[name] for name in COMPANY_FIELDS})
    db.session.add(company)
    return company


def update_company(company: Company, details: dict) -> None:
    """Change a company's profile; the version check guards against lost updates."""
    for name in COMPANY_FIELDS:
        setattr(company, name, details[name])


def add_contact(company: Company, details: dict) -> Contact:
    contact = Contact(company=company, **{name: details[name] for name in CONTACT_FIELDS})
    db.session.add(contact)
    return contact


def contact_version(contact: Contact) -> str:
    """Contacts carry no version column: the time of their last change serves as one."""
    return contact.updated_at.isoformat()


def update_contact(contact: Contact, details: dict, submitted_version: str | None) -> None:
    """Change a contact unless someone else changed it since the form was shown."""
    if contact_version(contact) != (submitted_version or ""):
        raise StaleEdit(contact)
    for name in CONTACT_FIELDS:
        setattr(contact, name, details[name])


def delete_company(company: Company, user: User) -> int:
    """Soft-delete the company and its engagements not yet deleted, all at the same
    moment, so that restoring the company brings back exactly those. Returns how
    many engagements went with it."""
    now = utcnow()
    # Only engagements not yet deleted are found: one deleted earlier stays deleted on restore.
    engagements = db.session.scalars(sa.select(Engagement).where(Engagement.company_id == company.id)).all()
    for engagement in engagements:
        engagement.mark_deleted(user, now)
    company.mark_deleted(user, now)
    return len(engagements)


def restore_company(company: Company) -> int:
    """Bring a deleted company back with the engagements deleted together with it
    (same moment). Returns how many engagements came back."""
    engagements = db.session.scalars(
        sa.select(Engagement)
        .where(Engagement.company_id == company.id, Engagement.deleted_at == company.deleted_at)
        .execution_options(include_deleted=True)
    ).all()
    for engagement in engagements:
        engagement.mark_restored()
    company.mark_restored()
    return len(engagements)
