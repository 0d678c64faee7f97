"""Deleting (a confirm page on GET, the deletion on POST) and the admin's deleted records.

Companies: admins anywhere, managers in their regions; consultants and
officials 403 in their region. Engagements: admins and managers (those who
open them). Sessions, insights and actions: those who write case records
(admins read but do not write: 403). Out of scope: 404. A deletion answers a
redirect to the parent page (302).
"""

from tests.access import admin_only, statuses
from tests.access.insights import rows, write

COMPANY = {
    "team": statuses(admin=200, manager=200, consultant=403, official=403),
    "region": statuses(admin=200, manager=200, consultant=403, official=403),
    "out": statuses(admin=200, manager=404, consultant=404, official=404),
    "missing": statuses(admin=404, manager=404, consultant=404, official=404),
}

ENGAGEMENT = {
    "team": statuses(admin=200, manager=200, consultant=403, official=404),
    "region": statuses(admin=200, manager=200, consultant=404, official=404),
    "out": statuses(admin=200, manager=404, consultant=404, official=404),
    "missing": statuses(admin=404, manager=404, consultant=404, official=404),
}


def deleting(expected: dict) -> dict:
    """The same statuses with the allowed 200 (the confirm page) turned into 302 (deleted, redirected)."""
    return {
        variant: {role: 302 if status == 200 else status for role, status in by_role.items()}
        for variant, by_role in expected.items()
    }


ROWS = (
    rows("companies.delete", "GET", "/companies/<>/delete", "company", COMPANY)
    | rows("companies.delete", "POST", "/companies/<>/delete", "company", deleting(COMPANY))
    | rows("engagements.delete", "GET", "/engagements/<>/delete", "engagement", ENGAGEMENT)
    | rows("engagements.delete", "POST", "/engagements/<>/delete", "engagement", deleting(ENGAGEMENT))
    | rows("sessions.delete", "GET", "/sessions/<>/delete", "session", write(200))
    | rows("sessions.delete", "POST", "/sessions/<>/delete", "session", write(302))
    | rows("insights.delete", "GET", "/insights/<>/delete", "insight", write(200))
    | rows("insights.delete", "POST", "/insights/<>/delete", "insight", write(302))
    | rows("actions.delete", "GET", "/actions/<>/delete", "action", write(200))
    | rows("actions.delete", "POST", "/actions/<>/delete", "action", write(302))
    | {
        ("admin.deleted", "GET", ""): ("/admin/deleted", admin_only(200)),
        # The world's records are not deleted: the admin is sent back to the list with a note (302).
        # One kind per variant, so that each kind's look-up is exercised.
        ("admin.restore_deleted", "POST", "team"): ("/admin/deleted/company/{company_team}/restore",
                                                     admin_only(302)),
        ("admin.restore_deleted", "POST", "region"): ("/admin/deleted/session/{session_region}/restore",
                                                       admin_only(302)),
        ("admin.restore_deleted", "POST", "out"): ("/admin/deleted/action/{action_out}/restore", admin_only(302)),
        ("admin.restore_deleted", "POST", "missing"): ("/admin/deleted/insight/999999/restore", admin_only(404)),
    }
)
