"""The figures of the regional summary, counted by the database.

Everything starts from `visible_companies(user)` restricted to the chosen
regions, then counts the engagements, sessions, insights and actions of those
companies. Only ids, dates, states, categories and durations are ever
selected: no text column of a case record leaves the database here, which is
what lets officials see these figures. A page runs the same few queries
whatever the number of companies.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import get_timezone

from tracker.companies.queries import current_phase
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionState,
    Barrier,
    Company,
    DialogueSession,
    Engagement,
    Insight,
    InsightCategory,
    Phase,
    PhaseChange,
    User,
)
from tracker.permissions import visible_companies
from tracker.pipeline.fiscal import quarter_bounds, quarter_start, year_bounds

QUARTERS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Scope:
    """Whose figures: the user's companies in these regions, over a period of a fiscal year."""

    user: User
    region_ids: tuple[int, ...]
    year: int
    quarter: int | None = None

    @property
    def bounds(self) -> tuple[date, date]:
        return quarter_bounds(self.year, self.quarter) if self.quarter else year_bounds(self.year)


@dataclass
class Tally:
    """A figure and the number of distinct companies behind it."""

    value: int = 0
    companies: int = 0


@dataclass
class Figures:
    """Everything the summary shows, exact (protection is applied when shown)."""

    phases: dict = field(default_factory=dict)  # Phase -> companies
    supported: int = 0
    self_running: int = 0
    opened: int = 0
    closed: int = 0
    trend: dict = field(default_factory=dict)  # quarter or "year" -> (sessions Tally, minutes Tally)
    categories: dict = field(default_factory=dict)  # InsightCategory -> Tally
    barriers: dict = field(default_factory=dict)  # Barrier or None -> Tally
    insights: Tally = field(default_factory=Tally)
    actions_due: Tally = field(default_factory=Tally)
    actions_on_time: int = 0


def company_ids(scope: Scope) -> sa.Select:
    """Ids of the companies in scope and in the chosen regions."""
    return (
        visible_companies(scope.user)
        .where(Company.region_id.in_(scope.region_ids))
        .with_only_columns(Company.id)
    )


def _engagements(scope: Scope) -> sa.Select:
    return sa.select(Engagement.id, Engagement.company_id).where(Engagement.company_id.in_(company_ids(scope)))


def summary_figures(scope: Scope) -> Figures:
    """All the figures of the page: seven queries."""
    figures = Figures()
    _supported(scope, figures)
    _opened_closed(scope, figures)
    _trend(scope, figures)
    _insights(scope, figures)
    _actions(scope, figures)
    return figures


def _supported(scope: Scope, figures: Figures) -> None:
    """Companies supported during the period (an engagement started by its end and
    not closed before its start), by the current phase of their current
    engagement; and how many of them ever reached self-running."""
    start, end = scope.bounds
    active = sa.exists().where(
        Engagement.company_id == Company.id,
        Engagement.started_on <= end,
        sa.or_(Engagement.phase != Phase.CLOSED, Engagement.phase_since >= start),
    )
    reached = sa.exists().where(
        Engagement.company_id == Company.id,
        PhaseChange.engagement_id == Engagement.id,
        PhaseChange.to_phase == Phase.SELF_RUNNING,
        PhaseChange.changed_on <= end,
    )
    rows = (
        sa.select(current_phase().label("phase"), sa.case((reached, 1), else_=0).label("reached"))
        .select_from(Company)
        .where(Company.id.in_(company_ids(scope)), active)
        .subquery()
    )
    query = sa.select(rows.c.phase, sa.func.count(), sa.func.sum(rows.c.reached)).group_by(rows.c.phase)
    figures.phases = dict.fromkeys(Phase, 0)
    for phase, count, reached_count in db.session.execute(query):
        figures.phases[Phase(phase)] = count
        figures.supported += count
        figures.self_running += int(reached_count or 0)


def _opened_closed(scope: Scope, figures: Figures) -> None:
    """Companies whose engagement opened, and whose engagement closed, in the period."""
    start, end = scope.bounds
    ids = company_ids(scope)
    opened = sa.select(sa.func.count(sa.distinct(Engagement.company_id))).where(
        Engagement.company_id.in_(ids), Engagement.started_on.between(start, end)
    )
    closed = (
        sa.select(sa.func.count(sa.distinct(Engagement.company_id)))
        .join(PhaseChange, PhaseChange.engagement_id == Engagement.id)
        .where(
            Engagement.company_id.in_(ids),
            PhaseChange.to_phase == Phase.CLOSED,
            PhaseChange.changed_on.between(start, end),
        )
    )
    figures.opened, figures.closed = db.session.execute(
        sa.select(opened.scalar_subquery(), closed.scalar_subquery())
    ).one()


def _quarter_case(column, year: int):
    """SQL: the fiscal quarter (1–4) of a date within fiscal year `year`."""
    return sa.case(
        (column < quarter_start(year, 2), 1),
        (column < quarter_start(year, 3), 2),
        (column < quarter_start(year, 4), 3),
        else_=4,
    )


