"""Each user's own settings: password and language."""

from flask import Blueprint

bp = Blueprint("profile", __name__, url_prefix="/profile")

from tracker.profile import routes, two_factor  # noqa: E402, F401
