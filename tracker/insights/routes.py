"""Insights: the board per engagement, an insight's page, and its form."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.auth.pending import form_data
from tracker.concurrency import StaleEdit, ensure_fresh
from tracker.engagements.services import local_today
from tracker.extensions import db
from tracker.forms import ConfirmForm
from tracker.idempotency import claim_form, saved
from tracker.insights import bp
from tracker.insights.forms import InsightForm
from tracker.insights.services import change_insight, create_insight, delete_insight
from tracker.models import (
    Action,
    Barrier,
    DialogueSession,
    Insight,
    InsightCategory,
    InsightState,
    InsightStateChange,
)
from tracker.models.actions import action_insights
from tracker.permissions import (
    can_delete_case_record,
    can_write_case_records,
    case_record_or_404,
    engagement_or_404,
    require,
    scoped_to_cases,
)


def _insight_or_404(insight_id: int, *options) -> Insight:
    return case_record_or_404(current_user, Insight, insight_id, *options)


def _sessions_of(engagement) -> list[DialogueSession]:
    """The engagement's sessions, newest first: the choices of "where it surfaced"."""
    return list(db.session.scalars(
        scoped_to_cases(current_user, DialogueSession)
        .where(DialogueSession.engagement_id == engagement.id)
        .order_by(DialogueSession.held_on.desc(), DialogueSession.id.desc())
    ))


def _form(engagement, **initial) -> tuple[InsightForm, dict]:
    """The form with the engagement's sessions to choose from, and those sessions by id.

    `initial` (the record's values) fills the form unless it was posted: a
    posted form holds only what was posted, so a field left out is empty.
    """
    sessions = _sessions_of(engagement)
    form = InsightForm(formdata=form_data(), **({} if request.method == "POST" else initial))
    form.set_sessions(sessions)
    return form, {session.id: session for session in sessions}


@bp.get("/engagements/<int:engagement_id>/insights")
@login_required
def board(engagement_id: int):
    """One column per state; filters by category and barrier."""
    engagement = engagement_or_404(current_user, engagement_id)
    query = (
        scoped_to_cases(current_user, Insight)
        .where(Insight.engagement_id == engagement.id)
        .options(selectinload(Insight.sessions))
        .order_by(Insight.is_essential.desc(), Insight.updated_at.desc(), Insight.id.desc())
    )
    category = InsightCategory._value2member_map_.get(request.args.get("category", ""))
    if category is not None:
        query = query.where(Insight.category == category)
    barrier = Barrier._value2member_map_.get(request.args.get("barrier", ""))
    if barrier is not None:
        query = query.where(Insight.barrier == barrier)
    columns = {state: [] for state in InsightState}
    for insight in db.session.scalars(query):
        columns[insight.state].append(insight)
    return render_template(
        "insights/board.html", engagement=engagement, columns=columns,
        category=category or "", categories=InsightCategory.choices(),
        barrier=barrier or "", barriers=Barrier.choices(),
        can_write=can_write_case_records(current_user),
    )


@bp.route("/engagements/<int:engagement_id>/insights/new", methods=["GET", "POST"])
@login_required
def new(engagement_id: int):
    engagement = engagement_or_404(current_user, engagement_id)
    require(can_write_case_records(current_user))
    form, sessions = _form(engagement)
    if not form.is_submitted():
        if request.args.get("session", type=int) in sessions:
            form.session_ids.data = [request.args.get("session", type=int)]
        return render_template("insights/form.html", form=form, engagement=engagement, insight=None)
    if not form.validate() or not claim_form(form):
        return render_template("insights/form.html", form=form, engagement=engagement, insight=None), 422
    insight = create_insight(engagement, current_user, **form.fields_for_operation(sessions))
    return saved(form, lambda: url_for("insights.show", insight_id=insight.id), _("Insight recorded."))


@bp.route("/insights/<int:insight_id>/edit", methods=["GET", "POST"])
@login_required
def edit(insight_id: int):
    insight = _insight_or_404(insight_id, selectinload(Insight.sessions))
    require(can_write_case_records(current_user))
    form, sessions = _form(insight.engagement, obj=insight, session_ids=[s.id for s in insight.sessions])
    context = {"engagement": insight.engagement, "insight": insight}
    if not form.is_submitted():
        return render_template("insights/form.html", form=form, **context)
    if not form.validate():
        return render_template("insights/form.html", form=form, **context), 422
    try:
        ensure_fresh(insight, form.version.data)
        change_insight(insight, current_user, **form.fields_for_operation(sessions))
        db.session.commit()
    except (StaleEdit, StaleDataError):
        return _conflict(form, insight_id)
    flash(_("Insight saved."), "success")
    return redirect(url_for("insights.show", insight_id=insight.id))


def _conflict(form: InsightForm, insight_id: int):
    """Someone saved in between: show their version beside what this user typed (409)."""
    db.session.rollback()
    insight = _insight_or_404(insight_id, selectinload(Insight.sessions))
    form.version.data = insight.version
    return render_template(
        "insights/form.html", form=form, engagement=insight.engagement, insight=insight, stale=True
    ), 409


@bp.get("/insights/<int:insight_id>")
@login_required
def show(insight_id: int):
    """The insight, how its state moved, where it surfaced and the actions it led to."""
    insight = _insight_or_404(
        insight_id,
        selectinload(Insight.sessions),
        selectinload(Insight.state_changes).selectinload(InsightStateChange.changed_by),
    )
    actions = db.session.scalars(
        scoped_to_cases(current_user, Action)
        .where(Action.id.in_(sa.select(action_insights.c.action_id).where(action_insights.c.insight_id == insight.id)))
        .options(selectinload(Action.owner_contact), selectinload(Action.owner_user))
        .order_by(Action.due_on.is_(None), Action.due_on, Action.id)
    ).all()
    return render_template(
        "insights/show.html", insight=insight, engagement=insight.engagement, actions=actions,
        today=local_today(), can_write=can_write_case_records(current_user),
        can_delete=can_delete_case_record(current_user, insight),
    )


@bp.route("/insights/<int:insight_id>/delete", methods=["GET", "POST"])
@login_required
def delete(insight_id: int):
    """Ask, then delete the insight (an admin can restore it)."""
    insight = _insight_or_404(insight_id)
    require(can_delete_case_record(current_user, insight))
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template(
            "confirm_delete.html", form=form, heading=_("Delete this insight?"), record=insight.text,
            consequences=[_("Actions that follow from it stay; they no longer show it.")],
            cancel_url=url_for("insights.show", insight_id=insight.id),
        )
    delete_insight(insight, current_user)
    db.session.commit()
    flash(_("The insight has been deleted. An administrator can restore it."), "success")
    return redirect(url_for("insights.board", engagement_id=insight.engagement_id))
