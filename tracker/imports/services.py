"""Named operations of the company import: preview a file, keep it, import it.

An import is all or nothing: one transaction, refused while any row has an
error, and idempotent on the corporate number (a company already recorded is
updated, never created twice). Writes are bulk Core statements: one
multi-row INSERT per chunk of new companies, one executemany UPDATE per chunk
of changed ones.
"""

from datetime import timedelta

import sqlalchemy as sa

from tracker.audit.trail import record_event, record_refusal
from tracker.database import utcnow
from tracker.extensions import db
from tracker.imports.checking import CHUNK, UPDATABLE, Plan, make_plan
from tracker.imports.progress import Progress, set_progress
from tracker.imports.reading import Limits, Table, read_table
from tracker.models import Company, CompanyImport, ImportState, Region, User
from tracker.summaries.tallies import refresh as refresh_tallies
from tracker.summaries.tallies import regions_of

# A previewed file waits this long for its import; then it is cleared away.
KEPT_FOR = timedelta(days=1)
# A running import that has given no sign of life for this long has died with its worker.
STALE_AFTER = timedelta(minutes=10)


class ImportRefused(Exception):
    """The rows have errors (found at import time): nothing was written."""

    def __init__(self, plan: Plan):
        super().__init__(f"{plan.error_rows} rows with errors")
        self.plan = plan


class ChangedMeanwhile(Exception):
    """A company changed between the checks and the writes: nothing was written."""


def preview_file(filename: str, data: bytes, user: User | None, limits: Limits, progress: Progress | None = None):
    """Read (within `limits`) and check a file without writing anything: (table, plan). Raises FileProblem."""
    table = read_table(filename, data, limits)
    plan = make_plan(table, user, progress)
    if plan.out_of_scope:
        # Another region's companies are not this user's to know: the rows are refused, and that is audited.
        record_refusal("access_refused", f"import {filename[:100]}: {len(plan.out_of_scope)} corporate numbers "
                       f"held out of scope (companies {', '.join(map(str, plan.out_of_scope[:20]))})")
    return table, plan


def keep_for_import(user: User, filename: str, table: Table, plan: Plan) -> CompanyImport:
    """Keep a checked file (no errors) until the user confirms its import."""
    db.session.execute(sa.delete(CompanyImport).where(CompanyImport.created_at < utcnow() - KEPT_FOR))
    record = CompanyImport(user_id=user.id, filename=filename[:255], cells=table.as_json(),
                           report=plan.report() | {"ignored": table.ignored}, total=len(table.rows))
    db.session.add(record)
    return record


def claim(record: CompanyImport) -> bool:
    """Mark the import as running, unless another request already runs (or ran) it.

    Committed at once on its own connection, so a double click or a second
    worker finds the claim taken.
    """
    table = CompanyImport.__table__
    free = sa.or_(table.c.state == ImportState.READY,
                  sa.and_(table.c.state == ImportState.IMPORTING, table.c.heartbeat_at < utcnow() - STALE_AFTER))
    return set_progress(record.id, condition=free, state=ImportState.IMPORTING, step="checking", processed=0,
                        heartbeat_at=utcnow())


def release(record: CompanyImport, state: ImportState = ImportState.READY) -> None:
    """After a failed attempt: the import may be tried again (READY) or is refused (FAILED)."""
    set_progress(record.id, state=state, step="", processed=0)


def run_import(record: CompanyImport, user: User, progress: Progress) -> tuple[int, int]:
    """Import a kept file in the current transaction (the caller commits): (created, updated)."""
    created, updated = import_table(Table.from_json(record.cells), user, record.filename, progress)
    # Only now, after the last progress write, does this transaction touch the import's row
    # (on PostgreSQL an earlier write would lock the row the progress connection updates).
    db.session.execute(sa.update(CompanyImport).where(CompanyImport.id == record.id).values(
        state=ImportState.DONE, step="done", created_count=created, updated_count=updated, finished_at=utcnow(),
        cells={"columns": [], "capital_unit": 1, "rows": []}))
    return created, updated


def import_table(table: Table, user: User | None, filename: str, progress: Progress) -> tuple[int, int]:
    """Check the rows against the database as it is now and write them: (created, updated).

    Raises ImportRefused if any row has an error, ChangedMeanwhile if a company
    changed under the import; the caller then rolls back.
    """
    plan = make_plan(table, user, progress)
    if plan.errors:
        raise ImportRefused(plan)
    # Announced before the first write: on SQLite no other connection can write after it.
    progress.start("saving", len(plan.new) + len(plan.updates))
    region_ids = _create_regions(plan)
    _insert(plan.new, region_ids, progress)
    updated = [update.company_id for update in plan.updates]
    regions = regions_of(db.session.connection(), (), updated)
    _update(plan.updates, region_ids, progress)
    # Core statements bypass the flush listener: a company moved to another region moves its tallies.
    refresh_tallies(db.session.connection(), regions=regions | regions_of(db.session.connection(), (), updated))
    record_event(
        "import", actor=user,
        detail=f"{filename}: {len(plan.new)} created, {len(plan.updates)} updated, "
               f"{len(region_ids)} regions created",
        changes={"created": len(plan.new), "updated": len(plan.updates), "file": filename},
    )
    return len(plan.new), len(plan.updates)


def _create_regions(plan: Plan) -> dict[str, int]:
    """Regions for real municipalities not recorded yet (an admin's import): code → id."""
    regions = [Region(code=m.code, prefecture=m.prefecture, municipality=m.name, prefecture_en=m.prefecture_en,
                      municipality_en=m.name_en) for m, _rows in plan.new_regions.values()]
    db.session.add_all(regions)
    db.session.flush()
    return {region.code: region.id for region in regions}


def _insert(rows: list[dict], region_ids: dict, progress: Progress) -> None:
    now = utcnow()
    table = Company.__table__
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        db.session.execute(sa.insert(table), [{
            "corporate_number": row["corporate_number"],
            "name": row["name"],
            "kana": row["kana"] or "",
            "region_id": row["region_id"] or region_ids[row["region_code"]],
            "address": "",
            "industry_code": row["industry_code"],
            "employees": row["employees"],
            "capital": row["capital"],
            "leader_selection_year": row["leader_selection_year"],
            "representative": row["representative"] or "",
            "version": 1,
            "created_at": now,
            "updated_at": now,
        } for row in chunk])
        progress.advance(len(chunk))


def _update(updates: list, region_ids: dict, progress: Progress) -> None:
    """Bump each company's version (optimistic locking): a form opened before the import
    then refuses to overwrite it. The version in the WHERE clause catches a save made
    between the checks and this statement."""
    table = Company.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"), table.c.version == sa.bindparam("b_version"),
               table.c.deleted_at.is_(None))
        .values(**{name: sa.bindparam(f"b_{name}") for name in UPDATABLE},
                version=table.c.version + 1, updated_at=utcnow())
    )
    for start in range(0, len(updates), CHUNK):
        chunk = updates[start:start + CHUNK]
        params = [{"b_id": u.company_id, "b_version": u.version,
                   **{f"b_{name}": u.values[name] for name in UPDATABLE},
                   "b_region_id": u.values["region_id"] or region_ids[u.region_code]} for u in chunk]
        for name in ("kana", "representative"):
            for values in params:
                values[f"b_{name}"] = values[f"b_{name}"] or ""
        result = db.session.execute(statement, params)
        if result.rowcount != len(chunk):
            raise ChangedMeanwhile()
        progress.advance(len(chunk))
