"""Deleted records, as the admin's page lists them, and restoring one.

Every query here asks for deleted rows explicitly
(`execution_options(include_deleted=True)`): the ORM filter of
tracker/models/common.py would leave them out otherwise.
"""

import math
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from tracker.actions.services import restore_action
from tracker.companies.services import restore_company
from tracker.engagements.services import restore_engagement
from tracker.extensions import db
from tracker.insights.services import restore_insight
from tracker.models import Action, Company, DialogueSession, Engagement, Insight, User
from tracker.permissions import in_scope_or_404
from tracker.sessions.services import restore_session


@dataclass(frozen=True)
class Kind:
    """One kind of deletable record: its model, its name on the page, how it comes back."""

    model: type
    label: object
    restore: object


KINDS = {
    "company": Kind(Company, _l("Company"), restore_company),
    "engagement": Kind(Engagement, _l("Engagement"), restore_engagement),
    "session": Kind(DialogueSession, _l("Dialogue session"), restore_session),
    "insight": Kind(Insight, _l("Insight"), restore_insight),
    "action": Kind(Action, _l("Action"), restore_action),
}


@dataclass
class DeletedRecord:
    """A row of the list: the record, its company, who deleted it and when, and
    which deleted parent (if any) must be restored first."""

    kind: str
    record: object
    company: Company
    deleted_at: datetime
    deleted_by: User | None
    parent_deleted: str | None  # "company" or "engagement"

    @property
    def label(self):
        return KINDS[self.kind].label


@dataclass
class Listing:
    """One page of the list, with what the pagination macro reads."""

    items: list[DeletedRecord]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int:
        return self.page + 1


def _including_deleted(query):
    return query.execution_options(include_deleted=True)


def deleted_listing(kind: str | None, page: int, per_page: int) -> Listing:
    """Deleted records of one kind (or of every kind), newest deletion first.

    Three queries plus one per kind on the page: a count and a page of
    (kind, id) over a UNION of the kinds, then the records themselves.
    """
    chosen = {kind: KINDS[kind]} if kind else KINDS
    parts = [
        sa.select(sa.literal(name, sa.String).label("kind"), spec.model.id.label("id"),
                  spec.model.deleted_at.label("deleted_at"))
        .where(spec.model.deleted_at.is_not(None))
        for name, spec in chosen.items()
    ]
    rows = sa.union_all(*parts).subquery("deleted")
    total = db.session.scalar(_including_deleted(sa.select(sa.func.count()).select_from(rows)))
    page = max(page, 1)
    keys = db.session.execute(_including_deleted(
        sa.select(rows.c.kind, rows.c.id)
        .order_by(rows.c.deleted_at.desc(), rows.c.kind, rows.c.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )).all()
    return Listing(_records(keys), total, page, per_page)


def _records(keys) -> list[DeletedRecord]:
    """The records behind (kind, id) pairs, in the same order, with their companies and deleters."""
    ids: dict[str, list[int]] = {}
    for kind, record_id in keys:
        ids.setdefault(kind, []).append(record_id)
    loaded = {}
    for kind, record_ids in ids.items():
        model = KINDS[kind].model
        query = sa.select(model).where(model.id.in_(record_ids))
        if model is Engagement:
            query = query.options(joinedload(Engagement.company))
        elif model is not Company:
            query = query.options(joinedload(model.engagement).joinedload(Engagement.company))
        loaded.update({(kind, record.id): record for record in db.session.scalars(_including_deleted(query))})
    deleter_ids = {record.deleted_by_id for record in loaded.values()} - {None}
    deleters = {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(deleter_ids)))}
    items = []
    for kind, record_id in keys:
        record = loaded[(kind, record_id)]
        items.append(DeletedRecord(
            kind, record, _company_of(record), record.deleted_at, deleters.get(record.deleted_by_id),
            _deleted_parent(record),
        ))
    return items


def _company_of(record) -> Company:
    if isinstance(record, Company):
        return record
    if isinstance(record, Engagement):
        return record.company
    return record.engagement.company


def _deleted_parent(record) -> str | None:
    """The parent to restore first: the company, else the engagement (None when both are in use)."""
    if isinstance(record, Company):
        return None
    if _company_of(record).is_deleted:
        return "company"
    if not isinstance(record, Engagement) and record.engagement.is_deleted:
        return "engagement"
    return None


def record_or_404(kind: str, record_id: int):
    """A record of the kind, deleted or not (the caller says which it needs), or 404."""
    model = KINDS[kind].model
    return in_scope_or_404(_including_deleted(sa.select(model).where(model.id == record_id)), model, record_id)


def restore(kind: str, record):
    """Bring a deleted record back (engagements.services.RestoreRefused when its parent
    is deleted). For a company: how many of its engagements came back with it."""
    return KINDS[kind].restore(record)
