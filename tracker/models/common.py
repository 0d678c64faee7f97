"""Pieces shared by the models: labelled choices, portable enums, bilingual names."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import get_locale
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria

from tracker.database import UTCDateTime, utcnow


class Choice(StrEnum):
    """A fixed list of values stored as text, each with a translatable label.

    Subclasses define `labels()`, a {member: lazy_gettext(...)} mapping; the
    mapping is built once per class (its strings are translated when shown).
    """

    @classmethod
    def labels(cls) -> dict:
        raise NotImplementedError

    @property
    def label(self):
        return _LABELS[type(self)][self]

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        """(value, label) pairs in declaration order, for forms and filters."""
        return [(member.value, member.label) for member in cls]


class _Labels(dict):
    """{Choice subclass: its labels()}, filled on first use."""

    def __missing__(self, choice: type[Choice]) -> dict:
        self[choice] = choice.labels()
        return self[choice]


_LABELS = _Labels()


def enum_column(enum_class: type[StrEnum], name: str) -> sa.Enum:
    """A portable enum: VARCHAR plus a CHECK constraint on both databases."""
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def is_english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def localized(ja: str, en: str) -> str:
    """Pick the Japanese or English form of a name for the current language."""
    return en if is_english() and en else ja


class Timestamped:
    """When a record was made and last changed (UTC)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Versioned:
    """Optimistic locking: each save bumps `version`; a save based on an older
    version is refused (forms carry the version they were shown)."""

    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class SoftDeleted:
    """Deleting from the application only marks the record; an admin can restore it.

    Marked records are left out of every query unless it asks for them with
    `execution_options(include_deleted=True)` (see tracker/database.py).
    """

    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def mark_deleted(self, user, at: datetime) -> None:
        """Hide the record from now on; `at` is shared by everything deleted with it."""
        self.deleted_at, self.deleted_by_id = at, user.id

    def mark_restored(self) -> None:
        self.deleted_at, self.deleted_by_id = None, None


def index_deleted_rows(models) -> None:
    """A partial index on deleted_at of each soft-deleted table, holding only its few
    deleted rows: the admin's list of them (tracker/admin/deletions.py) reads those
    newest first instead of every row of the country (migration 0012)."""
    deleted = sa.text("deleted_at IS NOT NULL")
    for model in models:
        sa.Index(f"ix_{model.__tablename__}_deleted_at", model.__table__.c.deleted_at,
                 sqlite_where=deleted, postgresql_where=deleted)


@event.listens_for(Session, "do_orm_execute")
def _leave_out_deleted(execute_state) -> None:
    """Every ORM query, wherever a soft-deleted entity appears in it (joins and
    relationship loads included), sees only records that are not deleted."""
    if (
        execute_state.is_select
        and not execute_state.is_column_load
        and not execute_state.is_relationship_load
        and not execute_state.execution_options.get("include_deleted", False)
    ):
        execute_state.statement = execute_state.statement.options(
            with_loader_criteria(SoftDeleted, lambda cls: cls.deleted_at.is_(None), include_aliases=True)
        )
