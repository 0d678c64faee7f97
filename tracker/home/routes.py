"""The page each role lands on after signing in."""

from datetime import timedelta

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from tracker.actions.services import local_today
from tracker.extensions import db
from tracker.home import bp
from tracker.models import Action, ActionState, DialogueSession, Engagement, Phase, Role, SessionState, User
from tracker.permissions import case_engagements, scoped_to_cases
from tracker.review.services import waiting_count

TEMPLATES = {
    Role.ADMIN: "home/admin.html",
    Role.MANAGER: "home/manager.html",
    Role.CONSULTANT: "home/consultant.html",
    Role.OFFICIAL: "home/official.html",
}
# "Due soon" on My work: within this many days from today.
DUE_SOON_DAYS = 14


@bp.get("/")
@login_required
def index():
    """Home: what this role comes for."""
    context = {}
    if current_user.role == Role.ADMIN:
        rows = db.session.execute(
            sa.select(User.role, User.active, sa.func.count()).group_by(User.role, User.active)
        )
        context = {"counts": {(role, active): n for role, active, n in rows}, "roles": list(Role)}
    elif current_user.role == Role.CONSULTANT:
        context = my_work(current_user)
    elif current_user.role == Role.MANAGER:
        context = {"review_waiting": waiting_count(current_user), "by_phase": engagements_by_phase(current_user)}
    return render_template(TEMPLATES[current_user.role], **context)


def engagements_by_phase(user: User) -> dict[Phase, int]:
    """How many of the user's engagements are in each phase (one query)."""
    scope = case_engagements(user).with_only_columns(Engagement.id)
    rows = db.session.execute(
        sa.select(Engagement.phase, sa.func.count()).where(Engagement.id.in_(scope)).group_by(Engagement.phase)
    )
    counts = dict(rows.all())
    return {phase: counts.get(phase, 0) for phase in Phase}


def my_work(user: User) -> dict:
    """Across every engagement the user may work on: actions overdue or due
    soon (whoever owns them), the user's unfinished session records, and the
    engagements themselves."""
    today = local_today()
    actions = db.session.scalars(
        scoped_to_cases(user, Action)
        .where(
            Action.state.in_(ActionState.open_states()),
            Action.due_on.is_not(None),
            Action.due_on <= today + timedelta(days=DUE_SOON_DAYS),
        )
        .options(
            selectinload(Action.engagement).selectinload(Engagement.company),
            selectinload(Action.owner_contact),
            selectinload(Action.owner_user),
        )
        .order_by(Action.due_on, Action.id)
    ).all()
    unfinished = (SessionState.DRAFT, SessionState.RETURNED)
    drafts = db.session.scalars(
        scoped_to_cases(user, DialogueSession)
        .where(DialogueSession.author_id == user.id, DialogueSession.state.in_(unfinished))
        .options(selectinload(DialogueSession.engagement).selectinload(Engagement.company))
        .order_by(
            sa.case((DialogueSession.state == SessionState.RETURNED, 0), else_=1),
            DialogueSession.held_on.desc(), DialogueSession.id.desc(),
        )
    ).all()
    engagements = db.session.scalars(
        case_engagements(user).options(selectinload(Engagement.company)).order_by(Engagement.id)
    ).all()
    return {
        "today": today,
        "overdue": [action for action in actions if action.is_overdue(today)],
        "due_soon": [action for action in actions if not action.is_overdue(today)],
        "drafts": drafts,
        "engagements": sorted(engagements, key=lambda case: case.company.kana or case.company.name),
        "due_soon_days": DUE_SOON_DAYS,
    }
