"""The company's journey: every dated event of an engagement, oldest first, a
page of EVENTS_PER_PAGE at a time (the latest page first).

The day, kind and id of every event come first, in one statement (phase
changes come with the engagement); then the records of the events on the page
only, one statement per kind shown, each loading the names it shows. So a
page costs the same whatever the length of the engagement.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import groupby

import sqlalchemy as sa
from flask_babel import get_timezone
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tracker.database import UTCDateTime
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


def journey(user: User, engagement: Engagement, page: int = 1) -> JourneyPage:
    """A page of the engagement's events, oldest first: page 1 holds the latest
    EVENTS_PER_PAGE, page 2 the ones before, and so on. `engagement` comes from case_or_404.

    Years of work must not make one endless page, nor a slow one: the day, kind
    and id of every event are read first (one statement, from indexes), and the
    full records only of the events on the page (one statement per kind shown).
    """
    events = [
        Event(change.changed_on, "opened" if change.from_phase is None else "phase", change, change.id)
        for change in engagement.phase_changes
    ]
    if not any(event.kind == "opened" for event in events):  # opened before phases were recorded
        events.append(Event(engagement.started_on, "started", engagement, engagement.id))
    zone = get_timezone()
    events += [
        Event(day if moment is None else local_date(moment, zone), kind, None, record_id)
        for kind, record_id, day, moment in db.session.execute(_event_keys(user, engagement))
    ]
    events.sort(key=lambda event: event.sort_key)
    pages = max(1, -(-len(events) // EVENTS_PER_PAGE))
    page = min(max(page, 1), pages)
    end = len(events) - (page - 1) * EVENTS_PER_PAGE
    shown = events[max(0, end - EVENTS_PER_PAGE):end]
    records = _records(user, shown)
    shown = [
        event if event.record is not None else replace(event, record=records[event.kind, event.sequence])
        for event in shown
        if event.record is not None or (event.kind, event.sequence) in records  # unless deleted meanwhile
    ]
    return JourneyPage(shown, page, pages, len(events))


def by_month(events: list[Event]) -> list[Month]:
    return [
        Month(first_day, list(group))
        for first_day, group in groupby(events, key=lambda event: event.on.replace(day=1))
    ]


def _event_keys(user, engagement) -> sa.CompoundSelect:
    """(kind, id, day, moment) of every session, insight state change, action,
    action update and referral of the engagement within the user's cases: a day
    for what is dated, a UTC moment for what is stamped (shown on its local day)."""
    in_case = case_engagement_ids(user)
    no_day, no_moment = sa.cast(sa.null(), sa.Date), sa.cast(sa.null(), UTCDateTime())

    def keys(kind, model, day, moment, engagement_id):
        return (
            sa.select(sa.literal(kind), model.id, day, moment)
            .where(engagement_id == engagement.id, engagement_id.in_(in_case))
        )

    return sa.union_all(
        keys("session", DialogueSession, DialogueSession.held_on, no_moment, DialogueSession.engagement_id),
        keys("insight", InsightStateChange, no_day, InsightStateChange.changed_at, Insight.engagement_id)
        .join(InsightStateChange.insight),
        keys("action", Action, no_day, Action.created_at, Action.engagement_id),
        keys("action_update", ActionUpdate, ActionUpdate.noted_on, no_moment, Action.engagement_id)
        .join(ActionUpdate.action),
        keys("referral", Referral, Referral.referred_on, no_moment, Referral.engagement_id),
    )


def _records(user, shown: list[Event]) -> dict[tuple[str, int], object]:
    """{(kind, id): record} of the events on the page that came without one."""
    wanted = defaultdict(list)
    for event in shown:
        if event.record is None:
            wanted[event.kind].append(event.sequence)
    return {
        (kind, record.id): record
        for kind, ids in wanted.items()
        for record in db.session.scalars(LOADERS[kind](user, ids)).unique()
    }


def _sessions(user, ids: list[int]) -> sa.Select:
    return (
        scoped_to_cases(user, DialogueSession)
        .where(DialogueSession.id.in_(ids))
        .options(
            selectinload(DialogueSession.company_attendees),
            selectinload(DialogueSession.team_attendees),
            joinedload(DialogueSession.author),
        )
    )


def _insight_changes(user, ids: list[int]) -> sa.Select:
    return (
        sa.select(InsightStateChange)
        .join(InsightStateChange.insight)
        .where(InsightStateChange.id.in_(ids), Insight.engagement_id.in_(case_engagement_ids(user)))
        .options(contains_eager(InsightStateChange.insight), joinedload(InsightStateChange.changed_by))
    )


def _actions(user, ids: list[int]) -> sa.Select:
    return (
        scoped_to_cases(user, Action)
        .where(Action.id.in_(ids))
        .options(joinedload(Action.owner_contact), joinedload(Action.owner_user))
    )


def _action_updates(user, ids: list[int]) -> sa.Select:
    return (
        sa.select(ActionUpdate)
        .join(ActionUpdate.action)
        .where(ActionUpdate.id.in_(ids), Action.engagement_id.in_(case_engagement_ids(user)))
        .options(contains_eager(ActionUpdate.action), joinedload(ActionUpdate.author))
    )


def _referrals(user, ids: list[int]) -> sa.Select:
    return scoped_to_cases(user, Referral).where(Referral.id.in_(ids)).options(joinedload(Referral.measure))


# How the records of each kind of event on a page are loaded.
LOADERS = {
    "session": _sessions, "insight": _insight_changes, "action": _actions,
    "action_update": _action_updates, "referral": _referrals,
}
