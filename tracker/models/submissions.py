"""One-time form keys: which create form has been saved, and where it led."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.database import UTCDateTime, utcnow
from tracker.extensions import db


class FormSubmission(db.Model):
    """A create form's key, claimed by the post that saved it.

    Written in the same transaction as the record the form creates, so the
    unique (user, key) pair lets one post of a rendered form save, and sends
    any repeat of it (a double click, a resent request) to `result_url`.
    """

    __tablename__ = "form_submissions"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(64))
    # The form's address, for whoever reads the table; the answer goes to result_url.
    path: Mapped[str] = mapped_column(sa.String(500))
    result_url: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
