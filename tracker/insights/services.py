"""Named operations on insights."""

from collections.abc import Iterable

from tracker.database import utcnow
from tracker.engagements.services import ensure_case_restorable
from tracker.extensions import db
from tracker.models import DialogueSession, Engagement, Insight, InsightStateChange, User


def create_insight(
    engagement: Engagement, user: User, *, text, holder, category, barrier=None, state, is_essential=False,
    session: DialogueSession | None = None, sessions: Iterable[DialogueSession] = (),
) -> Insight:
    """Record an insight as it surfaces, in the session(s) where it did.

    `session` is the one it surfaced in (kept on the first state change);
    `sessions` are further sessions where it came up.
    """
    linked = _same_engagement(engagement, ([session] if session is not None else []) + list(sessions))
    insight = Insight(
        engagement=engagement, text=text.strip(), holder=holder, category=category, barrier=barrier or None,
        state=state, is_essential=is_essential, created_by_id=user.id, sessions=linked,
    )
    insight.state_changes.append(
        InsightStateChange(to_state=state, changed_by_id=user.id, session_id=session.id if session else None)
    )
    db.session.add(insight)
    return insight


def change_insight(insight: Insight, user: User, **fields) -> Insight:
    """Edit an insight. A new state is recorded with who moved it and when.

    `fields` are any of text, holder, category, barrier, state, is_essential,
    sessions (the full list of sessions where it surfaced).
    """
    unknown = fields.keys() - {"text", "holder", "category", "barrier", "state", "is_essential", "sessions"}
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))}")
    if "text" in fields:
        insight.text = fields["text"].strip()
    if "barrier" in fields:
        insight.barrier = fields["barrier"] or None
    for name in ("holder", "category", "is_essential"):
        if name in fields:
            setattr(insight, name, fields[name])
    if "sessions" in fields:
        sessions = _same_engagement(insight.engagement, fields["sessions"])
        if set(sessions) != set(insight.sessions):
            insight.sessions = sessions
            insight.updated_at = utcnow()  # an UPDATE of the row, so the version moves too
    new_state = fields.get("state")
    if new_state is not None and new_state != insight.state:
        insight.state_changes.append(
            InsightStateChange(from_state=insight.state, to_state=new_state, changed_by_id=user.id)
        )
        insight.state = new_state
    return insight


def _same_engagement(engagement: Engagement, sessions: Iterable[DialogueSession]) -> list[DialogueSession]:
    """The sessions, once each; an insight only surfaces in its own case's sessions."""
    unique = list(dict.fromkeys(sessions))
    if not all(_belongs(session, engagement) for session in unique):
        raise ValueError("an insight links only sessions of its own engagement")
    return unique


def _belongs(session: DialogueSession, engagement: Engagement) -> bool:
    # A session added in the same request has no engagement_id until it is flushed.
    if session.engagement_id is None:
        return session.engagement is engagement
    return session.engagement_id == engagement.id


def delete_insight(insight: Insight, user: User) -> None:
    """Soft-delete an insight (an admin can restore it); its links to sessions and
    actions are kept for that day."""
    insight.mark_deleted(user, utcnow())


def restore_insight(insight: Insight) -> None:
    """Bring an insight back, unless its engagement or company is deleted (RestoreRefused)."""
    ensure_case_restorable(insight.engagement_id)
    insight.mark_restored()
