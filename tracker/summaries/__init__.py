"""Regional summaries and exports for officials and managers."""

from flask import Blueprint

bp = Blueprint("summaries", __name__, url_prefix="/summaries")

from tracker.summaries import routes, tallies  # noqa: E402, F401  (tallies: the flush listener)
from tracker.summaries.commands import summaries_cli  # noqa: E402, F401
