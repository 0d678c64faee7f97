"""What the pipeline board reads: engagements in scope with their figures,
the counts per phase and the attention flags.

Every list starts from permissions.case_engagements(). The figures of an
engagement (last session, open and overdue actions, lead) come from aggregate
subqueries joined in SQL, so a page runs the same number of queries whatever
the number of engagements.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.companies.queries import industry_condition
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionState,
    Company,
    DialogueSession,
    Engagement,
    EngagementMember,
    Organisation,
    Phase,
    Region,
    User,
)
from tracker.permissions import case_engagements

OPEN_PHASES = [phase for phase in Phase if phase != Phase.CLOSED]
# "Much longer than usual": more than this many times the median of the phase...
LONG_IN_PHASE_FACTOR = 2
# ...when at least this many engagements are in the phase to compare with.
LONG_IN_PHASE_MIN_PEERS = 3
SORTS = ("company", "region", "lead", "phase", "days", "last_session", "open", "overdue")
VIEWS = ("board", "table")


@dataclass
class PipelineFilters:
    """The board's filters, view and order, as read from the query string."""

    region: int | None = None
    organisation: int | None = None
    consultant: int | None = None
    industry: str = ""
    phase: str = ""
    closed: bool = False
    view: str = "board"
    sort: str = "days"
    direction: str = "desc"

    @property
    def shows_closed(self) -> bool:
        return self.closed or self.phase == Phase.CLOSED.value

    def as_args(self, **changes) -> dict:
        """For links to the same board (pagination, sorting, views): empty values left out."""
        args = {
            "region": self.region, "organisation": self.organisation, "consultant": self.consultant,
            "industry": self.industry, "phase": self.phase, "closed": "1" if self.closed else "",
            "view": self.view if self.view != "board" else "", "sort": self.sort, "direction": self.direction,
        }
        if self.view != "table":
            args.update(sort="", direction="")
        args.update(changes)
        return {key: value for key, value in args.items() if value}

    def filter_args(self) -> dict:
        """Only the filters (the phase too): what a count per phase keeps."""
        return self.as_args(view="", sort="", direction="", phase="")


@dataclass
class PipelineRow:
    """One engagement as the board shows it."""

    engagement: Engagement
    last_session_on: date | None
    open_actions: int
    overdue_actions: int
    days_in_phase: int
    flags: list[str] = field(default_factory=list)

    @property
    def lead(self) -> User | None:
        return self.engagement.lead


# ---- figures -----------------------------------------------------------------


def _last_sessions() -> sa.Subquery:
    return (
        sa.select(DialogueSession.engagement_id, sa.func.max(DialogueSession.held_on).label("last_session_on"))
        .group_by(DialogueSession.engagement_id)
        .subquery("last_sessions")
    )


def _action_counts(today: date) -> sa.Subquery:
    is_open = Action.state.in_(ActionState.open_states())
    is_overdue = sa.and_(is_open, Action.due_on.is_not(None), Action.due_on < today)
    return (
        sa.select(
            Action.engagement_id,
            sa.func.sum(sa.case((is_open, 1), else_=0)).label("open_actions"),
            sa.func.sum(sa.case((is_overdue, 1), else_=0)).label("overdue_actions"),
        )
        .group_by(Action.engagement_id)
        .subquery("action_counts")
    )


def _lead_names() -> sa.Subquery:
    return (
        sa.select(EngagementMember.engagement_id, sa.func.min(User.name).label("lead_name"))
        .join(User, User.id == EngagementMember.user_id)
        .where(EngagementMember.is_lead.is_(True))
        .group_by(EngagementMember.engagement_id)
        .subquery("leads")
    )


