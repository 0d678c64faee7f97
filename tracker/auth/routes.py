"""Sign-in and sign-out pages."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.audit.trail import record_event
from tracker.auth import bp
from tracker.auth.devices import remember_device
from tracker.auth.forms import SignInForm
from tracker.auth.pending import keep_posted_form
from tracker.auth.second_step import begin_second_step
from tracker.auth.services import SignInRefused, authenticate
from tracker.auth.sessions import client_address, end_session, start_session
from tracker.extensions import db, login_manager
from tracker.permissions import must_use_two_factor

# Why a sign-in was refused, by the status answered, as the audit trail says it.
FAILURES = {401: "wrong email or password", 403: "account disabled", 429: "too many attempts (locked out)"}


def safe_next(target: str | None) -> str | None:
    """A same-site path to return to after sign-in, or None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Show the sign-in form; on a valid post, start a session."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm(next=request.args.get("next", ""))
    if not form.is_submitted():
        return render_template("auth/sign_in.html", form=form)
    if not form.validate():
        return render_template("auth/sign_in.html", form=form), 422
    try:
        user = authenticate(form.email.data, form.password.data, client_address())
    except SignInRefused as refused:
        # The e-mail as typed, never the password (ASVS 16.3.1).
        record_event("sign_in_failed", detail=FAILURES.get(refused.status, str(refused.status)),
                     actor_email=form.email.data)
        db.session.commit()
        form.form_errors.append(refused.message)
        response = render_template("auth/sign_in.html", form=form), refused.status
        if refused.retry_after:
            response += ({"Retry-After": str(refused.retry_after)},)
        return response
    if user.has_two_factor or must_use_two_factor(user):
        response = begin_second_step(user, safe_next(form.next.data))
        db.session.commit()  # a rehashed password
        return response
    start_session(user)
    record_event("sign_in", actor=user)
    db.session.commit()
    return remember_device(redirect(safe_next(form.next.data) or url_for("home.index")), user)


@bp.post("/sign-out")
def sign_out():
    """End this browser's session (POST only, with the CSRF token)."""
    if current_user.is_authenticated:
        record_event("sign_out")
    end_session()
    db.session.commit()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.sign_in"))


@login_manager.unauthorized_handler
def needs_sign_in():
    """Anonymous visitors of a protected page go to sign-in and come back after.

    A form posted just after the sign-in expired is kept and comes back with them.
    """
    token = keep_posted_form()
    target = f"{request.path}?restore={token}" if token else request.full_path.rstrip("?")
    return redirect(url_for("auth.sign_in", next=target))
