"""Actions: the list per engagement, an action's page and form, progress updates."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.actions import bp
from tracker.actions.forms import ActionForm, UpdateForm, owner_value
from tracker.actions.services import add_action_update, change_action, create_action, delete_action
from tracker.auth.pending import form_data
from tracker.concurrency import StaleEdit, ensure_fresh
from tracker.engagements.services import local_today
from tracker.extensions import db
from tracker.forms import ConfirmForm
from tracker.idempotency import claim_form, saved
from tracker.models import (
    Action,
    ActionState,
    ActionUpdate,
    Contact,
    EngagementMember,
    Insight,
    Referral,
    User,
)
from tracker.permissions import (
    can_delete_case_record,
    can_write_case_records,
    case_record_or_404,
    engagement_or_404,
    require,
    scoped_to_cases,
)

ACTION_PAGE = (
    selectinload(Action.owner_contact),
    selectinload(Action.owner_user),
    selectinload(Action.insights),
    selectinload(Action.session),
    selectinload(Action.referrals).selectinload(Referral.measure),
    selectinload(Action.updates).selectinload(ActionUpdate.author),
)
# What the edit form reads of the action: the owner kept even after leaving the team, and the links.
ACTION_FORM = (selectinload(Action.owner_user), selectinload(Action.insights), selectinload(Action.referrals))


def _action_or_404(action_id: int, *options) -> Action:
    return case_record_or_404(current_user, Action, action_id, *options)


def _form(engagement, action: Action | None = None, **initial) -> tuple[ActionForm, dict]:
    """The action form with its engagement's choices, and the records behind them by value.

    The action and `initial` fill the form unless it was posted: a posted
    form holds only what was posted, so a field left out is empty.
    """
    contacts = db.session.scalars(
        sa.select(Contact).where(Contact.company_id == engagement.company_id).order_by(Contact.id)
    ).all()
    members = db.session.scalars(
        sa.select(User).join(EngagementMember).where(EngagementMember.engagement_id == engagement.id)
        .order_by(EngagementMember.is_lead.desc(), User.name)
    ).all()
    if action is not None and action.owner_user is not None and action.owner_user not in members:
        members.append(action.owner_user)  # has left the team, but may stay the owner
    insights = db.session.scalars(
        scoped_to_cases(current_user, Insight)
        .where(Insight.engagement_id == engagement.id)
        .order_by(Insight.id)
    ).all()
    referrals = db.session.scalars(
        scoped_to_cases(current_user, Referral).where(Referral.engagement_id == engagement.id)
        .options(selectinload(Referral.measure)).order_by(Referral.referred_on, Referral.id)
    ).all()
    posted = request.method == "POST"
    form = ActionForm(formdata=form_data(), **({} if posted else {"obj": action, **initial}))
    form.set_choices(contacts, members, insights, referrals)
    records = {f"contact-{c.id}": c for c in contacts} | {f"user-{u.id}": u for u in members}
    return form, {"owners": records, "insights": {i.id: i for i in insights},
                  "referrals": {r.id: r for r in referrals}}


def _fields(form: ActionForm, records: dict) -> dict:
    """The form's values as create_action()/change_action() take them."""
    owner = records["owners"].get(form.owner.data)
    return {
        "title": form.title.data,
        "description": form.description.data,
        "owner_contact": owner if isinstance(owner, Contact) else None,
        "owner_user": owner if isinstance(owner, User) else None,
        "due_on": form.due_on.data,
        "state": ActionState(form.state.data),
        "insights": [records["insights"][i] for i in form.insight_ids.data or []],
        "referrals": [records["referrals"][r] for r in form.referral_ids.data or []],
    }


@bp.get("/engagements/<int:engagement_id>/actions")
@login_required
def index(engagement_id: int):
    """The engagement's actions, open ones first by due date; overdue ones stand out."""
    engagement = engagement_or_404(current_user, engagement_id)
    show_all = request.args.get("show") == "all"
    query = (
        scoped_to_cases(current_user, Action)
        .where(Action.engagement_id == engagement.id)
        .options(
            selectinload(Action.owner_contact), selectinload(Action.owner_user), selectinload(Action.updates)
        )
        .order_by(
            sa.case((Action.state.in_(ActionState.open_states()), 0), else_=1),
            Action.due_on.is_(None), Action.due_on, Action.id,
        )
    )
    if not show_all:
        query = query.where(Action.state.in_(ActionState.open_states()))
    return render_template(
        "actions/index.html", engagement=engagement, actions=db.session.scalars(query).all(),
        show_all=show_all, today=local_today(), can_write=can_write_case_records(current_user),
    )


