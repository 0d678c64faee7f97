"""The page each role lands on after signing in."""

from datetime import timedelta

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from tracker.engagements.services import local_today
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
# Each list of My work shows this many items, the most urgent first, and counts the rest.
MY_WORK_LISTED = 20
UNFINISHED = (SessionState.DRAFT, SessionState.RETURNED)


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
    engagements themselves.

    Each list shows its first MY_WORK_LISTED items (most urgent first) and
    counts them all: years of records must not make the page endless.
    """
    today = local_today()
    is_open = (Action.state.in_(ActionState.open_states()), Action.due_on.is_not(None))
    overdue = Action.due_on < today
    due_soon = Action.due_on.between(today, today + timedelta(days=DUE_SOON_DAYS))
    unfinished = DialogueSession.author_id == user.id, DialogueSession.state.in_(UNFINISHED)
    counts = db.session.execute(
        sa.select(
            _count(scoped_to_cases(user, Action).where(*is_open, overdue)),
            _count(scoped_to_cases(user, Action).where(*is_open, due_soon)),
            _count(scoped_to_cases(user, DialogueSession).where(*unfinished)),
        )
    ).one()
    drafts = db.session.scalars(
        scoped_to_cases(user, DialogueSession)
        .where(*unfinished)
        .options(joinedload(DialogueSession.engagement).joinedload(Engagement.company))
        .order_by(
            sa.case((DialogueSession.state == SessionState.RETURNED, 0), else_=1),
            DialogueSession.held_on.desc(), DialogueSession.id.desc(),
        )
        .limit(MY_WORK_LISTED)
    ).all()
    engagements = db.session.scalars(
        case_engagements(user).options(joinedload(Engagement.company)).order_by(Engagement.id)
    ).all()
    return {
        "today": today,
        "overdue": _actions(user, (*is_open, overdue)),
        "due_soon": _actions(user, (*is_open, due_soon)),
        "overdue_count": counts[0],
        "due_soon_count": counts[1],
        "drafts": drafts,
        "drafts_count": counts[2],
        "listed": MY_WORK_LISTED,
        "engagements": sorted(engagements, key=lambda case: case.company.kana or case.company.name),
        "due_soon_days": DUE_SOON_DAYS,
    }


def _count(query: sa.Select) -> sa.ScalarSelect:
    return query.with_only_columns(sa.func.count()).scalar_subquery()


def _actions(user: User, conditions: tuple) -> list[Action]:
    """The first MY_WORK_LISTED actions in scope under `conditions`, soonest due first,
    with what the list shows of each (company, owner) in the same query."""
    return db.session.scalars(
        scoped_to_cases(user, Action)
        .where(*conditions)
        .options(
            joinedload(Action.engagement).joinedload(Engagement.company),
            joinedload(Action.owner_contact),
            joinedload(Action.owner_user),
        )
        .order_by(Action.due_on, Action.id)
        .limit(MY_WORK_LISTED)
    ).all()
