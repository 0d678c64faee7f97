"""Administration: user accounts and their signed-in sessions."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from tracker.admin import deleted, routes, sessions  # noqa: E402, F401
