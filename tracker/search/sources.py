"""The three kinds of record searched, and the statements that find their matches.

Every statement returns (id, day) pairs newest first, at most `limit` of them,
and checks the deleted_at of the record (and, for statements, of their session)
itself: the ORM's soft-delete filter does not reach into these subqueries.
The engagements are given as a list of ids (or, for very wide scopes, a
subquery): they were checked once, with their companies, by the caller.

Three shapes, chosen by tracker.search.queries.find:

- `filtered`: scope and text conditions side by side. SQLite walks the scope's
  (engagement_id, held_on) index and checks each record's text; PostgreSQL's
  planner can instead AND a trigram bitmap with the engagement index.
- `scope_scan`: the same for words no index can serve, except that PostgreSQL
  reads the statements session by session (see `_statements_of`).
- `from_index` (SQLite): start from the FTS table's matches and look each one up.
  Cheap when a word is rare anywhere, whatever the size of the scope.

`since` (a day) keeps only the records of that day or later: the bounded scan
of a large scope for one- and two-character words. The sessions' index serves it
as a range within each engagement.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from tracker.models import DialogueSession, Insight, Statement


def like_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, its % and _ matched literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _caseless(term: str) -> bool:
    """True when no character of `term` has a case (kanji, kana, digits...)."""
    return term.lower() == term and term.upper() == term


def contains(column, term: str, dialect: str):
    """`term` anywhere in `column`. SQLite's LIKE ignores the case of Latin letters
    already. PostgreSQL needs ILIKE for that, but ILIKE lower-cases every text it
    checks, several times slower than LIKE on Japanese: a term without cased
    letters (most Japanese words) matches the same with LIKE, which the trigram
    indexes serve as well."""
    pattern = like_pattern(term)
    if dialect == "postgresql" and not _caseless(term):
        return column.ilike(pattern, escape="\\")
    return column.like(pattern, escape="\\")


def all_terms_in(columns, terms, dialect: str) -> list:
    """Each term in one of the columns (at least)."""
    return [sa.or_(*(contains(column, term, dialect) for column in columns)) for term in terms]


def fts_match(terms) -> str:
    """An FTS5 query: every term as a quoted phrase (a substring, with the trigram
    tokenizer), quotes inside doubled, so nothing typed is read as query syntax."""
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def fts_rowids(fts_table: str, terms) -> sa.Select:
    """Rowids (= record ids) of the FTS table's rows holding every term."""
    table = sa.table(fts_table, sa.column("rowid"))
    return sa.select(table.c.rowid).where(sa.literal_column(fts_table).op("MATCH")(fts_match(terms)))


def in_scope(column, engagements, dialect: str, use_index: bool = True):
    """column IN engagements. On PostgreSQL a list goes as one array parameter
    (= ANY): a hundred separate parameters cost more to send than the search.
    `use_index=False` tells SQLite not to walk the scope's index for it (`+ 0`),
    when the statement is meant to start from the FTS matches."""
    if dialect == "postgresql" and isinstance(engagements, list):
        return column == sa.any_(sa.bindparam("engagement_ids", engagements, type_=ARRAY(sa.Integer)))
    if dialect == "sqlite" and not use_index:
        column = column + 0
    return column.in_(engagements)


