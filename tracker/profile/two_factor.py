"""Two-factor sign-in on the profile page: set it up, renew recovery codes, turn it off."""

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.audit.trail import record_event
from tracker.auth import two_factor
from tracker.auth.forms import EnrolForm
from tracker.auth.second_step import enrolment_context
from tracker.extensions import db
from tracker.permissions import allowed, can_renew_recovery_codes, can_turn_off_two_factor, can_use_profile
from tracker.profile import bp
from tracker.profile.forms import CurrentPasswordForm
from tracker.profile.routes import _page

_SECRET_KEY = "enrol_secret"  # noqa: S105 (the name of a session entry)  # nosec B105


@bp.route("/two-factor", methods=["GET", "POST"])
@allowed(can_use_profile)
def enrol_two_factor():
    """Set up an authenticator app; the code it shows confirms it."""
    user = current_user._get_current_object()
    if user.has_two_factor:
        return redirect(url_for("profile.show"))
    secret = session.get(_SECRET_KEY) or two_factor.new_secret()
    session[_SECRET_KEY] = secret
    context = {**enrolment_context(user, secret), "forced": False, "action": url_for("profile.enrol_two_factor")}
    form = EnrolForm()
    if not form.is_submitted():
        return render_template("auth/enrol.html", form=form, **context)
    if not form.validate():
        return render_template("auth/enrol.html", form=form, **context), 422
    step = two_factor.totp_matches(secret, two_factor.normalise_code(form.code.data))
    if step is None:
        form.code.errors.append(_("This code is not right or was already used. Try the newest code."))
        return render_template("auth/enrol.html", form=form, **context), 422
    codes = two_factor.enrol(user, secret, step)
    session.pop(_SECRET_KEY, None)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, target=url_for("profile.show"))


@bp.post("/two-factor/recovery-codes")
@allowed(can_renew_recovery_codes)
def renew_recovery_codes():
    """New recovery codes (the old ones stop working), confirmed with the password."""
    user = current_user._get_current_object()
    form = CurrentPasswordForm(user)
    if not form.validate():
        return _page(confirm=form, status=422)
    codes = two_factor.new_recovery_codes(user)
    record_event("recovery_codes_renewed", target=user)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, target=url_for("profile.show"))


@bp.post("/two-factor/off")
@allowed(can_turn_off_two_factor)
def turn_off_two_factor():
    """Drop the second factor, confirmed with the password (not for roles that require one)."""
    user = current_user._get_current_object()
    form = CurrentPasswordForm(user)
    if not form.validate():
        return _page(confirm=form, status=422)
    two_factor.turn_off(user)
    db.session.commit()
    flash(_("Two-factor sign-in is off. You sign in with your password only."), "success")
    return redirect(url_for("profile.show"))


@bp.context_processor
def two_factor_rules():
    """The profile page asks whether its user may turn the second factor off."""
    return {"can_turn_off_two_factor": can_turn_off_two_factor}
