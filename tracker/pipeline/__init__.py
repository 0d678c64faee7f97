"""The manager's pipeline: the board, attention flags, flow over time and workload."""

from flask import Blueprint

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline")

from tracker.pipeline import report_routes, routes  # noqa: E402, F401
