"""Session review: the manager's queue of submitted session reports."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

from tracker.review import routes  # noqa: E402, F401
