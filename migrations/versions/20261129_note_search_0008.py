"""Note search: trigram indexes on the text of sessions, statements and insights.

SQLite: one FTS5 table per source with tokenize='trigram', external content
(the text stays in the source table only), kept in sync by triggers and filled
from the rows already there. PostgreSQL: pg_trgm and GIN trigram indexes on
the searched columns. Queries of one or two characters cannot use a trigram
index on either database; the search scans the user's scope for those.

Note for later SQLite revisions: a batch_alter_table on dialogue_sessions,
statements or insights recreates the table and so drops these triggers; such
a revision must create them again (copy _sqlite_upgrade's trigger statements).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# (FTS table, source table, searched columns). The FTS tables are named in
# migrations/env.py so that comparing the models with the database skips them.
SOURCES = (
    ("session_fts", "dialogue_sessions", ("notes", "reflection", "next_steps")),
    ("statement_fts", "statements", ("text",)),
    ("insight_fts", "insights", ("text",)),
)


def _sqlite_upgrade():
    for fts, source, columns in SOURCES:
        names = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{source}', content_rowid='id', "
            "tokenize='trigram')"
        )
        # External content: the index must be told the old text to remove it.
        op.execute(
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {source} BEGIN "
            f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {source} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); END"
        )
        # Only when the text changes: sessions are saved often (state, review) without it.
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
        op.execute(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {source} WHEN {changed} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END"
        )
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _sqlite_downgrade():
    for fts, _source, _columns in SOURCES:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")


def _postgresql_upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for _fts, source, columns in SOURCES:
        for column in columns:
            op.execute(
                f"CREATE INDEX IF NOT EXISTS trgm_{source}_{column} ON {source} USING gin ({column} gin_trgm_ops)"
            )


def _postgresql_downgrade():
    for _fts, source, columns in SOURCES:
        for column in columns:
            op.execute(f"DROP INDEX IF EXISTS trgm_{source}_{column}")
    # The extension stays: other databases' objects may use it, and dropping it needs rights.


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        _postgresql_upgrade()


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_downgrade()
    elif dialect == "postgresql":
        _postgresql_downgrade()
