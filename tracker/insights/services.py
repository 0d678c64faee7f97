"""Named operations on insights."""

from tracker.extensions import db
from tracker.models import DialogueSession, Engagement, Insight, InsightStateChange, User


def create_insight(
    engagement: Engagement, user: User, *, text, holder, category, barrier=None, state, is_essential=False,
    session: DialogueSession | None = None,
) -> Insight:
    """Record an insight as it surfaces, optionally in the session where it did."""
    insight = Insight(
        engagement=engagement, text=text.strip(), holder=holder, category=category, barrier=barrier or None,
        state=state, is_essential=is_essential, created_by_id=user.id,
        sessions=[session] if session is not None else [],
    )
    insight.state_changes.append(
        InsightStateChange(to_state=state, changed_by_id=user.id, session_id=session.id if session else None)
    )
    db.session.add(insight)
    return insight
