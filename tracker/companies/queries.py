"""What the company pages read: the filtered list, the current engagement, the
support summary. Every list starts from permissions.visible_companies().

A company's *current engagement* is its latest open one (latest start date,
then latest id); when all of its engagements are closed, the latest of those.
Its phase is the company's phase; a company never engaged has none.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.companies.text import digits_only, normalise_kana
from tracker.extensions import db
from tracker.models import Company, DialogueSession, Engagement, EngagementMember, Industry, Phase, User
from tracker.permissions import case_engagement_ids, visible_companies

NO_ENGAGEMENT = "none"


def current_order(engagement=Engagement):
    """ORDER BY terms putting a company's current engagement first."""
    return (
        sa.case((engagement.phase == Phase.CLOSED, 1), else_=0),
        engagement.started_on.desc(),
        engagement.id.desc(),
    )


def current_phase() -> sa.ScalarSelect:
    """Correlated subquery: the phase of the company's current engagement (NULL if none)."""
    return (
        sa.select(Engagement.phase)
        .where(Engagement.company_id == Company.id)
        .order_by(*current_order())
        .limit(1)
        .correlate(Company)
        .scalar_subquery()
    )


@dataclass
class CompanyFilters:
    """The list's search box and filters, as read from the query string."""

    q: str = ""
    region: int | None = None
    industry: str = ""
    phase: str = ""

    def as_args(self) -> dict:
        """For links to other pages of the same list."""
        args = {"q": self.q, "region": self.region or "", "industry": self.industry, "phase": self.phase}
        return {key: value for key, value in args.items() if value}


def search_condition(text: str) -> sa.ColumnElement[bool]:
    """Name, reading or corporate number containing the text (wildcards literal)."""
    conditions = [Company.name.icontains(text, autoescape=True)]
    reading = normalise_kana(text)
    if reading:
        conditions.append(Company.kana.icontains(reading, autoescape=True))
    number = digits_only(text)
    if number.isdigit():
        conditions.append(Company.corporate_number.contains(number, autoescape=True))
    return sa.or_(*conditions)


def industry_condition(code: str) -> sa.ColumnElement[bool]:
    """A middle group, or a major group with all its middle groups."""
    if len(code) == 1:
        return sa.or_(
            Company.industry_code == code,
            Company.industry_code.in_(sa.select(Industry.code).where(Industry.major_code == code)),
        )
    return Company.industry_code == code


def company_list(user: User, filters: CompanyFilters) -> sa.Select:
    """The companies the user may see, filtered, in order of their reading."""
    query = visible_companies(user).options(selectinload(Company.region), selectinload(Company.industry))
    if filters.q:
        query = query.where(search_condition(filters.q))
    if filters.region:
        query = query.where(Company.region_id == filters.region)
    if filters.industry:
        query = query.where(industry_condition(filters.industry))
    if filters.phase == NO_ENGAGEMENT:
        query = query.where(current_phase().is_(None))
    elif filters.phase:
        query = query.where(current_phase() == filters.phase)
    # Companies without a reading go last, not first.
    return query.order_by(sa.case((Company.kana == "", 1), else_=0), Company.kana, Company.name, Company.id)


def current_engagements(company_ids: list[int], *, with_lead: bool = False) -> dict[int, Engagement]:
    """Each company's current engagement, in one query whatever the number of companies."""
    if not company_ids:
        return {}
    query = (
        sa.select(Engagement)
        .where(Engagement.company_id.in_(company_ids))
        .order_by(Engagement.company_id, *current_order())
    )
    if with_lead:
        query = query.options(
            selectinload(Engagement.members).selectinload(EngagementMember.user).selectinload(User.organisation)
        )
    current: dict[int, Engagement] = {}
    for engagement in db.session.scalars(query):
        current.setdefault(engagement.company_id, engagement)
    return current


def engagements_of(company: Company) -> list[Engagement]:
    """The company's engagements, current first, with their team's users and organisations."""
    return list(
        db.session.scalars(
            sa.select(Engagement)
            .where(Engagement.company_id == company.id)
            .options(
                selectinload(Engagement.members).selectinload(EngagementMember.user).selectinload(User.organisation)
            )
            .order_by(*current_order())
        )
    )


def engagement_count(company: Company) -> int:
    """How many engagements the company has (deleted ones aside)."""
    return db.session.scalar(sa.select(sa.func.count(Engagement.id)).where(Engagement.company_id == company.id))


def readable_engagement_ids(user: User, company: Company) -> set[int]:
    """Which of the company's engagements the user may open (their case records)."""
    return set(
        db.session.scalars(
            case_engagement_ids(user).where(Engagement.company_id == company.id)
        )
    )


@dataclass
class SupportSummary:
    """What even a regional official may know about the support of a company."""

    phase: Phase | None
    lead_organisation: str | None
    session_count: int
    last_session_on: date | None


def support_summaries(company_ids: list[int]) -> dict[int, SupportSummary]:
    """The support summary of each company, in a fixed number of queries (for lists).

    Sessions are counted in SQL over all the company's engagements; phase and
    lead organisation come from the current engagement.
    """
    if not company_ids:
        return {}
    current = current_engagements(company_ids, with_lead=True)
    sessions = {
        company_id: (count, last)
        for company_id, count, last in db.session.execute(
            sa.select(Engagement.company_id, sa.func.count(DialogueSession.id), sa.func.max(DialogueSession.held_on))
            .join(DialogueSession, DialogueSession.engagement_id == Engagement.id)
            .where(Engagement.company_id.in_(company_ids))
            .group_by(Engagement.company_id)
        )
    }
    summaries = {}
    for company_id in company_ids:
        engagement = current.get(company_id)
        lead = engagement.lead if engagement else None
        count, last = sessions.get(company_id, (0, None))
        summaries[company_id] = SupportSummary(
            phase=engagement.phase if engagement else None,
            lead_organisation=lead.organisation.display_name if lead and lead.organisation else None,
            session_count=count,
            last_session_on=last,
        )
    return summaries


def support_summary(company: Company, engagements: list[Engagement]) -> SupportSummary:
    """Phase and lead organisation of the current engagement; sessions over all engagements."""
    current = engagements[0] if engagements else None
    lead = current.lead if current else None
    count, last = db.session.execute(
        sa.select(sa.func.count(DialogueSession.id), sa.func.max(DialogueSession.held_on))
        .join(Engagement, DialogueSession.engagement_id == Engagement.id)
        .where(Engagement.company_id == company.id)
    ).one()
    return SupportSummary(
        phase=current.phase if current else None,
        lead_organisation=lead.organisation.display_name if lead and lead.organisation else None,
        session_count=count,
        last_session_on=last,
    )
