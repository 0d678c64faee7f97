"""What the pipeline board reads: engagements in scope with their figures,
the counts per phase and the attention flags.

Every list starts from permissions.case_engagements(). At national scale an
admin's pipeline holds thousands of engagements and a million sessions, so the
board shows the first CARDS_PER_COLUMN cards of each phase (the table has them
all, a page at a time) and the first FLAGS_LISTED of each attention flag (all
counted). The figures of an engagement (last session, open and overdue actions)
are correlated subqueries answered from an index, worked out only for the rows
a page shows; a page runs the same number of queries whatever the numbers.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

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
# An admin's board may hold thousands of engagements: each column shows this
# many (the longest in their phase), and links to the table for the rest.
CARDS_PER_COLUMN = 10
# Each kind of attention flag lists this many engagements, and counts them all.
FLAGS_LISTED = 10
FLAG_KINDS = ("stalled", "overdue", "long_in_phase")
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
#
# The figures of an engagement are correlated subqueries, each one index look-up
# (dialogue_sessions and actions by engagement_id, see migration 0009): they are
# worked out only for the engagements a page shows or orders, never grouped over
# every session of the database.


def _last_session_on() -> sa.ScalarSelect:
    return (
        sa.select(sa.func.max(DialogueSession.held_on))
        .where(DialogueSession.engagement_id == Engagement.id, DialogueSession.deleted_at.is_(None))
        .correlate(Engagement)
        .scalar_subquery()
    )


def _action_count(today: date | None = None) -> sa.ScalarSelect:
    """Open actions of the engagement; only the overdue ones when `today` is given."""
    conditions = [
        Action.engagement_id == Engagement.id,
        Action.state.in_(ActionState.open_states()),
        Action.deleted_at.is_(None),
    ]
    if today is not None:
        conditions += [Action.due_on.is_not(None), Action.due_on < today]
    # count(*), not count(id): answered from the index alone (see migration 0009).
    return sa.select(sa.func.count()).select_from(Action).where(*conditions).correlate(Engagement).scalar_subquery()


def _lead_name() -> sa.ScalarSelect:
    return (
        sa.select(sa.func.min(User.name))
        .join(EngagementMember, EngagementMember.user_id == User.id)
        .where(EngagementMember.engagement_id == Engagement.id, EngagementMember.is_lead.is_(True))
        .correlate(Engagement)
        .scalar_subquery()
    )


def _shown_with() -> list:
    """Load what a card shows: company, region, team (lead) and organisations."""
    return [
        joinedload(Engagement.company).joinedload(Company.region),
        selectinload(Engagement.members).joinedload(EngagementMember.user).joinedload(User.organisation),
    ]


# ---- the filtered list ---------------------------------------------------------


def _filter_conditions(filters: PipelineFilters) -> list:
    """The filters but the phase, as conditions on Engagement joined to its Company."""
    conditions = []
    if filters.region:
        conditions.append(Company.region_id == filters.region)
    if filters.industry:
        conditions.append(industry_condition(filters.industry))
    if filters.organisation:
        conditions.append(
            sa.exists()
            .where(EngagementMember.engagement_id == Engagement.id, EngagementMember.is_lead.is_(True))
            .where(EngagementMember.user_id.in_(sa.select(User.id).where(User.organisation_id == filters.organisation)))
        )
    if filters.consultant:
        conditions.append(
            sa.exists().where(
                EngagementMember.engagement_id == Engagement.id, EngagementMember.user_id == filters.consultant
            )
        )
    return conditions


def filtered(user: User, filters: PipelineFilters, *, by_phase: bool = True, hide_closed: bool = True) -> sa.Select:
    """The user's pipeline engagements under the filters (joined to their company)."""
    query = case_engagements(user).join(Engagement.company).where(*_filter_conditions(filters))
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


