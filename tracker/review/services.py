"""Session review: the manager's queue of submitted reports and the review itself."""

from datetime import date

import sqlalchemy as sa
from flask_babel import to_user_timezone
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.trail import record_event
from tracker.concurrency import StaleEdit, ensure_fresh
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import DialogueSession, Engagement, SessionRevision, SessionState, User
from tracker.permissions import can_review_sessions, scoped_to_cases

DECISIONS = (SessionState.REVIEWED, SessionState.RETURNED)


class NotReviewable(Exception):
    """The session is not waiting for review (draft, returned or already reviewed)."""


# ---- look-ups ----------------------------------------------------------------


def waiting_for_review(user: User) -> sa.Select:
    """Submitted sessions of the user's cases, the longest waiting first, with
    what the queue shows of each (engagement, company, author) loaded."""
    return (
        scoped_to_cases(user, DialogueSession)
        .where(DialogueSession.state == SessionState.SUBMITTED)
        .options(
            joinedload(DialogueSession.engagement).joinedload(Engagement.company),
            joinedload(DialogueSession.author),
        )
        .order_by(DialogueSession.submitted_at, DialogueSession.id)
    )


def waiting_count(user: User) -> int:
    """How many sessions wait for this user's review (one COUNT query; 0 for non-reviewers)."""
    if not can_review_sessions(user):
        return 0
    query = (
        scoped_to_cases(user, DialogueSession)
        .where(DialogueSession.state == SessionState.SUBMITTED)
        .with_only_columns(sa.func.count(DialogueSession.id))
    )
    return db.session.scalar(query) or 0


def waiting_days(session: DialogueSession, today: date) -> int:
    """Whole days since the session was submitted, counted in the team's time zone."""
    if session.submitted_at is None:
        return 0
    return max((today - to_user_timezone(session.submitted_at).date()).days, 0)


# ---- operations ----------------------------------------------------------------


def review_session(
    session: DialogueSession, manager: User, decision: str, comment: str = "", *, version=None
) -> DialogueSession:
    """Mark a submitted session reviewed or return it for changes, in the caller's transaction.

    Refused with StaleEdit when the session was saved after `version` (the
    consultant edited it while the manager read it), and with NotReviewable
    when it is not waiting for review. The review is kept in the session's
    history as a SessionRevision by the manager (state and comment, before/after).
    """
    decision = SessionState(decision)
    if decision not in DECISIONS:
        raise ValueError(f"not a review decision: {decision}")
    ensure_fresh(session, version)
    if session.state != SessionState.SUBMITTED:
        raise NotReviewable(session)
    comment = (comment or "").strip()
    now = utcnow()
    changes = {"state": [session.state.value, decision.value]}
    if comment != session.review_comment:
        changes["review_comment"] = [session.review_comment, comment]
    session.state = decision
    session.reviewed_at = now
    session.reviewed_by = manager
    session.review_comment = comment
    # Recorded at the review's own moment: "changed since the review" lists what comes after.
    session.revisions.append(SessionRevision(user_id=manager.id, recorded_at=now, changes=changes))
    try:
        db.session.flush()
    except StaleDataError as error:  # saved by someone else between our read and this write
        db.session.rollback()
        raise StaleEdit(session) from error
    record_event("review", session, changes=changes, actor=manager)
    return session