@dataclass(frozen=True)
class Source:
    """One kind of record searched, and how to find its text."""

    kind: str
    model: type
    fts_table: str
    column_names: tuple[str, ...]

    @property
    def columns(self):
        return [getattr(self.model, name) for name in self.column_names]

    def conditions(self, terms, dialect: str) -> list:
        return all_terms_in(self.columns, terms, dialect)

    def _statements_of(self, sessions: sa.Subquery, terms, dialect: str, limit: int) -> sa.Select:
        """The matching statements of the given (id, held_on) sessions. PostgreSQL
        reads them session by session (LATERAL, kept apart from the outer query by
        OFFSET 0): for a word no index can serve, its planner would otherwise read
        every statement there is to join them with the sessions."""
        if dialect == "postgresql":
            statements = (
                sa.select(Statement.id)
                .where(Statement.session_id == sessions.c.id, *self.conditions(terms, dialect))
                .offset(0)
                .lateral("matching")
            )
            select = sa.select(statements.c.id, sessions.c.held_on.label("day")).select_from(sessions).join(
                statements, sa.true()
            )
            statement_id = statements.c.id
        else:
            select = (
                sa.select(Statement.id, sessions.c.held_on.label("day"))
                .select_from(sessions)
                .join(Statement, Statement.session_id == sessions.c.id)
                .where(*self.conditions(terms, dialect))
            )
            statement_id = Statement.id
        return select.order_by(sessions.c.held_on.desc(), statement_id.desc()).limit(limit)

    def scope_scan(self, engagements, terms, dialect: str, limit: int, since: date | None = None) -> sa.Select:
        """Every record in scope (since the day `since`, if given) checked: for words
        no index can serve, and for scopes small enough that checking them all is
        cheaper than any index. PostgreSQL's planner would still reach for a trigram
        index (it misjudges how many records hold a Japanese word), so the scope is
        read in a subquery it cannot see into (OFFSET 0) and the text checked on its
        rows; the statements are read session by session (see `_statements_of`)."""
        if dialect != "postgresql":
            return self.filtered(engagements, terms, dialect, limit, since)
        if self.model is Statement:
            session = DialogueSession
            sessions = (
                sa.select(session.id, session.held_on)
                .where(in_scope(session.engagement_id, engagements, dialect), session.deleted_at.is_(None))
                .where(*([session.held_on >= since] if since else []))
                .subquery("sessions")
            )
            return self._statements_of(sessions, terms, dialect, limit)
        base = self._base(engagements, dialect, True, since)
        records = base.add_columns(*self.columns).order_by(None).offset(0).subquery("in_scope")
        return (
            sa.select(records.c.id, records.c.day)
            .where(*all_terms_in([records.c[name] for name in self.column_names], terms, dialect))
            .order_by(records.c.day.desc(), records.c.id.desc())
            .limit(limit)
        )

    def _base(self, engagements, dialect: str, use_index: bool, since: date | None = None) -> sa.Select:
        """(id, day) of the live records of this kind in the scope (since the day
        `since`, if given), newest first."""
        if self.model is Insight:
            select = sa.select(Insight.id, Insight.created_at.label("day")).where(
                Insight.deleted_at.is_(None), in_scope(Insight.engagement_id, engagements, dialect, use_index)
            )
            if since:
                select = select.where(Insight.created_at >= datetime.combine(since, time.min, tzinfo=UTC))
            return select.order_by(Insight.created_at.desc(), Insight.id.desc())
        session = DialogueSession
        if self.model is Statement:
            select = sa.select(Statement.id, session.held_on.label("day")).join(
                session, session.id == Statement.session_id
            )
        else:
            select = sa.select(session.id, session.held_on.label("day"))
        select = select.where(
            session.deleted_at.is_(None), in_scope(session.engagement_id, engagements, dialect, use_index)
        )
        if since:
            select = select.where(session.held_on >= since)
        return select.order_by(session.held_on.desc(), self.model.id.desc())

    def from_index(self, engagements, long_terms, short_terms, dialect: str, limit: int) -> sa.Select:
        """SQLite: the FTS matches of the long terms, looked up one by one and kept
        when in scope and holding the short terms too."""
        return (
            self._base(engagements, dialect, use_index=False)
            .where(self.model.id.in_(fts_rowids(self.fts_table, long_terms)), *self.conditions(short_terms, dialect))
            .limit(limit)
        )

    def filtered(self, engagements, terms, dialect: str, limit: int, since: date | None = None) -> sa.Select:
        """Scope and text conditions side by side: the planner picks the index."""
        return self._base(engagements, dialect, True, since).where(*self.conditions(terms, dialect)).limit(limit)


SOURCES = (
    Source("session", DialogueSession, "session_fts", ("notes", "reflection", "next_steps")),
    Source("statement", Statement, "statement_fts", ("text",)),
    Source("insight", Insight, "insight_fts", ("text",)),
)
KINDS = tuple(source.kind for source in SOURCES)
