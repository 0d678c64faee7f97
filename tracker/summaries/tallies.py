"""Keeping the stored tallies (tracker/models/tallies.py) of the summary, the
pipeline board and the workload report true to the records.

After every ORM flush, the listener below finds the engagements that had a
session, insight or action created, deleted, restored or changed in a field
a tally counts; the companies whose outcome snapshots or engagements
changed; and the regions whose companies moved or were deleted. It rewrites
their tallies from the records, on the flush's own connection, in the same
transaction: first the engagements' tallies, then the regions' figures
added up from those. Writes that bypass the ORM call `refresh()` (the company
import) or `rebuild()` (the demo generator's bulk load; `flask summaries rebuild`).

Counting is done here in Python, with the same fiscal-year rules as the rest
of the application (tracker/pipeline/fiscal.py), for one engagement as for
the whole country; the board's and the workload's figures, which need no
fiscal year, are grouped by the database.

Two transactions writing to one engagement or region at once must not each
write a count that misses the other's: on PostgreSQL the rewrite first locks
the engagement, company and region rows (FOR NO KEY UPDATE, so that inserting
their children is not blocked), and so counts only after the other has
committed. SQLite lets one transaction write at a time.
"""

from collections import defaultdict
from itertools import chain
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.orm import attributes as orm_attributes

from tracker.models import (
    Action,
    ActionState,
    ActionTally,
    Company,
    DialogueSession,
    Engagement,
    IndicatorChange,
    Insight,
    InsightTally,
    OutcomeSnapshot,
    PipelineTally,
    Region,
    RegionTally,
    SessionTally,
    WorkloadTally,
)
from tracker.models.dialogue import session_team
from tracker.outcomes.services import INPUTS, change_since_support
from tracker.pipeline.fiscal import fiscal_quarter, fiscal_year

# The fields each kind of record is counted by; a change elsewhere (the notes) leaves the tallies as they are.
# The first field names the owner whose tallies are rewritten.
ENGAGEMENT_COUNTS = {
    DialogueSession: ("engagement_id", "held_on", "duration_minutes", "deleted_at", "author_id", "team_attendees"),
    Insight: ("engagement_id", "created_at", "category", "barrier", "deleted_at"),
    Action: ("engagement_id", "due_on", "state", "done_on", "deleted_at"),
}
SNAPSHOT_COUNTS = ("company_id", "fiscal_year", *INPUTS)
ENGAGEMENT_FIELDS = ("company_id", "started_on", "deleted_at")
COMPANY_FIELDS = ("region_id", "deleted_at")
TALLIES = (
    SessionTally, InsightTally, ActionTally, PipelineTally, WorkloadTally, IndicatorChange, RegionTally,
)


@event.listens_for(Session, "after_flush")
def refresh_after_flush(session: Session, _flush_context) -> None:
    """Rewrite the tallies of what this flush changed (no query when it changed nothing counted)."""
    engagements, companies, moved, regions = set(), set(), set(), set()
    for obj in chain(session.new, session.dirty, session.deleted):
        kind = type(obj)
        if kind in ENGAGEMENT_COUNTS:
            engagements |= _touched(session, obj, ENGAGEMENT_COUNTS[kind])
        elif kind is OutcomeSnapshot:
            companies |= _touched(session, obj, SNAPSHOT_COUNTS)
        elif kind is Engagement:
            touched = _touched(session, obj, ENGAGEMENT_FIELDS)
            companies |= touched  # its start moves the indicators' first year
            if obj not in session.new:  # a new one has nothing tallied yet
                moved |= touched  # its company (or its deletion) moves its tallies between regions
        elif kind is Company and obj not in session.new:  # a new one has no engagement yet
            regions |= _touched(session, obj, COMPANY_FIELDS)
    if engagements or companies or regions:
        refresh(session.connection(), engagements=engagements, companies=companies, moved=moved, regions=regions)


def refresh(connection: Connection, *, engagements=(), companies=(), moved=(), regions=()) -> None:
    """Rewrite the tallies of these engagements, the indicator changes of these
    companies, and the region tallies of these regions and of every region
    these engagements and `moved` companies are in. Locks in one order (their
    companies read FOR SHARE by `regions_of`, then engagements, companies,
    regions) so that concurrent writers cannot deadlock."""
    regions = set(regions) | regions_of(connection, engagements, moved)
    if engagements:
        _lock(connection, Engagement, engagements)
    if companies:
        _lock(connection, Company, companies)
    if regions:
        _lock(connection, Region, regions)
    if engagements:
        _rewrite(connection, set(engagements))
    if companies:
        _rewrite_indicators(connection, set(companies))
    if regions:
        _rewrite_regions(connection, regions)


