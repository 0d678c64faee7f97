"""What the pipeline board reads: engagements in scope with their figures,
the counts per phase and the attention flags.

Every list starts from permissions.case_engagements(). At national scale an
admin's pipeline holds thousands of engagements and a million sessions, so the
board shows the first CARDS_PER_COLUMN cards of each phase (the table has them
all, a page at a time) and the first FLAGS_LISTED of each attention flag (all
counted). The figures of an engagement (last session, open and overdue actions)
are correlated subqueries answered from an index, worked out only for the rows
a page shows; a page runs the same number of queries whatever the numbers.

One statement reads every engagement in scope as a few plain columns (phase,
start of phase, matches the filters, stalled, overdue): the counts per phase,
the attention flags and which cards the board shows all come from it. A second
one reads what the shown cards and flag lists need as plain rows (PipelineRow),
not as engagements loaded with their company and team: a board shows up to ~80
of them on every request, and building ORM objects cost more than the SQL.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.companies.queries import industry_condition
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionState,
    ClosingReason,
    Company,
    DialogueSession,
    Engagement,
    EngagementMember,
    Industry,
    Organisation,
    Phase,
    PipelineTally,
    Region,
    User,
)
from tracker.models.common import localized
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


@dataclass(slots=True)
class PipelineRow:
    """One engagement as the board shows it (a card, a table row, a flag list's
    line): plain values, with the region and the lead's organisation as records
    for their names in the reader's language."""

    id: int
    phase: Phase
    phase_since: date
    started_on: date
    closing_reason: ClosingReason | None
    version: int
    company_name: str
    region: Region
    lead_name: str | None
    lead_organisation: Organisation | None
    last_session_on: date | None
    open_actions: int
    overdue_actions: int
    days_in_phase: int
    flags: list[str] = field(default_factory=list)


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


def filtered(user: User, filters: PipelineFilters) -> sa.Select:
    """The user's pipeline engagements under the filters, the phase's included,
    closed ones only when asked for (joined to their company): the table's list."""
    query = case_engagements(user).join(Engagement.company).where(*_filter_conditions(filters))
    if filters.phase:
        query = query.where(Engagement.phase == filters.phase)
    if not filters.shows_closed:
        query = query.where(Engagement.phase != Phase.CLOSED)
    return query


# ---- what a page shows of each engagement ----------------------------------------


# Named as PipelineRow's fields; made once, as SQLAlchemy adapts an alias's
# columns on first use (~1 ms a request when they were made anew each time).
_LEAD = aliased(User, name="lead")
_LEAD_ORGANISATION = aliased(Organisation, name="lead_organisation")
_REGION = aliased(Region, name="region")


def rows_by_ids(engagement_ids: list[int], today: date) -> list[PipelineRow]:
    """These engagements (ids from a scoped query) with what a card shows, in board
    order (longest in phase first): one statement of plain columns, the region and
    the lead's organisation joined in."""
    if not engagement_ids:
        return []
    first_lead = (
        sa.select(sa.func.min(EngagementMember.user_id))
        .where(EngagementMember.engagement_id == Engagement.id, EngagementMember.is_lead.is_(True))
        .correlate(Engagement)
        .scalar_subquery()
    )
    # Labelled as PipelineRow's fields.
    query = (
        sa.select(
            Engagement.id, Engagement.phase, Engagement.phase_since, Engagement.started_on,
            Engagement.closing_reason, Engagement.version, Company.name.label("company_name"), _REGION,
            _LEAD.name.label("lead_name"), _LEAD_ORGANISATION, _last_session_on().label("last_session_on"),
            _action_count().label("open_actions"), _action_count(today).label("overdue_actions"),
        )
        .join(Engagement.company)
        .join(_REGION, _REGION.id == Company.region_id)
        .outerjoin(_LEAD, _LEAD.id == first_lead)
        .outerjoin(_LEAD_ORGANISATION, _LEAD_ORGANISATION.id == _LEAD.organisation_id)
        .where(Engagement.id.in_(engagement_ids))
        .order_by(Engagement.phase_since, Engagement.id)
    )
    return [
        PipelineRow(**row._mapping, days_in_phase=(today - row.phase_since).days)
        for row in db.session.execute(query)
    ]


def board_columns(card_ids: dict[Phase, list[int]], today: date, also: list[int]):
    """The board's cards (`card_ids`, see Overview) and the rows of the engagements
    `also` (the flagged ones listed), read together.

    Returns ({phase: [rows]}, {engagement id: row}).
    """
    shown = {engagement_id for ids in card_ids.values() for engagement_id in ids}
    rows = rows_by_ids(sorted(shown | set(also)), today)
    columns: dict[Phase, list[PipelineRow]] = {phase: [] for phase in Phase}
    for row in rows:
        if row.id in shown:
            columns[row.phase].append(row)
    return columns, {row.id: row for row in rows}


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
    # Ordered and paged by id alone; the page's rows (figures, company, lead)
    # are then read with the flagged ones in one go.
    query = query.with_only_columns(Engagement.id).order_by(*keys, Engagement.id)
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    page_ids = list(pagination.items)
    rows = {row.id: row for row in rows_by_ids(sorted(set(page_ids) | set(also)), today)}
    return pagination, [rows[engagement_id] for engagement_id in page_ids], rows


