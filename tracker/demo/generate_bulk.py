"""Bulk writing for `flask demo generate`: rows as tuples, ids handed out in Python,
written table by table in chunks on one connection of its own, past the ORM:
executemany on SQLite, COPY on PostgreSQL.

Rows carry plain values: enum string values, dates, aware UTC datetimes. On
SQLite they are stored as SQLAlchemy stores them (dates and timestamps as ISO
text, naive UTC with microseconds); PostgreSQL's COPY ignores the +00:00 of a
timestamp without time zone. Both databases get the same data.
"""

import re
from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa

from tracker.database import UTCDateTime
from tracker.extensions import db

# Faster bulk loading on SQLite, for this connection only (restored afterwards):
# a crash mid-load loses the load, which is then started again on a fresh file.
SQLITE_LOAD_PRAGMAS = {"synchronous": "OFF", "cache_size": "-262144", "temp_store": "MEMORY"}


class BulkWriter:
    """Buffers rows per table; `flush()` writes parents before children and commits."""

    def __init__(self, columns: dict[str, tuple[str, ...]]):
        self.columns = columns
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self.buffered = 0
        self.written: dict[str, int] = defaultdict(int)
        self.connection = db.engine.raw_connection()
        self.postgresql = db.engine.dialect.name == "postgresql"
        order = [table.name for table in db.metadata.sorted_tables]
        self.order = sorted(columns, key=order.index)
        self.converters = {table: _sqlite_converters(db.metadata.tables[table], names)
                           for table, names in columns.items()}
        self.restore = {}
        self.suspended: list[tuple[str, str]] = []  # (name, SQL) of triggers to create again
        self.indexes: list[str] = []  # full-text tables to rebuild
        self.dropped: list[str] = []  # PostgreSQL: definitions of indexes to create again
        if self.postgresql:
            self._drop_text_indexes()
        else:
            cursor = self.connection.cursor()
            for name, value in SQLITE_LOAD_PRAGMAS.items():
                self.restore[name] = cursor.execute(f"PRAGMA {name}").fetchone()[0]
                cursor.execute(f"PRAGMA {name}={value}")
            self._suspend_full_text_triggers(cursor)

    def _suspend_full_text_triggers(self, cursor) -> None:
        """SQLite: an FTS5 index fed row by row by a trigger takes five times as long
        as rebuilding it once; so the insert triggers of the full-text tables whose
        content we load are dropped for the load and the tables rebuilt at the end."""
        tables = cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%fts5%'")
        for name, sql in tables.fetchall():
            content = re.search(r"content\s*=\s*'?\"?(\w+)", sql)
            if content and content[1] in self.columns:
                self.indexes.append(name)
                triggers = cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                    "AND sql LIKE '%AFTER INSERT%' AND sql LIKE ?", (content[1], f"%{name}%"))
                self.suspended += triggers.fetchall()
        for name, _sql in self.suspended:
            cursor.execute(f'DROP TRIGGER "{name}"')
        self.connection.commit()

    def _drop_text_indexes(self) -> None:
        """PostgreSQL: the same for the trigram (GIN) indexes over the loaded tables:
        building one at the end is much cheaper than growing it row by row."""
        cursor = self.connection.cursor()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexdef LIKE '%%USING gin%%'", (list(self.columns),))
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            self.dropped.append(definition)
        self.connection.commit()

    def finish(self) -> None:
        """Rebuild the full-text indexes and put their triggers back (also after a failure)."""
        cursor = self.connection.cursor()
        self.connection.rollback()
        if self.dropped:
            cursor.execute("SET maintenance_work_mem = '256MB'")
        for definition in self.dropped:
            cursor.execute(definition)
        for name in self.indexes:
            cursor.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')")  # noqa: S608 (names from the schema)  # nosec B608
        for _name, sql in self.suspended:
            cursor.execute(sql)
        self.connection.commit()
        self.indexes, self.suspended, self.dropped = [], [], []

    def max_id(self, table: str) -> int:
        cursor = self.connection.cursor()
        cursor.execute(f"SELECT max(id) FROM {table}")  # noqa: S608 (table names are ours)  # nosec B608
        return cursor.fetchone()[0] or 0

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)
        self.buffered += 1

    def flush(self) -> None:
        for table in self.order:
            rows = self.rows.pop(table, None)
            if rows:
                self._write(table, rows)
                self.written[table] += len(rows)
        self.buffered = 0
        self.connection.commit()

    def close(self) -> None:
        self.finish()
        if self.restore:
            cursor = self.connection.cursor()
            for name, value in self.restore.items():
                cursor.execute(f"PRAGMA {name}={value}")
        self.connection.close()

    def _write(self, table: str, rows: list[tuple]) -> None:
        columns = self.columns[table]
        cursor = self.connection.cursor()
        if self.postgresql:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        converters = self.converters[table]
        if converters:
            rows = [_convert(row, converters) for row in rows]
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows  # noqa: S608  # nosec B608
        )


def _sqlite_converters(table: sa.Table, names: tuple[str, ...]) -> list[tuple[int, object]]:
    """(position, function) of each value SQLite needs in SQLAlchemy's stored form."""
    found = []
    for position, name in enumerate(names):
        column_type = table.c[name].type
        if isinstance(column_type, UTCDateTime):
            found.append((position, _timestamp))
        elif isinstance(column_type, sa.Date):
            found.append((position, date.isoformat))
        elif isinstance(column_type, sa.Boolean):
            found.append((position, int))
    return found


def _timestamp(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def _convert(row: tuple, converters) -> tuple:
    values = list(row)
    for position, function in converters:
        if values[position] is not None:
            values[position] = function(values[position])
    return tuple(values)


class Ids:
    """The next free id of each table, starting after the largest one there."""

    def __init__(self, writer: BulkWriter):
        self.writer = writer
        self._next: dict[str, int] = {}

    def next(self, table: str) -> int:
        if table not in self._next:
            self._next[table] = self.writer.max_id(table) + 1
        value = self._next[table]
        self._next[table] = value + 1
        return value


def reset_sequences(tables) -> None:
    """PostgreSQL: move each id sequence past the ids written, so the app's next insert works."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (table names are ours)  # nosec B608
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        ))
    db.session.commit()


def analyse() -> None:
    """Fresh planner statistics after a bulk load (VACUUM needs autocommit on PostgreSQL)."""
    db.session.close()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(sa.text("VACUUM ANALYZE"))
            return
        # Full statistics (a few seconds at national scale): sampled ones (analysis_limit)
        # misjudge the indexes led by a column of few values, such as a state, and
        # sent My work's "due soon" count through every open action of the country.
        connection.execute(sa.text("ANALYZE"))
