"""Actions pages."""

from flask import Blueprint

bp = Blueprint("actions", __name__)

from tracker.actions import routes  # noqa: E402, F401
