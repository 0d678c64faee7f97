"""Named operations of signing in."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.auth import throttle
from tracker.auth.devices import device_for
from tracker.auth.passwords import hash_password, needs_rehash, verify_password
from tracker.auth.sessions import end_all_sessions
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import User
from tracker.models.accounts import normalise_email


class SignInRefused(Exception):
    """Why a sign-in was refused: a message for the user and an HTTP status."""

    def __init__(self, message, status: int, retry_after: int | None = None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.retry_after = retry_after


def too_many(throttled: throttle.Throttled) -> SignInRefused:
    """The refusal of an attempt over a throttling limit, naming the wait."""
    return SignInRefused(
        _l("Too many attempts. Try again in %(minutes)d minutes.", minutes=throttled.minutes),
        429,
        retry_after=throttled.retry_after,
    )


def authenticate(email: str, password: str, address: str) -> User:
    """Return the user these credentials belong to, or raise SignInRefused.

    Wrong password and unknown email get the same answer in the same time.
    The attempt is counted before the password is checked (throttle.reserve).
    """
    email = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    try:
        attempt = throttle.reserve(email, address, throttle.PASSWORD, device_for(user))
    except throttle.Throttled as throttled:
        raise too_many(throttled) from None
    if not verify_password(user.password_hash if user else None, password):
        throttle.failed(attempt)
        db.session.commit()
        raise SignInRefused(_l("The email address or password is incorrect."), 401)
    if not user.active:
        throttle.withdraw(attempt)
        db.session.commit()
        raise SignInRefused(
            _l("This account has been disabled. Ask your administrator to enable it."), 403
        )
    throttle.succeeded(attempt)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(user: User, password: str) -> None:
    """A new password (reset by an admin or changed by the user): old sessions end."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_all_sessions(user)
