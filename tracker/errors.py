"""Error pages in the visitor's language, for every status the app answers."""

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.audit.trail import record_refusal
from tracker.auth.pending import is_secret_field
from tracker.extensions import db
from tracker.idempotency import AlreadySaved, answer_already_saved

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (
        _l("Not allowed"),
        _l("Your role does not allow this. Ask your administrator if you need it."),
    ),
    404: (_l("Not found"), _l("There is no such page, or it is not within your scope.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than this page accepts.")),
    429: (
        _l("Too many requests"),
        _l("Too many attempts in a short time. Wait a few minutes and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred. Nothing you sent was saved; please try again."),
    ),
}
# Refusals that go to the audit trail (ASVS 16.3.2, 16.3.3), by status.
REFUSALS = {403: "access_refused", 429: "throttled"}


def render_error(status: int, message=None, typed=None):
    title, default_message = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    body = render_template(
        "errors/error.html", status=status, title=title, message=message or default_message, typed=typed
    )
    return body, status


def handle_http_error(error: HTTPException):
    if error.code in REFUSALS:
        record_refusal(REFUSALS[error.code], str(error.code))
    body, status = render_error(error.code or 500)
    # What the error says beyond its page stays: Allow on a 405 (RFC 9110), Retry-After on a 429.
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    return body, status, headers


def handle_csrf_error(error: CSRFError):
    """A missing or stale form token: say so, and show back what was typed."""
    typed = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if value and not is_secret_field(name)
    ]
    record_refusal("access_refused", f"CSRF: {error.description}")
    message = _l(
        "This form had expired or did not come from this site, so nothing was saved. "
        "Reload the page and send it again."
    )
    return render_error(400, message, typed)


def handle_unexpected_error(_error: Exception):
    db.session.rollback()
    return render_error(500)


def register_error_handlers(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(AlreadySaved, answer_already_saved)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
