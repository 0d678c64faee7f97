"""Server-side records of sign-in: live sessions, attempts and recovery codes."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.database import UTCDateTime, utcnow
from tracker.extensions import db
from tracker.models.accounts import User


class UserSession(db.Model):
    """One signed-in browser. The cookie holds a random token; we keep its hash.

    Deleting the row signs that browser out wherever the cookie is replayed.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    address: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="")

    user: Mapped[User] = relationship()


class SignInAttempt(db.Model):
    """One sign-in attempt, written and committed before the password (or code) is
    checked, so that concurrent attempts count each other (tracker/auth/throttle.py).

    A successful attempt deletes its bucket's rows; the rows left are failures.
    """

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        sa.Index("ix_sign_in_attempts_bucket", "email", "step", "device", "created_at"),
        sa.Index("ix_sign_in_attempts_address_created_at", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The email as typed (normalised), whether or not such an account exists.
    email: Mapped[str] = mapped_column(sa.String(254))
    # "password" for the first step of signing in, "code" for the second.
    step: Mapped[str] = mapped_column(sa.String(8), default="password")
    # The nonce of the browser's device cookie for this account, "" for a browser without one.
    device: Mapped[str] = mapped_column(sa.String(64), default="")
    address: Mapped[str] = mapped_column(sa.String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # False while the password or code is being checked, True once it was found wrong.
    failed: Mapped[bool] = mapped_column(default=False)


class PendingForm(db.Model):
    """A form posted after the sign-in had expired, kept so nothing typed is lost.

    The browser that posted it gets a random token (only its hash is stored)
    and, once signed in again, the form comes back filled in, unsaved.
    """

    __tablename__ = "pending_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(sa.String(500))
    data: Mapped[list] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class RecoveryCode(db.Model):
    """One single-use recovery code of a user's second factor; only its hash is kept.

    The codes are random (60 bits), so a plain SHA-256 suffices, as for session tokens.
    """

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
