"""A page of search results: the records behind the hits, with their snippets."""

from dataclasses import dataclass, field
from datetime import date, datetime
from math import ceil

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import DialogueSession, Engagement, Insight, Statement
from tracker.pagination import PageNavigation
from tracker.search.highlight import snippet, term_pattern
from tracker.search.queries import KINDS, Found, SearchQuery

KIND_LABELS = {
    "session": _l("Session notes"),
    "statement": _l("Client's words"),
    "insight": _l("Insight"),
}
SESSION_FIELDS = (("notes", _l("What was heard")), ("reflection", _l("Reflection")), ("next_steps", _l("Next steps")))


@dataclass
class Result:
    """One matching record as the results list shows it."""

    kind: str
    record_id: int
    day: date | datetime
    engagement: Engagement
    url: str
    snippets: list[tuple[object, Markup]] = field(default_factory=list)

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]


@dataclass
class ResultPage(PageNavigation):
    """Results of one page, the counts per kind and what paging needs."""

    items: list[Result]
    counts: dict[str, int]
    capped: dict[str, bool]
    page: int
    pages: int
    cap: int
    since: date | None = None  # short words were looked for in the records since this day only...
    scan_limit: int = 0  # ...the newest this many sessions

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def total_capped(self) -> bool:
        return any(self.capped.values())


def _as_day(value) -> date:
    """Sessions are dated by the day held, insights by when recorded: one key for both."""
    return value.date() if isinstance(value, datetime) else value


def _load(model, ids, *options) -> dict:
    if not ids:
        return {}
    records = db.session.scalars(sa.select(model).where(model.id.in_(ids)).options(*options))
    return {record.id: record for record in records}


def result_page(found: Found, query: SearchQuery, kind: str | None, page: int, per_page: int) -> ResultPage:
    """The page-th slice of the (capped) hits of `kind` (all kinds if None), newest
    first, with its records loaded in at most three statements."""
    kinds = [kind] if kind else list(KINDS)
    ordered = sorted(
        ((_as_day(day), record_id, k) for k in kinds for record_id, day in found.hits[k][:found.cap]),
        key=lambda hit: (hit[0], hit[1]),
        reverse=True,
    )[:found.cap]
    pages = max(1, ceil(len(ordered) / per_page))
    hits = ordered[(page - 1) * per_page:page * per_page]
    wanted = {k: [record_id for _day, record_id, hit_kind in hits if hit_kind == k] for k in KINDS}
    company = joinedload(Engagement.company)
    sessions = _load(DialogueSession, wanted["session"], joinedload(DialogueSession.engagement).options(company))
    statements = _load(
        Statement, wanted["statement"],
        joinedload(Statement.session).joinedload(DialogueSession.engagement).options(company),
    )
    insights = _load(Insight, wanted["insight"], joinedload(Insight.engagement).options(company))
    pattern = term_pattern(query.terms)
    items = []
    for _day, record_id, hit_kind in hits:
        if hit_kind == "session" and record_id in sessions:
            record = sessions[record_id]
            found_in = [(label, snippet(getattr(record, name), pattern)) for name, label in SESSION_FIELDS]
            items.append(Result(
                "session", record.id, record.held_on, record.engagement,
                url_for("sessions.show", session_id=record.id), [pair for pair in found_in if pair[1]],
            ))
        elif hit_kind == "statement" and record_id in statements:
            record = statements[record_id]
            items.append(Result(
                "statement", record.id, record.session.held_on, record.session.engagement,
                url_for("sessions.show", session_id=record.session_id, _anchor="statements"),
                [(None, snippet(record.text, pattern, width=240))],
            ))
        elif hit_kind == "insight" and record_id in insights:
            record = insights[record_id]
            items.append(Result(
                "insight", record.id, record.created_at, record.engagement,
                url_for("insights.show", insight_id=record.id), [(None, snippet(record.text, pattern, width=240))],
            ))
    return ResultPage(
        items=items, counts={k: found.count(k) for k in KINDS}, capped={k: found.capped(k) for k in KINDS},
        page=page, pages=pages, cap=found.cap,
        since=found.since if set(kinds) & found.bounded else None, scan_limit=found.scan_limit,
    )
