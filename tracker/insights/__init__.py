"""Insights pages."""

from flask import Blueprint

bp = Blueprint("insights", __name__)

from tracker.insights import routes  # noqa: E402, F401