def board_columns(user: User, filters: PipelineFilters, today: date, per_column: int, also: list[int]):
    """The board's cards: in each phase, the `per_column` engagements longest in it
    (an admin's board would otherwise hold thousands), with their figures; plus
    the engagements `also` (the flagged ones shown): their ids, then the rows.

    Returns ({phase: [rows]}, {engagement id: row}).
    """
    ranked = (
        filtered(user, filters)
        .with_only_columns(
            Engagement.id,
            sa.func.row_number()
            .over(partition_by=Engagement.phase, order_by=(Engagement.phase_since, Engagement.id))
            .label("place"),
        )
        .subquery("ranked")
    )
    board_ids = set(db.session.scalars(sa.select(ranked.c.id).where(ranked.c.place <= per_column)))
    rows = rows_by_ids(sorted(board_ids | set(also)), today)
    columns: dict[Phase, list[PipelineRow]] = {phase: [] for phase in Phase}
    for row in rows:
        if row.engagement.id in board_ids:
            columns[row.engagement.phase].append(row)
    return columns, {row.engagement.id: row for row in rows}


def _rows(query: sa.Select, today: date) -> list[PipelineRow]:
    """Run a select of engagements with their figures added."""
    result = db.session.execute(
        query.add_columns(_last_session_on(), _action_count(), _action_count(today)).options(*_shown_with())
    )
    return [_row(engagement, last, n_open, n_overdue, today) for engagement, last, n_open, n_overdue in result]


def rows_by_ids(engagement_ids: list[int], today: date) -> list[PipelineRow]:
    """These engagements (ids from a scoped query) with what a card shows, in board order."""
    if not engagement_ids:
        return []
    query = sa.select(Engagement).where(Engagement.id.in_(engagement_ids))
    return _rows(query.order_by(Engagement.phase_since, Engagement.id), today)


def _row(engagement, last, n_open, n_overdue, today) -> PipelineRow:
    return PipelineRow(
        engagement=engagement, last_session_on=last, open_actions=int(n_open or 0),
        overdue_actions=int(n_overdue or 0), days_in_phase=(today - engagement.phase_since).days,
    )


def sorted_page(user: User, filters: PipelineFilters, today: date, page: int, per_page: int, also: list[int]):
    """The table: one page of engagements in the chosen order, and their rows;
    with the rows of the engagements `also` (the flagged ones listed), read
    together. Returns (pagination, table rows, {engagement id: row})."""
    query = filtered(user, filters)
    phase_order = sa.case({phase.value: n for n, phase in enumerate(Phase)}, value=Engagement.phase)
    # (expression, True when ascending figures mean a descending expression)
    key, inverted = {
        "company": (sa.case((Company.kana == "", Company.name), else_=Company.kana), False),
        "region": (Region.code, False),
        "lead": (sa.func.coalesce(_lead_name(), ""), False),
        "phase": (phase_order, False),
        # More days in the phase = an earlier phase_since.
        "days": (Engagement.phase_since, True),
        "last_session": (sa.func.coalesce(_last_session_on(), date(1900, 1, 1)), False),
        "open": (_action_count(), False),
        "overdue": (_action_count(today), False),
    }[filters.sort]
    if filters.sort == "region":
        query = query.join(Region, Region.id == Company.region_id)
    ascending = (filters.direction == "asc") != inverted
    keys = [key.asc() if ascending else key.desc()]
    # Ordered and paged without what a row shows; the page's rows (figures,
    # company, team) are then read with the flagged ones in one go.
    pagination = db.paginate(query.order_by(*keys, Engagement.id), page=page, per_page=per_page, error_out=False)
    rows = {row.engagement.id: row for row in rows_by_ids(
        sorted({engagement.id for engagement in pagination.items} | set(also)), today
    )}
    return pagination, [rows[engagement.id] for engagement in pagination.items], rows


def rows_for(engagements: list[Engagement], today: date) -> list[PipelineRow]:
    """The figures of these engagements (already loaded), in one query."""
    if not engagements:
        return []
    figures = {
        engagement_id: (last, n_open, n_overdue)
        for engagement_id, last, n_open, n_overdue in db.session.execute(
            sa.select(Engagement.id, _last_session_on(), _action_count(), _action_count(today))
            .where(Engagement.id.in_([engagement.id for engagement in engagements]))
        )
    }
    return [_row(engagement, *figures[engagement.id], today) for engagement in engagements]


# ---- attention flags -------------------------------------------------------------


