"""Pieces shared by the models: labelled choices, portable enums, bilingual names."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import get_locale
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from tracker.database import UTCDateTime, utcnow


class Choice(StrEnum):
    """A fixed list of values stored as text, each with a translatable label.

    Subclasses define `labels()`, a {member: lazy_gettext(...)} mapping.
    """

    @classmethod
    def labels(cls) -> dict:
        raise NotImplementedError

    @property
    def label(self):
        return self.labels()[self]

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        """(value, label) pairs in declaration order, for forms and filters."""
        return [(member.value, member.label) for member in cls]


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