def regions_of(connection: Connection, engagement_ids, company_ids) -> set[int]:
    """The regions of these engagements' and companies' companies (deleted ones too).

    On PostgreSQL the companies are locked FOR SHARE as they are read: a
    transaction moving one of them to another region is waited for, and the
    region read is the one it moved to.
    """
    engagements, companies = Engagement.__table__, Company.__table__
    queries = []
    if engagement_ids:
        queries.append(
            sa.select(companies.c.region_id)
            .join(engagements, engagements.c.company_id == companies.c.id)
            .where(engagements.c.id.in_(sorted(engagement_ids)))
        )
    if company_ids:
        queries.append(sa.select(companies.c.region_id).where(companies.c.id.in_(sorted(company_ids))))
    found = set()
    for query in queries:
        if connection.dialect.name == "postgresql":
            query = query.order_by(companies.c.id).with_for_update(read=True, of=companies)
        found |= set(connection.scalars(query))
    return found


def _touched(session: Session, obj, fields: tuple[str, ...]) -> set[int]:
    """The owner ids (the first field, before and after) of a record whose counted fields changed."""
    state = orm_attributes.instance_state(obj)
    owner = fields[0]
    if obj in session.dirty and obj not in session.deleted:
        if not any(state.attrs[name].history.has_changes() for name in fields):
            return set()
        history = state.attrs[owner].history
        return {value for value in (*history.deleted, *history.added, *history.unchanged) if value is not None}
    value = state.dict.get(owner)
    return {value} if value is not None else set()


def rebuild(connection: Connection, models=TALLIES) -> None:
    """Rewrite every tally from the records (after a bulk load, or to repair):
    those of `models`, all by default (a migration names the ones it created).

    On PostgreSQL the tally tables are locked first (EXCLUSIVE: reads go on):
    a save flushed but not committed yet is waited for, so it is counted, and
    saves that come after wait until the rebuild is done.
    """
    if connection.dialect.name == "postgresql":
        tables = ", ".join(model.__tablename__ for model in models)
        connection.execute(sa.text(f"LOCK TABLE {tables} IN EXCLUSIVE MODE"))  # noqa: S608  # nosec B608 (our table names)
    _rewrite(connection, None, models)
    if IndicatorChange in models:
        _rewrite_indicators(connection, None)
    if RegionTally in models:
        _rewrite_regions(connection, None)


def _lock(connection: Connection, model, ids: set[int]) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.select(model.id).where(model.id.in_(sorted(ids))).order_by(model.id).with_for_update(key_share=True)
        )


def _rewrite(connection: Connection, ids: set[int] | None, models=TALLIES) -> None:
    """Rewrite the per-engagement tallies of `models` (PER_ENGAGEMENT, below, counts each)."""
    for model, count in PER_ENGAGEMENT.items():
        if model in models:
            table = model.__table__
            _replace(connection, table, table.c.engagement_id, ids, count(connection, ids))


def _replace(connection: Connection, table: sa.Table, owner: sa.Column, ids: set[int] | None, rows) -> None:
    """Delete the owners' rows (all rows when `ids` is None) and insert the fresh
    ones: a list of dicts, or a select of the table's columns run by the database."""
    delete = sa.delete(table)
    connection.execute(delete if ids is None else delete.where(owner.in_(sorted(ids))))
    if isinstance(rows, sa.Select):
        connection.execute(sa.insert(table).from_select([column.name for column in table.c], rows))
    elif rows:
        connection.execute(sa.insert(table), rows)


def _live(model, ids: set[int] | None, *columns) -> sa.Select:
    """Core select (so the ORM's soft-delete filter does not apply: it is spelled out) of live records."""
    table = model.__table__
    query = sa.select(*(table.c[name] for name in columns)).where(table.c.deleted_at.is_(None))
    return query if ids is None else query.where(table.c.engagement_id.in_(sorted(ids)))


