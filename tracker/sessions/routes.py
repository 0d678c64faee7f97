"""Dialogue session pages: log a session, read it, edit it."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker.auth.pending import form_data
from tracker.concurrency import StaleEdit
from tracker.extensions import db
from tracker.forms import ConfirmForm
from tracker.idempotency import claim_form, saved
from tracker.models import SessionFormat, SessionKind, SessionState
from tracker.permissions import (
    can_delete_session,
    can_edit_session,
    can_write_case_records,
    engagement_or_404,
    require,
)
from tracker.sessions import bp
from tracker.sessions.forms import LONG_TEXT_MAX, ROW_GROUPS, SHORT_TEXT_MAX, SessionForm, initial_data
from tracker.sessions.services import (
    delete_session,
    form_choices,
    last_change,
    save_session,
    session_actions,
    session_insights,
    session_or_404,
    submittable,
)

# How the revision history names each recorded field.
REVISION_FIELDS = {
    "held_on": _l("Date"),
    "duration_minutes": _l("Duration (minutes)"),
    "format": _l("Format"),
    "kind": _l("Kind"),
    "notes": _l("What was heard"),
    "reflection": _l("Our reflection on our listening"),
    "next_steps": _l("Next steps"),
    "state": _l("State"),
    "statements": _l("The client's own words"),
    "company_attendees": _l("Company attendees"),
    "team_attendees": _l("Team attendees"),
    "new_insights": _l("Insights added"),
    "new_actions": _l("Actions added"),
}

_LABELLED = {"format": SessionFormat, "kind": SessionKind, "state": SessionState}


def revision_value(name: str, value):
    """A recorded value as people read it (labels, not codes)."""
    choice = _LABELLED.get(name)
    if choice is not None and value in choice._value2member_map_:
        return choice(value).label
    return value


@bp.context_processor
def session_helpers():
    return {"revision_fields": REVISION_FIELDS, "revision_value": revision_value}


def _form(engagement, session=None) -> SessionForm:
    """The session form: what was posted (or kept over a sign-in), else the session as saved."""
    posted = form_data()
    # A new session starts with its author ticked as a team attendee.
    starting = initial_data(session) if session else {"team_attendee_ids": [current_user.id]}
    form = SessionForm(formdata=posted, data=starting if posted is None else None)
    if posted is None:
        form.ensure_blank_rows()
    elif request.form.get("more_rows") in ROW_GROUPS:
        form.add_blank_rows(request.form["more_rows"])
    form.set_choices(**form_choices(engagement, current_user, session))
    return form


def _page(form, engagement, session=None, status=200, **context):
    limits = {"long": LONG_TEXT_MAX, "short": SHORT_TEXT_MAX}
    page = render_template("sessions/form.html", form=form, engagement=engagement, session=session,
                           limits=limits, can_submit=submittable(session), **context)
    return page, status


def _save(form, engagement, session=None):
    """Validate and save, or answer with the form again (422, or 409 on a concurrent edit)."""
    if not form.is_submitted() or "more_rows" in request.form:
        return _page(form, engagement, session)
    if not form.validate() or (session is None and not claim_form(form)):
        return _page(form, engagement, session, 422)
    submit = request.form.get("intent") == "submit" and submittable(session)
    try:
        record = save_session(engagement, current_user, form.details(), session=session,
                              version=form.version.data, submit=submit)
    except StaleEdit:
        db.session.rollback()
        current = session_or_404(current_user, session.id)
        form.version.data = current.version  # saving again now overwrites, knowingly
        return _page(form, engagement, current, 409, conflict=last_change(current))
    return saved(form, lambda: url_for("sessions.show", session_id=record.id),
                 _("Session submitted for review.") if submit else _("Session saved."))


@bp.route("/engagements/<int:engagement_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new(engagement_id: int):
    engagement = engagement_or_404(current_user, engagement_id)
    require(can_write_case_records(current_user))
    return _save(_form(engagement), engagement)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit(session_id: int):
    session = session_or_404(current_user, session_id)
    require(can_edit_session(current_user, session))
    return _save(_form(session.engagement, session), session.engagement, session)


@bp.get("/sessions/<int:session_id>")
@login_required
def show(session_id: int):
    session = session_or_404(current_user, session_id)
    return render_template(
        "sessions/show.html",
        session=session,
        insights=session_insights(current_user, session),
        actions=session_actions(current_user, session),
        can_edit=can_edit_session(current_user, session),
        can_log=can_write_case_records(current_user),
        can_delete=can_delete_session(current_user, session),
    )


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@login_required
def delete(session_id: int):
    """Ask, then delete the session report (an admin can restore it)."""
    session = session_or_404(current_user, session_id)
    require(can_delete_session(current_user, session))
    form = ConfirmForm()
    if not form.validate_on_submit():
        record = _("Session of %(date)s", date=format_date(session.held_on))
        return render_template(
            "confirm_delete.html", form=form, heading=_("Delete this session?"),
            record=f"{record} · {session.engagement.company.name}", consequences=[],
            cancel_url=url_for("sessions.show", session_id=session.id),
        )
    delete_session(session, current_user)
    db.session.commit()
    flash(_("The session has been deleted. An administrator can restore it."), "success")
    return redirect(url_for("engagements.show", engagement_id=session.engagement_id))