def _with_figures(query: sa.Select, today: date) -> tuple[sa.Select, dict]:
    """Join the figures to a select of engagements; return it and the figure columns."""
    sessions, actions, leads = _last_sessions(), _action_counts(today), _lead_names()
    columns = {
        "last_session_on": sessions.c.last_session_on,
        "open_actions": sa.func.coalesce(actions.c.open_actions, 0),
        "overdue_actions": sa.func.coalesce(actions.c.overdue_actions, 0),
        "lead_name": leads.c.lead_name,
    }
    query = (
        query.outerjoin(sessions, sessions.c.engagement_id == Engagement.id)
        .outerjoin(actions, actions.c.engagement_id == Engagement.id)
        .outerjoin(leads, leads.c.engagement_id == Engagement.id)
    )
    return query, columns


def _shown_with() -> list:
    """Load what a card shows: company, region, team (lead) and organisations."""
    return [
        joinedload(Engagement.company).joinedload(Company.region),
        selectinload(Engagement.members).joinedload(EngagementMember.user).joinedload(User.organisation),
    ]


# ---- the filtered list ---------------------------------------------------------


def filtered(user: User, filters: PipelineFilters, *, by_phase: bool = True, hide_closed: bool = True) -> sa.Select:
    """The user's pipeline engagements under the filters (joined to their company)."""
    query = case_engagements(user).join(Engagement.company)
    if filters.region:
        query = query.where(Company.region_id == filters.region)
    if filters.industry:
        query = query.where(industry_condition(filters.industry))
    if filters.organisation:
        query = query.where(
            sa.exists()
            .where(EngagementMember.engagement_id == Engagement.id, EngagementMember.is_lead.is_(True))
            .where(EngagementMember.user_id.in_(sa.select(User.id).where(User.organisation_id == filters.organisation)))
        )
    if filters.consultant:
        query = query.where(
            sa.exists().where(
                EngagementMember.engagement_id == Engagement.id, EngagementMember.user_id == filters.consultant
            )
        )
    if by_phase and filters.phase:
        query = query.where(Engagement.phase == filters.phase)
    if hide_closed and not filters.shows_closed:
        query = query.where(Engagement.phase != Phase.CLOSED)
    return query


def phase_counts(user: User, filters: PipelineFilters) -> dict[Phase, int]:
    """Engagements per phase under every filter but the phase (closed ones counted too)."""
    query = filtered(user, filters, by_phase=False, hide_closed=False)
    rows = db.session.execute(
        query.with_only_columns(Engagement.phase, sa.func.count(Engagement.id)).group_by(Engagement.phase)
    )
    counts = dict.fromkeys(Phase, 0)
    counts.update({Phase(phase): n for phase, n in rows})
    return counts


def pipeline_rows(user: User, filters: PipelineFilters, today: date) -> list[PipelineRow]:
    """Every engagement under the filters with its figures, longest in phase first."""
    query, columns = _with_figures(filtered(user, filters), today)
    query = query.add_columns(columns["last_session_on"], columns["open_actions"], columns["overdue_actions"])
    result = db.session.execute(
        query.options(*_shown_with()).order_by(Engagement.phase_since, Engagement.id)
    )
    return [_row(engagement, last, n_open, n_overdue, today) for engagement, last, n_open, n_overdue in result]


def _row(engagement, last, n_open, n_overdue, today) -> PipelineRow:
    return PipelineRow(
        engagement=engagement, last_session_on=last, open_actions=int(n_open or 0),
        overdue_actions=int(n_overdue or 0), days_in_phase=(today - engagement.phase_since).days,
    )


