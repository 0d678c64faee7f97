"""Queries behind the flow-over-time and workload pages.

Everything starts from `case_engagements(user)`: the rows a manager,
consultant or admin sees are computed over the engagements in their scope
only. Counts and sums are done by the database (GROUP BY), so each page runs
the same few queries whatever the number of engagements or consultants.
"""

from dataclasses import dataclass, field
from datetime import date
from statistics import median

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    Action,
    ActionState,
    Engagement,
    EngagementMember,
    Phase,
    PhaseChange,
    User,
    WorkloadTally,
)
from tracker.permissions import case_engagements
from tracker.pipeline.fiscal import FIRST_MONTH, fiscal_quarter, quarter_start, year_bounds

QUARTERS = (1, 2, 3, 4)


def _engagement_ids(user: User) -> sa.Select:
    return case_engagements(user).with_only_columns(Engagement.id)


def _changes_in_scope(user: User) -> sa.ColumnElement[bool]:
    return PhaseChange.engagement_id.in_(_engagement_ids(user))


# ---- flow over time ------------------------------------------------------------


def fiscal_years_with_data(user: User) -> list[int]:
    """Fiscal years in which a phase change of the user's engagements is dated, newest first."""
    month = sa.extract("month", PhaseChange.changed_on)
    years = (
        sa.select(
            (sa.extract("year", PhaseChange.changed_on) - sa.case((month < FIRST_MONTH, 1), else_=0)).label("fy")
        )
        .where(_changes_in_scope(user))
        .subquery()
    )
    return [int(year) for year in db.session.scalars(sa.select(years.c.fy).distinct())]


def _quarter_of(column, year: int):
    """SQL: the fiscal quarter (1–4) of a date already known to be in fiscal year `year`."""
    return sa.case(
        (column < quarter_start(year, 2), 1),
        (column < quarter_start(year, 3), 2),
        (column < quarter_start(year, 4), 3),
        else_=4,
    )


@dataclass
class PhaseFlow:
    """One phase over a fiscal year: per quarter (1–4) and for the whole year."""

    phase: Phase
    entered: dict = field(default_factory=lambda: dict.fromkeys((*QUARTERS, "year"), 0))
    left: dict = field(default_factory=lambda: dict.fromkeys((*QUARTERS, "year"), 0))
    median_days: dict = field(default_factory=lambda: dict.fromkeys((*QUARTERS, "year")))


def phase_flow(user: User, year: int) -> list[PhaseFlow]:
    """For each phase: engagements that entered and left it in each quarter of
    fiscal year `year`, and the median days spent in it by the spells that
    ended (left the phase) in that quarter. Two queries."""
    flows = {phase: PhaseFlow(phase) for phase in Phase}
    for kind, phase, quarter, count in db.session.execute(_moves_by_quarter(user, year)):
        counts = getattr(flows[Phase(phase)], kind)
        counts[quarter] = count
        counts["year"] += count
    durations = {phase: {quarter: [] for quarter in (*QUARTERS, "year")} for phase in Phase}
    for phase, entered_on, left_on in db.session.execute(_spells_ended_in(user, year)):
        days = (left_on - entered_on).days
        durations[Phase(phase)][fiscal_quarter(left_on)].append(days)
        durations[Phase(phase)]["year"].append(days)
    for phase, by_quarter in durations.items():
        for quarter, days in by_quarter.items():
            flows[phase].median_days[quarter] = median(days) if days else None
    return list(flows.values())


def _moves_by_quarter(user: User, year: int) -> sa.Select:
    """(kind, phase, quarter, count): kind "entered" counts changes into a phase,
    "left" changes out of it, dated within the fiscal year."""
    first, last = year_bounds(year)
    in_year = (_changes_in_scope(user), PhaseChange.changed_on.between(first, last))
    quarter = _quarter_of(PhaseChange.changed_on, year)
    entered = sa.select(
        sa.literal_column("'entered'").label("kind"), PhaseChange.to_phase.label("phase"), quarter.label("quarter")
    ).where(*in_year)
    left = sa.select(
        sa.literal_column("'left'"), PhaseChange.from_phase, quarter
    ).where(*in_year, PhaseChange.from_phase.is_not(None))
    # Grouped outside the UNION: the CASE carries parameters, which PostgreSQL
    # would not recognise as the same expression in SELECT and GROUP BY.
    moves = sa.union_all(entered, left).subquery()
    return sa.select(moves.c.kind, moves.c.phase, moves.c.quarter, sa.func.count()).group_by(
        moves.c.kind, moves.c.phase, moves.c.quarter
    )


