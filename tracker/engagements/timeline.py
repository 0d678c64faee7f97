"""The company's journey: every dated event of an engagement, oldest first, a
page of EVENTS_PER_PAGE at a time (the latest page first).

One query per kind of event (session dates, insight state changes, actions
with their updates, referrals; phase changes come with the engagement), then
the sessions on the page, each loading the names it shows, so the page costs
the same whatever its length.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tracker.engagements.services import local_date
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionUpdate,
    DialogueSession,
    Engagement,
    Insight,
    InsightStateChange,
    Referral,
    User,
)
from tracker.permissions import case_engagement_ids, scoped_to_cases

# Within one day the story reads: opening, session, what surfaced, what was
# agreed, progress, referrals, then the phase decided on.
ORDER = {
    "started": 0, "opened": 0, "session": 1, "insight": 2, "action": 3, "action_update": 4,
    "referral": 5, "phase": 6,
}
# A page of the journey: enough for months of work, not the years of a long engagement.
EVENTS_PER_PAGE = 50


@dataclass(frozen=True)
class Event:
    on: date
    kind: str
    record: object
    sequence: int = 0

    @property
    def sort_key(self):
        return (self.on, ORDER[self.kind], self.sequence)


@dataclass
class Month:
    first_day: date
    events: list[Event] = field(default_factory=list)


@dataclass
class JourneyPage:
    """One page of the journey: its events, oldest first, and where it sits among the pages."""

    events: list[Event]
    page: int
    pages: int
    total: int
    # Every action of the engagement, held so that an update on the page finds
    # its action in the session (no query per update) even when the action's own
    # event is on another page.
    actions: list = field(default_factory=list, repr=False)


def journey(user: User, engagement: Engagement, page: int = 1) -> JourneyPage:
    """A page of the engagement's events, oldest first: page 1 holds the latest
    EVENTS_PER_PAGE, page 2 the ones before, and so on. `engagement` comes from case_or_404.

    Years of sessions must not make one endless page: the sessions' dates are
    read first (from an index), and the full records only of those on the page.
    """
    events = [
        Event(change.changed_on, "opened" if change.from_phase is None else "phase", change, change.id)
        for change in engagement.phase_changes
    ]
    if not any(event.kind == "opened" for event in events):  # opened before phases were recorded
        events.append(Event(engagement.started_on, "started", engagement, engagement.id))
    events += [Event(held_on, "session", None, session_id) for session_id, held_on in _session_dates(user, engagement)]
    events += [
        Event(local_date(change.changed_at), "insight", change, change.id)
        for change in _insight_changes(user, engagement)
    ]
    actions = list(_actions(user, engagement))
    for action in actions:
        events.append(Event(local_date(action.created_at), "action", action, action.id))
        events += [Event(u.noted_on, "action_update", u, u.id) for u in action.updates]
    events += [Event(r.referred_on, "referral", r, r.id) for r in _referrals(user, engagement)]
    events.sort(key=lambda event: event.sort_key)
    pages = max(1, -(-len(events) // EVENTS_PER_PAGE))
    page = min(max(page, 1), pages)
    end = len(events) - (page - 1) * EVENTS_PER_PAGE
    shown = events[max(0, end - EVENTS_PER_PAGE):end]
    sessions = {s.id: s for s in _sessions(user, [e.sequence for e in shown if e.kind == "session"])}
    shown = [replace(e, record=sessions[e.sequence]) if e.kind == "session" else e for e in shown]
    return JourneyPage(shown, page, pages, len(events), actions)


def by_month(events: list[Event]) -> list[Month]:
    return [
        Month(first_day, list(group))
        for first_day, group in groupby(events, key=lambda event: event.on.replace(day=1))
    ]


def _session_dates(user, engagement):
    return db.session.execute(
        scoped_to_cases(user, DialogueSession)
        .where(DialogueSession.engagement_id == engagement.id)
        .with_only_columns(DialogueSession.id, DialogueSession.held_on)
    )


def _sessions(user, session_ids: list[int]):
    if not session_ids:
        return []
    return db.session.scalars(
        scoped_to_cases(user, DialogueSession)
        .where(DialogueSession.id.in_(session_ids))
        .options(
            selectinload(DialogueSession.company_attendees),
            selectinload(DialogueSession.team_attendees),
            joinedload(DialogueSession.author),
        )
    )


def _insight_changes(user, engagement):
    return db.session.scalars(
        sa.select(InsightStateChange)
        .join(InsightStateChange.insight)
        .where(Insight.engagement_id == engagement.id, Insight.engagement_id.in_(case_engagement_ids(user)))
        .options(contains_eager(InsightStateChange.insight), joinedload(InsightStateChange.changed_by))
    )


def _actions(user, engagement):
    return db.session.scalars(
        scoped_to_cases(user, Action)
        .where(Action.engagement_id == engagement.id)
        .options(
            joinedload(Action.owner_contact),
            joinedload(Action.owner_user),
            selectinload(Action.updates).joinedload(ActionUpdate.author),
        )
    )


def _referrals(user, engagement):
    return db.session.scalars(
        scoped_to_cases(user, Referral)
        .where(Referral.engagement_id == engagement.id)
        .options(joinedload(Referral.measure))
    )
