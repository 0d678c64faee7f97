"""One's own signed-in sessions: end one of them, or every other one."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import sessions as signed_in
from tracker.extensions import db
from tracker.permissions import allowed, can_use_profile, user_session_or_404
from tracker.profile import bp


@bp.post("/sessions/<int:user_session_id>/end")
@allowed(can_use_profile)
def end_session(user_session_id: int):
    """Sign one of one's own browsers out; another person's session id is a 404."""
    user = current_user._get_current_object()
    row = user_session_or_404(user, user, user_session_id)
    this_browser = signed_in.is_this_browser(row)
    signed_in.end_one_session(user, row)
    db.session.commit()
    if this_browser:
        return redirect(url_for("auth.sign_in"))
    flash(_("That session has been signed out."), "success")
    return redirect(url_for("profile.show", _anchor="sessions"))


@bp.post("/sessions/end-others")
@allowed(can_use_profile)
def end_other_sessions():
    """Sign every browser but this one out."""
    ended = signed_in.end_other_sessions(current_user._get_current_object())
    db.session.commit()
    flash(_("Other sessions signed out: %(count)d.", count=ended), "success")
    return redirect(url_for("profile.show", _anchor="sessions"))