def _spells_ended_in(user: User, year: int) -> sa.Select:
    """(phase, entered on, left on) of each stay in a phase that ended in the
    fiscal year: a change out of a phase and the change before it on the same
    engagement, which is the one that brought it into that phase."""
    first, last = year_bounds(year)
    entered_on = sa.func.lag(PhaseChange.changed_on, type_=sa.Date).over(
        partition_by=PhaseChange.engagement_id, order_by=(PhaseChange.changed_on, PhaseChange.id)
    )
    changes = (
        sa.select(PhaseChange.from_phase, entered_on.label("entered_on"), PhaseChange.changed_on)
        .where(_changes_in_scope(user), PhaseChange.changed_on <= last)
        .subquery()
    )
    return sa.select(changes.c.from_phase, changes.c.entered_on, changes.c.changed_on).where(
        changes.c.changed_on >= first, changes.c.from_phase.is_not(None), changes.c.entered_on.is_not(None)
    )


# ---- workload ------------------------------------------------------------------------


@dataclass
class Workload:
    """One team member's load over a period, within the viewer's engagements."""

    user: User
    active_engagements: int
    sessions: int = 0
    minutes: int = 0
    open_actions: int = 0

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def workload(user: User, start: date, end: date) -> list[Workload]:
    """Per member of the teams of the viewer's engagements, over start–end (inclusive):

    - active engagements: those they are on that had started by `end` and were
      not closed before `start`;
    - sessions held in the period that they attended (team attendee) or wrote
      (author), each counted once, and the hours of those sessions;
    - actions they own that are open now (planned or in progress).
    Four queries whatever the number of people."""
    ids = _engagement_ids(user)
    active = sa.and_(
        Engagement.started_on <= end, sa.or_(Engagement.phase != Phase.CLOSED, Engagement.phase_since >= start)
    )
    # Counted per member first, then joined to the members: grouping the join
    # with every column of users cost twice as much for an admin's ~700 people.
    per_member = (
        sa.select(EngagementMember.user_id, sa.func.sum(sa.case((active, 1), else_=0)).label("active"))
        .join(Engagement, Engagement.id == EngagementMember.engagement_id)
        .where(Engagement.id.in_(ids))
        .group_by(EngagementMember.user_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(User, per_member.c.active)
        .join(per_member, per_member.c.user_id == User.id)
        .options(sa.orm.selectinload(User.organisation))
    ).all()
    loads = {member.id: Workload(member, int(count or 0)) for member, count in rows}
    for user_id, count, minutes in db.session.execute(_sessions_per_person(ids, start, end)):
        if user_id in loads:
            loads[user_id].sessions, loads[user_id].minutes = count, int(minutes or 0)
    open_actions = db.session.execute(
        sa.select(Action.owner_user_id, sa.func.count())
        .where(
            Action.engagement_id.in_(ids),
            Action.owner_user_id.is_not(None),
            Action.state.in_(ActionState.open_states()),
        )
        .group_by(Action.owner_user_id)
    )
    for user_id, count in open_actions:
        if user_id in loads:
            loads[user_id].open_actions = count
    return sorted(loads.values(), key=lambda load: (load.user.name, load.user.id))


def _sessions_per_person(engagement_ids: sa.Select, start: date, end: date) -> sa.Select:
    """(user id, sessions, minutes) for sessions held start–end on these engagements,
    from the stored tallies (WorkloadTally: a person's sessions per engagement and day)."""
    return (
        sa.select(WorkloadTally.user_id, sa.func.sum(WorkloadTally.sessions), sa.func.sum(WorkloadTally.minutes))
        .where(WorkloadTally.engagement_id.in_(engagement_ids), WorkloadTally.held_on.between(start, end))
        .group_by(WorkloadTally.user_id)
    )