def sorted_page(user: User, filters: PipelineFilters, today: date, page: int, per_page: int):
    """The table: one page of engagements in the chosen order, and their rows."""
    query, columns = _with_figures(filtered(user, filters), today)
    phase_order = sa.case({phase.value: n for n, phase in enumerate(Phase)}, value=Engagement.phase)
    # (expression, True when ascending figures mean a descending expression)
    key, inverted = {
        "company": (sa.case((Company.kana == "", Company.name), else_=Company.kana), False),
        "region": (Region.code, False),
        "lead": (sa.func.coalesce(columns["lead_name"], ""), False),
        "phase": (phase_order, False),
        # More days in the phase = an earlier phase_since.
        "days": (Engagement.phase_since, True),
        "last_session": (sa.func.coalesce(columns["last_session_on"], date(1900, 1, 1)), False),
        "open": (columns["open_actions"], False),
        "overdue": (columns["overdue_actions"], False),
    }[filters.sort]
    if filters.sort == "region":
        query = query.join(Region, Region.id == Company.region_id)
    ascending = (filters.direction == "asc") != inverted
    keys = [key.asc() if ascending else key.desc()]
    query = query.options(*_shown_with()).order_by(*keys, Engagement.id)
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return pagination, rows_for(pagination.items, today)


def rows_for(engagements: list[Engagement], today: date) -> list[PipelineRow]:
    """The figures of these engagements (already loaded), in one query."""
    if not engagements:
        return []
    query, columns = _with_figures(sa.select(Engagement.id), today)
    figures = {
        engagement_id: (last, n_open, n_overdue)
        for engagement_id, last, n_open, n_overdue in db.session.execute(
            query.add_columns(columns["last_session_on"], columns["open_actions"], columns["overdue_actions"])
            .where(Engagement.id.in_([engagement.id for engagement in engagements]))
        )
    }
    return [_row(engagement, *figures[engagement.id], today) for engagement in engagements]


# ---- attention flags -------------------------------------------------------------


@dataclass
class Flags:
    """Open engagements that need the manager's attention, by reason."""

    stalled: list[PipelineRow]
    overdue: list[PipelineRow]
    long_in_phase: list[PipelineRow]
    medians: dict[Phase, float]
    stalled_after_days: int

    def __bool__(self) -> bool:
        return bool(self.stalled or self.overdue or self.long_in_phase)


def phase_medians(user: User, today: date) -> dict[Phase, float]:
    """Median days in phase of the open engagements in the user's scope, per phase
    with enough engagements to compare (computed here: portable across databases)."""
    days: dict[Phase, list[int]] = {}
    rows = db.session.execute(
        case_engagements(user)
        .where(Engagement.phase != Phase.CLOSED)
        .with_only_columns(Engagement.phase, Engagement.phase_since)
    )
    for phase, since in rows:
        days.setdefault(Phase(phase), []).append((today - since).days)
    return {
        phase: statistics.median(values) for phase, values in days.items() if len(values) >= LONG_IN_PHASE_MIN_PEERS
    }


def attention_flags(user: User, rows: list[PipelineRow], today: date, stalled_after_days: int) -> Flags:
    """Flag the open engagements among `rows`: stalled, with overdue actions,
    or in their phase much longer than the median for that phase."""
    medians = phase_medians(user, today)
    # Stalled: the last session (or the start, when none) is at least this far back.
    stalled_before = today - timedelta(days=stalled_after_days)
    flags = Flags([], [], [], medians, stalled_after_days)
    for row in rows:
        engagement = row.engagement
        if engagement.phase == Phase.CLOSED:
            continue
        if (row.last_session_on or engagement.started_on) <= stalled_before:
            row.flags.append("stalled")
            flags.stalled.append(row)
        if row.overdue_actions:
            row.flags.append("overdue")
            flags.overdue.append(row)
        median = medians.get(engagement.phase)
        if median is not None and row.days_in_phase > LONG_IN_PHASE_FACTOR * median:
            row.flags.append("long_in_phase")
            flags.long_in_phase.append(row)
    return flags


# ---- filter choices ------------------------------------------------------------


def organisation_choices() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def consultant_choices(user: User) -> list[User]:
    """People on the team of at least one engagement of the user's pipeline."""
    engagement_ids = case_engagements(user).with_only_columns(Engagement.id)
    member_ids = sa.select(EngagementMember.user_id).where(EngagementMember.engagement_id.in_(engagement_ids))
    return list(db.session.scalars(sa.select(User).where(User.id.in_(member_ids)).order_by(User.name, User.id)))
