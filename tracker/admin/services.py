"""Named operations on user accounts."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.auth.passwords import hash_password
from tracker.auth.sessions import end_all_sessions
from tracker.extensions import db
from tracker.models import Region, Role, User
from tracker.models.accounts import normalise_email


class AccountRuleBroken(Exception):
    """An account change that would break a rule: carries the field and message."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


def email_taken(email: str, except_user: User | None = None) -> bool:
    query = sa.select(User.id).where(User.email == normalise_email(email))
    if except_user is not None:
        query = query.where(User.id != except_user.id)
    return db.session.scalar(query) is not None


def _apply(user: User, details: dict) -> None:
    user.name = details["name"].strip()
    user.email = details["email"]
    user.organisation_id = details["organisation_id"]
    user.role = Role(details["role"])
    user.all_regions = details["all_regions"]
    region_ids = [] if user.all_regions else details["region_ids"]
    user.regions = list(db.session.scalars(sa.select(Region).where(Region.id.in_(region_ids))))
    user.language = details["language"]


def create_user(details: dict, password: str) -> User:
    """Add an account. `details` holds the fields of the user form."""
    if email_taken(details["email"]):
        raise AccountRuleBroken("email", _l("An account with this email address already exists."))
    user = User(password_hash=hash_password(password), active=True)
    _apply(user, details)
    db.session.add(user)
    return user


def update_user(user: User, details: dict, acting: User) -> None:
    """Change an account; disabling it signs it out everywhere."""
    if email_taken(details["email"], except_user=user):
        raise AccountRuleBroken("email", _l("An account with this email address already exists."))
    if user.id == acting.id and (not details["active"] or details["role"] != Role.ADMIN):
        raise AccountRuleBroken(
            "active", _l("You cannot disable your own account or remove your own admin role.")
        )
    _apply(user, details)
    if user.active and not details["active"]:
        end_all_sessions(user, "account disabled")
    user.active = details["active"]
