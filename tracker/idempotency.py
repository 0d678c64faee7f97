"""One-time form keys: a create form saves once, however often it is sent.

Every form that creates a record carries a random hidden `form_key`, made
when the form is shown (tracker.forms.OneTimeForm). Once the form is valid,
the create route calls `claim_form(form)`: the key is inserted into
form_submissions in the transaction that will save the record, and `saved()`
writes where the post led and commits both together. Whoever sends the same
form again is answered by `answer_already_saved()`: nothing more is created
and the browser goes to what the first post saved (303), with a message.

Two posts at the same moment (a double click, a resent request, two workers)
meet on the unique (user, key) index: on PostgreSQL the second INSERT waits
for the first transaction and then fails; on SQLite the second cannot write
until the first has committed, and then finds the key taken. The claim comes
before any other check of the route, so the second post never gets as far as
a duplicate warning or a clash on another unique column.

A post without a well-formed key (a page from before keys existed, a script)
saves nothing: the form comes back (422) with what was typed, a message and a
fresh key, so that saving again works.
"""

import re
import secrets
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import flash, redirect
from flask import request as http_request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug import Response

from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import FormSubmission

# token_urlsafe(32) gives 43 characters; keys from elsewhere may be shorter but not guessable.
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")
# A form left open longer than this and then sent twice may save twice: keys are pruned after it.
KEEP_FOR = timedelta(days=1)

NO_KEY = _l(
    "This form was sent without its one-time key (perhaps from a page opened before an update), "
    "so nothing was saved. What you typed is kept below: check it and save again."
)


class AlreadySaved(Exception):
    """This form has been saved by an earlier post; `url` shows what it saved."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def new_form_key() -> str:
    """A fresh random key for a form being shown."""
    return secrets.token_urlsafe(32)


def _posted_key(form) -> str | None:
    """The key the browser sent, if well formed. The field's data is not used: when the
    post lacks the field, WTForms fills it with a fresh default key."""
    raw = form.form_key.raw_data or []
    key = raw[0] if len(raw) == 1 else ""
    return key if KEY_PATTERN.fullmatch(key) else None


def _raise_if_saved(key: str) -> None:
    """AlreadySaved if this user's post with this key has been committed."""
    result_url = db.session.scalar(
        sa.select(FormSubmission.result_url).where(
            FormSubmission.user_id == current_user.id, FormSubmission.key == key
        )
    )
    if result_url:
        raise AlreadySaved(result_url)


def _refuse(form) -> bool:
    """The form comes back unsaved, with a message and a key that will work."""
    form.form_errors.append(NO_KEY)
    form.form_key.data = new_form_key()
    return False


def claim_form(form) -> bool:
    """Claim the valid create form's key for this post, in the transaction that saves it.

    Returns False (a message on the form, a fresh key in it) when the key is
    missing or malformed; raises AlreadySaved when an earlier post of the form
    was saved. Call it before the route's other checks, and finish with saved().
    """
    key = _posted_key(form)
    if key is None:
        return _refuse(form)
    # Pruning only one's own keys: posts of different people never wait on the same rows.
    db.session.execute(
        sa.delete(FormSubmission).where(
            FormSubmission.user_id == current_user.id, FormSubmission.created_at < utcnow() - KEEP_FOR
        )
    )
    _raise_if_saved(key)
    submission = FormSubmission(user_id=current_user.id, key=key, path=http_request.path[:500])
    db.session.add(submission)
    try:
        db.session.flush()
    except IntegrityError:  # a post of the same form saved while this one waited
        db.session.rollback()
        _raise_if_saved(key)
        return _refuse(form)
    form.submission = submission
    return True


def saved(form, result: Callable[[], str], message: str | None, code: int = 302) -> Response:
    """Commit what the form created, with its claimed key, and go to the result.

    `result` makes the result's address once the new record has its id. A
    form that was not claimed (the same form class editing a record) is just
    committed.
    """
    db.session.flush()
    url = result()
    submission = getattr(form, "submission", None)
    if submission is not None:
        submission.result_url = url[:500]
    db.session.commit()
    if message:
        flash(message, "success")
    return redirect(url, code)


def answer_already_saved(error: AlreadySaved) -> Response:
    """A repeated post of a saved form: nothing more is saved; show what the first one saved."""
    db.session.rollback()
    flash(_("This form had already been saved: here is what it saved. Nothing was saved twice."), "info")
    return redirect(error.url, 303)
