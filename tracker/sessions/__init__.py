"""Sessions pages."""

from flask import Blueprint

bp = Blueprint("sessions", __name__)

from tracker.sessions import routes  # noqa: E402, F401