def _session_tallies(connection: Connection, ids: set[int] | None) -> list[dict]:
    counts = defaultdict(lambda: [0, 0])
    for engagement_id, held_on, minutes in connection.execute(
        _live(DialogueSession, ids, "engagement_id", "held_on", "duration_minutes")
    ):
        tally = counts[engagement_id, fiscal_year(held_on), fiscal_quarter(held_on)]
        tally[0] += 1
        tally[1] += minutes
    return [
        {"engagement_id": engagement_id, "fiscal_year": year, "quarter": quarter, "sessions": count, "minutes": minutes}
        for (engagement_id, year, quarter), (count, minutes) in counts.items()
    ]


def _insight_tallies(connection: Connection, ids: set[int] | None) -> list[dict]:
    """Per local calendar day of recording (timestamps are stored in UTC), as the summary's periods are."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    counts = defaultdict(int)
    for engagement_id, created_at, category, barrier in connection.execute(
        _live(Insight, ids, "engagement_id", "created_at", "category", "barrier")
    ):
        day = created_at.astimezone(zone).date()
        counts[engagement_id, fiscal_year(day), fiscal_quarter(day), category, barrier] += 1
    return [
        {"engagement_id": engagement_id, "fiscal_year": year, "quarter": quarter, "category": category,
         "barrier": barrier, "insights": count}
        for (engagement_id, year, quarter, category, barrier), count in counts.items()
    ]


def _action_tallies(connection: Connection, ids: set[int] | None) -> list[dict]:
    counts = defaultdict(lambda: [0, 0])
    query = _live(Action, ids, "engagement_id", "due_on", "state", "done_on").where(
        Action.__table__.c.due_on.is_not(None), Action.__table__.c.state != ActionState.DROPPED
    )
    for engagement_id, due_on, state, done_on in connection.execute(query):
        tally = counts[engagement_id, fiscal_year(due_on), fiscal_quarter(due_on)]
        tally[0] += 1
        tally[1] += state == ActionState.DONE and done_on is not None and done_on <= due_on
    return [
        {"engagement_id": engagement_id, "fiscal_year": year, "quarter": quarter, "due": due, "on_time": on_time}
        for (engagement_id, year, quarter), (due, on_time) in counts.items()
    ]


def _pipeline_tallies(connection: Connection, ids: set[int] | None) -> list[dict]:
    """The last session and the earliest due date of the open actions, per engagement (grouped by the database)."""
    sessions, actions = DialogueSession.__table__, Action.__table__
    last_sessions = connection.execute(
        _live(DialogueSession, ids, "engagement_id").add_columns(sa.func.max(sessions.c.held_on))
        .group_by(sessions.c.engagement_id)
    )
    first_due = connection.execute(
        _live(Action, ids, "engagement_id").add_columns(sa.func.min(actions.c.due_on))
        .where(actions.c.state.in_(ActionState.open_states()), actions.c.due_on.is_not(None))
        .group_by(actions.c.engagement_id)
    )
    figures = defaultdict(lambda: {"last_session_on": None, "first_open_due_on": None})
    for engagement_id, held_on in last_sessions:
        figures[engagement_id]["last_session_on"] = held_on
    for engagement_id, due_on in first_due:
        figures[engagement_id]["first_open_due_on"] = due_on
    return [{"engagement_id": engagement_id, **values} for engagement_id, values in figures.items()]


def _workload_tallies(_connection: Connection, ids: set[int] | None) -> sa.Select:
    """Per engagement, day and person, the sessions they wrote or attended as a team
    member (once each) and their minutes: grouped by the database, which inserts
    them too (a rebuild counts ~1,600,000 attendances at national scale)."""
    sessions = DialogueSession.__table__
    authors = _live(DialogueSession, ids).add_columns(
        sessions.c.engagement_id, sessions.c.held_on, sessions.c.author_id.label("user_id"), sessions.c.duration_minutes
    ).where(sessions.c.author_id.is_not(None))
    attendees = (
        _live(DialogueSession, ids)
        .add_columns(sessions.c.engagement_id, sessions.c.held_on, session_team.c.user_id, sessions.c.duration_minutes)
        .join(session_team, session_team.c.session_id == sessions.c.id)
        .where(sa.or_(sessions.c.author_id.is_(None), session_team.c.user_id != sessions.c.author_id))
    )
    present = sa.union_all(authors, attendees).subquery()
    keys = (present.c.engagement_id, present.c.held_on, present.c.user_id)
    return sa.select(*keys, sa.func.count(), sa.func.sum(present.c.duration_minutes)).group_by(*keys)


# The tallies kept per engagement, and how each one's rows are counted.
PER_ENGAGEMENT = {
    SessionTally: _session_tallies,
    InsightTally: _insight_tallies,
    ActionTally: _action_tallies,
    PipelineTally: _pipeline_tallies,
    WorkloadTally: _workload_tallies,
}


def _rewrite_indicators(connection: Connection, ids: set[int] | None) -> None:
    snapshots, engagements = OutcomeSnapshot.__table__, Engagement.__table__
    first_start = (
        sa.select(engagements.c.company_id, sa.func.min(engagements.c.started_on))
        .where(engagements.c.deleted_at.is_(None))
        .group_by(engagements.c.company_id)
    )
    history = sa.select(snapshots.c.company_id, snapshots.c.fiscal_year, *(snapshots.c[name] for name in INPUTS))
    if ids is not None:
        first_start = first_start.where(engagements.c.company_id.in_(sorted(ids)))
        history = history.where(snapshots.c.company_id.in_(sorted(ids)))
    began = dict(connection.execute(first_start).all())
    by_company = defaultdict(list)
    for row in connection.execute(history.order_by(snapshots.c.company_id, snapshots.c.fiscal_year)):
        by_company[row.company_id].append(row)
    rows = []
    for company_id, company_snapshots in by_company.items():
        change = change_since_support(company_snapshots, began[company_id]) if company_id in began else None
        if change is not None:
            rows.append({"company_id": company_id, **change})
    table = IndicatorChange.__table__
    _replace(connection, table, table.c.company_id, ids, rows)


# ---- regions ---------------------------------------------------------------------------------------------
# RegionTally rows: (measure, key) name a figure; its value is added up per
# quarter and for the whole fiscal year (period 0), with the set of companies
# behind it. Minutes share the sessions' companies.
SESSIONS, MINUTES, INSIGHTS, CATEGORY, BARRIER, DUE, ON_TIME = (
    "sessions", "minutes", "insights", "category", "barrier", "due", "on_time",
)
WHOLE_YEAR = 0


def _rewrite_regions(connection: Connection, ids: set[int] | None) -> None:
    figures = defaultdict(lambda: [0, set()])

    def add(region_id, company_id, year, quarter, measure, key, value):
        if value:
            for period in (quarter, WHOLE_YEAR):
                figure = figures[region_id, year, period, measure, key]
                figure[0] += value
                figure[1].add(company_id)

    for region_id, company_id, year, quarter, sessions, minutes in _by_region(
        connection, SessionTally, ids, "sessions", "minutes"
    ):
        add(region_id, company_id, year, quarter, SESSIONS, "", sessions)
        add(region_id, company_id, year, quarter, MINUTES, "", minutes)
    for region_id, company_id, year, quarter, category, barrier, count in _by_region(
        connection, InsightTally, ids, "category", "barrier", "insights"
    ):
        add(region_id, company_id, year, quarter, INSIGHTS, "", count)
        add(region_id, company_id, year, quarter, CATEGORY, category.value, count)
        add(region_id, company_id, year, quarter, BARRIER, barrier.value if barrier else "", count)
    for region_id, company_id, year, quarter, due, on_time in _by_region(
        connection, ActionTally, ids, "due", "on_time"
    ):
        add(region_id, company_id, year, quarter, DUE, "", due)
        add(region_id, company_id, year, quarter, ON_TIME, "", on_time)
    rows = [
        {"region_id": region_id, "fiscal_year": year, "period": period, "measure": measure, "key": key,
         "value": value, "companies": len(companies)}
        for (region_id, year, period, measure, key), (value, companies) in figures.items()
    ]
    table = RegionTally.__table__
    _replace(connection, table, table.c.region_id, ids, rows)


def _by_region(connection: Connection, model, ids: set[int] | None, *columns: str):
    """A tally's rows with the region and company of their engagement; live engagements of live companies only."""
    tally, engagements, companies = model.__table__, Engagement.__table__, Company.__table__
    query = (
        sa.select(companies.c.region_id, companies.c.id, tally.c.fiscal_year, tally.c.quarter,
                  *(tally.c[name] for name in columns))
        .join(engagements, engagements.c.id == tally.c.engagement_id)
        .join(companies, companies.c.id == engagements.c.company_id)
        .where(engagements.c.deleted_at.is_(None), companies.c.deleted_at.is_(None))
    )
    return connection.execute(query if ids is None else query.where(companies.c.region_id.in_(sorted(ids))))