def _trend(scope: Scope, figures: Figures) -> None:
    """Sessions held and their minutes per quarter of the fiscal year, and over it."""
    first, last = year_bounds(scope.year)
    held = (
        sa.select(
            _quarter_case(DialogueSession.held_on, scope.year).label("quarter"),
            DialogueSession.duration_minutes.label("minutes"),
            Engagement.company_id.label("company_id"),
        )
        .join(Engagement, Engagement.id == DialogueSession.engagement_id)
        .where(Engagement.company_id.in_(company_ids(scope)), DialogueSession.held_on.between(first, last))
        .subquery()
    )
    # One pass over the sessions: per quarter and company first (a few rows per
    # company), then the quarters and the year from that. Grouped outside the
    # subquery: PostgreSQL does not match a CASE with bound parameters between
    # SELECT and GROUP BY. ROLLUP is not on SQLite, hence the union.
    per_company = (
        sa.select(
            held.c.quarter, held.c.company_id, sa.func.count().label("sessions"),
            sa.func.sum(held.c.minutes).label("minutes"),
        )
        .group_by(held.c.quarter, held.c.company_id)
        .cte("per_company")
    )
    companies = sa.func.count(sa.distinct(per_company.c.company_id))
    sessions, minutes = sa.func.sum(per_company.c.sessions), sa.func.sum(per_company.c.minutes)
    per_quarter = sa.select(per_company.c.quarter, sessions, minutes, companies).group_by(per_company.c.quarter)
    whole_year = sa.select(sa.literal(0), sessions, minutes, companies)
    figures.trend = {key: (Tally(), Tally()) for key in (*QUARTERS, "year")}
    for quarter, count, minutes, company_count in db.session.execute(sa.union_all(per_quarter, whole_year)):
        key = "year" if quarter == 0 else int(quarter)
        figures.trend[key] = (Tally(int(count or 0), company_count), Tally(int(minutes or 0), company_count))


def local_midnight(day: date) -> datetime:
    """The start of a local calendar day, as an aware datetime (stored timestamps are UTC)."""
    return datetime.combine(day, time.min, tzinfo=get_timezone())


def _insights(scope: Scope, figures: Figures) -> None:
    """Insights recorded in the period by category and by barrier, and how many companies hold them."""
    start, end = scope.bounds
    # One pass over the insights, grouped per category, barrier and company (a
    # few rows per company); the three tallies are summed from that.
    rows = (
        sa.select(Insight.category, Insight.barrier, Engagement.company_id, sa.func.count().label("insights"))
        .join(Engagement, Engagement.id == Insight.engagement_id)
        .where(
            Engagement.company_id.in_(company_ids(scope)),
            Insight.created_at >= local_midnight(start),
            Insight.created_at < local_midnight(end + timedelta(days=1)),
        )
        .group_by(Insight.category, Insight.barrier, Engagement.company_id)
        .cte("insight_groups")
    )
    companies, count = sa.func.count(sa.distinct(rows.c.company_id)), sa.func.sum(rows.c.insights)
    # Read as plain text: the union mixes category and barrier values.
    category, barrier = sa.type_coerce(rows.c.category, sa.String), sa.type_coerce(rows.c.barrier, sa.String)
    by_category = sa.select(sa.literal("category"), category, count, companies).group_by(category)
    by_barrier = sa.select(sa.literal("barrier"), barrier, count, companies).group_by(barrier)
    total = sa.select(sa.literal("total"), sa.null(), count, companies)
    figures.categories = {category: Tally() for category in InsightCategory}
    figures.barriers = {barrier: Tally() for barrier in (*Barrier, None)}
    for kind, value, count, company_count in db.session.execute(sa.union_all(by_category, by_barrier, total)):
        count = int(count or 0)
        if kind == "category":
            figures.categories[InsightCategory(value)] = Tally(count, company_count)
        elif kind == "barrier":
            figures.barriers[Barrier(value) if value else None] = Tally(count, company_count)
        else:
            figures.insights = Tally(count, company_count)


def _actions(scope: Scope, figures: Figures) -> None:
    """Actions due in the period (dropped ones aside) and those done by their due date."""
    start, end = scope.bounds
    on_time = sa.and_(
        Action.state == ActionState.DONE, Action.done_on.is_not(None), Action.done_on <= Action.due_on
    )
    due, companies, done = db.session.execute(
        sa.select(
            sa.func.count(),  # not count(id): answered from the index alone (migration 0009)
            sa.func.count(sa.distinct(Engagement.company_id)),
            sa.func.sum(sa.case((on_time, 1), else_=0)),
        )
        .join(Engagement, Engagement.id == Action.engagement_id)
        .where(
            Engagement.company_id.in_(company_ids(scope)),
            Action.due_on.between(start, end),
            Action.state != ActionState.DROPPED,
        )
    ).one()
    figures.actions_due, figures.actions_on_time = Tally(due, companies), int(done or 0)
