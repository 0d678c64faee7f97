"""Nothing typed is lost to an expired sign-in.

When a form is posted by a browser whose sign-in has just expired, the fields
are kept on the server under a random token and the browser is sent to sign
in, then back to the form's own page with `?restore=<token>`. That page
calls `restored_form_data()` and shows the form filled in again, unsaved.
Convention: every form posts to the URL that shows it.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import flash, g, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict

from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import PendingForm

KEEP_FOR = timedelta(days=1)
# Fields whose values are never stored nor shown back: passwords (the profile's
# "current" and "confirm" too) and the form token.
_NEVER_KEPT = ("password", "current", "confirm", "csrf_token")


def is_secret_field(name: str) -> bool:
    """A password or token field, whatever form it is on."""
    return name in _NEVER_KEPT or "password" in name


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keep_posted_form() -> str | None:
    """Store the posted fields of a browser whose sign-in expired; return the token.

    Only a browser that was signed in (g.expired_user_id, set by the session
    loader) gets this, so anonymous posts cannot fill the table.
    """
    user_id = g.get("expired_user_id")
    if request.method != "POST" or user_id is None or not request.form:
        return None
    fields = [(k, v) for k, v in request.form.items(multi=True) if not is_secret_field(k)]
    token = secrets.token_urlsafe(24)
    db.session.execute(sa.delete(PendingForm).where(PendingForm.created_at < utcnow() - KEEP_FOR))
    db.session.add(PendingForm(token_hash=_hash(token), user_id=user_id, path=request.path, data=fields))
    db.session.commit()
    return token


def restored_form_data() -> ImmutableMultiDict | None:
    """The kept fields for this page and user, once; None if there are none."""
    token = request.args.get("restore")
    if not token or not current_user.is_authenticated:
        return None
    pending = db.session.scalar(
        sa.select(PendingForm).where(
            PendingForm.token_hash == _hash(token),
            PendingForm.user_id == current_user.id,
            PendingForm.path == request.path,
            PendingForm.created_at >= utcnow() - KEEP_FOR,
        )
    )
    if pending is None:
        return None
    data = ImmutableMultiDict([tuple(pair) for pair in pending.data])
    db.session.delete(pending)
    db.session.commit()
    flash(_("Your sign-in had expired. What you typed has been kept: check it and save again."), "info")
    return data


def form_data() -> ImmutableMultiDict | None:
    """What a form should be filled from: the post, else a restored post, else None."""
    if request.method == "POST":
        return request.form
    return restored_form_data()
