"""Regional summaries and exports for officials and managers."""

from flask import Blueprint

bp = Blueprint("summaries", __name__, url_prefix="/summaries")

from tracker.summaries import routes  # noqa: E402, F401
