"""Session review: the manager's queue, and reviewing one session.

A session that is not waiting for review (draft, returned, reviewed) is not
reviewed here: the reviewer is sent to the session's own page (302) with a
note. A review posted against an outdated version of the session answers
409 with the comment kept.
"""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.auth.pending import form_data
from tracker.concurrency import StaleEdit
from tracker.engagements.services import local_today
from tracker.extensions import db
from tracker.models import SessionState
from tracker.permissions import allowed, can_review_sessions, require
from tracker.review import bp
from tracker.review.forms import ReviewForm
from tracker.review.services import NotReviewable, review_session, waiting_days, waiting_for_review
from tracker.sessions.services import session_actions, session_insights, session_or_404


@bp.get("/")
@allowed(can_review_sessions)
def queue():
    """Submitted sessions of the manager's regions, the longest waiting first."""
    page = db.paginate(waiting_for_review(current_user), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("review/queue.html", page=page, today=local_today(), waiting_days=waiting_days)


def _page(form, session, status=200, conflict=False):
    page = render_template(
        "review/session.html", form=form, session=session, conflict=conflict,
        insights=session_insights(current_user, session), actions=session_actions(current_user, session),
    )
    return page, status


def _not_waiting(session):
    flash(_("This session is not waiting for review (%(state)s).", state=session.state.label), "info")
    return redirect(url_for("sessions.show", session_id=session.id))


def _stale(form, session_id):
    """The session changed since the reviewer opened it: show it as it is now, comment kept."""
    db.session.rollback()
    session = session_or_404(current_user, session_id)
    form.version.data = session.version
    return _page(form, session, 409, conflict=True)


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@login_required
def session(session_id: int):
    session = session_or_404(current_user, session_id)
    require(can_review_sessions(current_user))
    form = ReviewForm(formdata=form_data(), data={"version": session.version})
    posted = form.is_submitted()
    if posted and form.version.data and str(form.version.data) != str(session.version):
        return _stale(form, session_id)
    if session.state != SessionState.SUBMITTED:
        return _not_waiting(session)
    if not posted:
        return _page(form, session)
    if not form.validate():
        return _page(form, session, 422)
    try:
        review_session(session, current_user, form.decision.data, form.comment.data, version=form.version.data)
    except StaleEdit:
        return _stale(form, session_id)
    except NotReviewable:
        return _not_waiting(session)
    db.session.commit()
    returned = session.state == SessionState.RETURNED
    flash(_("Session returned for changes.") if returned else _("Session marked reviewed."), "success")
    return redirect(url_for("review.queue"))
