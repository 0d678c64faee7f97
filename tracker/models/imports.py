"""Company imports: an uploaded file kept between its preview and its import, and the
slots that bound how many uploaded files are read at once."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from tracker.database import UTCDateTime, utcnow
from tracker.extensions import db
from tracker.models.common import Choice, enum_column


class ImportState(Choice):
    READY = "ready"  # previewed without errors, waiting for the user's confirmation
    IMPORTING = "importing"
    DONE = "done"
    FAILED = "failed"  # refused at import time (the data changed since the preview)

    @classmethod
    def labels(cls):
        return {cls.READY: _l("Ready to import"), cls.IMPORTING: _l("Importing"), cls.DONE: _l("Imported"),
                cls.FAILED: _l("Refused")}


class CompanyImport(db.Model):
    """A checked file of companies, waiting to be imported (or imported).

    The parsed cells live here, not in a worker's memory, because the preview
    and the confirmation may reach different app processes. `step`,
    `processed` and `total` are the progress of a running import, written on
    a connection of their own so that other requests see them while the
    import's transaction is still open.
    """

    __tablename__ = "company_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    state: Mapped[ImportState] = mapped_column(enum_column(ImportState, "import_state"), default=ImportState.READY)
    # {"columns": [field, ...], "capital_unit": 1, "rows": [[row number, cell, ...], ...]}; emptied once imported.
    cells: Mapped[dict] = mapped_column(sa.JSON)
    # What the preview found: counts, a sample of changes, regions to create.
    report: Mapped[dict] = mapped_column(sa.JSON)
    step: Mapped[str] = mapped_column(sa.String(16), default="")
    processed: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # Last sign of life of a running import: a stale one may be claimed again.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_count: Mapped[int | None]
    updated_count: Mapped[int | None]
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<CompanyImport {self.id} {self.filename} {self.state}>"


class ImportSlot(db.Model):
    """One of the IMPORT_MAX_CONCURRENT places in which an uploaded file may be read.

    A row exists while a request reads a file (tracker/imports/slots.py): the
    primary key makes taking slot `number` atomic on every backend and every
    machine, and the unique user makes one user hold at most one slot. A
    worker killed mid-read leaves its row behind; after `expires_at` the slot
    is free again.
    """

    __tablename__ = "import_slots"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # The random token of the request holding it: only that request may let it go.
    holder: Mapped[str] = mapped_column(sa.String(32))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
