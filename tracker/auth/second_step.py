"""The second step of signing in: a code, or the forced set-up of an authenticator.

After the right password, an account with a second factor (or whose role
requires one) is not signed in yet: the signed session cookie holds a short
-lived pending state (the user id, when the password was right, where to go
next, and during set-up the new secret). Only a right code starts the
session, so until then every other page still asks to sign in.
"""

import time

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from tracker.audit.trail import record_event
from tracker.auth import bp, throttle, two_factor
from tracker.auth.devices import remember_device
from tracker.auth.forms import CodeForm, EnrolForm
from tracker.auth.services import too_many
from tracker.auth.sessions import SESSION_KEY, client_address, start_session
from tracker.extensions import db
from tracker.models import User

PENDING_KEY = "second_step"


def begin_second_step(user: User, next_path: str | None):
    """The password was right: remember that for a few minutes; answer with the code page
    (or the set-up page when the account has no second factor yet)."""
    session.pop(SESSION_KEY, None)
    session[PENDING_KEY] = {"u": user.id, "since": time.time(), "next": next_path or ""}
    return redirect(url_for("auth.code" if user.has_two_factor else "auth.enrol"))


def _pending_user() -> User | None:
    """The user whose password was right a moment ago in this browser, or None."""
    state = session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    limit = current_app.config["TWO_FACTOR_PENDING_TIMEOUT"].total_seconds()
    user = db.session.get(User, state.get("u")) if time.time() - state.get("since", 0) < limit else None
    if user is None or not user.active:
        session.pop(PENDING_KEY, None)
        flash(_("Signing in took too long. Please enter your password again."), "info")
        return None
    return user


def _finish(user: User, detail: str, response=None):
    """Start the session; answer with `response` or a redirect to where the user was going."""
    target = session[PENDING_KEY].get("next") or url_for("home.index")
    start_session(user)
    record_event("sign_in", actor=user, detail=detail)
    db.session.commit()
    return remember_device(response if response is not None else redirect(target), user)


def _reserve(user: User, form, template: str, **context):
    """Count a code attempt before checking it; (attempt, None) or (None, the 429 answer)."""
    try:
        return throttle.reserve(user.email, client_address(), throttle.CODE), None
    except throttle.Throttled as throttled:
        refused = too_many(throttled)
        record_event("two_factor_failed", target=user, actor=user, detail="too many attempts")
        db.session.commit()
        form.code.errors.append(refused.message)
        answer = render_template(template, form=form, **context)
        return None, (answer, 429, {"Retry-After": str(refused.retry_after)})


def _wrong_code(user: User, attempt, form, template: str, **context):
    """Count the failure, audit it and show the form again with the message beside the field."""
    throttle.failed(attempt)
    record_event("two_factor_failed", target=user, actor=user)
    db.session.commit()
    form.code.errors.append(_("This code is not right or was already used. Try the newest code."))
    return render_template(template, form=form, **context), 422


@bp.route("/code", methods=["GET", "POST"])
def code():
    """Ask for the authenticator's code (or a recovery code); a right one signs in."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.sign_in"))
    if not user.has_two_factor:
        return redirect(url_for("auth.enrol"))
    form = CodeForm()
    if not form.is_submitted():
        return render_template("auth/code.html", form=form)
    if not form.validate():
        return render_template("auth/code.html", form=form), 422
    attempt, refused = _reserve(user, form, "auth/code.html")
    if refused:
        return refused
    kind = two_factor.use_code(user, two_factor.normalise_code(form.code.data))
    if kind is None:
        return _wrong_code(user, attempt, form, "auth/code.html")
    throttle.succeeded(attempt)
    if kind == two_factor.RECOVERY:
        flash(_("You signed in with a recovery code. %(count)d are left; make new ones on your profile page.",
                count=two_factor.remaining_recovery_codes(user)), "info")
    return _finish(user, detail=kind)


def enrolment_context(user: User, secret: str) -> dict:
    """What the set-up page shows: the secret as a QR code and as text."""
    uri = two_factor.enrolment_uri(user, secret)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return {"qr": two_factor.qr_svg(uri), "secret": grouped}


@bp.route("/enrol", methods=["GET", "POST"])
def enrol():
    """Set up an authenticator before the first sign-in of a role that requires one."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.sign_in"))
    if user.has_two_factor:
        return redirect(url_for("auth.code"))
    state = session[PENDING_KEY]
    if not state.get("secret"):
        state["secret"] = two_factor.new_secret()
        session[PENDING_KEY] = state
    context = {**enrolment_context(user, state["secret"]), "forced": True, "action": url_for("auth.enrol")}
    form = EnrolForm()
    if not form.is_submitted():
        return render_template("auth/enrol.html", form=form, **context)
    if not form.validate():
        return render_template("auth/enrol.html", form=form, **context), 422
    attempt, refused = _reserve(user, form, "auth/enrol.html", **context)
    if refused:
        return refused
    step = two_factor.totp_matches(state["secret"], two_factor.normalise_code(form.code.data))
    if step is None:
        return _wrong_code(user, attempt, form, "auth/enrol.html", **context)
    throttle.succeeded(attempt)
    codes = two_factor.enrol(user, state["secret"], step)
    target = state.get("next") or url_for("home.index")
    page = current_app.make_response(render_template("auth/recovery_codes.html", codes=codes, target=target))
    return _finish(user, detail="enrolled", response=page)
