"""Each user's own settings: password, language and signed-in sessions."""

from flask import Blueprint

bp = Blueprint("profile", __name__, url_prefix="/profile")

from tracker.profile import routes, sessions, two_factor  # noqa: E402, F401