@bp.route("/engagements/<int:engagement_id>/actions/new", methods=["GET", "POST"])
@login_required
def new(engagement_id: int):
    engagement = engagement_or_404(current_user, engagement_id)
    require(can_write_case_records(current_user))
    form, records = _form(engagement)
    if not form.is_submitted():
        if request.args.get("insight", type=int) in records["insights"]:
            form.insight_ids.data = [request.args.get("insight", type=int)]
        return render_template("actions/form.html", form=form, engagement=engagement, action=None)
    if not form.validate() or not claim_form(form):
        return render_template("actions/form.html", form=form, engagement=engagement, action=None), 422
    action = create_action(engagement, current_user, **_fields(form, records))
    return saved(form, lambda: url_for("actions.show", action_id=action.id), _("Action recorded."))


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit(action_id: int):
    action = _action_or_404(action_id, *ACTION_FORM)
    require(can_write_case_records(current_user))
    initial = {"owner": owner_value(action), "insight_ids": [i.id for i in action.insights],
               "referral_ids": [r.id for r in action.referrals]}
    form, records = _form(action.engagement, action, **initial)
    context = {"engagement": action.engagement, "action": action, "today": local_today()}
    if not form.is_submitted():
        return render_template("actions/form.html", form=form, **context)
    if not form.validate():
        return render_template("actions/form.html", form=form, **context), 422
    try:
        ensure_fresh(action, form.version.data)
        change_action(action, current_user, **_fields(form, records))
        db.session.commit()
    except (StaleEdit, StaleDataError):
        return _conflict(form, action_id)
    flash(_("Action saved."), "success")
    return redirect(url_for("actions.show", action_id=action.id))


def _conflict(form: ActionForm, action_id: int):
    """Someone saved in between: show their version beside what this user typed (409)."""
    db.session.rollback()
    action = _action_or_404(action_id, *ACTION_FORM)
    form.version.data = action.version
    context = {"engagement": action.engagement, "action": action, "today": local_today(), "stale": True}
    return render_template("actions/form.html", form=form, **context), 409


@bp.get("/actions/<int:action_id>")
@login_required
def show(action_id: int):
    """The action, its links and its dated progress, with a form for the next update."""
    action = _action_or_404(action_id, *ACTION_PAGE)
    return render_template(
        "actions/show.html", action=action, engagement=action.engagement, today=local_today(),
        form=UpdateForm(formdata=None), can_write=can_write_case_records(current_user),
        can_delete=can_delete_case_record(current_user, action),
    )


@bp.route("/actions/<int:action_id>/delete", methods=["GET", "POST"])
@login_required
def delete(action_id: int):
    """Ask, then delete the action with its progress notes (an admin can restore it)."""
    action = _action_or_404(action_id)
    require(can_delete_case_record(current_user, action))
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template(
            "confirm_delete.html", form=form, heading=_("Delete this action?"), record=action.title,
            consequences=[_("Its progress notes go with it.")] if action.updates else [],
            cancel_url=url_for("actions.show", action_id=action.id),
        )
    delete_action(action, current_user)
    db.session.commit()
    flash(_("The action has been deleted. An administrator can restore it."), "success")
    return redirect(url_for("actions.index", engagement_id=action.engagement_id))


@bp.route("/actions/<int:action_id>/updates/new", methods=["GET", "POST"])
@login_required
def add_update(action_id: int):
    """Note progress: dated (today by default, never in the future), maybe a new state."""
    action = _action_or_404(action_id, selectinload(Action.owner_contact), selectinload(Action.owner_user))
    require(can_write_case_records(current_user))
    form = UpdateForm(formdata=form_data())
    context = {"action": action, "engagement": action.engagement, "today": local_today()}
    if not form.is_submitted():
        return render_template("actions/update_form.html", form=form, **context)
    if not form.validate() or not claim_form(form):
        return render_template("actions/update_form.html", form=form, **context), 422
    state = ActionState(form.state.data) if form.state.data else None
    add_action_update(action, current_user, form.noted_on.data, form.text.data, state)
    return saved(form, lambda: url_for("actions.show", action_id=action.id, _anchor="updates"),
                 _("Progress noted."))
