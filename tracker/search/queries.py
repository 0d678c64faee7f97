"""Finding notes: which records match, within the user's cases, newest first.

Three sources are searched (tracker.search.sources): session notes (notes,
reflection, next steps), the client's statements, and insights. Every term must
occur somewhere in a record (substring match, case-insensitive for Latin
letters). Terms of three characters or more can use a trigram index (SQLite:
FTS5 'trigram' tables, PostgreSQL: pg_trgm GIN indexes); shorter ones cannot.

The user's engagements are read once, with the number of sessions and insights
in each (from the indexes alone), and given to every later statement as a list.

Which side goes first matters at scale. Checking the scope's records costs one
look-up per record in scope: a few thousand for a consultant, some 30,000 for
the manager of a region group at national scale. Starting from the text index
costs one look-up per record anywhere that holds the word: cheap for a rare
word, 100,000 for a common one, each dearer than a scope record's check. On
SQLite the FTS index is counted only up to INDEX_SHARE of the scope's size, and
the search starts from it when it holds fewer records than that. PostgreSQL's
planner makes the same choice, and can AND the trigram bitmap with the
engagement index. But when short words come with the long ones, it misjudges
how many records hold them and may read every statement there is: for a scope
of up to SMALL_SCOPE sessions (a consultant's), cheap to check whatever the
words, it is then told to check the scope.

Words shorter than three characters have no index to start from: every record
in scope is checked. When the scope holds more than SCAN_LIMIT sessions, only
the records since the day of its SCAN_LIMIT-th newest session are checked, and
the page says so (`Found.since`): the cost stays that of about SCAN_LIMIT
sessions however large the scope grows, and typing a third character searches
everything. A manager of a region group (some 13,000 sessions at national scale)
is below the limit and always gets every record.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Company, DialogueSession, Engagement, Insight, User
from tracker.permissions import case_engagements
from tracker.search.sources import KINDS, SOURCES, fts_rowids, in_scope

MAX_QUERY_LENGTH = 100
MAX_TERMS = 5
TRIGRAM = 3  # characters: shorter terms cannot use a trigram index
CAP = 1000  # results counted exactly and reachable by paging; beyond: "1,000+"
# Words of one or two characters only: about this many newest sessions (and the insights of
# their days) are checked at most. A region group's manager has some 13,000 at national scale.
SCAN_LIMIT = 20_000
# SQLite: start from the FTS index when it matches fewer records than this share of the scope.
# Measured: each FTS match costs about twice a scope record's check (random reads of the
# record and, for a statement, of its session), so the break-even lies near one half.
INDEX_SHARE = 0.5
# PostgreSQL, short and long words together: up to this many sessions in scope, check them all.
SMALL_SCOPE = 5_000
# Beyond this many engagements the scope is given to each statement as a subquery, not a list.
MAX_LISTED = 5_000

__all__ = ["CAP", "KINDS", "MAX_QUERY_LENGTH", "Found", "SearchQuery", "find", "parse_query"]


@dataclass(frozen=True)
class SearchQuery:
    """What was typed, trimmed, and the terms that must all occur."""

    text: str
    terms: tuple[str, ...]
    dropped_terms: int = 0
    trimmed: bool = False

    @property
    def long_terms(self) -> tuple[str, ...]:
        return tuple(term for term in self.terms if len(term) >= TRIGRAM)

    @property
    def short_terms(self) -> tuple[str, ...]:
        return tuple(term for term in self.terms if len(term) < TRIGRAM)


def parse_query(raw: str | None) -> SearchQuery:
    """Spaces (full-width too) separate terms; the text is cut at MAX_QUERY_LENGTH
    characters and at MAX_TERMS terms, so no query can grow the SQL without bound."""
    collapsed = " ".join((raw or "").split())
    text = collapsed[:MAX_QUERY_LENGTH].strip()
    terms = tuple(dict.fromkeys(text.split()))
    return SearchQuery(
        text=text, terms=terms[:MAX_TERMS], dropped_terms=max(0, len(terms) - MAX_TERMS),
        trimmed=len(collapsed) > MAX_QUERY_LENGTH,
    )


def live_case_engagement_ids(user: User) -> sa.Select:
    """Ids of the engagements whose records the user may read, neither they nor their
    company deleted. Said outright: the ORM's soft-delete filter does not reach
    every subquery of the statements built here."""
    return (
        case_engagements(user)
        .with_only_columns(Engagement.id)
        .join(Company, Company.id == Engagement.company_id)
        .where(Engagement.deleted_at.is_(None), Company.deleted_at.is_(None))
    )


# ---- the scope, and which side first -------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The user's live engagements, and how many sessions and insights they hold
    (deleted ones too: an estimate, read from the indexes alone)."""

    engagements: object  # a list of ids, or a subquery for very wide scopes
    sessions: int
    insights: int

    @property
    def empty(self) -> bool:
        return not self.engagements if isinstance(self.engagements, list) else False

    def size(self, kind: str) -> int:
        # Statements are reached through their sessions, so the sessions measure their scope too.
        return self.insights if kind == "insight" else self.sessions


