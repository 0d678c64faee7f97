"""Who may do what: the one place where access rules live.

Views and templates ask these functions; none of them writes a rule of its
own. Out-of-scope records answer 404, in-scope but forbidden actions 403
(see DESIGN.md, "What each role may do").
"""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from tracker.models import Role, User


def can_manage_accounts(user: User) -> bool:
    """Accounts, organisations, regions and catalogues are the admin's."""
    return user.is_authenticated and user.role == Role.ADMIN


def can_use_profile(user: User) -> bool:
    """Everyone signed in keeps their own password and language."""
    return user.is_authenticated


def allowed(check):
    """Decorate a view: sign-in required, then `check(current_user)` or 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
