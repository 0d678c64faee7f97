"""The audit trail: the admins' alone (403 to every other role, even for an event that does not exist)."""

from tests.access import admin_only

ROWS = {
    ("audit.index", "GET", ""): ("/admin/audit/", admin_only(200)),
    # A filter the form refuses: the message beside the field, 422.
    ("audit.index", "GET", "bad filter"): ("/admin/audit/?record_id=abc", admin_only(422)),
    ("audit.event", "GET", "missing"): ("/admin/audit/999999", admin_only(404)),
}
