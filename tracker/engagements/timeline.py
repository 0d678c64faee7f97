"""The company's journey: every dated event of an engagement, oldest first.

One query per kind of event (sessions, insight state changes, actions with
their updates, referrals; phase changes come with the engagement), each
loading the names it shows, so the page costs the same whatever its length.
"""

from dataclasses import dataclass, field
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


def journey(user: User, engagement: Engagement) -> list[Event]:
    """All events of the engagement, oldest first. `engagement` comes from case_or_404."""
    events = [
        Event(change.changed_on, "opened" if change.from_phase is None else "phase", change, change.id)
        for change in engagement.phase_changes
    ]
    if not any(event.kind == "opened" for event in events):  # opened before phases were recorded
        events.append(Event(engagement.started_on, "started", engagement, engagement.id))
    events += [Event(s.held_on, "session", s, s.id) for s in _sessions(user, engagement)]
    events += [
        Event(local_date(change.changed_at), "insight", change, change.id)
        for change in _insight_changes(user, engagement)
    ]
    for action in _actions(user, engagement):
        events.append(Event(local_date(action.created_at), "action", action, action.id))
        events += [Event(u.noted_on, "action_update", u, u.id) for u in action.updates]
    events += [Event(r.referred_on, "referral", r, r.id) for r in _referrals(user, engagement)]
    return sorted(events, key=lambda event: event.sort_key)


def by_month(events: list[Event]) -> list[Month]:
    return [
        Month(first_day, list(group))
        for first_day, group in groupby(events, key=lambda event: event.on.replace(day=1))
    ]


def _sessions(user, engagement):
    return db.session.scalars(
        scoped_to_cases(user, DialogueSession)
        .where(DialogueSession.engagement_id == engagement.id)
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
