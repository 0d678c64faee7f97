"""The audit trail: recording what happens, and the admins' pages to browse it."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

from tracker.audit import changes, routes  # noqa: E402, F401  (changes: the flush listener)
