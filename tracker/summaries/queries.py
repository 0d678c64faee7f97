"""The figures of the regional summary, counted by the database.

Everything starts from `visible_companies(user)` restricted to the chosen
regions, then counts the engagements of those companies, and adds up the
stored tallies of their sessions, insights and actions (per engagement and
fiscal quarter, tracker/models/tallies.py). Only ids, dates, states, categories and durations are ever
selected: no text column of a case record leaves the database here, which is
what lets officials see these figures. A page runs the same few queries
whatever the number of companies.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from tracker.companies.queries import current_order
from tracker.extensions import db
from tracker.models import (
    Barrier,
    Company,
    Engagement,
    InsightCategory,
    Phase,
    PhaseChange,
    Region,
    RegionTally,
    User,
)
from tracker.permissions import regions_in_scope, visible_companies
from tracker.pipeline.fiscal import quarter_bounds, year_bounds
from tracker.summaries.tallies import BARRIER, CATEGORY, DUE, INSIGHTS, MINUTES, ON_TIME, SESSIONS, WHOLE_YEAR

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
    """All the figures of the page: two queries."""
    figures = Figures()
    _engagement_figures(scope, figures)
    _tallied(scope, figures)
    return figures


def _engagement_figures(scope: Scope, figures: Figures) -> None:
    """Companies supported during the period (an engagement started by its end and
    not closed before its start), by the current phase of their current
    engagement, and how many of them reached self-running by its end; companies
    whose engagement opened, and whose engagement closed, in the period.

    One statement over the engagements in scope (about one per company) and
    their moves to self-running or closed, ranked with a window function: no
    subquery per company.
    """
    start, end = scope.bounds
    engagements = (
        sa.select(Engagement.id, Engagement.company_id, Engagement.phase, Engagement.phase_since,
                  Engagement.started_on)
        .where(Engagement.company_id.in_(company_ids(scope)))
        .cte("scoped")
    )
    moves = (
        sa.select(engagements.c.company_id, PhaseChange.to_phase, PhaseChange.changed_on)
        .join(PhaseChange, PhaseChange.engagement_id == engagements.c.id)
        .where(PhaseChange.to_phase.in_((Phase.SELF_RUNNING, Phase.CLOSED)), PhaseChange.changed_on <= end)
        .cte("moves")
    )
    rank = sa.func.row_number().over(partition_by=engagements.c.company_id, order_by=current_order(engagements.c))
    ranked = sa.select(engagements.c.company_id, engagements.c.phase, rank.label("rank")).subquery("ranked")
    active = sa.select(engagements.c.company_id).where(
        engagements.c.started_on <= end,
        sa.or_(engagements.c.phase != Phase.CLOSED, engagements.c.phase_since >= start),
    )
    reached = sa.select(moves.c.company_id).where(moves.c.to_phase == Phase.SELF_RUNNING)
    phase = sa.type_coerce(ranked.c.phase, sa.String)  # read as text: the union mixes it with NULLs
    by_phase = (
        sa.select(sa.literal("phase"), phase, sa.func.count(),
                  sa.func.sum(sa.case((ranked.c.company_id.in_(reached), 1), else_=0)))
        .where(ranked.c.rank == 1, ranked.c.company_id.in_(active))
        .group_by(phase)
    )
    opened = sa.select(sa.literal("opened"), sa.null(), sa.func.count(sa.distinct(engagements.c.company_id)),
                       sa.null()).where(engagements.c.started_on.between(start, end))
    closed = sa.select(sa.literal("closed"), sa.null(), sa.func.count(sa.distinct(moves.c.company_id)),
                       sa.null()).where(moves.c.to_phase == Phase.CLOSED, moves.c.changed_on >= start)
    figures.phases = dict.fromkeys(Phase, 0)
    for kind, phase_value, count, reached_count in db.session.execute(sa.union_all(by_phase, opened, closed)):
        if kind == "phase":
            figures.phases[Phase(phase_value)] = count
            figures.supported += count
            figures.self_running += int(reached_count or 0)
        else:
            setattr(figures, kind, count)


def _region_figures(scope: Scope) -> dict[tuple[int, str, str], Tally]:
    """The stored region tallies (tracker/models/tallies.py) of the fiscal year, added
    up over the chosen regions: {(period, measure, key): Tally}, period 0 being
    the whole year. Regions add up exactly: a company belongs to one region."""
    regions = (
        regions_in_scope(scope.user).where(Region.id.in_(scope.region_ids)).with_only_columns(Region.id).order_by(None)
    )
    query = (
        sa.select(RegionTally.period, RegionTally.measure, RegionTally.key,
                  sa.func.sum(RegionTally.value), sa.func.sum(RegionTally.companies))
        .where(
            RegionTally.region_id.in_(regions),
            RegionTally.fiscal_year == scope.year,
            # The sessions of every quarter (the trend); everything else of the period only.
            sa.or_(RegionTally.measure.in_((SESSIONS, MINUTES)), RegionTally.period == (scope.quarter or WHOLE_YEAR)),
        )
        .group_by(RegionTally.period, RegionTally.measure, RegionTally.key)
    )
    return {(period, measure, key): Tally(int(value), int(companies))
            for period, measure, key, value, companies in db.session.execute(query)}


def _tallied(scope: Scope, figures: Figures) -> None:
    """Sessions per quarter and over the year; insights by category and barrier, and
    actions due, in the period: one query over the region tallies."""
    fill_from_tallies(figures, _region_figures(scope), scope.quarter)


def fill_from_tallies(figures: Figures, found: dict, quarter: int | None) -> None:
    """Set the figures from region tallies added up as {(period, measure, key): Tally}
    (the bench's floor reads the same tallies with its own SQL and fills them here too)."""

    def tally(measure: str, key: str = "", period: int | None = None) -> Tally:
        period = (quarter or WHOLE_YEAR) if period is None else period
        return found.get((period, measure, key), Tally())

    figures.trend = {}
    for key, period in [*((quarter_, quarter_) for quarter_ in QUARTERS), ("year", WHOLE_YEAR)]:
        sessions = tally(SESSIONS, period=period)
        figures.trend[key] = (sessions, Tally(tally(MINUTES, period=period).value, sessions.companies))
    figures.categories = {category: tally(CATEGORY, category.value) for category in InsightCategory}
    figures.barriers = {barrier: tally(BARRIER, barrier.value if barrier else "") for barrier in (*Barrier, None)}
    figures.insights = tally(INSIGHTS)
    figures.actions_due, figures.actions_on_time = tally(DUE), tally(ON_TIME).value
