"""The admins' view of the audit trail."""

from tracker.audit import bp  # noqa: F401