def read_scope(user: User) -> Scope:
    """One statement: each live engagement of the user's cases with its sizes."""
    sessions = (
        sa.select(sa.func.count()).where(DialogueSession.engagement_id == Engagement.id).scalar_subquery()
    )
    insights = sa.select(sa.func.count()).where(Insight.engagement_id == Engagement.id).scalar_subquery()
    rows = db.session.execute(
        live_case_engagement_ids(user).add_columns(sessions, insights).execution_options(include_deleted=True)
    ).all()
    engagements = [row[0] for row in rows]
    if len(engagements) > MAX_LISTED:
        engagements = live_case_engagement_ids(user)
    return Scope(engagements, sum(row[1] for row in rows), sum(row[2] for row in rows))


def index_first(scope: Scope, query: SearchQuery) -> dict[str, bool]:
    """SQLite, for each source: whether the FTS index holds fewer matches than
    INDEX_SHARE of the records in scope (see the module's docstring). Each index is
    counted only up to that point, so asking costs no more than the cheaper side."""
    limits = {kind: int(scope.size(kind) * INDEX_SHARE) for kind in KINDS}
    counts = [
        sa.select(sa.func.count()).select_from(
            fts_rowids(source.fts_table, query.long_terms).limit(limits[source.kind]).subquery()
        ).scalar_subquery()
        for source in SOURCES
    ]
    found = db.session.execute(sa.select(*counts)).one()
    return {source.kind: n < limits[source.kind] for source, n in zip(SOURCES, found, strict=True)}


# ---- the search ----------------------------------------------------------------


@dataclass
class Found:
    """Per kind, the matching (id, day) pairs, newest first, at most CAP + 1 of them;
    `since`: for a bounded scan, the first day checked, and `bounded` the kinds for
    which older records might have matched too."""

    hits: dict[str, list[tuple[int, object]]]
    plan: dict[str, str]
    cap: int
    since: date | None = None
    bounded: set[str] = field(default_factory=set)
    scan_limit: int = 0

    def count(self, kind: str) -> int:
        return min(len(self.hits[kind]), self.cap)

    def capped(self, kind: str) -> bool:
        return len(self.hits[kind]) > self.cap


def first_day_checked(scope: Scope, dialect: str) -> date | None:
    """The day of the scope's SCAN_LIMIT-th newest live session (None: fewer than
    that), read from the (engagement_id, held_on) index alone."""
    session = DialogueSession
    return db.session.scalar(
        sa.select(session.held_on)
        .where(in_scope(session.engagement_id, scope.engagements, dialect), session.deleted_at.is_(None))
        .order_by(session.held_on.desc())
        .offset(SCAN_LIMIT - 1)
        .limit(1)
        .execution_options(include_deleted=True)
    )


def _plan(scope: Scope, query: SearchQuery, dialect: str) -> dict[str, str]:
    """For each source: 'index' (start from the FTS matches, SQLite), 'text' (let
    PostgreSQL's planner AND a trigram index with the scope), 'scope' (check every
    record in scope) or 'bounded' (only the newest ones, for short words in a large scope)."""
    if not query.long_terms:
        return dict.fromkeys(KINDS, "bounded" if scope.sessions > SCAN_LIMIT else "scope")
    if dialect != "sqlite":
        small = scope.sessions <= SMALL_SCOPE and query.short_terms
        return dict.fromkeys(KINDS, "scope" if small else "text")
    first = index_first(scope, query)
    return {kind: "index" if first[kind] else "scope" for kind in KINDS}


def find(user: User, query: SearchQuery) -> Found:
    """Every kind's matches within the user's cases (four or five statements in all)."""
    dialect = db.engine.dialect.name
    scope = read_scope(user)
    if scope.empty:
        return Found(hits={kind: [] for kind in KINDS}, plan=dict.fromkeys(KINDS, "scope"), cap=CAP)
    plan = _plan(scope, query, dialect)
    since = first_day_checked(scope, dialect) if "bounded" in plan.values() else None
    hits, bounded = {}, set()
    for source in SOURCES:
        how = plan[source.kind]
        if how == "index":
            select = source.from_index(scope.engagements, query.long_terms, query.short_terms, dialect, CAP + 1)
        elif how == "text":
            select = source.filtered(scope.engagements, query.terms, dialect, CAP + 1)
        else:
            select = source.scope_scan(scope.engagements, query.terms, dialect, CAP + 1, since)
        # The deleted_at conditions are written out in the statements, for raw FTS joins too.
        rows = db.session.execute(select.execution_options(include_deleted=True)).all()
        hits[source.kind] = [(row.id, row.day) for row in rows]
        if since and len(rows) <= CAP:
            bounded.add(source.kind)  # the newest records did not fill the count: older ones went unchecked
    return Found(hits=hits, plan=plan, cap=CAP, since=since, bounded=bounded, scan_limit=SCAN_LIMIT)
