"""The profile page: anyone signed in changes their own password, language and second factor."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import two_factor
from tracker.auth.routes import safe_next
from tracker.auth.services import set_password
from tracker.auth.sessions import described_sessions, start_session
from tracker.extensions import db
from tracker.permissions import allowed, can_use_profile
from tracker.profile import bp
from tracker.profile.forms import CurrentPasswordForm, LanguageForm, PasswordChangeForm


def _page(language=None, password=None, confirm=None, status=200):
    """The profile page, with the forms given (those posted and refused) filled in."""
    language = language or LanguageForm(language=current_user.language, formdata=None)
    password = password or PasswordChangeForm(current_user, formdata=None)
    confirm = confirm or CurrentPasswordForm(current_user, formdata=None)
    return render_template(
        "profile/show.html", language_form=language, password_form=password, confirm_form=confirm,
        recovery_codes_left=two_factor.remaining_recovery_codes(current_user),
        sessions=described_sessions(current_user),
    ), status


@bp.get("/")
@allowed(can_use_profile)
def show():
    return _page()


@bp.post("/language")
@allowed(can_use_profile)
def set_language():
    """Save the language; the header's language switch posts here too."""
    form = LanguageForm()
    if not form.validate():
        return _page(language=form, status=422)
    current_user.language = form.language.data
    db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("profile.show"))


@bp.post("/password")
@allowed(can_use_profile)
def change_password():
    """Change one's own password: every session ends, this browser gets a new one."""
    form = PasswordChangeForm(current_user)
    if not form.validate():
        return _page(password=form, status=422)
    user = current_user._get_current_object()
    set_password(user, form.password.data)
    start_session(user)
    db.session.commit()
    flash(_("Your password has been changed. Other devices have been signed out."), "success")
    return redirect(url_for("profile.show"))
