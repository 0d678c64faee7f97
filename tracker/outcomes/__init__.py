"""Outcome indicators: yearly Local Benchmark snapshots per company."""

from flask import Blueprint

bp = Blueprint("outcomes", __name__)

from tracker.outcomes import routes  # noqa: E402, F401
