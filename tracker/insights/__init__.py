"""Insights pages."""

from flask import Blueprint

from tracker.insights.links import url_if_registered

bp = Blueprint("insights", __name__)
bp.add_app_template_global(url_if_registered, "url_if_registered")

from tracker.insights import routes  # noqa: E402, F401
