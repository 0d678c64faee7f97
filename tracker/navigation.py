"""The main menu: each entry shows only to those the permissions module lets in."""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracker.permissions import (
    can_browse_companies,
    can_manage_accounts,
    can_manage_catalogues,
    can_restore_deleted,
    can_review_sessions,
    can_search_notes,
    can_see_audit_log,
    can_see_summaries,
    can_use_pipeline,
    can_use_profile,
)


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object
    visible: Callable


MENU = (
    NavEntry("home.index", _l("Home"), lambda user: user.is_authenticated),
    NavEntry("companies.index", _l("Companies"), can_browse_companies),
    NavEntry("pipeline.board", _l("Pipeline"), can_use_pipeline),
    NavEntry("review.queue", _l("Session review"), can_review_sessions),
    NavEntry("search.index", _l("Search in notes"), can_search_notes),
    NavEntry("summaries.index", _l("Regional summary"), can_see_summaries),
    NavEntry("admin.users", _l("Users"), can_manage_accounts),
    NavEntry("support.measures", _l("Support measures"), can_manage_catalogues),
    NavEntry("audit.index", _l("Audit trail"), can_see_audit_log),
    NavEntry("admin.deleted", _l("Deleted records"), can_restore_deleted),
    NavEntry("profile.show", _l("Profile"), can_use_profile),
)


def menu_for_current_user():
    """Context processor: the entries this user may open."""
    return {"menu": [entry for entry in MENU if entry.visible(current_user)]}
