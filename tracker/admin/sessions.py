"""An admin ends someone's signed-in sessions: one of them, or all."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.admin import bp
from tracker.auth import sessions as signed_in
from tracker.extensions import db
from tracker.models import User
from tracker.permissions import allowed, can_manage_accounts, user_session_or_404


def _back(user: User):
    return redirect(url_for("admin.edit_user", user_id=user.id, _anchor="sessions"))


@bp.post("/users/<int:user_id>/sessions/<int:user_session_id>/end")
@allowed(can_manage_accounts)
def end_session(user_id: int, user_session_id: int):
    """Sign one of the account's browsers out (a session of another account: 404)."""
    user = db.get_or_404(User, user_id)
    row = user_session_or_404(current_user, user, user_session_id)
    this_browser = signed_in.is_this_browser(row)
    signed_in.end_one_session(user, row, "one session, by an admin")
    db.session.commit()
    if this_browser:
        return redirect(url_for("auth.sign_in"))
    flash(_("That session of %(name)s has been signed out.", name=user.name), "success")
    return _back(user)


@bp.post("/users/<int:user_id>/sessions/end-all")
@allowed(can_manage_accounts)
def end_all_sessions(user_id: int):
    """Sign the account out everywhere (the admin's own account: every other browser)."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        ended = signed_in.end_other_sessions(user)
    else:
        ended = signed_in.end_all_sessions(user, "all sessions, by an admin")
    db.session.commit()
    flash(_("Sessions of %(name)s signed out: %(count)d.", name=user.name, count=ended), "success")
    return _back(user)