# ---- counts, flags and cards: one pass over the engagements in scope ------------------


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


@dataclass
class Overview:
    """What the board knows of every engagement in scope without reading its rows."""

    counts: dict[Phase, int]  # per phase under every filter but the phase (closed ones too)
    flags: Flags
    card_ids: dict[Phase, list[int]]  # per shown phase, the first cards in board order


def overview(user: User, filters: PipelineFilters, today: date, stalled_after_days: int, per_column: int) -> Overview:
    """One statement over the engagements in scope, in board order (longest in
    phase first): phase, start of phase, whether the filters but the phase
    match, and for open ones whether they are stalled or have overdue actions
    (from their PipelineTally). Then, in Python:

    - the counts per phase, under the filters but the phase, closed ones included;
    - the attention flags of the open engagements under the filters: stalled, with
      overdue actions, or in their phase much longer than the median for that
      phase (of all the open engagements the user can see, filters aside);
    - the board's cards: in each phase shown, the `per_column` longest in it (an
      admin's board would otherwise hold thousands).
    """
    # Stalled: the last session (or the start, when none) is at least this far back.
    stalled_before = today - timedelta(days=stalled_after_days)
    is_open = Engagement.phase != Phase.CLOSED
    # Each engagement's last session and first open due date are stored
    # (PipelineTally, kept by every flush): two comparisons per engagement
    # rather than a look-up into the sessions and another into the actions.
    last_session_on, first_open_due_on = PipelineTally.last_session_on, PipelineTally.first_open_due_on
    stalled = sa.and_(
        is_open, Engagement.started_on <= stalled_before,
        sa.or_(last_session_on.is_(None), last_session_on <= stalled_before),
    )
    overdue = sa.and_(is_open, first_open_due_on < today)
    matches = sa.and_(sa.true(), *_filter_conditions(filters))
    rows = db.session.execute(
        case_engagements(user)
        .join(Engagement.company)
        .outerjoin(PipelineTally, PipelineTally.engagement_id == Engagement.id)
        .with_only_columns(
            Engagement.id, Engagement.phase, Engagement.phase_since,
            sa.case((matches, 1), else_=0), sa.case((stalled, 1), else_=0), sa.case((overdue, 1), else_=0),
        )
        .order_by(Engagement.phase_since, Engagement.id)
    ).all()
    # (The phase column reads as a Phase already; thousands of rows for an admin.)
    counts = dict.fromkeys(Phase, 0)
    days: dict[Phase, list[int]] = {}
    for _id, phase, since, is_match, *_ in rows:
        counts[phase] += is_match
        if phase != Phase.CLOSED:
            days.setdefault(phase, []).append((today - since).days)
    medians = {
        key: statistics.median(values) for key, values in days.items() if len(values) >= LONG_IN_PHASE_MIN_PEERS
    }
    # Long in phase: started the phase before this day.
    long_before = {phase: today - timedelta(days=LONG_IN_PHASE_FACTOR * median) for phase, median in medians.items()}
    flags = Flags([], [], [], medians, stalled_after_days)
    card_ids: dict[Phase, list[int]] = {}
    for engagement_id, phase, since, is_match, is_stalled, is_overdue in rows:
        if not is_match or (filters.phase and phase != filters.phase):
            continue
        if phase != Phase.CLOSED or filters.shows_closed:
            column = card_ids.setdefault(phase, [])
            if len(column) < per_column:
                column.append(engagement_id)
        if is_stalled:
            flags.stalled.append(engagement_id)
        if is_overdue:
            flags.overdue.append(engagement_id)
        if phase in long_before and since < long_before[phase]:
            flags.long_in_phase.append(engagement_id)
    return Overview(counts, flags, card_ids)


# ---- filter choices ------------------------------------------------------------


# The filters' long lists are read as plain rows with the name to show, not as
# ORM objects: they are read on every request (a manager's lists hold ~1,000
# options), and nothing but the value and the name is shown.


class OrganisationChoice(NamedTuple):
    id: int
    display_name: str


class IndustryChoice(NamedTuple):
    code: str
    major_code: str | None  # None for a major group (大分類)
    display_name: str


def organisation_choices() -> list[OrganisationChoice]:
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.name_en).order_by(Organisation.name)
    )
    return [OrganisationChoice(id_, localized(name, name_en)) for id_, name, name_en in rows]


def industry_choices() -> list[IndustryChoice]:
    rows = db.session.execute(
        sa.select(Industry.code, Industry.major_code, Industry.name, Industry.name_en).order_by(Industry.code)
    )
    return [IndustryChoice(code, major, localized(name, name_en)) for code, major, name, name_en in rows]


def consultant_choices(user: User) -> list[sa.Row]:
    """People on the team of at least one engagement of the user's pipeline, as
    (id, name) rows: a manager's list holds hundreds, and nothing else is shown."""
    engagement_ids = case_engagements(user).with_only_columns(Engagement.id)
    member_ids = sa.select(EngagementMember.user_id).where(EngagementMember.engagement_id.in_(engagement_ids))
    return db.session.execute(
        sa.select(User.id, User.name).where(User.id.in_(member_ids)).order_by(User.name, User.id)
    ).all()
