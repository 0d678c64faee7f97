"""What the engagement page reads: the case and "everything below" it.

Every query starts from the user's scope (tracker.permissions) and loads the
names it shows with selectinload/joinedload, so the page runs the same number
of queries whatever the number of sessions, insights or actions.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import (
    Action,
    ActionState,
    Company,
    DialogueSession,
    Engagement,
    EngagementMember,
    Insight,
    InsightState,
    PhaseChange,
    Referral,
    User,
)
from tracker.permissions import engagement_or_404, scoped_to_cases

RECENT_SESSIONS = 5
LATEST_INSIGHTS = 3


def case_or_404(user: User, engagement_id: int) -> Engagement:
    """The engagement with its company, team and phase history, or 404 when out of scope."""
    return engagement_or_404(
        user,
        engagement_id,
        joinedload(Engagement.company).joinedload(Company.region),
        selectinload(Engagement.members).joinedload(EngagementMember.user).joinedload(User.organisation),
        selectinload(Engagement.phase_changes).joinedload(PhaseChange.changed_by),
    )


def days_in_phase(engagement: Engagement, today: date) -> int:
    """Days since the latest phase change (derived, never typed)."""
    since = engagement.phase_changes[-1].changed_on if engagement.phase_changes else engagement.phase_since
    return (today - since).days


@dataclass
class InsightGroup:
    state: InsightState
    count: int
    latest: list[Insight]


@dataclass
class CaseRecords:
    """The records of one engagement shown below its header."""

    sessions: list[DialogueSession]
    session_count: int
    insight_groups: list[InsightGroup]
    open_actions: list[Action]
    referrals: list[Referral]


def case_records(user: User, engagement: Engagement) -> CaseRecords:
    return CaseRecords(
        sessions=recent_sessions(user, engagement),
        session_count=db.session.scalar(
            scoped_to_cases(user, DialogueSession)
            .where(DialogueSession.engagement_id == engagement.id)
            .with_only_columns(sa.func.count(DialogueSession.id))
        ),
        insight_groups=insight_groups(user, engagement),
        open_actions=open_actions(user, engagement),
        referrals=list(
            db.session.scalars(
                scoped_to_cases(user, Referral)
                .where(Referral.engagement_id == engagement.id)
                .options(joinedload(Referral.measure))
                .order_by(Referral.referred_on.desc(), Referral.id.desc())
            )
        ),
    )


def recent_sessions(user: User, engagement: Engagement) -> list[DialogueSession]:
    return list(
        db.session.scalars(
            scoped_to_cases(user, DialogueSession)
            .where(DialogueSession.engagement_id == engagement.id)
            .options(joinedload(DialogueSession.author))
            .order_by(DialogueSession.held_on.desc(), DialogueSession.id.desc())
            .limit(RECENT_SESSIONS)
        )
    )


def insight_groups(user: User, engagement: Engagement) -> list[InsightGroup]:
    """Per state (in the order of the states): how many insights, and the latest few.

    One query: window functions count each state and rank its insights.
    """
    ranked = (
        scoped_to_cases(user, Insight)
        .where(Insight.engagement_id == engagement.id)
        .with_only_columns(
            Insight.id,
            sa.func.row_number().over(partition_by=Insight.state, order_by=Insight.id.desc()).label("rank"),
            sa.func.count().over(partition_by=Insight.state).label("total"),
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Insight, ranked.c.total)
        .join(ranked, ranked.c.id == Insight.id)
        .where(ranked.c.rank <= LATEST_INSIGHTS)
        .order_by(Insight.id.desc())
    )
    groups: dict[InsightState, InsightGroup] = {}
    for insight, total in rows:
        group = groups.setdefault(insight.state, InsightGroup(insight.state, total, []))
        group.latest.append(insight)
    return [groups[state] for state in InsightState if state in groups]


def open_actions(user: User, engagement: Engagement) -> list[Action]:
    """Planned and in-progress actions, soonest due first (undated last)."""
    return list(
        db.session.scalars(
            scoped_to_cases(user, Action)
            .where(Action.engagement_id == engagement.id, Action.state.in_(ActionState.open_states()))
            .options(joinedload(Action.owner_contact), joinedload(Action.owner_user))
            .order_by(Action.due_on.is_(None), Action.due_on, Action.id)
        )
    )
