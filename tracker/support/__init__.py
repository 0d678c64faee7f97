"""Support pages."""

from flask import Blueprint

bp = Blueprint("support", __name__)

from tracker.support import routes  # noqa: E402, F401