@dataclass
class Flags:
    """Open engagements that need the manager's attention, by reason: every id
    (in board order), and the rows of the first few, which the page lists."""

    stalled: list[int]
    overdue: list[int]
    long_in_phase: list[int]
    medians: dict[Phase, float]
    stalled_after_days: int
    rows: dict[int, PipelineRow] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.stalled or self.overdue or self.long_in_phase)

    def of(self, engagement_id: int) -> list[str]:
        """The flags of one engagement, for its card or table row."""
        return [kind for kind in FLAG_KINDS if engagement_id in self._sets[kind]]

    @cached_property
    def _sets(self) -> dict[str, set[int]]:
        return {kind: set(getattr(self, kind)) for kind in FLAG_KINDS}

    def shown(self, kind: str) -> list[PipelineRow]:
        """The rows listed under `kind` (at most FLAGS_LISTED)."""
        return [self.rows[item] for item in getattr(self, kind)[:FLAGS_LISTED]]

    def listed_ids(self) -> list[int]:
        """The engagements the flag lists show (their rows must be loaded)."""
        return sorted({i for kind in FLAG_KINDS for i in getattr(self, kind)[:FLAGS_LISTED]})


def attention_flags(user: User, filters: PipelineFilters, today: date, stalled_after_days: int) -> Flags:
    """Flag the open engagements under the filters: stalled, with overdue actions,
    or in their phase much longer than the median for that phase (of all the
    open engagements the user can see, filters aside).

    One query over the open engagements in scope: phase, start of phase and two
    yes/no look-ups per engagement (a recent session? an overdue action?).
    """
    # Stalled: the last session (or the start, when none) is at least this far back.
    stalled_before = today - timedelta(days=stalled_after_days)
    recent_session = sa.exists().where(
        DialogueSession.engagement_id == Engagement.id,
        DialogueSession.deleted_at.is_(None),
        DialogueSession.held_on > stalled_before,
    )
    stalled = sa.and_(Engagement.started_on <= stalled_before, ~recent_session)
    overdue = sa.exists().where(
        Action.engagement_id == Engagement.id,
        Action.state.in_(ActionState.open_states()),
        Action.deleted_at.is_(None),
        Action.due_on < today,
    )
    phase = filters.phase or None
    matches = sa.and_(sa.true(), *_filter_conditions(filters), *([Engagement.phase == phase] if phase else []))
    rows = db.session.execute(
        case_engagements(user)
        .join(Engagement.company)
        .where(Engagement.phase != Phase.CLOSED)
        .with_only_columns(
            Engagement.id, Engagement.phase, Engagement.phase_since,
            sa.case((matches, 1), else_=0), sa.case((stalled, 1), else_=0), sa.case((overdue, 1), else_=0),
        )
        .order_by(Engagement.phase_since, Engagement.id)
    ).all()
    # (The phase column reads as a Phase already; thousands of rows for an admin.)
    days: dict[Phase, list[int]] = {}
    for _id, phase, since, *_ in rows:
        days.setdefault(phase, []).append((today - since).days)
    medians = {
        key: statistics.median(values) for key, values in days.items() if len(values) >= LONG_IN_PHASE_MIN_PEERS
    }
    # Long in phase: started the phase before this day.
    long_before = {phase: today - timedelta(days=LONG_IN_PHASE_FACTOR * median) for phase, median in medians.items()}
    flags = Flags([], [], [], medians, stalled_after_days)
    for engagement_id, phase, since, is_match, is_stalled, is_overdue in rows:
        if not is_match:
            continue
        if is_stalled:
            flags.stalled.append(engagement_id)
        if is_overdue:
            flags.overdue.append(engagement_id)
        if phase in long_before and since < long_before[phase]:
            flags.long_in_phase.append(engagement_id)
    return flags


# ---- filter choices ------------------------------------------------------------


def organisation_choices() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def consultant_choices(user: User) -> list[User]:
    """People on the team of at least one engagement of the user's pipeline."""
    engagement_ids = case_engagements(user).with_only_columns(Engagement.id)
    member_ids = sa.select(EngagementMember.user_id).where(EngagementMember.engagement_id.in_(engagement_ids))
    return list(db.session.scalars(sa.select(User).where(User.id.in_(member_ids)).order_by(User.name, User.id)))
