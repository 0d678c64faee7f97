"""Administration: user accounts."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from tracker.admin import deleted, routes  # noqa: E402, F401
