"""The search indexes the models do not describe, named so schema comparisons skip them.

SQLite keeps FTS5 tables (and their shadow tables) beside the models' tables;
PostgreSQL keeps GIN trigram indexes. Both are made by migration 0008 only.
"""

FTS_TABLES = ("session_fts", "statement_fts", "insight_fts")
TRIGRAM_INDEX_PREFIX = "trgm_"


def is_search_index(name: str | None, type_: str) -> bool:
    """True for an FTS table, one of its shadow tables, or a trigram index."""
    if not name:
        return False
    if type_ == "table":
        return any(name == fts or name.startswith(f"{fts}_") for fts in FTS_TABLES)
    return type_ == "index" and name.startswith(TRIGRAM_INDEX_PREFIX)


def include_object(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object hook: leave the search indexes out of comparisons."""
    return not (reflected and compare_to is None and is_search_index(name, type_))
